/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_mt_tier.c -- a tier stack used by 4 threads at once
 *
 * A 1 MiB DRAM cache over a 2 MiB file cache, then over a 2 MiB persistent
 * pool file; 32 keys, values up to 100 KiB: entries move down and up all
 * the time. Every value read is checked whole; after the threads stop, no
 * key is in two tiers (over the pool file, two copies are equal), every
 * present value is whole, and the drop count matches the stack's final
 * on_evict calls.
 */
#include <sched.h>
#include <stdatomic.h>

#include "ut_pool.h"
#include "ut_value.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)
#define NTHREADS 4
#define NKEYS 32
#define MAXV (100 * KIB)
#define ITERS 100000UL

static atomic_ullong next_gen = 1;
static atomic_ulong drops;
static atomic_ulong total_ops;
static cellar_tier *tier;
static VMEMcache *bottom;
static double deadline;

static _Thread_local char tbuf[MAXV];

/* on_drop -- the stack's final on_evict (internal) */
static void
on_drop(VMEMcache *c, const void *key, size_t ksize, void *arg)
{
	(void)arg;
	(void)key;
	UT_ASSERT(c == bottom);
	UT_ASSERTeq(ksize, sizeof(uint32_t));
	atomic_fetch_add(&drops, 1);
}

/* worker -- random stack calls (internal) */
static void *
worker(void *arg)
{
	uint64_t rs = 0x7777ULL + (uint64_t)(uintptr_t)arg;
	unsigned long i;
	for (i = 0; i < ITERS; i++) {
		if ((i & 15) == 0 && ut_now() > deadline)
			break;
		uint32_t k = (uint32_t)(ut_rand(&rs) % NKEYS);
		unsigned op = (unsigned)(ut_rand(&rs) % 100);
		size_t len = (size_t)ut_rand_range(&rs, UTV_HDR, MAXV);
		int r;
		unsigned idx;
		if (op < 30) {
			utv_make(tbuf, len, k, atomic_fetch_add(&next_gen, 1));
			r = cellar_tier_put(tier, &k, sizeof(k), tbuf, len);
			UT_ASSERTm(r == 0 || errno == EEXIST, "tier put: %s",
				cellar_errno_name(errno));
		} else if (op < 60) {
			size_t vs = 0;
			ssize_t g = cellar_tier_get(tier, &k, sizeof(k), tbuf,
				MAXV, 0, &vs, &idx);
			if (g >= 0) {
				UT_ASSERTeq(g, vs);
				UT_ASSERT(idx < 2);
				utv_check(tbuf, (size_t)g, k);
			} else {
				UT_ASSERTeq(errno, ENOENT);
			}
		} else if (op < 72) {
			cellar_pin p;
			if (cellar_tier_pin_get(tier, &k, sizeof(k), &p,
					&idx) == 0) {
				uint64_t g = utv_check_pin(&p, k, tbuf);
				sched_yield();
				UT_ASSERTeq(utv_check_pin(&p, k, tbuf), g);
				cellar_pin_release(&p);
			} else {
				UT_ASSERTeq(errno, ENOENT);
			}
		} else if (op < 82) {
			utv_make(tbuf, len, k, atomic_fetch_add(&next_gen, 1));
			UT_OK(cellar_tier_replace(tier, &k, sizeof(k), tbuf,
				len));
		} else if (op < 92) {
			r = cellar_tier_evict(tier, &k, sizeof(k));
			UT_ASSERT(r == 0 || errno == ENOENT);
		} else {
			size_t vs = 0;
			r = cellar_tier_exists(tier, &k, sizeof(k), &vs, &idx);
			UT_ASSERT(r == 0 || (r == 1 && vs >= UTV_HDR &&
				idx < 2));
		}
	}
	atomic_fetch_add(&total_ops, i);
	return NULL;
}

/*
 * run -- the threads over a DRAM cache stacked on a DRAM cache or, with
 * `persistent`, on a persistent pool file (internal)
 */
static void
run(int persistent)
{
	VMEMcache *cs[2];
	char path[PATH_MAX];
	cs[0] = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 1);
	if (persistent) {
		snprintf(path, sizeof(path), "%s/mt_tier.pool", ut_tmpdir());
		cs[1] = utp_open(path, 2 * MIB, 4096);
		UT_ASSERT(cs[1] != NULL);
	} else {
		cs[1] = ut_cache_new(2 * MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	}
	bottom = cs[1];
	atomic_store(&drops, 0);
	atomic_store(&total_ops, 0);
	tier = cellar_tier_new(cs, 2);
	UT_ASSERT(tier != NULL);
	cellar_tier_callback_on_evict(tier, on_drop, NULL);

	deadline = ut_now() + 4.0;
	pthread_t t[NTHREADS];
	for (uintptr_t i = 0; i < NTHREADS; i++)
		UT_OK(pthread_create(&t[i], NULL, worker, (void *)i));
	for (int i = 0; i < NTHREADS; i++)
		UT_OK(pthread_join(t[i], NULL));

	/* exclusivity (or equal copies) and integrity at rest */
	unsigned present = 0, copies = 0;
	for (uint32_t k = 0; k < NKEYS; k++) {
		int in0 = vmemcache_exists(cs[0], &k, sizeof(k), NULL);
		int in1 = vmemcache_exists(cs[1], &k, sizeof(k), NULL);
		UT_ASSERTm(persistent || !(in0 && in1), "key %u in both tiers",
			k);
		unsigned idx = 99;
		UT_ASSERTeq(cellar_tier_exists(tier, &k, sizeof(k), NULL, &idx),
			in0 || in1);
		if (!in0 && !in1)
			continue;
		present++;
		copies += (unsigned)(in0 + in1);
		UT_ASSERTeq(idx, in0 ? 0 : 1);
		ssize_t g = vmemcache_get(cs[idx], &k, sizeof(k), tbuf, MAXV,
			0, NULL);
		UT_ASSERT(g >= 0);
		utv_check(tbuf, (size_t)g, k);
		if (in0 && in1) {
			/* the persistent tier's kept copy is the top's value */
			static char below[MAXV];
			ssize_t b = vmemcache_get(cs[1], &k, sizeof(k), below,
				MAXV, 0, NULL);
			UT_ASSERTeq(b, g);
			UT_ASSERTm(memcmp(tbuf, below, (size_t)g) == 0,
				"key %u: the copy below differs", k);
		}
	}
	struct cellar_tier_stats ts;
	UT_OK(cellar_tier_stats_get(tier, &ts));
	unsigned long ndrops = atomic_load(&drops);
	UT_ASSERTeq(ts.dropped, ndrops);
	UT_ASSERT(ts.demotions > 0);
	UT_ASSERT(ts.promotions > 0);
	for (int i = 0; i < 2; i++) {
		struct cellar_stats st;
		UT_OK(cellar_stats_get(cs[i], &st));
		UT_ASSERTeq(st.pinned, 0);
	}
	UT_ASSERTeq(copies, ut_stat(cs[0], VMEMCACHE_STAT_ENTRIES) +
		ut_stat(cs[1], VMEMCACHE_STAT_ENTRIES));
	UT_OUT("%s: %lu ops; %u keys present, %u copies; %llu promotions, "
		"%llu demotions, %llu dropped",
		persistent ? "over a pool file" : "over DRAM",
		atomic_load(&total_ops), present, copies, ts.promotions,
		ts.demotions, ts.dropped);

	for (uint32_t k = 0; k < NKEYS; k++)
		(void) cellar_tier_evict(tier, &k, sizeof(k));
	cellar_tier_delete(tier);
	UT_ASSERT_EMPTY(cs[0]);
	UT_ASSERT_EMPTY(cs[1]);
	vmemcache_delete(cs[0]);
	vmemcache_delete(cs[1]);
	if (persistent)
		UT_OK(unlink(path));
}

int
main(void)
{
	ut_start("test_mt_tier");
	ut_watchdog(300);
	run(0);
	run(1);
	return ut_done();
}
