/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_keys_journal.c -- key listings and eviction journals of caches and
 * tier stacks, alone and under concurrent puts, evictions and drains
 */
#include <stdatomic.h>

#include "ut.h"

#define MIB ((size_t)1 << 20)
#define KIB ((size_t)1 << 10)
#define MAXK 4096

/* a set of uint32 keys seen, with a count of duplicates */
struct seen {
	unsigned char has[MAXK];
	unsigned n, dups, others;
};

/* on_key -- cellar_key_fn recording uint32 keys (internal) */
static int
on_key(const void *key, size_t ksize, void *arg)
{
	struct seen *s = arg;
	uint32_t k;
	if (ksize != sizeof(k)) {
		s->others++;
		return 0;
	}
	memcpy(&k, key, sizeof(k));
	UT_ASSERT(k < MAXK);
	if (s->has[k])
		s->dups++;
	s->has[k] = 1;
	s->n++;
	return 0;
}

/* stop_at_one -- a listing function that stops at once (internal) */
static int
stop_at_one(const void *key, size_t ksize, void *arg)
{
	(void)key;
	(void)ksize;
	(*(unsigned *)arg)++;
	return 1;
}

static void
put_k(VMEMcache *c, uint32_t k, size_t len)
{
	char *v = ut_malloc(len);
	ut_fill(v, len, k);
	UT_OK(vmemcache_put(c, &k, sizeof(k), v, len));
	free(v);
}

/* drain_all -- drains a journal into s; returns whether it overflowed */
static int
drain_cache(VMEMcache *c, struct seen *s)
{
	int over = 0, any = 0;
	long n;
	do {
		n = cellar_journal_drain(c, 7, on_key, s, &over);
		UT_ASSERT(n >= 0);
		any |= over;
	} while (n > 0);
	return any;
}

/*
 * test_cache_listing_and_journal -- what is listed is what is present; LRU
 * and explicit evictions are journaled, remove and replace are not
 */
static void
test_cache_listing_and_journal(void)
{
	VMEMcache *c = ut_cache_new(MIB, 256, VMEMCACHE_REPLACEMENT_LRU, 1);
	struct seen s = {0};
	int over = 0;
	UT_ERR(cellar_journal_drain(c, 1, NULL, NULL, &over), EINVAL);
	UT_ERR(cellar_journal_enable(c, 0), EINVAL);
	UT_ERR(cellar_journal_enable(NULL, 4), EINVAL);
	UT_ERR(cellar_keys_list(c, NULL, NULL), EINVAL);
	UT_ERR(cellar_keys_list(NULL, on_key, &s), EINVAL);
	UT_OK(cellar_journal_enable(c, 10000));
	UT_ERR(cellar_journal_enable(c, 10), EALREADY);

	for (uint32_t k = 0; k < 100; k++)
		put_k(c, k, 1000);
	UT_OK(cellar_keys_list(c, on_key, &s));
	UT_ASSERTeq(s.n, 100);
	UT_ASSERTeq(s.dups, 0);
	unsigned calls = 0;
	UT_OK(cellar_keys_list(c, stop_at_one, &calls));
	UT_ASSERTeq(calls, 1);

	/* nothing left yet */
	UT_ASSERTeq(cellar_journal_drain(c, 10, on_key, &s, &over), 0);
	UT_ASSERTeq(over, 0);

	UT_OK(vmemcache_evict(c, &(uint32_t){5}, sizeof(uint32_t)));
	UT_OK(cellar_remove(c, &(uint32_t){6}, sizeof(uint32_t)));
	UT_OK(cellar_replace(c, &(uint32_t){7}, sizeof(uint32_t), "x", 1));
	UT_OK(vmemcache_evict(c, NULL, 0)); /* LRU: key 0 */
	struct seen j = {0};
	UT_ASSERT(!drain_cache(c, &j));
	UT_ASSERTeq(j.n, 2);
	UT_ASSERT(j.has[5] && j.has[0]);

	/* fill far past the pool: every LRU eviction is journaled, in order */
	uint64_t ev0 = ut_stat(c, VMEMCACHE_STAT_EVICT);
	for (uint32_t k = 100; k < 2000; k++)
		put_k(c, k, 1000);
	uint64_t evicted = ut_stat(c, VMEMCACHE_STAT_EVICT) - ev0;
	UT_ASSERT(evicted > 500);
	memset(&j, 0, sizeof(j));
	UT_ASSERT(!drain_cache(c, &j));
	UT_ASSERTeq(j.n, evicted);
	UT_ASSERTeq(j.dups, 0);
	for (uint32_t k = 0; k < 2000; k++) {
		int present = vmemcache_exists(c, &k, sizeof(k), NULL);
		if (k == 5 || k == 6 || k == 0)
			continue;
		UT_ASSERTm(present != j.has[k], "key %u present %d journaled %d",
				k, present, j.has[k]);
	}
	memset(&s, 0, sizeof(s));
	UT_OK(cellar_keys_list(c, on_key, &s));
	UT_ASSERTeq(s.n, ut_stat(c, VMEMCACHE_STAT_ENTRIES));
	vmemcache_delete(c);
}

/* test_overflow -- a full journal keeps its keys and reports the loss once */
static void
test_overflow(void)
{
	VMEMcache *c = ut_cache_new(MIB, 256, VMEMCACHE_REPLACEMENT_LRU, 1);
	UT_OK(cellar_journal_enable(c, 3));
	for (uint32_t k = 0; k < 10; k++)
		put_k(c, k, 10);
	for (uint32_t k = 0; k < 5; k++)
		UT_OK(vmemcache_evict(c, &k, sizeof(k)));
	struct seen j = {0};
	int over = 0;
	UT_ASSERTeq(cellar_journal_drain(c, 2, on_key, &j, &over), 2);
	UT_ASSERTeq(over, 1);
	UT_ASSERT(j.has[0] && j.has[1]);
	UT_ASSERTeq(cellar_journal_drain(c, 100, on_key, &j, &over), 1);
	UT_ASSERTeq(over, 0);
	UT_ASSERT(j.has[2]);
	UT_OK(vmemcache_evict(c, &(uint32_t){9}, sizeof(uint32_t)));
	UT_ASSERTeq(cellar_journal_drain(c, 100, NULL, NULL, &over), 1);
	UT_ASSERTeq(over, 0);
	vmemcache_delete(c); /* with keys left in the journal: no leak */
}

/*
 * test_tier -- demotions are not journaled, drops from the bottom and
 * explicit evicts are; the listing has each key once
 */
static void
test_tier(void)
{
	VMEMcache *top = ut_cache_new(MIB, 4096, VMEMCACHE_REPLACEMENT_LRU, 1);
	VMEMcache *bot = ut_cache_new(2 * MIB, 4096, VMEMCACHE_REPLACEMENT_LRU, 0);
	VMEMcache *cs[2] = {top, bot};
	cellar_tier *t = cellar_tier_new(cs, 2);
	UT_ASSERT(t != NULL);
	UT_ERR(cellar_tier_journal_enable(t, 0), EINVAL);
	UT_OK(cellar_tier_journal_enable(t, 10000));
	UT_ERR(cellar_tier_journal_enable(t, 5), EALREADY);
	char *v = ut_malloc(60 * KIB);
	ut_fill(v, 60 * KIB, 1);
	/* 1 MiB top holds about 15: 25 demote some, drop none */
	for (uint32_t k = 0; k < 25; k++)
		UT_OK(cellar_tier_put(t, &k, sizeof(k), v, 60 * KIB));
	struct cellar_tier_stats ts;
	UT_OK(cellar_tier_stats_get(t, &ts));
	UT_ASSERT(ts.demotions > 0);
	UT_ASSERTeq(ts.dropped, 0);
	int over = 0;
	UT_ASSERTeq(cellar_tier_journal_drain(t, 100, NULL, NULL, &over), 0);
	struct seen s = {0};
	UT_OK(cellar_tier_keys_list(t, on_key, &s));
	UT_ASSERTeq(s.n, 25);
	UT_ASSERTeq(s.dups, 0);

	for (uint32_t k = 25; k < 200; k++)
		UT_OK(cellar_tier_put(t, &k, sizeof(k), v, 60 * KIB));
	UT_OK(cellar_tier_stats_get(t, &ts));
	UT_ASSERT(ts.dropped > 0);
	struct seen j = {0};
	long n = cellar_tier_journal_drain(t, 100000, on_key, &j, &over);
	UT_ASSERTeq(n, ts.dropped);
	UT_ASSERTeq(over, 0);
	memset(&s, 0, sizeof(s));
	UT_OK(cellar_tier_keys_list(t, on_key, &s));
	UT_ASSERTeq(s.dups, 0);
	UT_ASSERTeq(s.n, ut_stat(top, VMEMCACHE_STAT_ENTRIES) +
			ut_stat(bot, VMEMCACHE_STAT_ENTRIES));
	for (uint32_t k = 0; k < 200; k++)
		UT_ASSERTm(s.has[k] != j.has[k], "key %u listed %d journaled %d",
				k, s.has[k], j.has[k]);
	/* a hit below is promoted: no journal; an explicit evict is */
	uint32_t low = 0;
	while (low < 200 && !(s.has[low] &&
			vmemcache_exists(bot, &low, sizeof(low), NULL) == 1))
		low++;
	UT_ASSERT(low < 200);
	UT_ASSERT(cellar_tier_get(t, &low, sizeof(low), v, 10, 0, NULL,
			NULL) == 10);
	uint32_t k199 = 199;
	UT_OK(cellar_tier_evict(t, &k199, sizeof(k199)));
	memset(&j, 0, sizeof(j));
	/* the promotion may demote (never drop: the bottom has room for one) */
	n = cellar_tier_journal_drain(t, 100, on_key, &j, &over);
	UT_ASSERT(j.has[199]);
	UT_ASSERT(!j.has[low]);
	UT_ERR(cellar_tier_journal_drain(NULL, 1, NULL, NULL, &over), EINVAL);
	free(v);
	cellar_tier_delete(t);
	vmemcache_delete(top);
	vmemcache_delete(bot);
}

/* threads: writers put and evict, a lister lists, a drainer drains */
struct mt {
	VMEMcache *c;
	atomic_int stop;
	atomic_ullong drained;
	int seed;
};

static void *
writer(void *arg)
{
	struct mt *m = arg;
	uint64_t r = 0x1234567ull + (uint64_t)atomic_fetch_add(&m->drained, 0) +
		(uint64_t)(uintptr_t)&r;
	char v[2000];
	memset(v, 7, sizeof(v));
	for (int i = 0; i < 20000; i++) {
		uint32_t k = (uint32_t)ut_rand_range(&r, 0, MAXK - 1);
		if (ut_rand(&r) % 4 == 0)
			vmemcache_evict(m->c, &k, sizeof(k));
		else
			vmemcache_put(m->c, &k, sizeof(k), v,
					(size_t)ut_rand_range(&r, 1, sizeof(v)));
	}
	return NULL;
}

static void *
lister(void *arg)
{
	struct mt *m = arg;
	while (!atomic_load(&m->stop)) {
		struct seen *s = calloc(1, sizeof(*s));
		UT_ASSERT(s != NULL);
		UT_OK(cellar_keys_list(m->c, on_key, s));
		UT_ASSERTeq(s->dups, 0);
		free(s);
	}
	return NULL;
}

static int
count_key(const void *key, size_t ksize, void *arg)
{
	(void)key;
	UT_ASSERTeq(ksize, sizeof(uint32_t));
	(*(unsigned long long *)arg)++;
	return 0;
}

static void *
drainer(void *arg)
{
	struct mt *m = arg;
	int over;
	while (!atomic_load(&m->stop)) {
		unsigned long long n = 0;
		UT_ASSERT(cellar_journal_drain(m->c, 100, count_key, &n, &over) >= 0);
		UT_ASSERT(!over);
		atomic_fetch_add(&m->drained, n);
	}
	return NULL;
}

/* test_threads -- every eviction reaches the journal exactly once */
static void
test_threads(void)
{
	struct mt m = {0};
	m.c = ut_cache_new(2 * MIB, 256, VMEMCACHE_REPLACEMENT_LRU, 1);
	UT_OK(cellar_journal_enable(m.c, 1u << 20));
	pthread_t w[2], l, d;
	UT_OK(pthread_create(&l, NULL, lister, &m));
	UT_OK(pthread_create(&d, NULL, drainer, &m));
	for (int i = 0; i < 2; i++)
		UT_OK(pthread_create(&w[i], NULL, writer, &m));
	for (int i = 0; i < 2; i++)
		UT_OK(pthread_join(w[i], NULL));
	atomic_store(&m.stop, 1);
	UT_OK(pthread_join(l, NULL));
	UT_OK(pthread_join(d, NULL));
	int over;
	unsigned long long rest = 0;
	UT_ASSERT(cellar_journal_drain(m.c, SIZE_MAX, count_key, &rest, &over) >= 0);
	UT_ASSERTeq(atomic_load(&m.drained) + rest,
			ut_stat(m.c, VMEMCACHE_STAT_EVICT));
	vmemcache_delete(m.c);
}

int
main(void)
{
	ut_start("test_keys_journal");
	test_cache_listing_and_journal();
	test_overflow();
	test_tier();
	test_threads();
	return ut_done();
}
