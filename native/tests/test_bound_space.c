/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_bound_space.c -- at least 87% of the pool holds values under eviction
 *
 * A 64 MiB pool with 256 B extents takes values of random sizes, uniform in
 * [1, 70] extents (in bytes), under new keys. Once eviction has started,
 * after every further put the bytes of values still held (tracked through
 * on_evict, cross-checked with exists) must be >= 87% of the pool, and no
 * put may fail: fragmentation never makes a put fail.
 */
#include "ut.h"

#define MIB ((size_t)1 << 20)
#define EXTENT ((size_t)256)
#define MAXKEYS 200000
#define CHECKED_PUTS 30000
#define BOUND 0.87

struct tracker {
	uint32_t *sizes;	/* by key; 0 once evicted */
	unsigned long long held;
	unsigned long long evicted;
};

/* on_evict_cb -- the entry's bytes no longer count (internal) */
static void
on_evict_cb(VMEMcache *c, const void *key, size_t ksize, void *arg)
{
	(void)c;
	struct tracker *t = arg;
	uint64_t k;
	UT_ASSERTeq(ksize, sizeof(k));
	memcpy(&k, key, sizeof(k));
	UT_ASSERT(k < MAXKEYS);
	UT_ASSERT(t->sizes[k] != 0);
	t->held -= t->sizes[k];
	t->sizes[k] = 0;
	t->evicted++;
}

/* cross_check -- the tracked bytes are the bytes exists() reports */
static void
cross_check(VMEMcache *c, struct tracker *t, uint64_t nkeys)
{
	unsigned long long sum = 0, n = 0;
	for (uint64_t k = 0; k < nkeys; k++) {
		size_t vs = 0;
		int e = vmemcache_exists(c, &k, sizeof(k), &vs);
		UT_ASSERTeq(e, t->sizes[k] != 0);
		if (e) {
			UT_ASSERTeq(vs, t->sizes[k]);
			sum += vs;
			n++;
		}
	}
	UT_ASSERTeq(sum, t->held);
	UT_ASSERTeq(n, ut_stat(c, VMEMCACHE_STAT_ENTRIES));
}

/* run -- one pool (internal) */
static void
run(int dram)
{
	size_t pool = 64 * MIB;
	VMEMcache *c = ut_cache_new(pool, EXTENT, VMEMCACHE_REPLACEMENT_LRU,
		dram);
	UT_ASSERTeq(ut_pool_size(c), pool - POOL_HDR_SIZE);
	struct tracker t = {0};
	t.sizes = calloc(MAXKEYS, sizeof(*t.sizes));
	UT_ASSERT(t.sizes != NULL);
	vmemcache_callback_on_evict(c, on_evict_cb, &t);

	size_t maxv = 70 * EXTENT;
	char *v = ut_malloc(maxv);
	ut_fill(v, maxv, 1);
	uint64_t rs = 0x5eed + (uint64_t)dram;
	unsigned checked = 0;
	double min_ratio = 1.0, sum_ratio = 0;
	uint64_t k;
	for (k = 0; k < MAXKEYS && checked < CHECKED_PUTS; k++) {
		size_t len = (size_t)ut_rand_range(&rs, EXTENT, maxv);
		int r = vmemcache_put(c, &k, sizeof(k), v, len);
		if (r != 0)
			UT_FATAL("put %llu of %zu B failed (held %llu of %zu)",
				(unsigned long long)k, len, t.held, pool);
		t.sizes[k] = (uint32_t)len;
		t.held += len;
		if (t.evicted == 0)
			continue;
		double ratio = (double)t.held / (double)pool;
		if (ratio < min_ratio)
			min_ratio = ratio;
		sum_ratio += ratio;
		UT_ASSERTm(ratio >= BOUND, "put %llu: %.4f of the pool holds "
			"values", (unsigned long long)k, ratio);
		checked++;
		if (checked % 10000 == 0)
			cross_check(c, &t, k + 1);
	}
	UT_ASSERTeq(checked, CHECKED_PUTS);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), t.evicted);
	cross_check(c, &t, k);
	struct cellar_stats st;
	UT_OK(cellar_stats_get(c, &st));
	UT_OUT("%s pool: %u puts checked after eviction began, min %.4f, "
		"mean %.4f of the pool holds values; %llu free pieces, %llu "
		"split puts", dram ? "DRAM" : "file", checked, min_ratio,
		sum_ratio / checked, st.heap_entries, st.put_fragments);
	while (vmemcache_evict(c, NULL, 0) == 0)
		;
	UT_ASSERT_EMPTY(c);
	UT_ASSERTeq(t.held, 0);
	free(v);
	free(t.sizes);
	vmemcache_delete(c);
}

int
main(void)
{
	ut_start("test_bound_space");
	run(0);
	run(1);
	return ut_done();
}
