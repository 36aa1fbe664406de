/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cellar.c -- cellar_replace, cellar_remove and cellar_stats_get
 *
 * engine-api.md section 3 (atomic replace, removal without on_evict) and
 * the agreement of cellar_stats_get with vmemcache_get_stat.
 */
#include "ut.h"

#define MIB ((size_t)1 << 20)
#define KIB ((size_t)1 << 10)

static int evictions;

/* count_cb -- counts on_evict calls (internal) */
static void
count_cb(VMEMcache *c, const void *key, size_t ksize, void *arg)
{
	(void)c;
	(void)key;
	(void)ksize;
	(void)arg;
	evictions++;
}

/* check_get -- asserts key holds the value of seed/len (internal) */
static void
check_get(VMEMcache *c, const char *key, uint64_t seed, size_t len)
{
	char *want = ut_malloc(len), *got = ut_malloc(len + 1);
	ut_fill(want, len, seed);
	size_t vs = 0;
	UT_ASSERTeq(vmemcache_get(c, key, strlen(key), got, len + 1, 0, &vs),
		len);
	UT_ASSERTeq(vs, len);
	UT_ASSERT(memcmp(want, got, len) == 0);
	free(want);
	free(got);
}

/* put_seed -- put or replace a key with the value of seed/len (internal) */
static int
put_seed(VMEMcache *c, const char *key, uint64_t seed, size_t len,
	int replace)
{
	char *v = ut_malloc(len);
	ut_fill(v, len, seed);
	int r = replace ? cellar_replace(c, key, strlen(key), v, len) :
		vmemcache_put(c, key, strlen(key), v, len);
	int e = errno;
	free(v);
	errno = e;
	return r;
}

/* test_replace -- inserts, replaces in one step, no eviction counted */
static void
test_replace(int dram)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, dram);
	vmemcache_callback_on_evict(c, count_cb, NULL);
	evictions = 0;

	UT_OK(put_seed(c, "r", 1, 5000, 1));	/* absent: inserted */
	check_get(c, "r", 1, 5000);
	UT_OK(put_seed(c, "r", 2, 300, 1));	/* smaller */
	check_get(c, "r", 2, 300);
	UT_OK(put_seed(c, "r", 3, 100 * KIB, 1));	/* larger */
	check_get(c, "r", 3, 100 * KIB);
	UT_OK(put_seed(c, "r", 4, 0, 1));	/* empty */
	check_get(c, "r", 4, 0);
	UT_OK(put_seed(c, "r", 5, 700, 1));
	check_get(c, "r", 5, 700);
	UT_ASSERTeq(evictions, 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 1);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_POOL_SIZE_USED),
		ut_space(700, 1, 256));
	struct cellar_stats st;
	UT_OK(cellar_stats_get(c, &st));
	UT_ASSERTeq(st.replaces, 5);

	/* put still refuses an existing key */
	UT_ERR(put_seed(c, "r", 6, 10, 0), EEXIST);
	check_get(c, "r", 5, 700);

	/* too large: ENOSPC and the old value stays */
	char *big = ut_malloc(MIB + 1);
	memset(big, 0, MIB + 1);
	UT_ERR(cellar_replace(c, "r", 1, big, MIB + 1), ENOSPC);
	check_get(c, "r", 5, 700);
	free(big);
	UT_OK(cellar_stats_get(c, &st));
	UT_ASSERTeq(st.replaces, 5);

	/*
	 * a replace that needs room evicts other entries, LRU first: b goes
	 * if the old value of c is freed after the new one is placed, nothing
	 * if before; a (most recent) stays either way
	 */
	UT_OK(cellar_remove(c, "r", 1));
	UT_OK(put_seed(c, "a", 10, 300 * KIB, 0));
	UT_OK(put_seed(c, "b", 11, 300 * KIB, 0));
	UT_OK(put_seed(c, "c", 12, 300 * KIB, 0));
	check_get(c, "a", 10, 300 * KIB);	/* order: b c a */
	UT_OK(put_seed(c, "c", 13, 400 * KIB, 1));
	UT_ASSERTeq(evictions, 1 - vmemcache_exists(c, "b", 1, NULL));
	check_get(c, "c", 13, 400 * KIB);
	check_get(c, "a", 10, 300 * KIB);

	/* argument errors */
	UT_ERR(cellar_replace(c, NULL, 1, "x", 1), EINVAL);
	UT_ERR(cellar_replace(c, "x", 1, NULL, 1), EINVAL);
	vmemcache_delete(c);
}

/* test_replace_none -- under NONE, replace reuses nothing it cannot */
static void
test_replace_none(void)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_NONE, 0);
	UT_OK(put_seed(c, "k", 1, 1000, 1));
	UT_OK(put_seed(c, "k", 2, 2000, 1));
	check_get(c, "k", 2, 2000);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_POOL_SIZE_USED),
		ut_space(2000, 1, 256));
	UT_ERR(vmemcache_evict(c, NULL, 0), ESRCH);
	vmemcache_delete(c);
}

/* test_remove -- no on_evict, no eviction counted, ENOENT when absent */
static void
test_remove(void)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	vmemcache_callback_on_evict(c, count_cb, NULL);
	evictions = 0;
	UT_OK(put_seed(c, "x", 1, 1000, 0));
	UT_OK(put_seed(c, "y", 2, 1000, 0));
	UT_OK(cellar_remove(c, "x", 1));
	UT_ASSERTeq(vmemcache_exists(c, "x", 1, NULL), 0);
	UT_ERR(cellar_remove(c, "x", 1), ENOENT);
	UT_ERR(cellar_remove(c, "xy", 2), ENOENT);
	UT_ERR(cellar_remove(c, NULL, 1), EINVAL);
	UT_ASSERTeq(evictions, 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 1);
	check_get(c, "y", 2, 1000);
	/* the removed entry is not in the LRU any more */
	UT_OK(vmemcache_evict(c, NULL, 0));
	UT_ASSERTeq(evictions, 1);
	UT_ERR(vmemcache_evict(c, NULL, 0), ESRCH);
	UT_ASSERT_EMPTY(c);
	/* a removed key can be put again */
	UT_OK(put_seed(c, "x", 3, 10, 0));
	check_get(c, "x", 3, 10);
	vmemcache_delete(c);
}

/* check_stats_agree -- cellar_stats_get equals vmemcache_get_stat */
static void
check_stats_agree(VMEMcache *c)
{
	struct cellar_stats st;
	memset(&st, 0xff, sizeof(st));
	UT_OK(cellar_stats_get(c, &st));
	unsigned long long v[VMEMCACHE_STATS_NUM];
	ut_stats_all(c, v);
	UT_ASSERTeq(st.puts, v[VMEMCACHE_STAT_PUT]);
	UT_ASSERTeq(st.gets, v[VMEMCACHE_STAT_GET]);
	UT_ASSERTeq(st.hits, v[VMEMCACHE_STAT_HIT]);
	UT_ASSERTeq(st.misses, v[VMEMCACHE_STAT_MISS]);
	UT_ASSERTeq(st.evictions, v[VMEMCACHE_STAT_EVICT]);
	UT_ASSERTeq(st.entries, v[VMEMCACHE_STAT_ENTRIES]);
	UT_ASSERTeq(st.dram_used, v[VMEMCACHE_STAT_DRAM_SIZE_USED]);
	UT_ASSERTeq(st.pool_used, v[VMEMCACHE_STAT_POOL_SIZE_USED]);
	UT_ASSERTeq(st.heap_entries, v[VMEMCACHE_STAT_HEAP_ENTRIES]);
	UT_ASSERTeq(st.gets, st.hits + st.misses);
	UT_ASSERTle(st.pool_used, st.pool_size);
	UT_ASSERTeq(st.pinned, 0);
}

/* test_stats -- agreement after a random mix of every call */
static void
test_stats(void)
{
	VMEMcache *c = ut_cache_new(2 * MIB, 512, VMEMCACHE_REPLACEMENT_LRU, 0);
	struct cellar_stats st;
	UT_OK(cellar_stats_get(c, &st));
	UT_ASSERTeq(st.pool_size, 2 * MIB - POOL_HDR_SIZE);
	UT_ASSERTeq(st.put_fragments, 0);
	check_stats_agree(c);

	uint64_t rs = 3;
	unsigned long long puts = 0, replaces = 0, hits = 0, misses = 0;
	static char buf[64 * KIB];
	for (int i = 0; i < 3000; i++) {
		char key[4] = {'k', (char)ut_rand_range(&rs, 0, 40), 0, 0};
		size_t len = (size_t)ut_rand_range(&rs, 0, sizeof(buf));
		int r;
		ssize_t g;
		cellar_pin pin;
		switch (ut_rand(&rs) % 7) {
		case 0:
			if (vmemcache_put(c, key, 2, buf, len) == 0)
				puts++;
			break;
		case 1:
			UT_OK(cellar_replace(c, key, 2, buf, len));
			replaces++;
			break;
		case 2:
			g = vmemcache_get(c, key, 2, buf, 100, 0, NULL);
			if (g >= 0)
				hits++;
			else
				misses++;
			break;
		case 3:
			r = cellar_pin_get(c, key, 2, &pin);
			if (r == 0) {
				hits++;
				UT_OK(cellar_stats_get(c, &st));
				UT_ASSERTeq(st.pinned, 1);
				cellar_pin_release(&pin);
			} else {
				misses++;
			}
			break;
		case 4:
			(void) vmemcache_evict(c, key, 2);
			break;
		case 5:
			(void) cellar_remove(c, key, 2);
			break;
		default:
			(void) vmemcache_exists(c, key, 2, NULL);
		}
		check_stats_agree(c);
	}
	UT_OK(cellar_stats_get(c, &st));
	UT_ASSERTeq(st.puts, puts);
	UT_ASSERTeq(st.replaces, replaces);
	UT_ASSERTeq(st.hits, hits);
	UT_ASSERTeq(st.misses, misses);
	while (vmemcache_evict(c, NULL, 0) == 0)
		;
	UT_ASSERT_EMPTY(c);
	check_stats_agree(c);
	vmemcache_delete(c);
}

/* test_putv -- a value gathered from pieces, into a cache and a tier stack */
static void
test_putv(void)
{
	VMEMcache *c = ut_cache_new(4 << 20, 256, VMEMCACHE_REPLACEMENT_LRU, 1);
	char a[3] = {'a', 'b', 'c'}, b[5000];
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (char)(i * 13);
	struct cellar_iov iov[3] = {{a, 3}, {NULL, 0}, {b, sizeof(b)}};
	UT_OK(cellar_putv(c, "v", 1, iov, 3));
	UT_ERR(cellar_putv(c, "v", 1, iov, 3), EEXIST);
	char out[5003];
	size_t vs = 0;
	UT_ASSERTeq(vmemcache_get(c, "v", 1, out, sizeof(out), 0, &vs), 5003);
	UT_ASSERTeq(vs, 5003);
	UT_ASSERT(memcmp(out, a, 3) == 0 && memcmp(out + 3, b, sizeof(b)) == 0);
	/* no pieces: an empty value */
	UT_OK(cellar_putv(c, "e", 1, NULL, 0));
	UT_ASSERTeq(vmemcache_get(c, "e", 1, out, sizeof(out), 0, &vs), 0);
	/* bad pieces */
	struct cellar_iov bad[1] = {{NULL, 4}};
	UT_ERR(cellar_putv(c, "x", 1, bad, 1), EINVAL);
	UT_ERR(cellar_putv(c, "x", 1, NULL, 2), EINVAL);
	UT_ASSERTeq(vmemcache_exists(c, "x", 1, NULL), 0);

	VMEMcache *low = ut_cache_new(4 << 20, 256, VMEMCACHE_REPLACEMENT_LRU, 0);
	VMEMcache *cs[2] = {ut_cache_new(2 << 20, 256, VMEMCACHE_REPLACEMENT_LRU, 1), low};
	cellar_tier *t = cellar_tier_new(cs, 2);
	UT_ASSERT(t != NULL);
	UT_OK(cellar_tier_putv(t, "v", 1, iov, 3));
	unsigned idx = 9;
	UT_ASSERTeq(cellar_tier_get(t, "v", 1, out, sizeof(out), 0, &vs, &idx), 5003);
	UT_ASSERTeq(idx, 0);
	UT_ASSERT(memcmp(out + 3, b, sizeof(b)) == 0);
	UT_ERR(cellar_tier_putv(t, "v", 1, iov, 3), EEXIST);
	UT_ERR(cellar_tier_putv(t, "y", 1, bad, 1), EINVAL);
	cellar_tier_delete(t);
	vmemcache_delete(cs[0]);
	vmemcache_delete(low);
	vmemcache_delete(c);
}

int
main(void)
{
	ut_start("test_cellar");
	test_putv();
	test_replace(0);
	test_replace(1);
	test_replace_none();
	test_remove();
	test_stats();
	return ut_done();
}
