/* SPDX-License-Identifier: Apache-2.0 */
/*
 * index.h -- key -> entry map, sharded so that readers of different keys
 * never share a lock, and readers of one shard share a read lock (internal)
 */
#ifndef CELLAR_INDEX_H
#define CELLAR_INDEX_H 1

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "util.h"

#define INDEX_SHARDS 64

struct index_shard {
	pthread_rwlock_t lock;
	struct entry **buckets;
	size_t nbuckets;        /* power of two, or 0 before the first insert */
	size_t count;
} __attribute__((aligned(CELLAR_CACHELINE)));

struct index {
	struct index_shard shards[INDEX_SHARDS];
};

int idx_init(struct index *x);
/* idx_fini -- frees the tables; calls drop() on every entry still held */
void idx_fini(struct index *x, void (*drop)(struct entry *e, void *arg),
		void *arg);

/* idx_get_ref -- the entry of key with one more data reference, or NULL */
struct entry *idx_get_ref(struct index *x, uint64_t hash, const void *key,
		size_t key_size);

/*
 * idx_peek -- under the shard's read lock, calls fn on the entry of key
 * (or NULL); returns what fn returns
 */
int idx_peek(struct index *x, uint64_t hash, const void *key, size_t key_size,
		int (*fn)(struct entry *e, void *arg), void *arg);

/* idx_insert -- 0, EEXIST when the key is present, ENOMEM */
int idx_insert(struct index *x, struct entry *e);

/*
 * idx_swap -- puts e in place of the live entry with the same key, which is
 * marked ENTRY_DEAD and returned with the index's reference (NULL if there
 * was none). *err is ENOMEM, or EAGAIN when that entry is being evicted:
 * nothing changed and the returned pointer is only for comparison.
 */
struct entry *idx_swap(struct index *x, struct entry *e, int *err);

/* idx_unlink -- removes exactly e; 1 if it was there (its reference is now
 * the caller's), 0 if not */
int idx_unlink(struct index *x, struct entry *e);

/* idx_bucket_bytes -- DRAM held by the bucket tables */
size_t idx_bucket_bytes(struct index *x);

#endif
