/* SPDX-License-Identifier: Apache-2.0 */
/* repl.c -- replacement: LRU fed by a lock-free ring, or S3-FIFO */
#include "repl.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

/* how far from the evicting end a victim nobody reads is looked for */
#define VICTIM_SCAN 32

/* S3-FIFO: the small FIFO's share of the bytes, in percent */
#define SMALL_PERCENT 10
/* S3-FIFO: the highest use count (2 bits) */
#define FREQ_MAX 3
/* S3-FIFO: the fewest ghost slots */
#define GHOST_MIN 1024

enum { SMALL, MAIN };

int
repl_init(struct repl *r, enum repl_kind kind, repl_unref_fn *unref,
		void *arg)
{
	r->kind = kind;
	for (int i = 0; i < 2; i++)
		r->lists[i] = (struct repl_list){NULL, NULL, 0, 0};
	r->ghost = NULL;
	r->ghost_mask = 0;
	r->unref = unref;
	r->arg = arg;
	int ret = pthread_mutex_init(&r->lock, NULL);
	if (ret)
		return ret;
	for (unsigned i = 0; kind == REPL_LRU && i < CELLAR_STRIPES; i++) {
		if ((ret = ring_init(&r->rings[i], REPL_RING_SIZE)) != 0) {
			while (i-- > 0)
				ring_fini(&r->rings[i]);
			pthread_mutex_destroy(&r->lock);
			return ret;
		}
	}
	return 0;
}

/* weight -- what an entry counts for in its list's bytes (internal) */
static uint64_t
weight(const struct entry *e)
{
	return e->value_size + e->key_size;
}

/*
 * do_unlink -- takes e out of its list (internal, lock held)
 */
static void
do_unlink(struct repl *r, struct entry *e)
{
	struct repl_list *l = &r->lists[e->linked - 1];
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		l->head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		l->tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
	e->linked = 0;
	l->bytes -= weight(e);
	l->count--;
}

/*
 * do_append -- links e as most recent of list `which` (internal, lock held)
 */
static void
do_append(struct repl *r, struct entry *e, int which)
{
	struct repl_list *l = &r->lists[which];
	e->lru_next = NULL;
	e->lru_prev = l->tail;
	if (l->tail)
		l->tail->lru_next = e;
	else
		l->head = e;
	l->tail = e;
	e->linked = (uint8_t)(which + 1);
	l->bytes += weight(e);
	l->count++;
}

/* do_requeue -- moves e to the recent end of list `which` (internal) */
static void
do_requeue(struct repl *r, struct entry *e, int which)
{
	do_unlink(r, e);
	do_append(r, e, which);
}

/*
 * do_drain -- applies every use waiting in the LRU's rings, ring by ring
 * (internal, lock held)
 */
static void
do_drain(struct repl *r)
{
	if (r->kind != REPL_LRU)
		return;
	for (unsigned i = 0; i < CELLAR_STRIPES; i++) {
		struct entry *e;
		while ((e = ring_pop(&r->rings[i])) != NULL) {
			atomic_store_explicit(&e->queued, 0,
					memory_order_relaxed);
			if (e->linked && e != r->lists[0].tail)
				do_requeue(r, e, 0);
			r->unref(e, r->arg);
		}
	}
}

/*
 * ghost_fit -- grows the ghost table to twice the entries tracked; a table
 * that cannot grow keeps its size (internal, lock held)
 */
static void
ghost_fit(struct repl *r)
{
	uint64_t want = 2 * (r->lists[SMALL].count + r->lists[MAIN].count);
	if (want < GHOST_MIN)
		want = GHOST_MIN;
	if (r->ghost != NULL && want <= r->ghost_mask + 1)
		return;
	size_t slots = GHOST_MIN;
	while (slots < want)
		slots *= 2;
	uint64_t *g = zalloc(slots, sizeof(*g));
	if (g == NULL)
		return;
	/* rehash what the old table remembered */
	for (size_t i = 0; r->ghost != NULL && i <= r->ghost_mask; i++)
		if (r->ghost[i])
			g[r->ghost[i] & (slots - 1)] = r->ghost[i];
	free(r->ghost);
	r->ghost = g;
	r->ghost_mask = slots - 1;
}

/* ghost_tag -- a hash as the ghost stores it: never 0 (internal) */
static uint64_t
ghost_tag(uint64_t hash)
{
	return hash | 1;
}

/*
 * ghost_take -- whether the ghost remembers the hash; forgets it (internal,
 * lock held)
 */
static int
ghost_take(struct repl *r, uint64_t hash)
{
	if (r->ghost == NULL)
		return 0;
	uint64_t *slot = &r->ghost[hash & r->ghost_mask];
	if (*slot != ghost_tag(hash))
		return 0;
	*slot = 0;
	return 1;
}

/*
 * ghost_put -- remembers a hash; a slot holds one hash, so a newer one
 * replaces an older one, and the table forgets in about the time the cache
 * turns over (internal, lock held)
 */
static void
ghost_put(struct repl *r, uint64_t hash)
{
	ghost_fit(r);
	if (r->ghost != NULL)
		r->ghost[hash & r->ghost_mask] = ghost_tag(hash);
}

void
repl_fini(struct repl *r)
{
	if (r->kind == REPL_LRU) {
		pthread_mutex_lock(&r->lock);
		do_drain(r);
		pthread_mutex_unlock(&r->lock);
		for (unsigned i = 0; i < CELLAR_STRIPES; i++)
			ring_fini(&r->rings[i]);
	}
	free(r->ghost);
	r->ghost = NULL;
	pthread_mutex_destroy(&r->lock);
}

void
repl_insert(struct repl *r, struct entry *e)
{
	if (r->kind == REPL_NONE)
		return;
	pthread_mutex_lock(&r->lock);
	do_drain(r);
	if (atomic_load(&e->state) == ENTRY_LIVE && !e->linked) {
		int which = 0;
		if (r->kind == REPL_S3FIFO) {
			atomic_store_explicit(&e->freq, 0, memory_order_relaxed);
			which = ghost_take(r, e->hash) ? MAIN : SMALL;
		}
		do_append(r, e, which);
	}
	pthread_mutex_unlock(&r->lock);
}

void
repl_remove(struct repl *r, struct entry *e)
{
	if (r->kind == REPL_NONE)
		return;
	pthread_mutex_lock(&r->lock);
	/* uses waiting in the ring hold references: let them go now, so
	 * that the space of a removed entry comes back at once */
	do_drain(r);
	if (e->linked)
		do_unlink(r, e);
	pthread_mutex_unlock(&r->lock);
}

/*
 * freq_bump -- one more use, saturating; lock-free: concurrent bumps may
 * count as one, which only makes the count a little low (internal)
 */
static void
freq_bump(struct entry *e)
{
	unsigned char f = atomic_load_explicit(&e->freq, memory_order_relaxed);
	if (f < FREQ_MAX)
		atomic_store_explicit(&e->freq, (unsigned char)(f + 1),
				memory_order_relaxed);
}

int
repl_use(struct repl *r, struct entry *e)
{
	/* a use of an entry on its way out changes no order */
	if (r->kind == REPL_NONE || atomic_load(&e->state) != ENTRY_LIVE)
		return 0;
	if (r->kind == REPL_S3FIFO) {
		freq_bump(e);
		return 0;
	}
	/* a plain load first: a hot entry is mostly queued already, and a
	 * load leaves its cache line shared between the readers' cores */
	if (atomic_load_explicit(&e->queued, memory_order_relaxed))
		return 0;
	return !atomic_exchange_explicit(&e->queued, 1, memory_order_relaxed);
}

void
repl_touch(struct repl *r, struct entry *e)
{
	if (ring_push(&r->rings[util_stripe()], e))
		return;
	/* the ring is full: drain it ourselves if nobody else is at it */
	if (pthread_mutex_trylock(&r->lock) == 0) {
		do_drain(r);
		if (e->linked && e != r->lists[0].tail)
			do_requeue(r, e, 0);
		pthread_mutex_unlock(&r->lock);
	}
	atomic_store_explicit(&e->queued, 0, memory_order_relaxed);
	r->unref(e, r->arg);
}

/*
 * do_claim -- moves e from live to evicting (internal, lock held)
 */
static int
do_claim(struct entry *e)
{
	unsigned live = ENTRY_LIVE;
	return atomic_compare_exchange_strong(&e->state, &live, ENTRY_EVICTING);
}

/* only_indexed -- whether no reader holds e: its space frees at once */
static int
only_indexed(struct entry *e)
{
	return (atomic_load(&e->refs) & REF_DATA_MASK) == 1 &&
		atomic_load(&e->state) == ENTRY_LIVE;
}

/*
 * lru_victim -- the least recently used entry, preferring one nobody reads
 * among the first VICTIM_SCAN (internal, lock held)
 */
static struct entry *
lru_victim(struct repl *r)
{
	struct entry *e = r->lists[0].head;
	for (unsigned i = 0; e && i < VICTIM_SCAN; i++, e = e->lru_next)
		if (only_indexed(e) && do_claim(e))
			return e;
	for (e = r->lists[0].head; e; e = e->lru_next)
		if (do_claim(e))
			return e;
	return NULL;
}

/*
 * s3fifo_victim -- evicts from the small FIFO while it holds more than its
 * share (or the main FIFO is empty), else from the main FIFO; an entry used
 * since it was queued moves on (small to main, main round again with one
 * use less). An entry that readers hold is passed over VICTIM_SCAN times
 * before it may be taken (internal, lock held)
 */
static struct entry *
s3fifo_victim(struct repl *r)
{
	unsigned passed = 0;
	for (;;) {
		struct repl_list *s = &r->lists[SMALL], *m = &r->lists[MAIN];
		uint64_t total = s->bytes + m->bytes;
		int from_small = s->head != NULL && (m->head == NULL ||
				s->bytes * 100 > total * SMALL_PERCENT);
		struct entry *e = from_small ? s->head : m->head;
		if (e == NULL)
			return NULL;
		unsigned char f = atomic_load_explicit(&e->freq,
				memory_order_relaxed);
		if (from_small && f > 0) {
			atomic_store_explicit(&e->freq, 0, memory_order_relaxed);
			do_requeue(r, e, MAIN);
			continue;
		}
		if (!from_small && f > 0) {
			atomic_store_explicit(&e->freq, (unsigned char)(f - 1),
					memory_order_relaxed);
			do_requeue(r, e, MAIN);
			continue;
		}
		if (atomic_load(&e->state) != ENTRY_LIVE ||
				(passed < VICTIM_SCAN && !only_indexed(e))) {
			/* being evicted by another thread, or read now */
			passed++;
			if (passed > VICTIM_SCAN + s->count + m->count)
				return NULL;
			do_requeue(r, e, from_small ? SMALL : MAIN);
			continue;
		}
		if (!do_claim(e))
			continue;
		if (from_small)
			ghost_put(r, e->hash);
		return e;
	}
}

struct entry *
repl_victim(struct repl *r)
{
	if (r->kind == REPL_NONE)
		return NULL;
	pthread_mutex_lock(&r->lock);
	do_drain(r);
	struct entry *victim = r->kind == REPL_S3FIFO ? s3fifo_victim(r)
		: lru_victim(r);
	if (victim) {
		atomic_fetch_add(&victim->refs, REF_DATA);
		do_unlink(r, victim);
	}
	pthread_mutex_unlock(&r->lock);
	return victim;
}
