/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h -- the cache object, shared by the API, the tier stack and
 * reattach (internal)
 */
#ifndef CELLAR_INTERNAL_H
#define CELLAR_INTERNAL_H 1

#include <stdatomic.h>
#include <stdint.h>

#include "cellar.h"
#include "journal.h"
#include "heap.h"
#include "index.h"
#include "pool.h"
#include "repl.h"

struct persist;

/* one piece of a value being stored */
struct vc_src {
	const void *addr;
	size_t len;
};

/* the hits and misses of one stripe of threads, a cache line of its own */
struct vc_gets {
	_Alignas(CELLAR_CACHELINE) atomic_ullong hits;
	atomic_ullong misses;
};

struct vmemcache {
	/* configuration, fixed once the pool is added */
	size_t size;
	size_t extent;
	enum repl_kind policy;
	int ready;
	uint8_t owner[CELLAR_OWNER_MAX]; /* a persistent pool's owner tag */

	/* callbacks: set them before the cache is shared */
	vmemcache_on_evict *on_evict;
	void *evict_arg;
	vmemcache_on_miss *on_miss;
	void *miss_arg;

	struct pool pool;
	struct persist *persist;  /* NULL unless the pool is persistent */
	struct journal *_Atomic journal; /* NULL until enabled */
	struct heap heap;
	struct index index;
	struct repl repl;

	atomic_ulong put_wait_ms; /* longest wait for pinned space */
	atomic_ullong seq;        /* entry sequence numbers */
	atomic_ullong pending;    /* out of the index, still referenced */

	/* statistics; GET is hits + misses, counted per stripe (util_stripe)
	 * and added up when read */
	struct vc_gets gets[CELLAR_STRIPES];
	_Alignas(CELLAR_CACHELINE) atomic_ullong puts;
	atomic_ullong evictions;
	atomic_ullong entries;
	atomic_ullong dram;
	atomic_ullong replaces;
	atomic_ullong pinned;
	atomic_ullong fragmented;
	atomic_ullong corrupt;    /* entries dropped by a failed lazy check */
};

/*
 * vc_store -- stores a value given in pieces: a put (EEXIST if present) or,
 * with `replace`, a replace
 */
int vc_store(VMEMcache *c, const void *key, size_t key_size,
		const struct vc_src *src, unsigned nsrc, uint64_t value_size,
		int replace);

/*
 * vc_pin -- pins a key's entry; `count` decides whether the pin counts as a
 * hit (or miss) and marks the entry used, as cellar_pin_get does
 */
int vc_pin(VMEMcache *c, const void *key, size_t key_size, cellar_pin *pin,
		int count);

/*
 * vc_has_other -- whether the key has a live entry other than the one whose
 * on_evict runs in this thread
 */
int vc_has_other(VMEMcache *c, const void *key, size_t key_size);

/*
 * vc_evict_quiet -- evicts a key, counted in the evictions as
 * vmemcache_evict() counts it, but without the journal or on_evict (a tier
 * stack's explicit evict: the key leaves the stack, it is not demoted);
 * ENOENT when absent
 */
int vc_evict_quiet(VMEMcache *c, const void *key, size_t key_size);

/* vc_check_iov -- validates pieces of a value and adds up their lengths */
int vc_check_iov(const struct cellar_iov *iov, unsigned iovcnt,
		uint64_t *total, const char *fn);

/* vc_check_key -- validates (cache, key) for a data call; 0 or -1 EINVAL */
int vc_check_key(VMEMcache *c, const void *key, size_t key_size,
		const char *fn);

/*
 * vc_engine_init -- builds heap, index and replacement over a pool laid
 * out with c->extent and `units` extents; the heap starts all free, or (to
 * be rebuilt from a reattached pool) all used. 0 or an errno
 */
int vc_engine_init(VMEMcache *c, uint64_t units, int all_free);

/* vc_engine_fini -- frees what vc_engine_init built (no entries held) */
void vc_engine_fini(VMEMcache *c);

#endif
