/* SPDX-License-Identifier: Apache-2.0 */
/* heap.c -- extent allocator: best-fit runs, chained fragments, coalescing */
#include "heap.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

/* a free run; lives in the run's own first extent */
struct run {
	struct avl_link by_size;
	struct avl_link by_addr;
	uint64_t start;
	uint64_t len;
};

_Static_assert(sizeof(struct run) <= 256, "a run node fits in the smallest extent");

#define RUN_OF(link, member) \
	((struct run *)((char *)(link) - offsetof(struct run, member)))

static int
cmp_size(const struct avl_link *a, const struct avl_link *b)
{
	const struct run *x = RUN_OF(a, by_size), *y = RUN_OF(b, by_size);
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int
cmp_addr(const struct avl_link *a, const struct avl_link *b)
{
	const struct run *x = RUN_OF(a, by_addr), *y = RUN_OF(b, by_addr);
	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * run_add -- makes [start, start + len) a free run (internal, lock held)
 */
static void
run_add(struct heap *h, uint64_t start, uint64_t len)
{
	struct run *r = (struct run *)heap_addr(h, start);
	r->start = start;
	r->len = len;
	h->by_size = avl_insert(h->by_size, &r->by_size, cmp_size);
	h->by_addr = avl_insert(h->by_addr, &r->by_addr, cmp_addr);
	h->nruns++;
}

/*
 * run_del -- unlinks a free run from both trees (internal, lock held)
 */
static void
run_del(struct heap *h, struct run *r)
{
	h->by_size = avl_remove(h->by_size, &r->by_size, cmp_size);
	h->by_addr = avl_remove(h->by_addr, &r->by_addr, cmp_addr);
	h->nruns--;
}

/*
 * take -- cuts `len` extents off the front of run r (internal, lock held)
 */
static uint64_t
take(struct heap *h, struct run *r, uint64_t len)
{
	uint64_t start = r->start, rest = r->len - len;
	run_del(h, r);
	if (rest > 0)
		run_add(h, start + len, rest);
	h->free_units -= len;
	return start;
}

/*
 * do_free_run -- returns a run, merged with free neighbours (internal, lock
 * held)
 */
static void
do_free_run(struct heap *h, uint64_t start, uint64_t len)
{
	struct run probe = {.start = start ? start - 1 : 0};
	h->free_units += len;
	if (start > 0) {
		struct avl_link *l = avl_floor(h->by_addr, &probe.by_addr, cmp_addr);
		struct run *p = l ? RUN_OF(l, by_addr) : NULL;
		if (p && p->start + p->len == start) {
			run_del(h, p);
			start = p->start;
			len += p->len;
		}
	}
	probe.start = start + len;
	struct avl_link *l = avl_ceil(h->by_addr, &probe.by_addr, cmp_addr);
	struct run *n = l ? RUN_OF(l, by_addr) : NULL;
	if (n && n->start == start + len) {
		run_del(h, n);
		len += n->len;
	}
	run_add(h, start, len);
}

/*
 * best_fit -- the smallest run of at least len extents, or NULL (internal)
 */
static struct run *
best_fit(struct heap *h, uint64_t len)
{
	struct run probe = {.start = 0, .len = len};
	struct avl_link *l = avl_ceil(h->by_size, &probe.by_size, cmp_size);
	return l ? RUN_OF(l, by_size) : NULL;
}

int
heap_init(struct heap *h, char *base, uint64_t units, uint64_t extent)
{
	memset(h, 0, sizeof(*h));
	int ret = pthread_mutex_init(&h->lock, NULL);
	if (ret)
		return ret;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	ret = pthread_cond_init(&h->freed, &ca);
	pthread_condattr_destroy(&ca);
	if (ret) {
		pthread_mutex_destroy(&h->lock);
		return ret;
	}
	h->base = base;
	h->units = units;
	h->extent = extent;
	if (units > 0) {
		h->free_units = units;
		run_add(h, 0, units);
	}
	return 0;
}

void
heap_fini(struct heap *h)
{
	pthread_cond_destroy(&h->freed);
	pthread_mutex_destroy(&h->lock);
}

static inline uint64_t
units_for(const struct heap *h, uint64_t bytes)
{
	return (bytes + h->extent - 1) / h->extent;
}

int
heap_fits(const struct heap *h, uint64_t hdr_size, uint64_t value_size)
{
	return value_size <= h->units * h->extent &&
		units_for(h, hdr_size + value_size) <= h->units;
}

/*
 * do_release_chain -- frees every fragment of a chain (internal, lock held)
 */
static void
do_release_chain(struct heap *h, const struct heap_place *first)
{
	uint64_t unit = first->unit, units = first->units, next = first->next;
	for (;;) {
		if (next != FRAG_NONE) {
			struct frag_hdr *f =
				(struct frag_hdr *)heap_addr(h, next);
			uint64_t nunit = next, nunits = f->units, nnext = f->next;
			f->magic = 0;
			do_free_run(h, unit, units);
			unit = nunit;
			units = nunits;
			next = nnext;
		} else {
			do_free_run(h, unit, units);
			return;
		}
	}
}

/*
 * do_alloc_chain -- gathers runs largest first, the last by best fit
 * (internal, lock held)
 */
static int
do_alloc_chain(struct heap *h, uint64_t hdr_size, uint64_t value_size,
		struct heap_place *out)
{
	struct avl_link *l = avl_last(h->by_size);
	struct run *r = l ? RUN_OF(l, by_size) : NULL;
	if (r == NULL || r->len * h->extent <= hdr_size)
		return -1;
	uint64_t len = r->len;
	out->units = len;
	out->unit = take(h, r, len);
	out->next = FRAG_NONE;
	out->nfrags = 1;
	uint64_t cap0 = len * h->extent - hdr_size;
	uint64_t left = cap0 >= value_size ? 0 : value_size - cap0;
	uint64_t *link = &out->next;
	while (left > 0) {
		uint64_t need = units_for(h, sizeof(struct frag_hdr) + left);
		r = best_fit(h, need);
		if (r == NULL) {
			l = avl_last(h->by_size);
			r = l ? RUN_OF(l, by_size) : NULL;
			if (r == NULL) {
				do_release_chain(h, out);
				return -1;
			}
			need = r->len;
		}
		uint64_t unit = take(h, r, need);
		struct frag_hdr *f = (struct frag_hdr *)heap_addr(h, unit);
		f->magic = 0;
		f->check = 0;
		f->units = need;
		f->next = FRAG_NONE;
		f->seq = 0;
		*link = unit;
		link = &f->next;
		out->nfrags++;
		uint64_t cap = need * h->extent - sizeof(struct frag_hdr);
		left = cap >= left ? 0 : left - cap;
	}
	return 0;
}

int
heap_alloc(struct heap *h, uint64_t hdr_size, uint64_t value_size,
		struct heap_place *out, uint64_t *gen)
{
	uint64_t need = units_for(h, hdr_size + value_size);
	int ret = -1;
	pthread_mutex_lock(&h->lock);
	if (need <= h->free_units) {
		struct run *r = best_fit(h, need);
		if (r) {
			out->units = need;
			out->unit = take(h, r, need);
			out->next = FRAG_NONE;
			out->nfrags = 1;
			ret = 0;
		} else {
			ret = do_alloc_chain(h, hdr_size, value_size, out);
		}
	}
	*gen = h->gen;
	pthread_mutex_unlock(&h->lock);
	return ret;
}

void
heap_free(struct heap *h, const struct heap_place *first)
{
	pthread_mutex_lock(&h->lock);
	do_release_chain(h, first);
	h->gen++;
	if (h->waiters)
		pthread_cond_broadcast(&h->freed);
	pthread_mutex_unlock(&h->lock);
}

int
heap_wait_freed(struct heap *h, uint64_t gen, const struct timespec *deadline)
{
	int ret = 0;
	pthread_mutex_lock(&h->lock);
	h->waiters++;
	while (h->gen == gen && ret == 0)
		ret = pthread_cond_timedwait(&h->freed, &h->lock, deadline);
	h->waiters--;
	pthread_mutex_unlock(&h->lock);
	return ret;
}

void
heap_stats(struct heap *h, uint64_t *used_units, uint64_t *nruns)
{
	pthread_mutex_lock(&h->lock);
	*used_units = h->units - h->free_units;
	*nruns = h->nruns;
	pthread_mutex_unlock(&h->lock);
}

/*
 * walk_addr -- in-order walk of the address tree checking order and
 * coalescing; returns the number of runs or -1 (internal, lock held)
 */
static long
walk_addr(const struct heap *h, struct avl_link *l, uint64_t *end,
		uint64_t *sum, int *first)
{
	if (l == NULL)
		return 0;
	long left = walk_addr(h, l->left, end, sum, first);
	if (left < 0)
		return -1;
	const struct run *r = RUN_OF(l, by_addr);
	if (r->len == 0 || r->start + r->len > h->units)
		return -1;
	/* runs are disjoint and never adjacent: freeing coalesces */
	if (!*first && r->start <= *end)
		return -1;
	*first = 0;
	*end = r->start + r->len;
	*sum += r->len;
	long right = walk_addr(h, l->right, end, sum, first);
	return right < 0 ? -1 : left + 1 + right;
}

/*
 * count_tree -- nodes of a tree (internal)
 */
static long
count_tree(const struct avl_link *l)
{
	return l ? 1 + count_tree(l->left) + count_tree(l->right) : 0;
}

int
heap_check(struct heap *h)
{
	pthread_mutex_lock(&h->lock);
	uint64_t end = 0, sum = 0;
	int first = 1;
	long n = walk_addr(h, h->by_addr, &end, &sum, &first);
	int ok = n >= 0 && (uint64_t)n == h->nruns && sum == h->free_units &&
		count_tree(h->by_size) == n;
	pthread_mutex_unlock(&h->lock);
	return ok ? 0 : -1;
}

void
heap_reset_used(struct heap *h)
{
	pthread_mutex_lock(&h->lock);
	h->by_size = h->by_addr = NULL;
	h->nruns = 0;
	h->free_units = 0;
	pthread_mutex_unlock(&h->lock);
}

void
heap_add_free(struct heap *h, uint64_t start, uint64_t len)
{
	pthread_mutex_lock(&h->lock);
	do_free_run(h, start, len);
	pthread_mutex_unlock(&h->lock);
}

/*
 * collect -- in-order walk of the address tree into runs[] (internal)
 */
static void
collect(const struct avl_link *l, uint64_t (*runs)[2], uint64_t *n)
{
	if (l == NULL)
		return;
	collect(l->left, runs, n);
	const struct run *r = RUN_OF(l, by_addr);
	runs[*n][0] = r->start;
	runs[*n][1] = r->len;
	(*n)++;
	collect(l->right, runs, n);
}

void
heap_locked(struct heap *h, void (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&h->lock);
	fn(arg);
	pthread_mutex_unlock(&h->lock);
}

uint64_t
heap_free_runs(struct heap *h, uint64_t (**out)[2])
{
	pthread_mutex_lock(&h->lock);
	uint64_t n = 0;
	*out = malloc((h->nruns ? h->nruns : 1) * sizeof(**out));
	if (*out != NULL)
		collect(h->by_addr, *out, &n);
	pthread_mutex_unlock(&h->lock);
	return n;
}
