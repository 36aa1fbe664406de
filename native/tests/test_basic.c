/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_basic.c -- put, get, exists, evict by key, on_miss, statistics
 *
 * engine-api.md section 2, "Data calls", single-threaded.
 */
#include "ut.h"

#define MIB ((size_t)1 << 20)
#define KIB ((size_t)1 << 10)

/* get_all -- reads a whole value into a fresh buffer (internal) */
static char *
get_all(VMEMcache *c, const void *key, size_t ksize, size_t *vsize)
{
	size_t vs = (size_t)-1;
	UT_ASSERTeq(vmemcache_get(c, key, ksize, NULL, 0, 0, &vs), 0);
	char *buf = ut_malloc(vs);
	UT_ASSERTeq(vmemcache_get(c, key, ksize, buf, vs, 0, NULL), vs);
	*vsize = vs;
	return buf;
}

/* test_put_eexist -- an existing key fails with EEXIST and keeps its value */
static void
test_put_eexist(void)
{
	VMEMcache *c = ut_cache_new(2 * MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	char v1[3000], v2[100];
	ut_fill(v1, sizeof(v1), 1);
	ut_fill(v2, sizeof(v2), 2);
	UT_OK(vmemcache_put(c, "key", 3, v1, sizeof(v1)));
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_PUT), 1);
	unsigned long long used = ut_stat(c, VMEMCACHE_STAT_POOL_SIZE_USED);
	UT_ERR(vmemcache_put(c, "key", 3, v2, sizeof(v2)), EEXIST);
	UT_ERR(vmemcache_put(c, "key", 3, v1, sizeof(v1)), EEXIST);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_PUT), 1);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 1);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_POOL_SIZE_USED), used);
	size_t vs;
	char *got = get_all(c, "key", 3, &vs);
	UT_ASSERTeq(vs, sizeof(v1));
	UT_ASSERT(memcmp(got, v1, vs) == 0);
	free(got);
	/* POOL_SIZE_USED counts the whole extents of header and value */
	UT_ASSERTeq(used, ut_space(sizeof(v1), 3, 256));
	vmemcache_delete(c);
}

/* check_enospc_too_large -- a value larger than the pool evicts nothing */
static void
check_enospc_too_large(enum vmemcache_repl_p policy, int dram)
{
	VMEMcache *c = ut_cache_new(MIB, 0, policy, dram);
	size_t pool = ut_pool_size(c);
	UT_ASSERTeq(pool, MIB - POOL_HDR_SIZE);
	size_t whole = ut_fit_len(pool, 5);
	char *big = ut_malloc(pool + 4096);
	ut_fill(big, pool + 4096, 3);

	/* the whole pool fits into an empty cache */
	UT_OK(vmemcache_put(c, "whole", 5, big, whole));
	UT_OK(vmemcache_evict(c, "whole", 5));
	UT_ASSERT_EMPTY(c);

	for (uint32_t k = 0; k < 10; k++)
		UT_OK(vmemcache_put(c, &k, sizeof(k), big, 10 * KIB));
	unsigned long long ev = ut_stat(c, VMEMCACHE_STAT_EVICT);
	UT_ERR(vmemcache_put(c, "whole", 5, big, whole + 1), ENOSPC);
	UT_ERR(vmemcache_put(c, "big", 3, big, pool + 1), ENOSPC);
	UT_ERR(vmemcache_put(c, "big", 3, big, pool + 4096), ENOSPC);
	UT_ASSERT(strlen(vmemcache_errormsg()) > 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), ev);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 10);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_PUT), 11);
	for (uint32_t k = 0; k < 10; k++)
		UT_ASSERTeq(vmemcache_exists(c, &k, sizeof(k), NULL), 1);
	UT_ASSERTeq(vmemcache_exists(c, "big", 3, NULL), 0);

	if (policy == VMEMCACHE_REPLACEMENT_LRU) {
		/* exactly the pool: every other entry is evicted */
		UT_OK(vmemcache_put(c, "whole", 5, big, whole));
		UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 1);
		UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), ev + 10);
	}
	free(big);
	vmemcache_delete(c);
}

/* test_none_full -- under NONE a full cache fails puts and keeps entries */
static void
test_none_full(void)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_NONE, 0);
	enum { VLEN = 10000 };
	char v[10240];
	uint32_t n = 0;
	for (;;) {
		ut_fill(v, VLEN, n);
		errno = 0;
		int r = vmemcache_put(c, &n, sizeof(n), v, VLEN);
		if (r != 0) {
			UT_ASSERTeq(errno, ENOSPC);
			break;
		}
		n++;
		UT_ASSERT(n < 1000);
	}
	/* 10000 B and the header take 40 extents of 256 B */
	size_t each = ut_space(VLEN, sizeof(n), 256);
	UT_ASSERTeq(each, 40 * 256);
	size_t pool = ut_pool_size(c), rest = pool - n * each;
	UT_ASSERTeq(n, pool / each);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), n);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_POOL_SIZE_USED), n * each);
	UT_ERR(vmemcache_evict(c, NULL, 0), ESRCH);
	/* a value that fits in what is left does, then nothing does */
	if (rest > 0)
		UT_OK(vmemcache_put(c, "small", 5, v, ut_fit_len(rest, 5)));
	UT_ERR(vmemcache_put(c, "small2", 6, v, 1), ENOSPC);
	for (uint32_t k = 0; k < n; k++) {
		char out[VLEN];
		ut_fill(v, VLEN, k);
		UT_ASSERTeq(vmemcache_get(c, &k, sizeof(k), out, sizeof(out),
			0, NULL), VLEN);
		UT_ASSERT(memcmp(out, v, VLEN) == 0);
	}
	/* evict by key frees room, exactly */
	uint32_t k0 = 0;
	UT_OK(vmemcache_evict(c, &k0, sizeof(k0)));
	UT_ERR(vmemcache_put(c, "small2", 6, v, ut_fit_len(each, 6) + 1),
		ENOSPC);
	UT_OK(vmemcache_put(c, "small2", 6, v, ut_fit_len(each, 6)));
	vmemcache_delete(c);
}

/* test_zero_size -- 0-byte values */
static void
test_zero_size(void)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	char buf[8] = "xxxxxxx";
	UT_OK(vmemcache_put(c, "z", 1, "", 0));
	UT_OK(vmemcache_put(c, "n", 1, NULL, 0));
	UT_ERR(vmemcache_put(c, "z", 1, NULL, 0), EEXIST);
	size_t vs = 99;
	UT_ASSERTeq(vmemcache_exists(c, "z", 1, &vs), 1);
	UT_ASSERTeq(vs, 0);
	vs = 99;
	UT_ASSERTeq(vmemcache_get(c, "z", 1, buf, sizeof(buf), 0, &vs), 0);
	UT_ASSERTeq(vs, 0);
	UT_ASSERT(memcmp(buf, "xxxxxxx", 8) == 0);
	vs = 99;
	UT_ASSERTeq(vmemcache_get(c, "n", 1, buf, sizeof(buf), 5, &vs), 0);
	UT_ASSERTeq(vs, 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_HIT), 2);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 2);
	UT_OK(vmemcache_evict(c, "z", 1));
	UT_OK(vmemcache_evict(c, "n", 1));
	UT_ERR(vmemcache_evict(c, "n", 1), ENOENT);
	UT_ASSERT_EMPTY(c);
	vmemcache_delete(c);
}

/* test_keys -- any bytes, NULs, prefixes, long keys */
static void
test_keys(void)
{
	VMEMcache *c = ut_cache_new(4 * MIB, 0, VMEMCACHE_REPLACEMENT_NONE, 0);
	static const char k_a0b[] = {'a', 0, 'b'};
	static const char k_a0c[] = {'a', 0, 'c'};
	static const char k_00[] = {0, 0};
	char buf[16];

	UT_OK(vmemcache_put(c, k_a0b, 3, "1", 1));
	UT_OK(vmemcache_put(c, k_a0c, 3, "2", 1));
	UT_OK(vmemcache_put(c, k_00, 2, "3", 1));
	UT_OK(vmemcache_put(c, k_00, 1, "4", 1));
	UT_OK(vmemcache_put(c, "a", 1, "5", 1));
	UT_ERR(vmemcache_put(c, k_00, 2, "x", 1), EEXIST);

	/* prefixes and extensions of present keys are other keys */
	UT_ASSERTeq(vmemcache_exists(c, k_a0b, 2, NULL), 0);
	UT_ASSERTeq(vmemcache_exists(c, "ab", 2, NULL), 0);
	UT_ASSERTeq(vmemcache_exists(c, "a\0bc", 4, NULL), 0);
	UT_ERR(vmemcache_get(c, k_a0b, 2, buf, sizeof(buf), 0, NULL), ENOENT);
	UT_ERR(vmemcache_get(c, "a\0b\0", 4, buf, sizeof(buf), 0, NULL),
		ENOENT);
	UT_ERR(vmemcache_evict(c, k_a0c, 2), ENOENT);

	UT_ASSERTeq(vmemcache_get(c, k_a0b, 3, buf, sizeof(buf), 0, NULL), 1);
	UT_ASSERTeq(buf[0], '1');
	UT_ASSERTeq(vmemcache_get(c, k_a0c, 3, buf, sizeof(buf), 0, NULL), 1);
	UT_ASSERTeq(buf[0], '2');
	UT_ASSERTeq(vmemcache_get(c, k_00, 2, buf, sizeof(buf), 0, NULL), 1);
	UT_ASSERTeq(buf[0], '3');
	UT_ASSERTeq(vmemcache_get(c, k_00, 1, buf, sizeof(buf), 0, NULL), 1);
	UT_ASSERTeq(buf[0], '4');
	UT_ASSERTeq(vmemcache_get(c, "a", 1, buf, sizeof(buf), 0, NULL), 1);
	UT_ASSERTeq(buf[0], '5');

	/* every one-byte key */
	for (int b = 0; b < 256; b++) {
		unsigned char k = (unsigned char)b;
		if (b == 0 || b == 'a')
			UT_ERR(vmemcache_put(c, &k, 1, &k, 1), EEXIST);
		else
			UT_OK(vmemcache_put(c, &k, 1, &k, 1));
	}
	/* "a" and "\0" were already there: 254 new ones plus 5 */
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 5 + 254);
	for (int b = 0; b < 256; b++) {
		unsigned char k = (unsigned char)b, out = 0;
		UT_ASSERTeq(vmemcache_get(c, &k, 1, &out, 1, 0, NULL), 1);
		if (b == 0)
			UT_ASSERTeq(out, '4');
		else if (b == 'a')
			UT_ASSERTeq(out, '5');
		else
			UT_ASSERTeq(out, b);
	}

	/* long keys differing only in the last byte, and a prefix of them */
	size_t klen = 10000;
	char *k1 = ut_malloc(klen), *k2 = ut_malloc(klen);
	ut_fill(k1, klen, 11);
	memcpy(k2, k1, klen);
	k2[klen - 1] ^= 1;
	UT_OK(vmemcache_put(c, k1, klen, "L1", 2));
	UT_OK(vmemcache_put(c, k2, klen, "L2", 2));
	UT_ASSERTeq(vmemcache_exists(c, k1, klen - 1, NULL), 0);
	UT_ASSERTeq(vmemcache_get(c, k1, klen, buf, sizeof(buf), 0, NULL), 2);
	UT_ASSERT(memcmp(buf, "L1", 2) == 0);
	UT_ASSERTeq(vmemcache_get(c, k2, klen, buf, sizeof(buf), 0, NULL), 2);
	UT_ASSERT(memcmp(buf, "L2", 2) == 0);
	UT_OK(vmemcache_evict(c, k1, klen));
	UT_ASSERTeq(vmemcache_exists(c, k2, klen, NULL), 1);
	free(k1);
	free(k2);
	vmemcache_delete(c);
}

/* test_get_ranges -- offset, vbufsize, NULL vbuf, vsize rules */
static void
test_get_ranges(void)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	enum { N = 1000 };
	char v[N], buf[2 * N];
	ut_fill(v, N, 5);
	UT_OK(vmemcache_put(c, "k", 1, v, N));
	size_t vs;

	struct { size_t bufsize, offset; ssize_t want; } cases[] = {
		{100, 0, 100}, {2 * N, 0, N}, {N, 0, N}, {100, 950, 50},
		{100, 900, 100}, {1, N - 1, 1}, {100, N, 0}, {100, N + 1, 0},
		{100, (size_t)-1, 0}, {0, 0, 0}, {0, 500, 0}, {N - 1, 1, N - 1},
		{300, 256, 300}, {600, 255, 600},
	};
	unsigned long long hits = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 0x7e, sizeof(buf));
		vs = 0;
		ssize_t r = vmemcache_get(c, "k", 1, buf, cases[i].bufsize,
			cases[i].offset, &vs);
		UT_ASSERTm(r == cases[i].want, "case %zu: got %zd", i, r);
		UT_ASSERTeq(vs, N);
		if (r > 0)
			UT_ASSERT(memcmp(buf, v + cases[i].offset,
				(size_t)r) == 0);
		/* nothing written past the count */
		UT_ASSERTeq((unsigned char)buf[r], 0x7e);
		hits++;
		UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_HIT), hits);
	}

	/* NULL vbuf: returns 0, sets vsize, counts a hit */
	vs = 0;
	UT_ASSERTeq(vmemcache_get(c, "k", 1, NULL, 0, 0, &vs), 0);
	UT_ASSERTeq(vs, N);
	hits++;
	/* vsize may be NULL */
	UT_ASSERTeq(vmemcache_get(c, "k", 1, buf, 10, 3, NULL), 10);
	UT_ASSERT(memcmp(buf, v + 3, 10) == 0);
	hits++;
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_HIT), hits);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_MISS), 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_GET), hits);

	/* a miss: -1 ENOENT and MISS counted */
	UT_ERR(vmemcache_get(c, "q", 1, buf, sizeof(buf), 0, &vs), ENOENT);
	UT_ERR(vmemcache_get(c, "q", 1, NULL, 0, 0, NULL), ENOENT);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_MISS), 2);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_GET), hits + 2);

	/* documented argument errors */
	UT_ERR(vmemcache_get(c, NULL, 1, buf, sizeof(buf), 0, NULL), EINVAL);
	UT_ERR(vmemcache_put(c, NULL, 1, v, 1), EINVAL);
	UT_ERR(vmemcache_put(c, "p", 1, NULL, 1), EINVAL);
	UT_ERR(vmemcache_exists(c, NULL, 1, NULL), EINVAL);
	vmemcache_delete(c);
}

struct miss_ctx {
	int calls;
	int put;		/* the callback puts the key */
	char last_key[64];
	size_t last_ksize;
	VMEMcache *cache;
};

/* on_miss_cb -- records the miss, optionally puts the key (internal) */
static void
on_miss_cb(VMEMcache *c, const void *key, size_t ksize, void *arg)
{
	struct miss_ctx *m = arg;
	UT_ASSERT(c == m->cache);
	m->calls++;
	UT_ASSERT(ksize <= sizeof(m->last_key));
	memcpy(m->last_key, key, ksize);
	m->last_ksize = ksize;
	if (m->put) {
		char v[500];
		ut_fill(v, sizeof(v), ksize);
		UT_OK(vmemcache_put(c, key, ksize, v, sizeof(v)));
	}
}

/* test_on_miss -- callback on miss, served when it puts the key */
static void
test_on_miss(void)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	struct miss_ctx m = {0};
	m.cache = c;
	vmemcache_callback_on_miss(c, on_miss_cb, &m);
	char buf[600];
	size_t vs = 0;

	UT_ERR(vmemcache_get(c, "k\0x", 3, buf, sizeof(buf), 0, &vs), ENOENT);
	UT_ASSERTeq(m.calls, 1);
	UT_ASSERTeq(m.last_ksize, 3);
	UT_ASSERT(memcmp(m.last_key, "k\0x", 3) == 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_MISS), 1);

	/* exists never calls on_miss */
	UT_ASSERTeq(vmemcache_exists(c, "k\0x", 3, NULL), 0);
	UT_ASSERTeq(m.calls, 1);

	/* the callback puts: the pending get is served, offset respected */
	m.put = 1;
	char want[500];
	ut_fill(want, sizeof(want), 7);
	vs = 0;
	UT_ASSERTeq(vmemcache_get(c, "seven\0\0", 7, buf, 100, 450, &vs), 50);
	UT_ASSERTeq(vs, 500);
	UT_ASSERT(memcmp(buf, want + 450, 50) == 0);
	UT_ASSERTeq(m.calls, 2);
	UT_ASSERTeq(vmemcache_exists(c, "seven\0\0", 7, NULL), 1);
	unsigned long long get = ut_stat(c, VMEMCACHE_STAT_GET);
	UT_ASSERTeq(get, ut_stat(c, VMEMCACHE_STAT_HIT) +
		ut_stat(c, VMEMCACHE_STAT_MISS));
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_MISS), 2);

	/* now a plain hit, no callback */
	UT_ASSERTeq(vmemcache_get(c, "seven\0\0", 7, buf, sizeof(buf), 0, &vs),
		500);
	UT_ASSERT(memcmp(buf, want, 500) == 0);
	UT_ASSERTeq(m.calls, 2);

	/* cleared */
	vmemcache_callback_on_miss(c, NULL, NULL);
	UT_ERR(vmemcache_get(c, "other", 5, buf, sizeof(buf), 0, &vs), ENOENT);
	UT_ASSERTeq(m.calls, 2);
	vmemcache_delete(c);
}

/* test_exists_no_stats -- exists changes no statistic */
static void
test_exists_no_stats(void)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	char v[777];
	ut_fill(v, sizeof(v), 9);
	UT_OK(vmemcache_put(c, "a", 1, v, sizeof(v)));
	UT_OK(vmemcache_put(c, "b", 1, v, 3));
	char buf[8];
	UT_ASSERTeq(vmemcache_get(c, "a", 1, buf, sizeof(buf), 0, NULL), 8);
	UT_ERR(vmemcache_get(c, "c", 1, buf, sizeof(buf), 0, NULL), ENOENT);

	unsigned long long before[VMEMCACHE_STATS_NUM];
	unsigned long long after[VMEMCACHE_STATS_NUM];
	struct cellar_stats cb, ca;
	ut_stats_all(c, before);
	UT_OK(cellar_stats_get(c, &cb));
	for (int i = 0; i < 100; i++) {
		size_t vs = 0;
		UT_ASSERTeq(vmemcache_exists(c, "a", 1, &vs), 1);
		UT_ASSERTeq(vs, sizeof(v));
		UT_ASSERTeq(vmemcache_exists(c, "b", 1, &vs), 1);
		UT_ASSERTeq(vs, 3);
		UT_ASSERTeq(vmemcache_exists(c, "b", 1, NULL), 1);
		UT_ASSERTeq(vmemcache_exists(c, "c", 1, &vs), 0);
	}
	ut_stats_all(c, after);
	UT_OK(cellar_stats_get(c, &ca));
	for (int s = 0; s < VMEMCACHE_STATS_NUM; s++)
		UT_ASSERTm(before[s] == after[s], "stat %d", s);
	UT_ASSERT(memcmp(&cb, &ca, sizeof(cb)) == 0);
	vmemcache_delete(c);
}

/* test_stat_rules -- get_stat arguments, GET = HIT + MISS */
static void
test_stat_rules(void)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	unsigned long long v = 12345;
	unsigned int small = 0;
	char big[16];
	UT_ERR(vmemcache_get_stat(c, VMEMCACHE_STAT_PUT, &small, sizeof(small)),
		EINVAL);
	UT_ERR(vmemcache_get_stat(c, VMEMCACHE_STAT_PUT, big, sizeof(big)),
		EINVAL);
	UT_ERR(vmemcache_get_stat(c, VMEMCACHE_STAT_PUT, &v, 0), EINVAL);
	UT_ERR(vmemcache_get_stat(c, VMEMCACHE_STATS_NUM, &v, sizeof(v)),
		EINVAL);
	UT_ERR(vmemcache_get_stat(c, (enum vmemcache_statistic)-1, &v,
		sizeof(v)), EINVAL);
	UT_ASSERTeq(v, 12345);

	uint64_t rs = 42;
	static char buf[6400];
	for (int i = 0; i < 2000; i++) {
		uint32_t k = (uint32_t)ut_rand_range(&rs, 0, 63);
		switch (ut_rand(&rs) % 4) {
		case 0:
			(void) vmemcache_put(c, &k, sizeof(k), buf, k * 100);
			break;
		case 1:
		case 2:
			(void) vmemcache_get(c, &k, sizeof(k), buf,
				sizeof(buf), 0, NULL);
			break;
		default:
			(void) vmemcache_evict(c, &k, sizeof(k));
		}
		UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_GET),
			ut_stat(c, VMEMCACHE_STAT_HIT) +
			ut_stat(c, VMEMCACHE_STAT_MISS));
	}
	UT_ASSERT(ut_stat(c, VMEMCACHE_STAT_HIT) > 0);
	UT_ASSERT(ut_stat(c, VMEMCACHE_STAT_MISS) > 0);
	vmemcache_delete(c);
}

/* check_coalesce -- random puts and evictions, then all gone: one piece */
static void
check_coalesce(int dram)
{
	VMEMcache *c = ut_cache_new(4 * MIB, 0, VMEMCACHE_REPLACEMENT_LRU,
		dram);
	UT_ASSERT_EMPTY(c);
	char *v = ut_malloc(64 * KIB);
	ut_fill(v, 64 * KIB, 1);
	uint64_t rs = 7;
	for (int i = 0; i < 5000; i++) {
		uint32_t k = (uint32_t)ut_rand_range(&rs, 0, 199);
		if (ut_rand(&rs) % 3)
			(void) vmemcache_put(c, &k, sizeof(k), v,
				ut_rand_range(&rs, 0, 64 * KIB));
		else
			(void) vmemcache_evict(c, &k, sizeof(k));
	}
	UT_ASSERT(ut_stat(c, VMEMCACHE_STAT_HEAP_ENTRIES) >= 1);
	UT_ASSERT(ut_stat(c, VMEMCACHE_STAT_DRAM_SIZE_USED) > 0);
	/* evict the rest in random key order, through both paths */
	for (uint32_t k = 0; k < 200; k += 2)
		(void) vmemcache_evict(c, &k, sizeof(k));
	while (vmemcache_evict(c, NULL, 0) == 0)
		;
	UT_ASSERTeq(errno, ESRCH);
	UT_ASSERT_EMPTY(c);
	/* and the whole pool is one piece again */
	char *whole = ut_malloc(ut_pool_size(c));
	memset(whole, 1, ut_pool_size(c));
	UT_OK(vmemcache_put(c, "w", 1, whole, ut_fit_len(ut_pool_size(c), 1)));
	struct cellar_stats st;
	UT_OK(cellar_stats_get(c, &st));
	UT_ASSERTeq(st.pool_used, st.pool_size);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_HEAP_ENTRIES), 0);
	free(whole);
	free(v);
	vmemcache_delete(c);
}

struct count_ctx {
	int calls;
};

/* count_evict_cb -- counts on_evict calls (internal) */
static void
count_evict_cb(VMEMcache *c, const void *key, size_t ksize, void *arg)
{
	(void)c;
	(void)key;
	(void)ksize;
	((struct count_ctx *)arg)->calls++;
}

/* test_delete_no_on_evict -- delete frees without callbacks */
static void
test_delete_no_on_evict(void)
{
	struct count_ctx cc = {0};
	for (int dram = 0; dram < 2; dram++) {
		VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU,
			dram);
		vmemcache_callback_on_evict(c, count_evict_cb, &cc);
		for (uint32_t k = 0; k < 100; k++)
			UT_OK(vmemcache_put(c, &k, sizeof(k), "v", 1));
		vmemcache_delete(c);
		UT_ASSERTeq(cc.calls, 0);
	}
}

/* test_bench_set -- every switch is accepted and changes nothing visible */
static void
test_bench_set(void)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	vmemcache_bench_set(c, VMEMCACHE_BENCH_INDEX_ONLY, 1);
	vmemcache_bench_set(c, VMEMCACHE_BENCH_NO_ALLOC, 1);
	vmemcache_bench_set(c, VMEMCACHE_BENCH_NO_MEMCPY, 1);
	vmemcache_bench_set(c, VMEMCACHE_BENCH_PREFAULT, 1);
	vmemcache_bench_set(c, (enum vmemcache_bench_cfg)99, 1);
	char v[300], out[300];
	ut_fill(v, sizeof(v), 3);
	UT_OK(vmemcache_put(c, "b", 1, v, sizeof(v)));
	UT_ASSERTeq(vmemcache_get(c, "b", 1, out, sizeof(out), 0, NULL),
		sizeof(v));
	UT_ASSERT(memcmp(v, out, sizeof(v)) == 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_POOL_SIZE_USED), 512);
	vmemcache_delete(c);
}

int
main(void)
{
	ut_start("test_basic");
	test_put_eexist();
	check_enospc_too_large(VMEMCACHE_REPLACEMENT_LRU, 0);
	check_enospc_too_large(VMEMCACHE_REPLACEMENT_NONE, 0);
	check_enospc_too_large(VMEMCACHE_REPLACEMENT_LRU, 1);
	test_none_full();
	test_zero_size();
	test_keys();
	test_get_ranges();
	test_on_miss();
	test_exists_no_stats();
	test_stat_rules();
	check_coalesce(0);
	check_coalesce(1);
	test_delete_no_on_evict();
	test_bench_set();
	return ut_done();
}
