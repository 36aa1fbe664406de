/* SPDX-License-Identifier: Apache-2.0 */
/*
 * heap.h -- extent allocator over the pool (internal)
 *
 * Free space is a set of runs of consecutive extents. Each free run keeps its
 * bookkeeping node in its own first extent, so free space costs no DRAM, and
 * sits in two AVL trees: by (length, start) for best fit and by start for
 * coalescing with its neighbours when space is returned.
 */
#ifndef CELLAR_HEAP_H
#define CELLAR_HEAP_H 1

#include <pthread.h>
#include <stdint.h>

#include "avl.h"

struct heap {
	pthread_mutex_t lock;
	pthread_cond_t freed;    /* broadcast when space comes back */
	unsigned waiters;        /* threads waiting on freed */
	char *base;              /* first extent */
	uint64_t extent;         /* bytes per extent */
	uint64_t units;          /* extents in the heap */
	uint64_t free_units;
	uint64_t nruns;          /* free runs */
	uint64_t gen;            /* bumped whenever space is returned */
	struct avl_link *by_size, *by_addr;
};

/* where an entry was placed: its first fragment and the chain's length */
struct heap_place {
	uint64_t unit;           /* first extent of the first fragment */
	uint64_t units;          /* extents of the first fragment */
	uint64_t next;           /* next fragment or FRAG_NONE */
	uint64_t nfrags;
};

int heap_init(struct heap *h, char *base, uint64_t units, uint64_t extent);
void heap_fini(struct heap *h);

/*
 * heap_alloc -- places hdr_size + value_size bytes: in one run when any run
 * is large enough, else in a chain of runs whose later fragments start with
 * a struct frag_hdr (written here). The caller writes the entry header.
 * Returns 0, or -1 when the free space does not suffice (nothing changed);
 * *gen is then the free generation seen, for heap_wait_freed().
 */
int heap_alloc(struct heap *h, uint64_t hdr_size, uint64_t value_size,
		struct heap_place *out, uint64_t *gen);

/* heap_free -- returns a whole chain that starts with `first` */
void heap_free(struct heap *h, const struct heap_place *first);

/* heap_fits -- whether hdr_size + value_size could fit in the empty heap */
int heap_fits(const struct heap *h, uint64_t hdr_size, uint64_t value_size);

/*
 * heap_wait_freed -- waits until space has been returned since generation
 * `gen` or `deadline` (CLOCK_MONOTONIC) passes; returns 0, or ETIMEDOUT
 */
int heap_wait_freed(struct heap *h, uint64_t gen,
		const struct timespec *deadline);

/* heap_stats -- used extents and free runs, read under the lock */
void heap_stats(struct heap *h, uint64_t *used_units, uint64_t *nruns);

/*
 * heap_check -- verifies the free-space trees: ordered, disjoint, fully
 * coalesced, in both trees, adding up to the free count; 0 or -1 (tests)
 */
int heap_check(struct heap *h);

/* heap_reset_used -- marks every extent used (before a rebuild) */
void heap_reset_used(struct heap *h);

/* heap_add_free -- returns [start, start + len) to the free space */
void heap_add_free(struct heap *h, uint64_t start, uint64_t len);

/*
 * heap_free_runs -- the free runs in address order as malloc'd
 * (start, len) pairs in *out (NULL when memory runs out); returns the count
 */
uint64_t heap_free_runs(struct heap *h, uint64_t (**out)[2]);

/*
 * heap_locked -- runs fn(arg) with the heap's lock held, so that no free
 * runs meanwhile
 */
void heap_locked(struct heap *h, void (*fn)(void *arg), void *arg);

static inline char *
heap_addr(const struct heap *h, uint64_t unit)
{
	return h->base + unit * h->extent;
}

#endif
