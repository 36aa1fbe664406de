/* SPDX-License-Identifier: Apache-2.0 */
/* index.c -- sharded hash index of entries */
#include "index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_BUCKETS 16

static inline struct index_shard *
shard_of(struct index *x, uint64_t hash)
{
	return &x->shards[hash >> 58];
}

static inline int
matches(const struct entry *e, uint64_t hash, const void *key, size_t ksize)
{
	return e->hash == hash && e->key_size == ksize &&
		memcmp(e->key, key, ksize) == 0;
}

int
idx_init(struct index *x)
{
	for (unsigned i = 0; i < INDEX_SHARDS; i++) {
		struct index_shard *s = &x->shards[i];
		s->buckets = NULL;
		s->nbuckets = 0;
		s->count = 0;
		int ret = pthread_rwlock_init(&s->lock, NULL);
		if (ret) {
			while (i--)
				pthread_rwlock_destroy(&x->shards[i].lock);
			return ret;
		}
	}
	return 0;
}

void
idx_fini(struct index *x, void (*drop)(struct entry *e, void *arg), void *arg)
{
	for (unsigned i = 0; i < INDEX_SHARDS; i++) {
		struct index_shard *s = &x->shards[i];
		for (size_t b = 0; b < s->nbuckets; b++) {
			struct entry *e = s->buckets[b];
			while (e) {
				struct entry *next = e->hnext;
				drop(e, arg);
				e = next;
			}
		}
		free(s->buckets);
		pthread_rwlock_destroy(&s->lock);
	}
}

/*
 * do_find -- the link that points at key's entry (internal, lock held)
 */
static struct entry **
do_find(struct index_shard *s, uint64_t hash, const void *key, size_t ksize)
{
	if (s->nbuckets == 0)
		return NULL;
	struct entry **link = &s->buckets[hash & (s->nbuckets - 1)];
	while (*link && !matches(*link, hash, key, ksize))
		link = &(*link)->hnext;
	return *link ? link : NULL;
}

struct entry *
idx_get_ref(struct index *x, uint64_t hash, const void *key, size_t ksize)
{
	struct index_shard *s = shard_of(x, hash);
	pthread_rwlock_rdlock(&s->lock);
	struct entry **link = do_find(s, hash, key, ksize);
	struct entry *e = link ? *link : NULL;
	if (e)
		atomic_fetch_add_explicit(&e->refs, REF_DATA,
				memory_order_relaxed);
	pthread_rwlock_unlock(&s->lock);
	return e;
}

int
idx_peek(struct index *x, uint64_t hash, const void *key, size_t ksize,
		int (*fn)(struct entry *e, void *arg), void *arg)
{
	struct index_shard *s = shard_of(x, hash);
	pthread_rwlock_rdlock(&s->lock);
	struct entry **link = do_find(s, hash, key, ksize);
	int ret = fn(link ? *link : NULL, arg);
	pthread_rwlock_unlock(&s->lock);
	return ret;
}

/*
 * do_grow -- doubles the buckets when the load passes 1; keeps the old table
 * when memory runs out (internal, write lock held)
 */
static int
do_grow(struct index_shard *s)
{
	if (s->count < s->nbuckets)
		return 0;
	size_t n = s->nbuckets ? s->nbuckets * 2 : INITIAL_BUCKETS;
	struct entry **b = zalloc(n, sizeof(*b));
	if (b == NULL)
		return s->nbuckets ? 0 : ENOMEM;
	for (size_t i = 0; i < s->nbuckets; i++) {
		struct entry *e = s->buckets[i];
		while (e) {
			struct entry *next = e->hnext;
			struct entry **head = &b[e->hash & (n - 1)];
			e->hnext = *head;
			*head = e;
			e = next;
		}
	}
	free(s->buckets);
	s->buckets = b;
	s->nbuckets = n;
	return 0;
}

int
idx_insert(struct index *x, struct entry *e)
{
	struct index_shard *s = shard_of(x, e->hash);
	int ret = 0;
	pthread_rwlock_wrlock(&s->lock);
	if (do_find(s, e->hash, e->key, e->key_size)) {
		ret = EEXIST;
	} else if ((ret = do_grow(s)) == 0) {
		struct entry **head = &s->buckets[e->hash & (s->nbuckets - 1)];
		e->hnext = *head;
		*head = e;
		s->count++;
	}
	pthread_rwlock_unlock(&s->lock);
	return ret;
}

struct entry *
idx_swap(struct index *x, struct entry *e, int *err)
{
	struct index_shard *s = shard_of(x, e->hash);
	struct entry *old = NULL;
	*err = 0;
	pthread_rwlock_wrlock(&s->lock);
	struct entry **link = do_find(s, e->hash, e->key, e->key_size);
	if (link) {
		unsigned live = ENTRY_LIVE;
		/* an entry being evicted stays until its evictor unlinks it */
		if (atomic_compare_exchange_strong(&(*link)->state, &live,
				ENTRY_DEAD)) {
			old = *link;
			e->hnext = old->hnext;
			*link = e;
		} else {
			*err = EAGAIN;
			old = *link;
		}
	} else if ((*err = do_grow(s)) == 0) {
		struct entry **head = &s->buckets[e->hash & (s->nbuckets - 1)];
		e->hnext = *head;
		*head = e;
		s->count++;
	}
	pthread_rwlock_unlock(&s->lock);
	return old;
}

int
idx_unlink(struct index *x, struct entry *e)
{
	struct index_shard *s = shard_of(x, e->hash);
	int found = 0;
	pthread_rwlock_wrlock(&s->lock);
	if (s->nbuckets) {
		struct entry **link = &s->buckets[e->hash & (s->nbuckets - 1)];
		while (*link && *link != e)
			link = &(*link)->hnext;
		if (*link) {
			*link = e->hnext;
			s->count--;
			found = 1;
		}
	}
	pthread_rwlock_unlock(&s->lock);
	return found;
}

size_t
idx_bucket_bytes(struct index *x)
{
	size_t total = 0;
	for (unsigned i = 0; i < INDEX_SHARDS; i++) {
		struct index_shard *s = &x->shards[i];
		pthread_rwlock_rdlock(&s->lock);
		total += s->nbuckets * sizeof(struct entry *);
		pthread_rwlock_unlock(&s->lock);
	}
	return total;
}
