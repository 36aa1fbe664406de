/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_mt_evict.c -- threads under constant LRU eviction
 *
 * A 1 MiB pool, 64 keys, values up to 64 KiB: nearly every put evicts.
 * 4 threads put, get, pin, replace, exists and evict(NULL); every value
 * read (also inside on_evict) is checked whole, no put ever fails with
 * ENOSPC (at most 4 entries are pinned at a time), and at the end every
 * on_evict call is an eviction counted and the pool coalesces.
 */
#include <sched.h>
#include <stdatomic.h>

#include "ut_value.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)
#define NTHREADS 4
#define NKEYS 64
#define MAXV (64 * KIB)
#define ITERS 200000UL

static atomic_ullong next_gen = 1;
static atomic_ulong evict_calls;
static atomic_ulong total_ops;
static VMEMcache *cache;
static double deadline;

static _Thread_local char tbuf[MAXV];
static _Thread_local char cbbuf[MAXV];

/* on_evict_cb -- counts and reads the evicted entry (internal) */
static void
on_evict_cb(VMEMcache *c, const void *key, size_t ksize, void *arg)
{
	(void)arg;
	uint32_t k;
	UT_ASSERTeq(ksize, sizeof(k));
	memcpy(&k, key, sizeof(k));
	atomic_fetch_add(&evict_calls, 1);
	ssize_t r = vmemcache_get(c, key, ksize, cbbuf, MAXV, 0, NULL);
	if (r >= 0)
		utv_check(cbbuf, (size_t)r, k);
	else
		UT_ASSERTeq(errno, ENOENT);
}

/* worker -- random calls until the iteration or time bound (internal) */
static void *
worker(void *arg)
{
	uint64_t rs = 0xabcdefULL + (uint64_t)(uintptr_t)arg;
	unsigned long i;
	for (i = 0; i < ITERS; i++) {
		if ((i & 31) == 0 && ut_now() > deadline)
			break;
		uint32_t k = (uint32_t)(ut_rand(&rs) % NKEYS);
		unsigned op = (unsigned)(ut_rand(&rs) % 100);
		size_t len = UTV_HDR;
		if (op < 45 || (op >= 90 && op < 95)) {
			/* mostly small, some large */
			len = (ut_rand(&rs) % 4) ? (size_t)ut_rand_range(&rs,
				UTV_HDR, 8 * KIB) : (size_t)ut_rand_range(&rs,
				UTV_HDR, MAXV);
			utv_make(tbuf, len, k, atomic_fetch_add(&next_gen, 1));
		}
		int r;
		if (op < 45) {
			r = vmemcache_put(cache, &k, sizeof(k), tbuf, len);
			UT_ASSERTm(r == 0 || errno == EEXIST, "put of %zu B: %s",
				len, cellar_errno_name(errno));
		} else if (op < 75) {
			size_t vs = 0;
			ssize_t g = vmemcache_get(cache, &k, sizeof(k), tbuf,
				MAXV, 0, &vs);
			if (g >= 0) {
				UT_ASSERTeq(g, vs);
				utv_check(tbuf, (size_t)g, k);
			} else {
				UT_ASSERTeq(errno, ENOENT);
			}
		} else if (op < 85) {
			cellar_pin p;
			if (cellar_pin_get(cache, &k, sizeof(k), &p) == 0) {
				uint64_t g = utv_check_pin(&p, k, tbuf);
				sched_yield();
				UT_ASSERTeq(utv_check_pin(&p, k, tbuf), g);
				cellar_pin_release(&p);
			} else {
				UT_ASSERTeq(errno, ENOENT);
			}
		} else if (op < 90) {
			r = vmemcache_evict(cache, NULL, 0);
			UT_ASSERT(r == 0 || errno == ESRCH);
		} else if (op < 95) {
			UT_OK(cellar_replace(cache, &k, sizeof(k), tbuf, len));
		} else {
			size_t vs = 0;
			r = vmemcache_exists(cache, &k, sizeof(k), &vs);
			UT_ASSERT(r == 0 || (r == 1 && vs >= UTV_HDR));
		}
	}
	atomic_fetch_add(&total_ops, i);
	return NULL;
}

/* run -- one pool under a policy (internal) */
static void
run(int dram, enum cellar_policy policy)
{
	cache = ut_cache_with(MIB, 0, policy, dram);
	vmemcache_callback_on_evict(cache, on_evict_cb, NULL);
	atomic_store(&evict_calls, 0);
	atomic_store(&total_ops, 0);
	deadline = ut_now() + 2.5;
	pthread_t t[NTHREADS];
	for (uintptr_t i = 0; i < NTHREADS; i++)
		UT_OK(pthread_create(&t[i], NULL, worker, (void *)i));
	for (int i = 0; i < NTHREADS; i++)
		UT_OK(pthread_join(t[i], NULL));

	struct cellar_stats st;
	UT_OK(cellar_stats_get(cache, &st));
	UT_ASSERTeq(st.pinned, 0);
	UT_ASSERTeq(st.gets, st.hits + st.misses);
	unsigned long calls = atomic_load(&evict_calls);
	UT_ASSERTeq(st.evictions, calls);
	UT_ASSERT(st.evictions > 0);
	UT_ASSERTle(st.pool_used, st.pool_size);
	UT_OUT("%s pool, %s: %lu ops, %llu puts, %llu evictions, %llu split "
		"puts, %llu free pieces", dram ? "DRAM" : "file",
		policy == CELLAR_POLICY_S3FIFO ? "S3-FIFO" : "LRU",
		atomic_load(&total_ops), st.puts, st.evictions,
		st.put_fragments, st.heap_entries);
	for (uint32_t k = 0; k < NKEYS; k++) {
		ssize_t g = vmemcache_get(cache, &k, sizeof(k), tbuf, MAXV, 0,
			NULL);
		if (g >= 0)
			utv_check(tbuf, (size_t)g, k);
	}
	while (vmemcache_evict(cache, NULL, 0) == 0)
		;
	UT_ASSERTeq(errno, ESRCH);
	UT_ASSERT_EMPTY(cache);
	vmemcache_delete(cache);
}

int
main(void)
{
	ut_start("test_mt_evict");
	ut_watchdog(300);
	run(0, CELLAR_POLICY_LRU);
	run(1, CELLAR_POLICY_LRU);
	run(1, CELLAR_POLICY_S3FIFO);
	return ut_done();
}
