/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_policy.c -- replacement policies: cellar_set_policy's arguments,
 * S3-FIFO's queues (probation, the ghost, the main CLOCK), and the hit
 * ratio of S3-FIFO against LRU at equal capacity on two traces: a hot set
 * with scans larger than the cache between its uses, and a Zipf mix
 */
#include <math.h>

#include "ut.h"

#define MIB ((size_t)1 << 20)
#define VAL 4000    /* with its header, one 4 KiB extent */

/* a DRAM cache of `size` bytes, 4 KiB extents, under `policy` */
static VMEMcache *
cache_with(enum cellar_policy policy, size_t size)
{
	return ut_cache_with(size, 4096, policy, 1);
}

/* access -- a get, and a put of the key's value after a miss; 1 on a hit */
static int
access_key(VMEMcache *c, uint32_t k)
{
	static char buf[VAL];
	size_t vs = 0;
	if (vmemcache_get(c, &k, sizeof(k), buf, 8, 0, &vs) == 8) {
		uint32_t tag;
		memcpy(&tag, buf, sizeof(tag));
		UT_ASSERTeq(tag, k);
		return 1;
	}
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &k, sizeof(k));
	UT_OK(vmemcache_put(c, &k, sizeof(k), buf, VAL));
	return 0;
}

/* how many values the cache holds */
static unsigned
capacity(enum cellar_policy policy, size_t size)
{
	VMEMcache *c = cache_with(policy, size);
	for (uint32_t k = 0; k < 100000; k++)
		(void) access_key(c, k);
	unsigned n = (unsigned)ut_stat(c, VMEMCACHE_STAT_ENTRIES);
	vmemcache_delete(c);
	return n;
}

static void
test_args(void)
{
	UT_ERR(cellar_set_policy(NULL, CELLAR_POLICY_LRU), EINVAL);
	VMEMcache *c = vmemcache_new();
	UT_ASSERT(c != NULL);
	UT_ERR(cellar_set_policy(c, CELLAR_POLICY_COUNT), EINVAL);
	UT_ERR(cellar_set_policy(c, (enum cellar_policy)-1), EINVAL);
	UT_OK(cellar_set_policy(c, CELLAR_POLICY_S3FIFO));
	UT_OK(cellar_add_dram(c));
	UT_ERR(cellar_set_policy(c, CELLAR_POLICY_LRU), EALREADY);
	vmemcache_delete(c);
	/* NONE never evicts */
	c = cache_with(CELLAR_POLICY_NONE, MIB);
	uint32_t k = 0;
	char v[VAL] = {0};
	while (vmemcache_put(c, &k, sizeof(k), v, VAL) == 0)
		k++;
	UT_ASSERTeq(errno, ENOSPC);
	UT_ERR(vmemcache_evict(c, NULL, 0), ESRCH);
	vmemcache_delete(c);
}

/*
 * test_queues -- an entry read while on probation is kept through a scan;
 * one that was not read is evicted, and when it comes back it is kept too
 * (the ghost sent it to the main FIFO); LRU keeps neither
 */
static void
test_queues(void)
{
	unsigned cap = capacity(CELLAR_POLICY_S3FIFO, MIB);
	UT_ASSERT(cap > 100);
	for (int p = CELLAR_POLICY_LRU; p <= CELLAR_POLICY_S3FIFO; p++) {
		VMEMcache *c = cache_with((enum cellar_policy)p, MIB);
		uint32_t read = 1000000, back = 1000001;
		(void) access_key(c, read);
		UT_ASSERTeq(access_key(c, read), 1);
		(void) access_key(c, back);
		/* a scan of twice the cache: `back` leaves, `read` moves on */
		uint32_t k = 0;
		for (; k < 2 * cap; k++)
			(void) access_key(c, k);
		UT_ASSERTeq(vmemcache_exists(c, &back, sizeof(back), NULL), 0);
		int kept = vmemcache_exists(c, &read, sizeof(read), NULL);
		(void) access_key(c, back); /* put again: the ghost knows it */
		for (uint32_t end = k + 2 * cap; k < end; k++)
			(void) access_key(c, k);
		int back_kept = vmemcache_exists(c, &back, sizeof(back), NULL);
		if (p == CELLAR_POLICY_S3FIFO) {
			UT_ASSERTeq(kept, 1);
			UT_ASSERTeq(back_kept, 1);
		} else {
			UT_ASSERTeq(kept, 0);
			UT_ASSERTeq(back_kept, 0);
		}
		vmemcache_delete(c);
	}
}

/* a 64-bit LCG step */
static uint64_t
lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 11;
}

/*
 * trace_hot_scan -- rounds of a hot set of 40% of the cache, each key read
 * once in a shuffled order, then a scan of 1.5 caches of keys never seen
 * before; the hit ratio of the whole trace (at best 0.21: the hot reads
 * after the first round)
 */
static double
trace_hot_scan(enum cellar_policy p, unsigned cap)
{
	VMEMcache *c = cache_with(p, MIB);
	unsigned hot = cap * 2 / 5, hits = 0, n = 0;
	uint32_t next = 1u << 20;
	uint64_t s = 7;
	for (int round = 0; round < 40; round++) {
		unsigned start = (unsigned)(lcg(&s) % hot);
		for (unsigned i = 0; i < hot; i++, n++)
			hits += (unsigned)access_key(c, (start + i * 7919u) % hot);
		for (unsigned i = 0; i < cap * 3 / 2; i++, n++)
			hits += (unsigned)access_key(c, next++);
	}
	vmemcache_delete(c);
	return (double)hits / n;
}

/*
 * trace_zipf -- 200,000 reads of keys drawn from a Zipf distribution
 * (exponent 0.9) over four caches' worth of keys; the hit ratio
 */
static double
trace_zipf(enum cellar_policy p, unsigned cap)
{
	unsigned nkeys = 4 * cap;
	double *cdf = malloc(nkeys * sizeof(*cdf));
	UT_ASSERT(cdf != NULL);
	double sum = 0;
	for (unsigned i = 0; i < nkeys; i++)
		cdf[i] = sum += 1.0 / pow(i + 1, 0.9);
	VMEMcache *c = cache_with(p, MIB);
	uint64_t s = 11;
	unsigned hits = 0, n = 200000;
	for (unsigned i = 0; i < n; i++) {
		double u = (double)(lcg(&s) % 1000000007u) / 1000000007.0 * sum;
		unsigned lo = 0, hi = nkeys - 1;
		while (lo < hi) {
			unsigned mid = (lo + hi) / 2;
			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* spread the ranks over the key space */
		hits += (unsigned)access_key(c, lo * 2654435761u);
	}
	vmemcache_delete(c);
	free(cdf);
	return (double)hits / n;
}

/*
 * test_traces -- S3-FIFO against LRU at equal capacity: far better with
 * scans between the hot set's uses, no worse on the Zipf mix
 */
static void
test_traces(void)
{
	unsigned cap = capacity(CELLAR_POLICY_LRU, MIB);
	UT_ASSERTeq(capacity(CELLAR_POLICY_S3FIFO, MIB), cap);
	double lru = trace_hot_scan(CELLAR_POLICY_LRU, cap);
	double s3 = trace_hot_scan(CELLAR_POLICY_S3FIFO, cap);
	double zl = trace_zipf(CELLAR_POLICY_LRU, cap);
	double zs = trace_zipf(CELLAR_POLICY_S3FIFO, cap);
	printf("test_policy: %u values; hot+scan hit ratio LRU %.3f S3-FIFO %.3f;"
		" Zipf 0.9 LRU %.3f S3-FIFO %.3f\n", cap, lru, s3, zl, zs);
	UT_ASSERTm(s3 >= lru + 0.15, "hot+scan: S3-FIFO %.3f, LRU %.3f", s3, lru);
	UT_ASSERTm(zs >= zl, "Zipf: S3-FIFO %.3f, LRU %.3f", zs, zl);
}

/*
 * test_tier_promotion -- in a stack, a hit below an S3-FIFO top promotes
 * only when repeated (the first is served from below), and the count
 * starts again after a promotion; an LRU lower tier promotes at once
 */
static void
test_tier_promotion(void)
{
	for (int p = CELLAR_POLICY_LRU; p <= CELLAR_POLICY_S3FIFO; p++) {
		VMEMcache *cs[2] = {cache_with((enum cellar_policy)p, MIB),
			cache_with((enum cellar_policy)p, 2 * MIB)};
		cellar_tier *t = cellar_tier_new(cs, 2);
		UT_ASSERT(t != NULL);
		uint32_t k = 42;
		char v[VAL] = {0}, got[8];
		UT_OK(cellar_tier_put(t, &k, sizeof(k), v, VAL));
		UT_OK(vmemcache_evict(cs[0], &k, sizeof(k))); /* demoted */
		UT_ASSERTeq(vmemcache_exists(cs[1], &k, sizeof(k), NULL), 1);
		unsigned idx = 9;
		UT_ASSERTeq(cellar_tier_get(t, &k, sizeof(k), got, 8, 0, NULL,
				&idx), 8);
		UT_ASSERTeq(idx, 1);
		int up = vmemcache_exists(cs[0], &k, sizeof(k), NULL);
		if (p == CELLAR_POLICY_S3FIFO) {
			UT_ASSERTeq(up, 0);
			cellar_pin pin;
			UT_OK(cellar_tier_pin_get(t, &k, sizeof(k), &pin, &idx));
			UT_ASSERTeq(idx, 1);
			cellar_pin_release(&pin);
			UT_ASSERTeq(vmemcache_exists(cs[0], &k, sizeof(k), NULL), 1);
			UT_ASSERTeq(vmemcache_exists(cs[1], &k, sizeof(k), NULL), 0);
		} else {
			UT_ASSERTeq(up, 1);
		}
		struct cellar_tier_stats ts;
		UT_OK(cellar_tier_stats_get(t, &ts));
		UT_ASSERTeq(ts.promotions, 1);
		cellar_tier_delete(t);
		vmemcache_delete(cs[0]);
		vmemcache_delete(cs[1]);
	}
}

int
main(void)
{
	ut_start("test_policy");
	test_args();
	test_queues();
	test_traces();
	test_tier_promotion();
	return ut_done();
}
