/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_bound_dram.c -- at most 180 bytes of DRAM per entry
 *
 * 16-byte keys, LRU, 100k small values: DRAM_SIZE_USED / ENTRIES <= 180,
 * after the puts, after gets (the recency ring in use) and under eviction.
 * Outside sanitizer builds the growth of the process's anonymous resident
 * memory (RssAnon; the pool is a /dev/shm file, so it is not in it) is held
 * to the same bound, so the statistic cannot understate the truth.
 */
#include "ut.h"

#define NENTRIES 100000
#define BOUND 180.0

/* key_of -- the 16-byte key of entry i (internal) */
static void
key_of(uint64_t i, unsigned char key[16])
{
	uint64_t a = i * 0x9E3779B97F4A7C15ULL, b = ~i;
	memcpy(key, &a, 8);
	memcpy(key + 8, &b, 8);
}

/* check -- per-entry DRAM within the bound (internal) */
static void
check(VMEMcache *c, const char *when, unsigned long long rss0)
{
	unsigned long long dram = ut_stat(c, VMEMCACHE_STAT_DRAM_SIZE_USED);
	unsigned long long n = ut_stat(c, VMEMCACHE_STAT_ENTRIES);
	UT_ASSERT(n > 0);
	double per = (double)dram / (double)n;
	unsigned long long rss = ut_rss_anon();
	double rss_per = rss0 && rss > rss0 ? (double)(rss - rss0) / (double)n
		: 0;
	UT_OUT("%s: %llu entries, DRAM_SIZE_USED %llu = %.1f B/entry, "
		"RssAnon growth %.1f B/entry", when, n, dram, per, rss_per);
	UT_ASSERTm(per <= BOUND, "%.1f B of DRAM per entry", per);
	if (!UT_SANITIZED && rss0)
		UT_ASSERTm(rss_per <= BOUND, "RssAnon grew %.1f B per entry",
			rss_per);
}

int
main(void)
{
	ut_start("test_bound_dram");
	/* 100k values of 8 B take 100k extents of 256 B: 25 MiB */
	VMEMcache *c = ut_cache_new((size_t)32 << 20, 256,
		VMEMCACHE_REPLACEMENT_LRU, 0);
	unsigned long long rss0 = ut_rss_anon();
	unsigned char key[16];
	uint64_t val;
	for (uint64_t i = 0; i < NENTRIES; i++) {
		key_of(i, key);
		val = i;
		UT_OK(vmemcache_put(c, key, sizeof(key), &val, sizeof(val)));
	}
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), NENTRIES);
	check(c, "after puts", rss0);

	uint64_t rs = 5;
	for (int i = 0; i < NENTRIES; i++) {
		uint64_t k = ut_rand_range(&rs, 0, NENTRIES - 1);
		key_of(k, key);
		UT_ASSERTeq(vmemcache_get(c, key, sizeof(key), &val,
			sizeof(val), 0, NULL), sizeof(val));
		UT_ASSERTeq(val, k);
	}
	check(c, "after gets", rss0);

	/* twice as many again: the pool (131072 extents) evicts the oldest */
	for (uint64_t i = NENTRIES; i < 3 * NENTRIES; i++) {
		key_of(i, key);
		val = i;
		UT_OK(vmemcache_put(c, key, sizeof(key), &val, sizeof(val)));
	}
	UT_ASSERT(ut_stat(c, VMEMCACHE_STAT_EVICT) > 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), ut_pool_size(c) / 256);
	check(c, "under eviction", rss0);

	while (vmemcache_evict(c, NULL, 0) == 0)
		;
	UT_ASSERT_EMPTY(c);
	vmemcache_delete(c);
	return ut_done();
}
