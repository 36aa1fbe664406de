/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_policy.c -- replacement policies: cellar_set_policy's arguments,
 * S3-FIFO's queues (probation, the ghost, the main CLOCK), and the hit
 * ratio of S3-FIFO against LRU at equal capacity on two traces: a hot set
 * with scans larger than the cache between its uses, and a Zipf mix (the
 * traces are bench/traces.h, which cellar_bench --traces runs too)
 */
#include "traces.h"
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

/* access_fn -- access_key() as a trace_fn (internal) */
static int
access_fn(void *arg, uint32_t k)
{
	return access_key(arg, k);
}

/* hot_scan_ratio -- the hit ratio of trace_hot_scan on a cache under p */
static double
hot_scan_ratio(enum cellar_policy p, unsigned cap)
{
	VMEMcache *c = cache_with(p, MIB);
	unsigned long hits;
	unsigned long n = trace_hot_scan(cap, access_fn, c, &hits);
	vmemcache_delete(c);
	return (double)hits / n;
}

/* zipf_ratio -- the hit ratio of 200,000 trace_zipf reads on a cache under p */
static double
zipf_ratio(enum cellar_policy p, unsigned cap)
{
	VMEMcache *c = cache_with(p, MIB);
	unsigned long hits;
	unsigned long n = trace_zipf(cap, 200000, access_fn, c, &hits);
	UT_ASSERT(n != 0);
	vmemcache_delete(c);
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
	double lru = hot_scan_ratio(CELLAR_POLICY_LRU, cap);
	double s3 = hot_scan_ratio(CELLAR_POLICY_S3FIFO, cap);
	double zl = zipf_ratio(CELLAR_POLICY_LRU, cap);
	double zs = zipf_ratio(CELLAR_POLICY_S3FIFO, cap);
	printf("test_policy: %u values; hot+scan hit ratio LRU %.3f S3-FIFO %.3f;"
		" Zipf 0.9 LRU %.3f S3-FIFO %.3f\n", cap, lru, s3, zl, zs);
	UT_ASSERTm(s3 >= lru + 0.15, "hot+scan: S3-FIFO %.3f, LRU %.3f", s3, lru);
	UT_ASSERTm(zs >= zl, "Zipf: S3-FIFO %.3f, LRU %.3f", zs, zl);
}

/*
 * test_tier_promotion -- in a stack, a new value enters the top under LRU
 * and the bottom under S3-FIFO; a hit below an S3-FIFO top promotes only
 * when repeated (the first is served from below), and the count starts
 * again after a promotion; an LRU lower tier promotes at once
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
		if (p == CELLAR_POLICY_LRU) {
			UT_ASSERTeq(vmemcache_exists(cs[0], &k, sizeof(k), NULL),
				1);
			UT_OK(vmemcache_evict(cs[0], &k, sizeof(k))); /* demoted */
		}
		UT_ASSERTeq(vmemcache_exists(cs[0], &k, sizeof(k), NULL), 0);
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
		UT_ASSERTeq(ts.demotions, p == CELLAR_POLICY_LRU ? 1 : 0);
		cellar_tier_delete(t);
		vmemcache_delete(cs[0]);
		vmemcache_delete(cs[1]);
	}
}

/*
 * test_tier_scan -- under S3-FIFO a scan read once passes the top by: each
 * value enters the bottom, nothing is demoted, and a value put while the
 * bottom is full of pinned values goes up to the top instead
 */
static void
test_tier_scan(void)
{
	VMEMcache *cs[2] = {cache_with(CELLAR_POLICY_S3FIFO, MIB),
		cache_with(CELLAR_POLICY_S3FIFO, 2 * MIB)};
	cellar_tier *t = cellar_tier_new(cs, 2);
	UT_ASSERT(t != NULL);
	char v[VAL] = {0}, got[8];
	/* a scan of three bottoms' worth of values, each read once */
	for (uint32_t k = 0; k < 3 * 2 * MIB / VAL; k++) {
		unsigned idx;
		if (cellar_tier_get(t, &k, sizeof(k), got, 8, 0, NULL, &idx) < 0)
			UT_OK(cellar_tier_put(t, &k, sizeof(k), v, VAL));
	}
	unsigned long long top = 0;
	UT_OK(vmemcache_get_stat(cs[0], VMEMCACHE_STAT_PUT, &top, sizeof(top)));
	UT_ASSERTeq(top, 0);
	struct cellar_tier_stats ts;
	UT_OK(cellar_tier_stats_get(t, &ts));
	UT_ASSERTeq(ts.demotions, 0);
	UT_ASSERTeq(ts.promotions, 0);
	UT_ASSERT(ts.dropped > 0);

	/* the bottom pinned full: a new value goes up to the top */
	UT_OK(cellar_set_put_wait(cs[1], 0));
	unsigned long long n = 0;
	UT_OK(vmemcache_get_stat(cs[1], VMEMCACHE_STAT_ENTRIES, &n, sizeof(n)));
	cellar_pin *pins = calloc(n, sizeof(*pins));
	UT_ASSERT(pins != NULL);
	unsigned npins = 0;
	for (uint32_t k = 0; k < 3 * 2 * MIB / VAL && npins < n; k++)
		if (cellar_pin_get(cs[1], &k, sizeof(k), &pins[npins]) == 0)
			npins++;
	UT_ASSERTeq(npins, n);
	uint32_t fresh = 1u << 30;
	UT_OK(cellar_tier_put(t, &fresh, sizeof(fresh), v, VAL));
	UT_ASSERTeq(vmemcache_exists(cs[0], &fresh, sizeof(fresh), NULL), 1);
	for (unsigned i = 0; i < npins; i++)
		cellar_pin_release(&pins[i]);
	free(pins);
	cellar_tier_delete(t);
	vmemcache_delete(cs[0]);
	vmemcache_delete(cs[1]);
}

int
main(void)
{
	ut_start("test_policy");
	test_args();
	test_queues();
	test_traces();
	test_tier_promotion();
	test_tier_scan();
	return ut_done();
}
