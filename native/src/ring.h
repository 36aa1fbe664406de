/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ring.h -- bounded lock-free ring of pointers feeding the LRU (internal)
 *
 * Any number of producers push without a lock (a hit records its entry
 * here); the one consumer that holds the LRU lock pops them in batches.
 * Each cell carries a sequence number, so a producer that has claimed a cell
 * but not yet filled it is never read early.
 */
#ifndef CELLAR_RING_H
#define CELLAR_RING_H 1

#include <stdatomic.h>
#include <stddef.h>

#include "util.h"

struct ring_cell {
	atomic_size_t seq;
	void *_Atomic data;
};

struct ring {
	struct ring_cell *cells;
	size_t mask;
	_Alignas(CELLAR_CACHELINE) atomic_size_t head; /* next to push */
	_Alignas(CELLAR_CACHELINE) atomic_size_t tail; /* next to pop */
};

/* ring_init -- capacity is a power of two; returns 0 or ENOMEM */
int ring_init(struct ring *r, size_t capacity);
void ring_fini(struct ring *r);

/* ring_push -- 1 when stored, 0 when the ring is full */
int ring_push(struct ring *r, void *p);

/* ring_pop -- the oldest pointer or NULL when empty; one consumer at a time */
void *ring_pop(struct ring *r);

/* ring_size_hint -- how many pointers are waiting (racy, for heuristics) */
size_t ring_size_hint(struct ring *r);

#endif
