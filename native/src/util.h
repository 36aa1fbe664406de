/* SPDX-License-Identifier: Apache-2.0 */
/* util.h -- errors, hashing and small helpers shared by the engine (internal) */
#ifndef CELLAR_UTIL_H
#define CELLAR_UTIL_H 1

#include <stddef.h>
#include <stdint.h>

#define CELLAR_CACHELINE 64

/*
 * Stripes of state that every thread writes on a hot path (the hit and miss
 * counters, the LRU's rings): each thread keeps to one stripe, so that two
 * threads do not fight over one cache line. A power of two.
 */
#define CELLAR_STRIPES 4

/* util_stripe -- the calling thread's stripe, 0 to CELLAR_STRIPES - 1 */
unsigned util_stripe(void);

/* set errno to err and the thread's message to the formatted text; returns -1 */
int err_set(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* as err_set, appending ": <strerror(err)>" to the message */
int err_sys(int err, const char *what);

/* a miss: errno ENOENT without formatting a message (hot path) */
int err_miss(void);

/* hash_bytes -- 64-bit hash of a key */
uint64_t hash_bytes(const void *data, size_t len);

/* now_ns -- CLOCK_MONOTONIC in nanoseconds */
uint64_t now_ns(void);

/*
 * copy_sliced -- memcpy in slices of at most COPY_SLICE bytes. glibc's
 * memcpy switches to non-temporal stores above a share of the last-level
 * cache; a value copied that way leaves the cache, and on the machines we
 * measured it is also slower: a 1 MiB copy ran 24 K times a second whole
 * and 29-31 K times in 256 KiB slices, into a cold pool and into a reader's
 * warm buffer alike (README, "Against libvmemcache 0.8.1").
 */
#define COPY_SLICE ((size_t)256 << 10)
void copy_sliced(void *dst, const void *src, size_t n);

/*
 * The engine takes its DRAM only through malloc, realloc and free, never
 * calloc or aligned_alloc, so that a program that interposes those three to
 * count its heap (vmemcache's heap-usage test does) sees every block taken
 * and returned.
 */

/* zalloc -- n zeroed objects of `size` bytes, or NULL (out of memory, or
 * n * size overflows) */
void *zalloc(size_t n, size_t size);

/* zalloc_aligned -- `size` zeroed bytes aligned to `align` (a power of two
 * of at least sizeof(void *)), or NULL; freed only by free_aligned() */
void *zalloc_aligned(size_t size, size_t align);

/* free_aligned -- frees what zalloc_aligned returned; NULL is ignored */
void free_aligned(void *p);

/* size of a malloc'd block as the engine accounts it in DRAM statistics */
size_t dram_size_of(void *block);

static inline uint64_t
align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

#endif
