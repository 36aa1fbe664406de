/* SPDX-License-Identifier: Apache-2.0 */
/*
 * persist.h -- persistent pools: format, reattach, clean close, checksums
 * (internal). A leaf under the engine: it works on the pool, the heap and
 * what the engine passes in (struct ps_engine), never on the cache itself
 */
#ifndef CELLAR_PERSIST_H
#define CELLAR_PERSIST_H 1

#include <stdint.h>

#include "cellar.h"
#include "cks.h"
#include "format.h"
#include "heap.h"
#include "pool.h"

struct persist {
	uint64_t seed;       /* the pool's uuid */
	uint64_t gen;        /* pool_hdr.gen of this open */
	uint8_t *heads;      /* the head map: a byte per extent (format.h) */
	int sealed;          /* ps_seal ran: no more puts (atomic) */
	struct cellar_reattach report;
	/* between ps_open and ps_ready */
	uint64_t t0;         /* when ps_open began */
	unsigned set_aside;  /* bad files set aside by ps_open */
	int fresh;           /* a new pool, no reattach */
	int clean;           /* the file was closed clean (a reattach) */
	uint64_t max_seq;    /* the newest entry ps_rebuild adopted */
};

/* the heap ps_open found or laid out, for the engine to build */
struct ps_layout {
	uint64_t units;      /* extents in the heap */
	size_t extent;       /* bytes per extent */
	int fresh;           /* a new pool: the heap starts all free, no rebuild */
};

/* ps_live_fn -- one indexed entry: its first extent and fragment count */
typedef void ps_live_fn(void *arg, uint64_t unit, uint32_t nfrags);

/* what the engine does for ps_rebuild and ps_seal; arg is passed back */
struct ps_engine {
	void *arg;
	/*
	 * adopt -- indexes the pool entry whose validated header h is at
	 * `unit`; 0 with *token (for queue), EEXIST when its key is taken,
	 * ENOMEM. An adopted entry the rebuild fails after is the engine's.
	 */
	int (*adopt)(void *arg, const struct entry_hdr *h, uint64_t unit,
			uint32_t nfrags, void **token);
	/* queue -- hands adopted entries to replacement, oldest first */
	void (*queue)(void *arg, void *token);
	/* each_live -- calls fn on every indexed entry, each under its
	 * index lock */
	void (*each_live)(void *arg, ps_live_fn *fn, void *fn_arg);
	/* entries -- entries in the index now */
	uint64_t (*entries)(void *arg);
};

/*
 * ps_head_set -- marks (1) or clears (0) extent `unit` as an entry's head;
 * atomic, as a pin's release may clear one while ps_seal does
 */
static inline void
ps_head_set(struct persist *ps, uint64_t unit, uint8_t v)
{
	__atomic_store_n(&ps->heads[unit], v, __ATOMIC_RELAXED);
}

/*
 * ps_open -- the first step of adding a persistent pool (the engine then
 * builds its heap over *out, calls ps_rebuild unless out->fresh, then
 * ps_ready): opens, locks and maps the pool file into *pool, and lays a
 * new (or empty) file out in memory, or checks the header of one to be
 * reattached; a file that cannot be either is set aside and another made
 * (3 times at most). `extent` is the configured extent; `owner` the
 * cache's tag. 0, or -1 with nothing left open
 */
int ps_open(struct persist *ps, struct pool *pool, const char *path,
		size_t size, size_t extent, const uint8_t *owner,
		struct ps_layout *out);

/*
 * ps_rebuild -- reattaches the entries of a pool ps_open checked into
 * heap, built all used over it: adopts them through eng, queues them
 * oldest first, and returns every extent no entry holds to the heap; the
 * report counts them, ps->max_seq is the newest. 0, or -1 (ENOMEM)
 */
int ps_rebuild(struct persist *ps, struct heap *heap,
		const struct ps_engine *eng);

/*
 * ps_ready -- the last step: marks the header open (a reattach is one
 * more generation) and makes it durable, and completes the report;
 * 0 or -1
 */
int ps_ready(struct persist *ps, struct pool *pool);

/*
 * ps_close -- the clean close: marks free runs, makes the pool durable,
 * marks the header clean with `entries`; the heap is done with. Frees ps
 * (the mapping stays)
 */
void ps_close(struct persist *ps, struct pool *pool, struct heap *heap,
		uint64_t entries);

/*
 * ps_seal -- makes the pool clean while pins may still hold entries that
 * left the index (see cellar_seal); 0 or -1
 */
int ps_seal(struct persist *ps, struct pool *pool, struct heap *heap,
		const struct ps_engine *eng);

/* ps_sealed -- whether ps_seal ran */
static inline int
ps_sealed(const struct persist *ps)
{
	return __atomic_load_n(&ps->sealed, __ATOMIC_ACQUIRE);
}

/* ps_value_ok -- 1 when the entry at `unit` matches its checksum */
int ps_value_ok(const struct persist *ps, const struct heap *heap,
		uint64_t unit);

/* ps_hdr_checksum -- entry_hdr.hdr_checksum of a header and key */
uint32_t ps_hdr_checksum(const struct persist *ps, const struct entry_hdr *h,
		const void *key);

/* ps_value_begin -- starts entry_hdr.checksum: header and key, value next */
void ps_value_begin(const struct persist *ps, struct cks *s,
		const struct entry_hdr *h, const void *key);

/* ps_frag_check -- frag_hdr.check of a fragment header */
uint32_t ps_frag_check(const struct persist *ps, const struct frag_hdr *f);

#endif
