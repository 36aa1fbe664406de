/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_mt_collide.c -- threads colliding on a few keys never see a bad value
 *
 * Phase 1: 4 threads do random put/get/exists/evict/evict(NULL)/replace/
 * pin/remove on 16 keys, with on_evict and on_miss callbacks that read and
 * put. Phase 2 is libvmemcache 0.8.1's crash: evict by key racing put of
 * the same key racing gets and pins. Phase 3: one thread replaces while the
 * others read: every read hits, whole, and generations never go back.
 * Every value read is checked to be a whole value of the key asked for.
 * Each phase is bounded by iterations and wall time.
 */
#include <sched.h>
#include <stdatomic.h>

#include "ut_value.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)
#define NTHREADS 4
#define NKEYS 16
#define MAXV (8 * KIB)
#define ITERS 400000UL

static atomic_ullong next_gen = 1;
static atomic_ulong evict_calls;
static atomic_ulong evict_reads;
static atomic_ulong miss_puts;

struct phase {
	VMEMcache *c;
	double deadline;
	int kind;
	atomic_ulong ops;
	atomic_ulong hits;
};

struct worker {
	struct phase *ph;
	int tid;
};

static _Thread_local char tbuf[MAXV];
static _Thread_local char cbbuf[MAXV];

/* key_id -- the uint32 id of a key (internal) */
static uint32_t
key_id(const void *key, size_t ksize)
{
	uint32_t k;
	UT_ASSERTeq(ksize, sizeof(k));
	memcpy(&k, key, sizeof(k));
	UT_ASSERT(k < NKEYS);
	return k;
}

/* on_evict_cb -- the entry being evicted is readable and whole (internal) */
static void
on_evict_cb(VMEMcache *c, const void *key, size_t ksize, void *arg)
{
	(void)arg;
	uint32_t k = key_id(key, ksize);
	atomic_fetch_add(&evict_calls, 1);
	size_t vs = 0;
	ssize_t r = vmemcache_get(c, key, ksize, cbbuf, MAXV, 0, &vs);
	if (r >= 0) {
		UT_ASSERTeq(r, vs);
		utv_check(cbbuf, (size_t)r, k);
		atomic_fetch_add(&evict_reads, 1);
	} else {
		UT_ASSERTeq(errno, ENOENT);
	}
}

/* on_miss_cb -- puts a fresh value of the missed key (internal) */
static void
on_miss_cb(VMEMcache *c, const void *key, size_t ksize, void *arg)
{
	(void)arg;
	uint32_t k = key_id(key, ksize);
	size_t len = UTV_HDR + 100 + k;
	utv_make(cbbuf, len, k, atomic_fetch_add(&next_gen, 1));
	int r = vmemcache_put(c, key, ksize, cbbuf, len);
	if (r == 0)
		atomic_fetch_add(&miss_puts, 1);
	else
		UT_ASSERTeq(errno, EEXIST);
}

/* new_value -- a fresh value of k in tbuf; returns its length (internal) */
static size_t
new_value(uint64_t *rs, uint32_t k)
{
	size_t len = (size_t)ut_rand_range(rs, UTV_HDR, MAXV);
	utv_make(tbuf, len, k, atomic_fetch_add(&next_gen, 1));
	return len;
}

/* do_get -- a full get, checked; returns the gen or 0 on a miss */
static uint64_t
do_get(VMEMcache *c, uint32_t k)
{
	size_t vs = 0;
	ssize_t r = vmemcache_get(c, &k, sizeof(k), tbuf, MAXV, 0, &vs);
	if (r < 0) {
		UT_ASSERTeq(errno, ENOENT);
		return 0;
	}
	UT_ASSERTeq(r, vs);
	return utv_check(tbuf, (size_t)r, k);
}

/* do_pin -- pins, checks, yields, checks again; returns gen or 0 */
static uint64_t
do_pin(VMEMcache *c, uint32_t k)
{
	cellar_pin p;
	if (cellar_pin_get(c, &k, sizeof(k), &p) != 0) {
		UT_ASSERTeq(errno, ENOENT);
		return 0;
	}
	uint64_t g = utv_check_pin(&p, k, tbuf);
	sched_yield();
	UT_ASSERTeq(utv_check_pin(&p, k, tbuf), g);
	cellar_pin_release(&p);
	return g;
}

/* mixed_op -- one random call on a random key (internal) */
static void
mixed_op(VMEMcache *c, uint64_t *rs)
{
	uint32_t k = (uint32_t)(ut_rand(rs) % NKEYS);
	unsigned op = (unsigned)(ut_rand(rs) % 100);
	size_t len, vs;
	int r;
	ssize_t g;
	if (op < 20) {
		len = new_value(rs, k);
		r = vmemcache_put(c, &k, sizeof(k), tbuf, len);
		UT_ASSERT(r == 0 || errno == EEXIST);
	} else if (op < 45) {
		(void) do_get(c, k);
	} else if (op < 50) {
		/* a partial read: the header says which value it is */
		vs = 0;
		g = vmemcache_get(c, &k, sizeof(k), tbuf, 40, 0, &vs);
		if (g >= 0) {
			struct utv_hdr h;
			UT_ASSERTeq(g, vs < 40 ? vs : 40);
			memcpy(&h, tbuf, sizeof(h));
			UT_ASSERTeq(h.magic, UTV_MAGIC);
			UT_ASSERTeq(h.key, k);
			UT_ASSERTeq(h.len, vs);
		} else {
			UT_ASSERTeq(errno, ENOENT);
		}
	} else if (op < 58) {
		vs = 0;
		r = vmemcache_exists(c, &k, sizeof(k), &vs);
		UT_ASSERT(r == 0 || r == 1);
		if (r == 1)
			UT_ASSERT(vs >= UTV_HDR && vs <= MAXV);
	} else if (op < 66) {
		r = vmemcache_evict(c, &k, sizeof(k));
		UT_ASSERT(r == 0 || errno == ENOENT);
	} else if (op < 70) {
		r = vmemcache_evict(c, NULL, 0);
		UT_ASSERT(r == 0 || errno == ESRCH);
	} else if (op < 82) {
		len = new_value(rs, k);
		UT_OK(cellar_replace(c, &k, sizeof(k), tbuf, len));
	} else if (op < 92) {
		(void) do_pin(c, k);
	} else {
		r = cellar_remove(c, &k, sizeof(k));
		UT_ASSERT(r == 0 || errno == ENOENT);
	}
}

/* crash_op -- the 0.8.1 race on key 0: put vs evict vs get (internal) */
static void
crash_op(VMEMcache *c, uint64_t *rs, int tid)
{
	uint32_t k = 0;
	int r;
	size_t len;
	switch (tid) {
	case 0:
		len = new_value(rs, k);
		r = vmemcache_put(c, &k, sizeof(k), tbuf, len);
		UT_ASSERT(r == 0 || errno == EEXIST);
		break;
	case 1:
		r = vmemcache_evict(c, &k, sizeof(k));
		UT_ASSERT(r == 0 || errno == ENOENT);
		break;
	case 2:
		(void) do_get(c, k);
		break;
	default:
		if (ut_rand(rs) & 1)
			(void) do_get(c, k);
		else
			(void) do_pin(c, k);
	}
}

static _Thread_local uint64_t last_gen[2];

/* replace_op -- thread 0 replaces keys 0/1, others read them (internal) */
static void
replace_op(struct phase *ph, uint64_t *rs, int tid)
{
	uint32_t k = (uint32_t)(ut_rand(rs) & 1);
	if (tid == 0) {
		size_t len = new_value(rs, k);
		UT_OK(cellar_replace(ph->c, &k, sizeof(k), tbuf, len));
		return;
	}
	uint64_t g = (ut_rand(rs) & 1) ? do_get(ph->c, k) : do_pin(ph->c, k);
	UT_ASSERTm(g != 0, "key %u missing during replaces", k);
	UT_ASSERTm(g >= last_gen[k], "key %u: gen %llu after %llu", k,
		(unsigned long long)g, (unsigned long long)last_gen[k]);
	last_gen[k] = g;
	atomic_fetch_add(&ph->hits, 1);
}

/* worker -- runs one phase until the iteration or time bound (internal) */
static void *
worker(void *arg)
{
	struct worker *w = arg;
	struct phase *ph = w->ph;
	uint64_t rs = 0x1234567ULL * (uint64_t)(w->tid + 1) +
		(uint64_t)ph->kind;
	last_gen[0] = last_gen[1] = 0;
	unsigned long i;
	for (i = 0; i < ITERS; i++) {
		if ((i & 63) == 0 && ut_now() > ph->deadline)
			break;
		switch (ph->kind) {
		case 1:
			mixed_op(ph->c, &rs);
			break;
		case 2:
			crash_op(ph->c, &rs, w->tid);
			break;
		default:
			replace_op(ph, &rs, w->tid);
		}
	}
	atomic_fetch_add(&ph->ops, i);
	return NULL;
}

/* run_phase -- NTHREADS workers on one phase (internal) */
static void
run_phase(VMEMcache *c, int kind, double secs)
{
	static const char *names[] = {"", "mixed", "put/evict/get race",
		"replace vs readers"};
	struct phase ph;
	memset(&ph, 0, sizeof(ph));
	ph.c = c;
	ph.kind = kind;
	ph.deadline = ut_now() + secs;
	if (kind == 3) {	/* both keys present before readers start */
		uint64_t rs = 77;
		for (uint32_t k = 0; k < 2; k++) {
			size_t len = new_value(&rs, k);
			UT_OK(cellar_replace(c, &k, sizeof(k), tbuf, len));
		}
	}
	pthread_t t[NTHREADS];
	struct worker w[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		w[i].ph = &ph;
		w[i].tid = i;
		UT_OK(pthread_create(&t[i], NULL, worker, &w[i]));
	}
	for (int i = 0; i < NTHREADS; i++)
		UT_OK(pthread_join(t[i], NULL));
	UT_OUT("  %s: %lu ops", names[kind], atomic_load(&ph.ops));
	if (kind == 3)
		UT_ASSERT(atomic_load(&ph.hits) > 0);
}

/* run -- all phases on one cache, then the books must balance (internal) */
static void
run(int dram)
{
	VMEMcache *c = ut_cache_new(4 * MIB, 0, VMEMCACHE_REPLACEMENT_LRU, dram);
	vmemcache_callback_on_evict(c, on_evict_cb, NULL);
	vmemcache_callback_on_miss(c, on_miss_cb, NULL);
	atomic_store(&evict_calls, 0);
	UT_OUT("%s pool", dram ? "DRAM" : "file");
	run_phase(c, 1, 2.0);
	run_phase(c, 2, 1.5);
	run_phase(c, 3, 1.5);

	struct cellar_stats st;
	UT_OK(cellar_stats_get(c, &st));
	UT_ASSERTeq(st.pinned, 0);
	UT_ASSERTeq(st.gets, st.hits + st.misses);
	unsigned long calls = atomic_load(&evict_calls);
	UT_ASSERTeq(st.evictions, calls);
	UT_OUT("  %llu puts, %llu replaces, %llu hits, %llu misses, %llu "
		"evictions (%lu read inside on_evict), %lu puts by on_miss",
		st.puts, st.replaces, st.hits, st.misses, st.evictions,
		atomic_load(&evict_reads), atomic_load(&miss_puts));
	for (uint32_t k = 0; k < NKEYS; k++)
		(void) do_get(c, k);
	vmemcache_callback_on_evict(c, NULL, NULL);
	while (vmemcache_evict(c, NULL, 0) == 0)
		;
	UT_ASSERT_EMPTY(c);
	vmemcache_delete(c);
}

int
main(void)
{
	ut_start("test_mt_collide");
	ut_watchdog(300);
	run(0);
	run(1);
	return ut_done();
}
