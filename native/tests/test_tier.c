/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_tier.c -- tier stacks: demotion, promotion, exclusivity, final evict,
 * and a stack of one tier behaving as its cache alone
 *
 * A DRAM cache of 1 MiB over a file cache of 2 MiB. Every step checks with
 * vmemcache_exists on each cache that no key lives in two tiers.
 */
#include "ut.h"

#define MIB ((size_t)1 << 20)
#define KIB ((size_t)1 << 10)
#define NKEYS 64

struct dropped {
	VMEMcache *bottom;
	unsigned n;
	uint32_t keys[4096];
};

/* on_drop -- the stack's final on_evict: records keys leaving (internal) */
static void
on_drop(VMEMcache *c, const void *key, size_t ksize, void *arg)
{
	struct dropped *d = arg;
	UT_ASSERT(c == d->bottom);
	UT_ASSERTeq(ksize, sizeof(uint32_t));
	UT_ASSERT(d->n < 4096);
	memcpy(&d->keys[d->n++], key, sizeof(uint32_t));
}

/* value -- the value of key k version ver (internal) */
static char *
value(uint32_t k, unsigned ver, size_t len)
{
	char *v = ut_malloc(len);
	ut_fill(v, len, ((uint64_t)k << 32) | ver);
	return v;
}

/* tier_of -- the tier holding k, -1 if none; asserts there is one at most */
static int
tier_of(cellar_tier *t, uint32_t k)
{
	int found = -1;
	for (unsigned i = 0; i < cellar_tier_count(t); i++) {
		VMEMcache *c = cellar_tier_cache(t, i);
		if (vmemcache_exists(c, &k, sizeof(k), NULL) == 1) {
			UT_ASSERTm(found == -1, "key %u in tiers %d and %u", k,
				found, i);
			found = (int)i;
		}
	}
	size_t vs;
	unsigned idx = 99;
	int e = cellar_tier_exists(t, &k, sizeof(k), &vs, &idx);
	UT_ASSERTeq(e, found >= 0);
	if (found >= 0)
		UT_ASSERTeq(idx, found);
	return found;
}

/* tput -- cellar_tier_put of key k version ver (internal) */
static int
tput(cellar_tier *t, uint32_t k, unsigned ver, size_t len)
{
	char *v = value(k, ver, len);
	int r = cellar_tier_put(t, &k, sizeof(k), v, len);
	int e = errno;
	free(v);
	errno = e;
	return r;
}

/* tget -- cellar_tier_get, checking the value (internal); returns tier */
static int
tget(cellar_tier *t, uint32_t k, unsigned ver, size_t len)
{
	char *want = value(k, ver, len), *got = ut_malloc(len);
	size_t vs = 0;
	unsigned idx = 99;
	UT_ASSERTeq(cellar_tier_get(t, &k, sizeof(k), got, len, 0, &vs, &idx),
		len);
	UT_ASSERTeq(vs, len);
	UT_ASSERT(memcmp(want, got, len) == 0);
	free(want);
	free(got);
	return (int)idx;
}

/* make_caches -- the two caches of the stack (internal) */
static void
make_caches(VMEMcache *cs[2])
{
	cs[0] = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 1);
	cs[1] = ut_cache_new(2 * MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
}

/* test_args -- construction errors and accessors */
static void
test_args(void)
{
	VMEMcache *cs[CELLAR_TIER_MAX + 1];
	make_caches(cs);
	UT_ASSERT(cellar_tier_new(NULL, 1) == NULL);
	UT_ASSERTeq(errno, EINVAL);
	UT_ASSERT(cellar_tier_new(cs, 0) == NULL);
	UT_ASSERTeq(errno, EINVAL);
	VMEMcache *dup[2] = {cs[0], cs[0]};
	UT_ASSERT(cellar_tier_new(dup, 2) == NULL);
	UT_ASSERTeq(errno, EINVAL);
	VMEMcache *nopool[2] = {cs[0], vmemcache_new()};
	UT_ASSERT(cellar_tier_new(nopool, 2) == NULL);
	UT_ASSERTeq(errno, EINVAL);
	vmemcache_delete(nopool[1]);
	for (unsigned i = 2; i < CELLAR_TIER_MAX + 1; i++)
		cs[i] = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 1);
	UT_ASSERT(cellar_tier_new(cs, CELLAR_TIER_MAX + 1) == NULL);
	UT_ASSERTeq(errno, EINVAL);
	cellar_tier *t = cellar_tier_new(cs, CELLAR_TIER_MAX);
	UT_ASSERT(t != NULL);
	UT_ASSERTeq(cellar_tier_count(t), CELLAR_TIER_MAX);
	for (unsigned i = 0; i < CELLAR_TIER_MAX; i++)
		UT_ASSERT(cellar_tier_cache(t, i) == cs[i]);
	UT_ASSERT(cellar_tier_cache(t, CELLAR_TIER_MAX) == NULL);
	cellar_tier_delete(t);
	cellar_tier_delete(NULL);
	for (unsigned i = 0; i < CELLAR_TIER_MAX + 1; i++)
		vmemcache_delete(cs[i]);
}

/* test_moves -- demotion, promotion, EEXIST, replace, evict, pin, drops */
static void
test_moves(void)
{
	VMEMcache *cs[2];
	make_caches(cs);
	cellar_tier *t = cellar_tier_new(cs, 2);
	UT_ASSERT(t != NULL);
	struct dropped d = {.bottom = cs[1]};
	cellar_tier_callback_on_evict(t, on_drop, &d);
	struct cellar_tier_stats ts;
	/* 5 fit on top, 10 below */
	size_t len = ut_fit_len(200 * KIB, sizeof(uint32_t));

	for (uint32_t k = 0; k < 5; k++)
		UT_OK(tput(t, k, 0, len));
	for (uint32_t k = 0; k < 5; k++)
		UT_ASSERTeq(tier_of(t, k), 0);
	UT_OK(tput(t, 5, 0, len));	/* demotes 0 */
	UT_ASSERTeq(tier_of(t, 0), 1);
	UT_ASSERTeq(tier_of(t, 5), 0);
	UT_OK(cellar_tier_stats_get(t, &ts));
	UT_ASSERTeq(ts.demotions, 1);
	UT_ASSERTeq(ts.promotions, 0);
	UT_ASSERTeq(ts.dropped, 0);

	/* EEXIST from either tier; nothing moves */
	UT_ERR(tput(t, 0, 1, len), EEXIST);
	UT_ERR(tput(t, 5, 1, len), EEXIST);
	UT_ASSERTeq(tier_of(t, 0), 1);

	/* a hit below is promoted; the top's LRU (1) goes down */
	UT_ASSERTeq(tget(t, 0, 0, len), 1);
	UT_ASSERTeq(tier_of(t, 0), 0);
	UT_ASSERTeq(tier_of(t, 1), 1);
	UT_ASSERTeq(tget(t, 0, 0, len), 0);
	UT_OK(cellar_tier_stats_get(t, &ts));
	UT_ASSERTeq(ts.promotions, 1);
	UT_ASSERTeq(ts.demotions, 2);

	/* pin below: promoted too */
	cellar_pin p;
	unsigned idx = 99;
	UT_OK(cellar_tier_pin_get(t, &(uint32_t){1}, sizeof(uint32_t), &p,
		&idx));
	UT_ASSERTeq(idx, 1);
	char *want = value(1, 0, len);
	UT_ASSERTeq(p.size, len);
	size_t off = 0;
	for (unsigned i = 0; i < p.nparts; i++) {
		const void *a;
		size_t l;
		UT_OK(cellar_pin_part(&p, i, &a, &l));
		UT_ASSERT(memcmp(a, want + off, l) == 0);
		off += l;
	}
	UT_ASSERTeq(off, len);
	cellar_pin_release(&p);
	free(want);
	UT_ASSERTeq(tier_of(t, 1), 0);

	/* replace below: the new value on top, gone below */
	UT_ASSERTeq(tier_of(t, 2), 1);
	char *v = value(2, 7, 1000);
	UT_OK(cellar_tier_replace(t, &(uint32_t){2}, sizeof(uint32_t), v,
		1000));
	free(v);
	UT_ASSERTeq(tier_of(t, 2), 0);
	UT_ASSERTeq(tget(t, 2, 7, 1000), 0);

	/* evict from whichever tier */
	int where = tier_of(t, 3);
	UT_ASSERT(where >= 0);
	UT_OK(cellar_tier_evict(t, &(uint32_t){3}, sizeof(uint32_t)));
	UT_ASSERTeq(tier_of(t, 3), -1);
	UT_ERR(cellar_tier_evict(t, &(uint32_t){3}, sizeof(uint32_t)), ENOENT);
	UT_ERR(cellar_tier_evict(t, &(uint32_t){77}, sizeof(uint32_t)),
		ENOENT);
	UT_ASSERTeq(cellar_tier_exists(t, &(uint32_t){77}, sizeof(uint32_t),
		NULL, NULL), 0);
	char buf[4];
	UT_ERR(cellar_tier_get(t, &(uint32_t){77}, sizeof(uint32_t), buf,
		sizeof(buf), 0, NULL, NULL), ENOENT);

	/* too big for the top: it goes below and stays there on a hit */
	size_t mid = MIB + 300 * KIB;
	UT_OK(tput(t, 40, 0, mid));
	UT_ASSERTeq(tier_of(t, 40), 1);
	UT_ASSERTeq(tget(t, 40, 0, mid), 1);
	UT_ASSERTeq(tier_of(t, 40), 1);
	UT_ERR(tput(t, 41, 0, 2 * MIB + 1), ENOSPC);
	UT_ASSERTeq(tier_of(t, 41), -1);

	/* overflow both: keys leave through the final on_evict */
	for (uint32_t k = 100; k < 130; k++) {
		UT_OK(tput(t, k, 0, len));
		for (uint32_t j = 0; j < 130; j++)
			(void) tier_of(t, j);
	}
	UT_ASSERT(d.n > 0);
	for (unsigned i = 0; i < d.n; i++)
		UT_ASSERTeq(tier_of(t, d.keys[i]), -1);
	UT_OK(cellar_tier_stats_get(t, &ts));
	UT_ASSERTeq(ts.dropped, d.n);
	/* what is left adds up: 5 on top, the bottom's share below */
	unsigned in0 = 0, in1 = 0;
	for (uint32_t j = 0; j < 130; j++) {
		int w = tier_of(t, j);
		in0 += w == 0;
		in1 += w == 1;
	}
	UT_ASSERTeq(in0, ut_stat(cs[0], VMEMCACHE_STAT_ENTRIES));
	UT_ASSERTeq(in1, ut_stat(cs[1], VMEMCACHE_STAT_ENTRIES));
	UT_ASSERTeq(in0, 5);
	UT_OUT("after overflow: %u on top, %u below, %u dropped, "
		"%llu demotions, %llu promotions", in0, in1, d.n,
		ts.demotions, ts.promotions);

	cellar_tier_delete(t);
	vmemcache_delete(cs[0]);
	vmemcache_delete(cs[1]);
}

/* test_random -- random ops against a model of which keys are present */
static void
test_random(void)
{
	VMEMcache *cs[2];
	make_caches(cs);
	cellar_tier *t = cellar_tier_new(cs, 2);
	UT_ASSERT(t != NULL);
	struct dropped d = {.bottom = cs[1]};
	cellar_tier_callback_on_evict(t, on_drop, &d);

	static int present[NKEYS];
	static unsigned ver[NKEYS];
	static size_t lens[NKEYS];
	unsigned long long promotions = 0;
	uint64_t rs = 1234;
	for (int i = 0; i < 1500; i++) {
		uint32_t k = (uint32_t)ut_rand_range(&rs, 0, NKEYS - 1);
		size_t len = (size_t)ut_rand_range(&rs, 0, 300 * KIB);
		unsigned op = (unsigned)(ut_rand(&rs) % 6);
		unsigned before = d.n;
		int r;
		char *v;
		cellar_pin p;
		unsigned idx;
		switch (op) {
		case 0:
			r = tput(t, k, ver[k] + 1, len);
			if (present[k]) {
				UT_ASSERT(r == -1 && errno == EEXIST);
			} else {
				UT_OK(r);
				present[k] = 1;
				lens[k] = len;
				ver[k]++;
			}
			break;
		case 1:
		case 2:
			if (!present[k]) {
				char b[1];
				UT_ERR(cellar_tier_get(t, &k, sizeof(k), b, 1,
					0, NULL, NULL), ENOENT);
				break;
			}
			r = tget(t, k, ver[k], lens[k]);
			if (r > 0)
				promotions++;
			break;
		case 3:
			v = value(k, ver[k] + 1, len);
			UT_OK(cellar_tier_replace(t, &k, sizeof(k), v, len));
			free(v);
			present[k] = 1;
			lens[k] = len;
			ver[k]++;
			break;
		case 4:
			if (present[k]) {
				UT_OK(cellar_tier_evict(t, &k, sizeof(k)));
				present[k] = 0;
			} else {
				UT_ERR(cellar_tier_evict(t, &k, sizeof(k)),
					ENOENT);
			}
			break;
		default:
			r = cellar_tier_pin_get(t, &k, sizeof(k), &p, &idx);
			if (!present[k]) {
				UT_ASSERT(r == -1 && errno == ENOENT);
				break;
			}
			UT_OK(r);
			UT_ASSERTeq(p.size, lens[k]);
			if (idx > 0)
				promotions++;
			cellar_pin_release(&p);
			break;
		}
		/* keys the stack dropped just now */
		for (unsigned j = before; j < d.n; j++) {
			UT_ASSERT(present[d.keys[j]]);
			present[d.keys[j]] = 0;
		}
		/* but a key just put or replaced is there whatever was dropped */
		if ((op == 0 || op == 3) && d.n > before)
			for (unsigned j = before; j < d.n; j++)
				UT_ASSERTm(d.keys[j] != k || op == 0,
					"replaced key %u dropped", k);
		for (uint32_t j = 0; j < NKEYS; j++) {
			int w = tier_of(t, j);
			UT_ASSERTm((w >= 0) == present[j],
				"op %d: key %u in tier %d, model %d", i, j, w,
				present[j]);
		}
	}
	struct cellar_tier_stats ts;
	UT_OK(cellar_tier_stats_get(t, &ts));
	UT_ASSERTeq(ts.dropped, d.n);
	UT_ASSERTeq(ts.promotions, promotions);
	UT_ASSERT(ts.demotions > 0);
	cellar_tier_delete(t);
	vmemcache_delete(cs[0]);
	vmemcache_delete(cs[1]);
}

/* count_key -- cellar_key_fn counting the keys drained (internal) */
static int
count_key(const void *key, size_t key_size, void *arg)
{
	(void)key;
	(void)key_size;
	++*(unsigned *)arg;
	return 0;
}

/*
 * test_one_tier -- the same random puts, replaces, gets, pins, evicts and
 * exists on a cache through the vmemcache API and on a twin cache as a
 * stack of one tier give the same answers, statistics and journal: a single
 * cache is a stack of one tier (what the Java face binds)
 */
static void
test_one_tier(void)
{
	VMEMcache *bare = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 1);
	VMEMcache *twin = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 1);
	cellar_tier *t = cellar_tier_new(&twin, 1);
	UT_ASSERT(t != NULL);
	UT_OK(cellar_journal_enable(bare, 100000));
	UT_OK(cellar_tier_journal_enable(t, 100000));
	char *buf = ut_malloc(64 * KIB);
	uint64_t rnd = 7;
	for (unsigned op = 0; op < 20000; op++) {
		uint32_t k = (uint32_t)ut_rand_range(&rnd, 0, 200);
		size_t len = (size_t)ut_rand_range(&rnd, 1, 24 * KIB);
		unsigned what = (unsigned)ut_rand_range(&rnd, 0, 6);
		int a, b;
		switch (what) {
		case 0: {
			char *v = value(k, op, len);
			a = vmemcache_put(bare, &k, sizeof(k), v, len);
			b = cellar_tier_put(t, &k, sizeof(k), v, len);
			free(v);
			break;
		}
		case 1: {
			char *v = value(k, op, len);
			a = cellar_replace(bare, &k, sizeof(k), v, len);
			b = cellar_tier_replace(t, &k, sizeof(k), v, len);
			free(v);
			break;
		}
		case 2: {
			size_t sa = 0, sb = 0;
			a = (int)vmemcache_get(bare, &k, sizeof(k), buf, 64 * KIB, 0,
					&sa);
			b = (int)cellar_tier_get(t, &k, sizeof(k), buf, 64 * KIB, 0,
					&sb, NULL);
			UT_ASSERTeq(sa, sb);
			break;
		}
		case 3: {
			cellar_pin pa, pb;
			unsigned tier = 9;
			a = cellar_pin_get(bare, &k, sizeof(k), &pa);
			b = cellar_tier_pin_get(t, &k, sizeof(k), &pb, &tier);
			if (a == 0)
				cellar_pin_release(&pa);
			if (b == 0) {
				UT_ASSERTeq(tier, 0);
				cellar_pin_release(&pb);
			}
			break;
		}
		case 4:
			a = vmemcache_evict(bare, &k, sizeof(k));
			b = cellar_tier_evict(t, &k, sizeof(k));
			break;
		default:
			a = vmemcache_exists(bare, &k, sizeof(k), NULL);
			b = cellar_tier_exists(t, &k, sizeof(k), NULL, NULL);
			break;
		}
		UT_ASSERTm(a == b, "op %u (kind %u) on key %u: %d on the cache, "
				"%d on the stack", op, what, k, a, b);
	}
	struct cellar_stats sa, sb;
	UT_OK(cellar_stats_get(bare, &sa));
	UT_OK(cellar_stats_get(twin, &sb));
	UT_ASSERTeq(sa.puts, sb.puts);
	UT_ASSERTeq(sa.replaces, sb.replaces);
	UT_ASSERTeq(sa.gets, sb.gets);
	UT_ASSERTeq(sa.hits, sb.hits);
	UT_ASSERTeq(sa.misses, sb.misses);
	UT_ASSERTeq(sa.evictions, sb.evictions);
	UT_ASSERTeq(sa.entries, sb.entries);
	UT_ASSERTeq(sa.pool_used, sb.pool_used);
	UT_ASSERT(sa.evictions > 0 && sa.replaces > 0);
	unsigned ja = 0, jb = 0;
	int over = 0;
	UT_ASSERT(cellar_journal_drain(bare, 100000, count_key, &ja, &over) >= 0);
	UT_ASSERT(!over);
	UT_ASSERT(cellar_tier_journal_drain(t, 100000, count_key, &jb, &over)
			>= 0);
	UT_ASSERT(!over);
	UT_ASSERTeq(ja, jb);
	UT_ASSERTeq(ja, sa.evictions);
	struct cellar_tier_stats ts;
	UT_OK(cellar_tier_stats_get(t, &ts));
	UT_ASSERTeq(ts.promotions + ts.demotions, 0);
	free(buf);
	cellar_tier_delete(t);
	vmemcache_delete(bare);
	vmemcache_delete(twin);
}

int
main(void)
{
	ut_start("test_tier");
	test_args();
	test_moves();
	test_random();
	test_one_tier();
	return ut_done();
}
