/* SPDX-License-Identifier: Apache-2.0 */
/* keys.c -- listing the keys of a cache or a tier stack; eviction journals */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "journal.h"
#include "util.h"

/* keys of one index shard, copied out under its read lock */
struct shard_copy {
	unsigned char *buf;      /* (size_t len, bytes) records, each aligned */
	size_t used;
};

static inline size_t
rec_size(size_t key_size)
{
	return (size_t)align_up(sizeof(size_t) + key_size, sizeof(size_t));
}

/*
 * copy_shard -- copies the keys of the live entries of one shard; 0 or
 * ENOMEM (internal)
 */
static int
copy_shard(struct index_shard *s, struct shard_copy *out)
{
	out->buf = NULL;
	out->used = 0;
	pthread_rwlock_rdlock(&s->lock);
	size_t need = 0;
	for (size_t b = 0; b < s->nbuckets; b++)
		for (struct entry *e = s->buckets[b]; e; e = e->hnext)
			if (atomic_load(&e->state) == ENTRY_LIVE)
				need += rec_size(e->key_size);
	if (need > 0 && (out->buf = malloc(need)) == NULL) {
		pthread_rwlock_unlock(&s->lock);
		return ENOMEM;
	}
	for (size_t b = 0; b < s->nbuckets; b++) {
		for (struct entry *e = s->buckets[b]; e; e = e->hnext) {
			if (atomic_load(&e->state) != ENTRY_LIVE)
				continue;
			size_t len = e->key_size;
			memcpy(out->buf + out->used, &len, sizeof(len));
			memcpy(out->buf + out->used + sizeof(len), e->key, len);
			out->used += rec_size(len);
		}
	}
	pthread_rwlock_unlock(&s->lock);
	return 0;
}

int
cellar_keys_list(VMEMcache *c, cellar_key_fn *fn, void *arg)
{
	if (c == NULL || fn == NULL)
		return err_set(EINVAL, "cellar_keys_list: invalid (NULL) argument");
	if (!c->ready)
		return err_set(EINVAL, "cellar_keys_list: the cache has no pool");
	for (unsigned i = 0; i < INDEX_SHARDS; i++) {
		struct shard_copy sc;
		if (copy_shard(&c->index.shards[i], &sc))
			return err_set(ENOMEM, "out of memory listing keys");
		int stop = 0;
		for (size_t at = 0; at < sc.used && !stop;) {
			size_t len;
			memcpy(&len, sc.buf + at, sizeof(len));
			stop = fn(sc.buf + at + sizeof(len), len, arg);
			at += rec_size(len);
		}
		free(sc.buf);
		if (stop)
			break;
	}
	return 0;
}

/* every key of a tier stack, once: copies in a growing buffer and a set */
struct key_set {
	unsigned char *buf;
	size_t used, cap;
	size_t *slots;           /* offset + 1 of a record, 0 when empty */
	size_t nslots, count;
	int err;
};

static const unsigned char *
set_key(const struct key_set *s, size_t slot, size_t *len)
{
	const unsigned char *r = s->buf + s->slots[slot] - 1;
	memcpy(len, r, sizeof(*len));
	return r + sizeof(*len);
}

/*
 * set_grow -- doubles the slots (internal)
 */
static int
set_grow(struct key_set *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 1024;
	size_t *slots = zalloc(n, sizeof(*slots));
	if (slots == NULL)
		return ENOMEM;
	for (size_t i = 0; i < s->nslots; i++) {
		if (s->slots[i] == 0)
			continue;
		size_t len;
		const unsigned char *k = set_key(s, i, &len);
		size_t j = hash_bytes(k, len) & (n - 1);
		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = s->slots[i];
	}
	free(s->slots);
	s->slots = slots;
	s->nslots = n;
	return 0;
}

/*
 * set_add -- cellar_key_fn adding a key unless present (internal)
 */
static int
set_add(const void *key, size_t key_size, void *arg)
{
	struct key_set *s = arg;
	if (s->count * 2 >= s->nslots && (s->err = set_grow(s)) != 0)
		return 1;
	size_t j = hash_bytes(key, key_size) & (s->nslots - 1);
	for (; s->slots[j]; j = (j + 1) & (s->nslots - 1)) {
		size_t len;
		const unsigned char *k = set_key(s, j, &len);
		if (len == key_size && memcmp(k, key, len) == 0)
			return 0;
	}
	size_t need = rec_size(key_size);
	if (s->used + need > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 65536;
		while (cap < s->used + need)
			cap *= 2;
		unsigned char *b = realloc(s->buf, cap);
		if (b == NULL) {
			s->err = ENOMEM;
			return 1;
		}
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->used, &key_size, sizeof(key_size));
	memcpy(s->buf + s->used + sizeof(key_size), key, key_size);
	s->slots[j] = s->used + 1;
	s->used += need;
	s->count++;
	return 0;
}

int
cellar_tier_keys_list(cellar_tier *t, cellar_key_fn *fn, void *arg)
{
	if (t == NULL || fn == NULL)
		return err_set(EINVAL,
			"cellar_tier_keys_list: invalid (NULL) argument");
	struct key_set s = {0};
	/* top to bottom: a key demoted during the walk is met again below */
	for (unsigned i = 0; i < cellar_tier_count(t) && s.err == 0; i++)
		if (cellar_keys_list(cellar_tier_cache(t, i), set_add, &s))
			s.err = errno;
	int ret = 0;
	if (s.err) {
		ret = err_set(s.err, "out of memory listing the keys of a tier stack");
	} else {
		for (size_t at = 0; at < s.used;) {
			size_t len;
			memcpy(&len, s.buf + at, sizeof(len));
			if (fn(s.buf + at + sizeof(len), len, arg))
				break;
			at += rec_size(len);
		}
	}
	free(s.buf);
	free(s.slots);
	return ret;
}

int
cellar_journal_enable(VMEMcache *c, size_t capacity)
{
	if (c == NULL)
		return err_set(EINVAL, "cellar_journal_enable: invalid (NULL) cache");
	if (capacity == 0 || capacity > CELLAR_JOURNAL_MAX)
		return err_set(EINVAL,
			"cellar_journal_enable: capacity %zu is not from 1 to %zu",
			capacity, (size_t)CELLAR_JOURNAL_MAX);
	struct journal *j = jr_new(capacity);
	if (j == NULL)
		return err_set(ENOMEM, "out of memory for a journal");
	struct journal *none = NULL;
	if (!atomic_compare_exchange_strong(&c->journal, &none, j)) {
		jr_delete(j);
		return err_set(EALREADY, "the cache already has a journal");
	}
	return 0;
}

long
cellar_journal_drain(VMEMcache *c, size_t max_keys, cellar_key_fn *fn,
		void *arg, int *overflowed)
{
	if (c == NULL || overflowed == NULL)
		return err_set(EINVAL, "cellar_journal_drain: invalid (NULL) argument");
	struct journal *j = atomic_load(&c->journal);
	if (j == NULL)
		return err_set(EINVAL, "cellar_journal_drain: the cache has no journal");
	return jr_drain(j, max_keys, fn, arg, overflowed);
}
