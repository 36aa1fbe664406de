/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libvmemcache.h -- the libvmemcache 0.8.1 compatible API of Cellar's engine
 *
 * A program written for PMDK's libvmemcache compiles against this header and
 * links against Cellar's libvmemcache.so unchanged.
 *
 * Lifecycle:
 *   VMEMcache *c = vmemcache_new();           unconfigured: LRU, 256 B extents
 *   vmemcache_set_size(c, 1 << 30);           optional setters, before add
 *   vmemcache_set_extent_size(c, 4096);
 *   vmemcache_set_eviction_policy(c, VMEMCACHE_REPLACEMENT_LRU);
 *   vmemcache_add(c, "/dev/shm");             maps the pool; setters now fail
 *   vmemcache_put / get / exists / evict ...  any number of threads at once
 *   vmemcache_delete(c);                      frees everything, no callbacks
 *
 * Errors: every function returning int or ssize_t returns -1 and sets errno;
 * vmemcache_errormsg() gives the text of the calling thread's last error.
 * A miss is reported without formatting a message.
 */
#ifndef LIBVMEMCACHE_H
#define LIBVMEMCACHE_H 1

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VMEMCACHE_MIN_POOL ((size_t)(1024 * 1024)) /* 1 MiB */
#define VMEMCACHE_MIN_EXTENT ((size_t)256)         /* 256 B */

typedef struct vmemcache VMEMcache;

/* replacement policies */
enum vmemcache_repl_p {
	VMEMCACHE_REPLACEMENT_NONE, /* never evicts: a full cache fails puts */
	VMEMCACHE_REPLACEMENT_LRU,  /* least recently used is evicted first */
	VMEMCACHE_REPLACEMENT_NUM
};

/* statistics, read with vmemcache_get_stat() into an unsigned long long */
enum vmemcache_statistic {
	VMEMCACHE_STAT_PUT,            /* successful puts */
	VMEMCACHE_STAT_GET,            /* gets: always HIT + MISS */
	VMEMCACHE_STAT_HIT,            /* gets that found their key */
	VMEMCACHE_STAT_MISS,           /* gets that did not */
	VMEMCACHE_STAT_EVICT,          /* entries evicted (by LRU or by key) */
	VMEMCACHE_STAT_ENTRIES,        /* entries currently in the index */
	VMEMCACHE_STAT_DRAM_SIZE_USED, /* DRAM bytes of index and bookkeeping */
	VMEMCACHE_STAT_POOL_SIZE_USED, /* pool bytes held by entries */
	VMEMCACHE_STAT_HEAP_ENTRIES,   /* free pieces of the pool */
	VMEMCACHE_STATS_NUM
};

/* benchmark switches; Cellar ignores every one of them */
enum vmemcache_bench_cfg {
	VMEMCACHE_BENCH_INDEX_ONLY,
	VMEMCACHE_BENCH_NO_ALLOC,
	VMEMCACHE_BENCH_NO_MEMCPY,
	VMEMCACHE_BENCH_PREFAULT
};

/*
 * vmemcache_on_evict -- called before an evicted entry disappears, in the
 * thread that caused the eviction, with no engine lock held: the entry can
 * still be read with vmemcache_get() and the callback may call put.
 */
typedef void vmemcache_on_evict(VMEMcache *cache, const void *key,
		size_t key_size, void *arg);

/*
 * vmemcache_on_miss -- called by vmemcache_get() on a miss, with no engine
 * lock held; if it puts the key, the pending get is served from that value.
 */
typedef void vmemcache_on_miss(VMEMcache *cache, const void *key,
		size_t key_size, void *arg);

/*
 * vmemcache_new -- an unconfigured cache: policy LRU, extent 256 B, size 0
 * (a directory pool then gets VMEMCACHE_MIN_POOL). NULL only when out of
 * memory (errno ENOMEM).
 */
VMEMcache *vmemcache_new(void);

/*
 * vmemcache_set_eviction_policy -- EINVAL for an unknown policy, EALREADY
 * once the cache has a pool.
 */
int vmemcache_set_eviction_policy(VMEMcache *cache,
		enum vmemcache_repl_p repl_p);

/*
 * vmemcache_set_size -- pool size in bytes, rounded up to the page size;
 * EINVAL below VMEMCACHE_MIN_POOL or at/above 2^56, EALREADY after add.
 */
int vmemcache_set_size(VMEMcache *cache, size_t size);

/*
 * vmemcache_set_extent_size -- the allocation unit; EINVAL below
 * VMEMCACHE_MIN_EXTENT, EALREADY after add. An extent larger than the pool
 * makes vmemcache_add() fail with EINVAL; one that leaves no room for the
 * pool's 4 KiB header is accepted, and the header is mapped on top of the
 * size: the pool then holds one extent.
 */
int vmemcache_set_extent_size(VMEMcache *cache, size_t extent_size);

/*
 * vmemcache_add -- maps the pool. `path` is a directory (the pool is a new
 * unnamed file in it, 0600, gone when the cache is deleted or the process
 * ends) or a device-DAX character device (mapped whole, or the set size).
 * Errors: EINVAL "invalid (NULL) path"; ENOTDIR "open: Not a directory" for a
 * regular file; ENOENT for a missing path; EACCES/EROFS when no file can be
 * created; ENOSPC when the file system cannot hold the pool; EBUSY on a
 * second add; EINVAL when the extent does not fit in the pool.
 * Not thread-safe: call it once, before the cache is shared.
 */
int vmemcache_add(VMEMcache *cache, const char *path);

/*
 * vmemcache_delete -- frees the cache, its pool and its index; no on_evict
 * runs. No other thread may use the cache during or after the call. NULL is
 * ignored.
 */
void vmemcache_delete(VMEMcache *cache);

/* vmemcache_callback_on_evict -- sets (or clears, with NULL) the callback */
void vmemcache_callback_on_evict(VMEMcache *cache, vmemcache_on_evict *evict,
		void *arg);

/* vmemcache_callback_on_miss -- sets (or clears, with NULL) the callback */
void vmemcache_callback_on_miss(VMEMcache *cache, vmemcache_on_miss *miss,
		void *arg);

/*
 * vmemcache_get -- copies at most vbufsize bytes of the value, starting at
 * `offset`, into vbuf; returns the count (0 when offset >= the value's size
 * or vbuf is NULL) and sets *vsize to the full size when vsize is not NULL.
 * A hit marks the entry recently used through a lock-free ring buffer.
 * Errors: ENOENT on a miss (after on_miss, if set); EINVAL for a NULL key or
 * a key_size of 0. Thread-safe.
 */
ssize_t vmemcache_get(VMEMcache *cache, const void *key, size_t key_size,
		void *vbuf, size_t vbufsize, size_t offset, size_t *vsize);

/*
 * vmemcache_exists -- 1 (and *vsize, if not NULL) when present, 0 when not,
 * -1 with EINVAL for bad arguments. Changes no statistic, no LRU order.
 */
int vmemcache_exists(VMEMcache *cache, const void *key, size_t key_size,
		size_t *vsize);

/*
 * vmemcache_put -- inserts a new key; the value is copied into the pool and
 * may span several extents. Evicts least-recently-used entries until the
 * value fits. Keys are 1 byte to 1 GiB of any bytes. Errors: EEXIST when the
 * key is present (nothing changes); ENOSPC when the value cannot fit even in
 * the empty pool (the pool loses 4 KiB to its header, and every value
 * carries a 56-byte header plus its key, rounded to 16 bytes), or nothing
 * more can be evicted; EINVAL for a NULL key, a key_size of 0, or a NULL
 * value with a non-zero size. Thread-safe.
 */
int vmemcache_put(VMEMcache *cache, const void *key, size_t key_size,
		const void *value, size_t value_size);

/*
 * vmemcache_evict -- removes the entry of `key` (on_evict runs first); if
 * another thread is evicting it already, waits until that eviction is over.
 * With a NULL key, removes the least-recently-used entry. Errors: ENOENT
 * when the key is absent, ESRCH when nothing can be evicted (always under
 * policy NONE). Thread-safe.
 */
int vmemcache_evict(VMEMcache *cache, const void *key, size_t ksize);

/*
 * vmemcache_get_stat -- writes one statistic into *value; EINVAL for an
 * unknown statistic or a value_size other than 8.
 */
int vmemcache_get_stat(VMEMcache *cache, enum vmemcache_statistic stat,
		void *value, size_t value_size);

/* vmemcache_errormsg -- the calling thread's last error message */
const char *vmemcache_errormsg(void);

/* vmemcache_bench_set -- accepted for compatibility; Cellar ignores it */
void vmemcache_bench_set(VMEMcache *cache, enum vmemcache_bench_cfg cfg,
		size_t val);

#ifdef __cplusplus
}
#endif
#endif /* LIBVMEMCACHE_H */
