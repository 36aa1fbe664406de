/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reattach.c -- a cache over a persistent pool: the pool is laid out or
 * reattached, a reattached pool's entries are adopted into the engine, the
 * reattach report is read back, and the pool is sealed. persist.c does the
 * work on the file; this file is what the engine does for it
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "internal.h"
#include "persist.h"
#include "util.h"

/*
 * adopt_entry -- indexes an entry of a pool being reattached; its value is
 * hashed at its first read, clean or not (see cellar.h) (internal)
 */
static int
adopt_entry(void *arg, const struct entry_hdr *h, uint64_t unit,
		uint32_t nfrags, void **token)
{
	VMEMcache *c = arg;
	struct entry *e = malloc(sizeof(*e) + h->key_size);
	if (e == NULL)
		return ENOMEM;
	memset(e, 0, sizeof(*e));
	e->hash = hash_bytes(h + 1, h->key_size);
	e->value_size = h->value_size;
	e->unit = unit;
	e->key_size = h->key_size;
	e->hdr_size = h->hdr_size;
	e->nfrags = nfrags;
	memcpy(e->key, h + 1, h->key_size);
	atomic_init(&e->refs, REF_DATA); /* the index's */
	atomic_init(&e->state, ENTRY_LIVE);
	atomic_init(&e->check, CHECK_PENDING);
	int ret = idx_insert(&c->index, e);
	if (ret) {
		free(e);
		return ret;
	}
	atomic_fetch_add(&c->dram, dram_size_of(e));
	*token = e;
	return 0;
}

/* queue_entry -- an adopted entry joins the LRU (internal) */
static void
queue_entry(void *arg, void *token)
{
	VMEMcache *c = arg;
	repl_insert(&c->repl, token);
}

/*
 * each_live -- calls fn on every indexed entry, under its shard's read
 * lock (internal)
 */
static void
each_live(void *arg, ps_live_fn *fn, void *fn_arg)
{
	VMEMcache *c = arg;
	for (unsigned i = 0; i < INDEX_SHARDS; i++) {
		struct index_shard *sh = &c->index.shards[i];
		pthread_rwlock_rdlock(&sh->lock);
		for (size_t b = 0; b < sh->nbuckets; b++)
			for (struct entry *e = sh->buckets[b]; e; e = e->hnext)
				fn(fn_arg, e->unit, e->nfrags);
		pthread_rwlock_unlock(&sh->lock);
	}
}

static uint64_t
entries_now(void *arg)
{
	return atomic_load(&((VMEMcache *)arg)->entries);
}

/* persist_ops -- what persist.c may do to c (internal) */
static struct ps_engine
persist_ops(VMEMcache *c)
{
	struct ps_engine eng = {c, adopt_entry, queue_entry, each_live,
		entries_now};
	return eng;
}

/*
 * persistent_setup -- opens or reattaches a persistent pool and builds the
 * engine around it: persist.c lays the file out or checks it, the engine
 * is built over that layout, a reattached pool's entries are rebuilt into
 * it, then the header is marked open (internal)
 */
static int
persistent_setup(VMEMcache *c, const char *path, size_t size)
{
	struct persist *ps = zalloc(1, sizeof(*ps));
	if (ps == NULL)
		return err_set(ENOMEM, "out of memory");
	struct ps_layout lay;
	if (ps_open(ps, &c->pool, path, size, c->extent, c->owner, &lay)) {
		free(ps);
		return -1;
	}
	c->extent = lay.extent;
	int ret = vc_engine_init(c, lay.units, lay.fresh);
	if (ret) {
		err_set(ret, "cannot set the cache up: %s", strerror(ret));
		goto fail_pool;
	}
	if (!lay.fresh) {
		struct ps_engine eng = persist_ops(c);
		/* on failure the entries adopted so far go with the index */
		if (ps_rebuild(ps, &c->heap, &eng))
			goto fail_engine;
		atomic_store(&c->entries, ps->report.entries_recovered);
		atomic_store(&c->seq, ps->max_seq + 1);
	}
	if (ps_ready(ps, &c->pool))
		goto fail_engine;
	c->persist = ps;
	return 0;
fail_engine:
	vc_engine_fini(c);
fail_pool:
	pool_close(&c->pool);
	free(ps);
	return -1;
}

int
cellar_add_persistent(VMEMcache *c, const char *path)
{
	if (c == NULL)
		return err_set(EINVAL, "cellar_add_persistent: invalid (NULL) cache");
	if (c->ready)
		return err_set(EBUSY, "the cache already has a pool");
	if (path == NULL)
		return err_set(EINVAL, "invalid (NULL) path");
	if (persistent_setup(c, path, c->size ? c->size : VMEMCACHE_MIN_POOL))
		return -1;
	c->ready = 1;
	return 0;
}

int
cellar_reattach_get(VMEMcache *c, struct cellar_reattach *out)
{
	if (c == NULL || out == NULL)
		return err_set(EINVAL, "cellar_reattach_get: invalid (NULL) argument");
	if (c->persist == NULL)
		return err_set(EINVAL, "cellar_reattach_get: the cache has no persistent pool");
	*out = c->persist->report;
	return 0;
}

int
cellar_seal(VMEMcache *c)
{
	if (c == NULL)
		return err_set(EINVAL, "cellar_seal: invalid (NULL) cache");
	if (c->persist == NULL)
		return 0;
	struct ps_engine eng = persist_ops(c);
	return ps_seal(c->persist, &c->pool, &c->heap, &eng);
}
