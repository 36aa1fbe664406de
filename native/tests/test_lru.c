/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_lru.c -- eviction: LRU order, evict by key, on_evict, demotion
 *
 * engine-api.md section 2: evict(NULL) order, ESRCH, exists keeping the
 * order, on_evict before disappearance (readable, may put elsewhere), put
 * evicting until the value fits. Single-threaded, so the recency ring is
 * drained before every pick and the order must be exact.
 */
#include "ut.h"
#include "repl.h"

#define MIB ((size_t)1 << 20)
#define KIB ((size_t)1 << 10)
#define MAXREC 4096

/* records every on_evict call and checks the entry is still readable */
struct recorder {
	VMEMcache *cache;
	uint32_t keys[MAXREC];
	unsigned n;
	pthread_t thread;
	size_t (*vsize_of)(uint32_t k);
	VMEMcache *demote_to;	/* if set, the callback puts the value there */
};

/* value_of -- fills the value of key k (internal) */
static void
value_of(uint32_t k, char *buf, size_t len)
{
	ut_fill(buf, len, 1000 + k);
}

/* check_value -- asserts a value is the one of key k (internal) */
static void
check_value(uint32_t k, const char *buf, size_t len)
{
	char *want = ut_malloc(len);
	value_of(k, want, len);
	UT_ASSERTm(memcmp(want, buf, len) == 0, "value of key %u", k);
	free(want);
}

/* on_evict_rec -- records the key; reads the entry; maybe demotes it */
static void
on_evict_rec(VMEMcache *c, const void *key, size_t ksize, void *arg)
{
	struct recorder *r = arg;
	UT_ASSERT(c == r->cache);
	UT_ASSERTeq(ksize, sizeof(uint32_t));
	UT_ASSERT(pthread_equal(pthread_self(), r->thread));
	uint32_t k;
	memcpy(&k, key, sizeof(k));
	UT_ASSERT(r->n < MAXREC);
	r->keys[r->n++] = k;

	/* still there, readable whole */
	size_t vs = 0;
	UT_ASSERTeq(vmemcache_exists(c, key, ksize, &vs), 1);
	UT_ASSERTeq(vs, r->vsize_of(k));
	char *buf = ut_malloc(vs);
	UT_ASSERTeq(vmemcache_get(c, key, ksize, buf, vs, 0, NULL), vs);
	check_value(k, buf, vs);
	if (r->demote_to)
		UT_OK(vmemcache_put(r->demote_to, key, ksize, buf, vs));
	free(buf);
}

/* size_1000 -- every value is 1000 B (internal) */
static size_t
size_1000(uint32_t k)
{
	(void)k;
	return 1000;
}

/* size_200k -- values taking exactly 200 KiB (300 KiB for key 99) */
static size_t
size_200k(uint32_t k)
{
	return ut_fit_len(k == 99 ? 300 * KIB : 200 * KIB, sizeof(k));
}

/* put_key -- puts key k with its value (internal) */
static void
put_key(VMEMcache *c, struct recorder *r, uint32_t k)
{
	size_t len = r->vsize_of(k);
	char *v = ut_malloc(len);
	value_of(k, v, len);
	UT_OK(vmemcache_put(c, &k, sizeof(k), v, len));
	free(v);
}

/* get_key -- a hit on key k, checked (internal) */
static void
get_key(VMEMcache *c, struct recorder *r, uint32_t k)
{
	size_t len = r->vsize_of(k), vs = 0;
	char *v = ut_malloc(len);
	UT_ASSERTeq(vmemcache_get(c, &k, sizeof(k), v, len, 0, &vs), len);
	UT_ASSERTeq(vs, len);
	check_value(k, v, len);
	free(v);
}

/* recorder_init -- installs a recorder on a cache (internal) */
static void
recorder_init(struct recorder *r, VMEMcache *c, size_t (*vsize_of)(uint32_t))
{
	memset(r, 0, sizeof(*r));
	r->cache = c;
	r->thread = pthread_self();
	r->vsize_of = vsize_of;
	vmemcache_callback_on_evict(c, on_evict_rec, r);
}

/*
 * test_order -- evict(NULL) follows recency: a get refreshes its entry; a
 * repeat while the first use still waits in the ring counts at the first
 * use, and once the waiting uses are applied (an eviction applies them) a
 * new get refreshes the entry again
 */
static void
test_order(int dram)
{
	VMEMcache *c = ut_cache_new(4 * MIB, 0, VMEMCACHE_REPLACEMENT_LRU,
		dram);
	struct recorder r;
	recorder_init(&r, c, size_1000);
	for (uint32_t k = 0; k < 10; k++)
		put_key(c, &r, k);
	get_key(c, &r, 0);
	get_key(c, &r, 5);
	get_key(c, &r, 3);
	get_key(c, &r, 0);	/* its first use still waits: no move */
	get_key(c, &r, 7);
	get_key(c, &r, 7);
	UT_OK(vmemcache_evict(c, NULL, 0));	/* applies the uses */
	get_key(c, &r, 5);	/* now more recent than 0, 3 and 7 */
	static const uint32_t want[] = {1, 2, 4, 6, 8, 9, 0, 3, 7, 5};
	for (unsigned i = 0; i < 10; i++) {
		if (i > 0)
			UT_OK(vmemcache_evict(c, NULL, 0));
		UT_ASSERTeq(r.n, i + 1);
		UT_ASSERTm(r.keys[i] == want[i], "eviction %u: key %u, want %u",
			i, r.keys[i], want[i]);
		UT_ASSERTeq(vmemcache_exists(c, &want[i], sizeof(uint32_t),
			NULL), 0);
	}
	UT_ERR(vmemcache_evict(c, NULL, 0), ESRCH);
	UT_ASSERTeq(r.n, 10);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), 10);
	UT_ASSERT_EMPTY(c);
	vmemcache_delete(c);
}

/* test_exists_keeps_order -- exists does not refresh an entry */
static void
test_exists_keeps_order(void)
{
	VMEMcache *c = ut_cache_new(4 * MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	struct recorder r;
	recorder_init(&r, c, size_1000);
	for (uint32_t k = 0; k < 5; k++)
		put_key(c, &r, k);
	for (int i = 0; i < 50; i++)
		for (uint32_t k = 0; k < 2; k++)
			UT_ASSERTeq(vmemcache_exists(c, &k, sizeof(k), NULL),
				1);
	UT_OK(vmemcache_evict(c, NULL, 0));
	UT_ASSERTeq(r.keys[0], 0);
	get_key(c, &r, 1);
	for (uint32_t k = 2; k < 5; k++)
		UT_ASSERTeq(vmemcache_exists(c, &k, sizeof(k), NULL), 1);
	UT_OK(vmemcache_evict(c, NULL, 0));
	UT_ASSERTeq(r.keys[1], 2);
	UT_OK(vmemcache_evict(c, NULL, 0));
	UT_ASSERTeq(r.keys[2], 3);
	UT_OK(vmemcache_evict(c, NULL, 0));
	UT_ASSERTeq(r.keys[3], 4);
	UT_OK(vmemcache_evict(c, NULL, 0));
	UT_ASSERTeq(r.keys[4], 1);
	vmemcache_delete(c);
}

/*
 * test_many_gets -- thousands of gets between picks, more than a ring
 * holds: a get counts when it queues its entry (a repeat while queued
 * counts at the first), and the get that finds the ring full applies the
 * waiting uses and then its own
 */
static void
test_many_gets(void)
{
	enum { N = 3000, GETS = 9000 };
	_Static_assert(N > REPL_RING_SIZE, "more keys than the ring holds");
	VMEMcache *c = ut_cache_new(8 * MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	struct recorder r;
	recorder_init(&r, c, size_1000);
	static unsigned last[N];
	unsigned t = 0;
	for (uint32_t k = 0; k < N; k++) {
		put_key(c, &r, k);
		last[k] = t++;
	}
	static unsigned char queued[N];
	unsigned waiting = 0, fulls = 0;
	uint64_t rs = 99;
	char buf[8];
	for (unsigned i = 0; i < GETS; i++) {
		uint32_t k = (uint32_t)ut_rand_range(&rs, 0, N - 1);
		if (i % 2)	/* hot keys repeat often */
			k %= 17;
		UT_ASSERTeq(vmemcache_get(c, &k, sizeof(k), buf, sizeof(buf),
			0, NULL), sizeof(buf));
		if (queued[k])
			continue;
		if (waiting == REPL_RING_SIZE) {
			memset(queued, 0, sizeof(queued));
			waiting = 0;
			fulls++;
		} else {
			queued[k] = 1;
			waiting++;
		}
		last[k] = t++;
	}
	UT_ASSERT(fulls >= 2);
	for (unsigned i = 0; i < N; i++)
		UT_OK(vmemcache_evict(c, NULL, 0));
	UT_ERR(vmemcache_evict(c, NULL, 0), ESRCH);
	UT_ASSERTeq(r.n, N);
	for (unsigned i = 1; i < N; i++)
		UT_ASSERTm(last[r.keys[i - 1]] < last[r.keys[i]],
			"eviction %u: key %u (used at %u) after key %u (%u)",
			i, r.keys[i], last[r.keys[i]], r.keys[i - 1],
			last[r.keys[i - 1]]);
	vmemcache_delete(c);
}

/* test_esrch_and_evict_key -- ESRCH, NONE, evict by key */
static void
test_esrch_and_evict_key(void)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	struct recorder r;
	recorder_init(&r, c, size_1000);
	UT_ERR(vmemcache_evict(c, NULL, 0), ESRCH);
	put_key(c, &r, 1);
	put_key(c, &r, 2);
	uint32_t k = 1, k3 = 3;
	UT_OK(vmemcache_evict(c, &k, sizeof(k)));
	UT_ASSERTeq(r.n, 1);
	UT_ASSERTeq(r.keys[0], 1);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), 1);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 1);
	UT_ERR(vmemcache_evict(c, &k, sizeof(k)), ENOENT);
	UT_ERR(vmemcache_evict(c, &k3, sizeof(k3)), ENOENT);
	UT_ASSERTeq(r.n, 1);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), 1);
	/* cleared callback */
	vmemcache_callback_on_evict(c, NULL, NULL);
	UT_OK(vmemcache_evict(c, NULL, 0));
	UT_ASSERTeq(r.n, 1);
	UT_ASSERT_EMPTY(c);
	vmemcache_delete(c);

	/* policy NONE: evict(NULL) never works, evict(key) does */
	c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_NONE, 0);
	recorder_init(&r, c, size_1000);
	UT_ERR(vmemcache_evict(c, NULL, 0), ESRCH);
	for (uint32_t i = 0; i < 5; i++)
		put_key(c, &r, i);
	UT_ERR(vmemcache_evict(c, NULL, 0), ESRCH);
	UT_ASSERTeq(r.n, 0);
	UT_OK(vmemcache_evict(c, &k3, sizeof(k3)));
	UT_ASSERTeq(r.n, 1);
	UT_ASSERTeq(r.keys[0], 3);
	UT_ERR(vmemcache_evict(c, NULL, 0), ESRCH);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 4);
	vmemcache_delete(c);
}

/* test_put_evicts_until_fits -- exactly the LRU entries needed go */
static void
test_put_evicts_until_fits(int dram)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, dram);
	struct recorder r;
	recorder_init(&r, c, size_200k);
	for (uint32_t k = 0; k < 5; k++)	/* 1000 KiB of 1024 */
		put_key(c, &r, k);
	get_key(c, &r, 0);			/* order: 1 2 3 4 0 */
	UT_ASSERTeq(r.n, 0);
	put_key(c, &r, 99);			/* 300 KiB: evicts 1, 2 */
	UT_ASSERTeq(r.n, 2);
	UT_ASSERTeq(r.keys[0], 1);
	UT_ASSERTeq(r.keys[1], 2);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), 2);
	static const uint32_t left[] = {0, 3, 4, 99};
	for (unsigned i = 0; i < 4; i++)
		get_key(c, &r, left[i]);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 4);
	vmemcache_delete(c);
}

/* test_demotion -- on_evict puts the entry into another cache */
static void
test_demotion(void)
{
	VMEMcache *top = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 1);
	VMEMcache *bottom = ut_cache_new(4 * MIB, 0,
		VMEMCACHE_REPLACEMENT_LRU, 0);
	struct recorder r;
	recorder_init(&r, top, size_200k);
	r.demote_to = bottom;
	for (uint32_t k = 0; k < 10; k++)
		put_key(top, &r, k);
	/* 5 fit on top; 0..4 went down, whole */
	UT_ASSERTeq(r.n, 5);
	for (uint32_t k = 0; k < 10; k++) {
		int in_top = vmemcache_exists(top, &k, sizeof(k), NULL);
		int in_bottom = vmemcache_exists(bottom, &k, sizeof(k), NULL);
		UT_ASSERTeq(in_top, k >= 5);
		UT_ASSERTeq(in_bottom, k < 5);
		get_key(k < 5 ? bottom : top, &r, k);
	}
	uint32_t k7 = 7;
	UT_OK(vmemcache_evict(top, &k7, sizeof(k7)));
	UT_ASSERTeq(vmemcache_exists(bottom, &k7, sizeof(k7), NULL), 1);
	get_key(bottom, &r, 7);
	vmemcache_callback_on_evict(top, NULL, NULL);
	vmemcache_delete(top);
	vmemcache_delete(bottom);
}

int
main(void)
{
	ut_start("test_lru");
	test_order(0);
	test_order(1);
	test_exists_keeps_order();
	test_many_gets();
	test_esrch_and_evict_key();
	test_put_evicts_until_fits(0);
	test_put_evicts_until_fits(1);
	test_demotion();
	return ut_done();
}
