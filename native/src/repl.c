/* SPDX-License-Identifier: Apache-2.0 */
/* repl.c -- LRU replacement fed by a lock-free ring */
#include "repl.h"

#include <errno.h>
#include <stddef.h>

/* how far from the LRU end a victim nobody reads is looked for */
#define VICTIM_SCAN 32

int
repl_init(struct repl *r, int lru, repl_unref_fn *unref, void *arg)
{
	r->lru = lru;
	r->head = r->tail = NULL;
	r->unref = unref;
	r->arg = arg;
	int ret = pthread_mutex_init(&r->lock, NULL);
	if (ret)
		return ret;
	if (lru && (ret = ring_init(&r->ring, REPL_RING_SIZE)) != 0) {
		pthread_mutex_destroy(&r->lock);
		return ret;
	}
	return 0;
}

/*
 * do_unlink -- takes e out of the list (internal, lock held)
 */
static void
do_unlink(struct repl *r, struct entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		r->head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		r->tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
	e->in_lru = 0;
}

/*
 * do_append -- links e as most recent (internal, lock held)
 */
static void
do_append(struct repl *r, struct entry *e)
{
	e->lru_next = NULL;
	e->lru_prev = r->tail;
	if (r->tail)
		r->tail->lru_next = e;
	else
		r->head = e;
	r->tail = e;
	e->in_lru = 1;
}

/*
 * do_drain -- applies every use waiting in the ring (internal, lock held)
 */
static void
do_drain(struct repl *r)
{
	struct entry *e;
	while ((e = ring_pop(&r->ring)) != NULL) {
		if (e->in_lru && e != r->tail) {
			do_unlink(r, e);
			do_append(r, e);
		}
		r->unref(e, r->arg);
	}
}

void
repl_fini(struct repl *r)
{
	if (r->lru) {
		pthread_mutex_lock(&r->lock);
		do_drain(r);
		pthread_mutex_unlock(&r->lock);
		ring_fini(&r->ring);
	}
	pthread_mutex_destroy(&r->lock);
}

void
repl_insert(struct repl *r, struct entry *e)
{
	if (!r->lru)
		return;
	pthread_mutex_lock(&r->lock);
	do_drain(r);
	if (atomic_load(&e->state) == ENTRY_LIVE && !e->in_lru)
		do_append(r, e);
	pthread_mutex_unlock(&r->lock);
}

void
repl_remove(struct repl *r, struct entry *e)
{
	if (!r->lru)
		return;
	pthread_mutex_lock(&r->lock);
	/* uses waiting in the ring hold references: let them go now, so
	 * that the space of a removed entry comes back at once */
	do_drain(r);
	if (e->in_lru)
		do_unlink(r, e);
	pthread_mutex_unlock(&r->lock);
}

void
repl_touch(struct repl *r, struct entry *e)
{
	/* a use of an entry on its way out changes no order */
	if (!r->lru || atomic_load(&e->state) != ENTRY_LIVE) {
		r->unref(e, r->arg);
		return;
	}
	if (ring_push(&r->ring, e))
		return;
	/* the ring is full: drain it ourselves if nobody else is at it */
	if (pthread_mutex_trylock(&r->lock) == 0) {
		do_drain(r);
		if (e->in_lru && e != r->tail) {
			do_unlink(r, e);
			do_append(r, e);
		}
		pthread_mutex_unlock(&r->lock);
	}
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

struct entry *
repl_victim(struct repl *r)
{
	if (!r->lru)
		return NULL;
	struct entry *victim = NULL;
	pthread_mutex_lock(&r->lock);
	do_drain(r);
	/* prefer an entry only the index holds: its space frees at once */
	struct entry *e = r->head;
	for (unsigned i = 0; e && i < VICTIM_SCAN; i++, e = e->lru_next) {
		if ((atomic_load(&e->refs) & REF_DATA_MASK) == 1 &&
				atomic_load(&e->state) == ENTRY_LIVE &&
				do_claim(e)) {
			victim = e;
			break;
		}
	}
	for (e = r->head; victim == NULL && e; e = e->lru_next)
		if (do_claim(e))
			victim = e;
	if (victim) {
		atomic_fetch_add(&victim->refs, REF_DATA);
		do_unlink(r, victim);
	}
	pthread_mutex_unlock(&r->lock);
	return victim;
}
