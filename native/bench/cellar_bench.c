/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cellar_bench.c -- the engine's throughput and latency against memcpy
 *
 * Usage: cellar_bench [--dir PATH] [--no-dir] [--no-dram] [--seconds S]
 *                     [--ws MIB] [--extent BYTES] [--traces] [--trace-mib MIB]
 *                     [--trace-file FILE | --no-trace-file] [--quick] [--csv]
 *                     [--help]
 *
 *   --dir PATH    directory of the file pool (default /dev/shm)
 *   --no-dir      skip the file pool
 *   --no-dram     skip the DRAM pool (cellar_add_dram)
 *   --seconds S   run time of each case (default 1.5)
 *   --ws MIB      hot working set of the get/pin cases (default 256)
 *   --extent B    extent size of the pools (default 256)
 *   --traces      the traces workload (below) instead of the cases
 *   --trace-mib M size of the (top) cache the traces run on (default 16)
 *   --trace-file F the recorded trace --traces replays too (default
 *                 CELLAR_RECORDED_TRACE, set by the build)
 *   --no-trace-file  the generated traces only
 *   --quick       smoke run: 0.1 s per case, 16 MiB working set; 1 MiB
 *                 caches for --traces
 *   --csv         CSV instead of Markdown tables
 *
 * In one run it measures, for 4 KiB and 1 MiB values:
 *   memcpy       the physical limit: copies of the same sizes from a source
 *                region as large as the working set, at the same random
 *                offsets the gets use, into one buffer per thread
 *   get          vmemcache_get, every call a hit, 1 and 2 threads
 *   put-evict    vmemcache_put of new keys into a full LRU cache, so every
 *                put evicts, 1 and 2 threads; values come from the source
 *                region at rotating offsets
 *   pin          cellar_pin_get + cellar_pin_release, 1 thread
 * and reports ops/s, GB/s and p50/p99 latency (every 16th op is timed with
 * CLOCK_MONOTONIC; throughput comes from all ops over the wall time), then
 * the ratios the project targets, per pool:
 *   get 1 MiB GB/s / memcpy 1 MiB GB/s        >= 0.80
 *   pin+release 1 MiB time / 4 KiB time       <= 2
 *   4 KiB get hits/s, 1 thread                >= 1 M
 *   4 KiB puts/s under eviction, 1 thread     >= 500 K
 * A ratio's status is reported, never asserted (STYLE.md section 6).
 *
 * --traces runs the replacement-policy traces of traces.h (a hot set of 40%
 * of the cache with scans of 1.5 caches between its uses; a Zipf 0.9 mix,
 * 50 reads per value the cache holds) under LRU and S3-FIFO, each on a
 * fresh cache of 4000 B values in 4 KiB extents: one DRAM tier, and a
 * cellar_tier stack of that DRAM cache over a file pool of twice its size
 * in --dir (skipped with --no-dir; --no-dram puts the one tier in --dir).
 * Every access is a get of 8 bytes, and a put of the value after a miss;
 * it reports the hit ratio, the share of accesses served by the top tier,
 * and accesses per second over the whole trace, misses and puts included.
 * It also replays a trace recorded from a TPC-DS benchmark run (--trace-file,
 * by default traces/tpcds-sf1-io9.trace beside this file) with its values'
 * real sizes, on caches sized as the benchmark's tiered mode (trace_run).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cellar.h"
#include "bench_util.h"
#include "libvmemcache.h"
#include "traces.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)
#define MAXTHREADS 2
#define SAMPLE_EVERY 16
#define MAXSAMPLES (1u << 20)
#define MAXRESULTS 64
#define TRACE_VAL 4000      /* with its header, one 4 KiB extent */
#define TRACE_EXTENT 4096
#define ZIPF_READS_PER_VALUE 50

enum kind { K_MEMCPY, K_GET, K_PUT, K_PIN };
static const char *kind_names[] = {"memcpy", "get", "put-evict", "pin"};

struct opts {
	const char *dir;
	int use_dir, use_dram, csv;
	double seconds;
	size_t ws, extent;
	int traces;
	size_t trace_size;
	const char *trace_file;	/* a recorded trace, or NULL */
};

struct result {
	const char *pool;
	enum kind kind;
	size_t size;
	int threads;
	double ops_s, gb_s, p50_us, p99_us;
};

static struct result results[MAXRESULTS];
static unsigned nresults;

/* a case shared by its threads */
struct run {
	enum kind kind;
	VMEMcache *c;
	size_t size;		/* value bytes */
	uint64_t nkeys;		/* hot keys 0..nkeys-1 */
	const char *src;	/* memcpy source region / put value */
	double deadline;
	atomic_int ready;
	atomic_int go;
	atomic_ullong next_key;	/* put-evict: new keys */
};

struct worker {
	struct run *run;
	int id;
	unsigned long long ops;
	uint32_t *samples;
	unsigned nsamples;
	double t0, t1;
};

/* die -- reports a failed call and exits */
static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "cellar_bench: %s: %s (%s)\n", what,
		vmemcache_errormsg(), cellar_errno_name(errno));
	exit(1);
}

/* xmalloc -- malloc or exit, touched so that no page fault is measured */
static void *
xmalloc(size_t n)
{
	void *p = malloc(n);
	if (p == NULL) {
		fprintf(stderr, "cellar_bench: out of memory (%zu B)\n", n);
		exit(1);
	}
	memset(p, 0x5a, n);
	return p;
}

/* one_op -- one operation of the case; returns 0 or exits (internal) */
static void
one_op(struct run *r, uint64_t *rs, char *buf)
{
	uint64_t k;
	cellar_pin pin;
	switch (r->kind) {
	case K_MEMCPY:
		k = rnd(rs) % r->nkeys;
		memcpy(buf, r->src + k * r->size, r->size);
		__asm__ volatile("" : : "r"(buf) : "memory");
		break;
	case K_GET:
		k = rnd(rs) % r->nkeys;
		if (vmemcache_get(r->c, &k, sizeof(k), buf, r->size, 0, NULL) !=
				(ssize_t)r->size)
			die("vmemcache_get of a hot key");
		break;
	case K_PUT:
		k = atomic_fetch_add_explicit(&r->next_key, 1,
			memory_order_relaxed);
		if (vmemcache_put(r->c, &k, sizeof(k),
				r->src + (k % r->nkeys) * r->size, r->size) != 0)
			die("vmemcache_put under eviction");
		break;
	case K_PIN:
		k = rnd(rs) % r->nkeys;
		if (cellar_pin_get(r->c, &k, sizeof(k), &pin) != 0)
			die("cellar_pin_get of a hot key");
		cellar_pin_release(&pin);
		break;
	}
}

/* worker_main -- runs ops until the deadline, timing every 16th */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	char *buf = xmalloc(r->size);
	uint64_t rs = 0x9E3779B97F4A7C15ULL * (uint64_t)(w->id + 1);
	unsigned check = r->size >= 256 * KIB ? 1 : 64;
	atomic_fetch_add(&r->ready, 1);
	while (!atomic_load(&r->go))
		;
	w->t0 = now();
	unsigned long long n = 0;
	for (;;) {
		if (n % SAMPLE_EVERY == 0 && w->nsamples < MAXSAMPLES) {
			struct timespec a, b;
			clock_gettime(CLOCK_MONOTONIC, &a);
			one_op(r, &rs, buf);
			clock_gettime(CLOCK_MONOTONIC, &b);
			int64_t ns = (int64_t)(b.tv_sec - a.tv_sec) * 1000000000 +
				(b.tv_nsec - a.tv_nsec);
			w->samples[w->nsamples++] = ns > UINT32_MAX ?
				UINT32_MAX : (uint32_t)ns;
		} else {
			one_op(r, &rs, buf);
		}
		n++;
		if (n % check == 0 && now() >= r->deadline)
			break;
	}
	w->t1 = now();
	w->ops = n;
	free(buf);
	return NULL;
}

/* run_case -- one case on `threads` threads; records its result */
static void
run_case(const struct opts *o, const char *pool, struct run *r, int threads)
{
	struct worker w[MAXTHREADS];
	pthread_t t[MAXTHREADS];
	atomic_store(&r->ready, 0);
	atomic_store(&r->go, 0);
	for (int i = 0; i < threads; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].run = r;
		w[i].id = i;
		w[i].samples = malloc(MAXSAMPLES * sizeof(uint32_t));
		if (w[i].samples == NULL)
			die("malloc");
		if (pthread_create(&t[i], NULL, worker_main, &w[i]) != 0)
			die("pthread_create");
	}
	while (atomic_load(&r->ready) < threads)
		;
	r->deadline = now() + o->seconds;
	atomic_store(&r->go, 1);
	unsigned long long ops = 0;
	unsigned ns = 0;
	double t0 = 1e300, t1 = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		ops += w[i].ops;
		ns += w[i].nsamples;
		t0 = w[i].t0 < t0 ? w[i].t0 : t0;
		t1 = w[i].t1 > t1 ? w[i].t1 : t1;
	}
	uint32_t *all = malloc((ns ? ns : 1) * sizeof(uint32_t));
	if (all == NULL)
		die("malloc");
	unsigned at = 0;
	for (int i = 0; i < threads; i++) {
		memcpy(all + at, w[i].samples, w[i].nsamples * sizeof(uint32_t));
		at += w[i].nsamples;
		free(w[i].samples);
	}
	qsort(all, ns, sizeof(uint32_t), cmp_u32);
	struct result *res = &results[nresults++];
	res->pool = pool;
	res->kind = r->kind;
	res->size = r->size;
	res->threads = threads;
	res->ops_s = (double)ops / (t1 - t0);
	res->gb_s = r->kind == K_PIN ? 0 : res->ops_s * (double)r->size / 1e9;
	res->p50_us = ns ? all[ns / 2] / 1e3 : 0;
	res->p99_us = ns ? all[(size_t)ns * 99 / 100] / 1e3 : 0;
	free(all);
	fprintf(stderr, "  %-5s %-9s %7zu B x%d: %.0f ops/s\n", pool,
		kind_names[r->kind], r->size, threads, res->ops_s);
}

/*
 * cache_with -- a cache of `size` bytes (at least VMEMCACHE_MIN_POOL) in the
 * dir or in DRAM, with `extent` and `policy`
 */
static VMEMcache *
cache_with(const struct opts *o, int dram, size_t size, size_t extent,
		enum cellar_policy policy)
{
	VMEMcache *c = vmemcache_new();
	if (c == NULL)
		die("vmemcache_new");
	if (size < VMEMCACHE_MIN_POOL)
		size = VMEMCACHE_MIN_POOL;
	if (vmemcache_set_size(c, size) ||
			vmemcache_set_extent_size(c, extent) ||
			cellar_set_policy(c, policy))
		die("configuring the cache");
	if (dram ? cellar_add_dram(c) : vmemcache_add(c, o->dir))
		die(dram ? "cellar_add_dram" : "vmemcache_add");
	/* as an executor does: the DRAM pool committed before it is filled */
	for (long long at = 0, next = 0; dram; at = next) {
		next = cellar_prefault(c, (size_t)at, (size_t)64 << 20);
		if (next < 0 && errno != ENOTSUP)
			die("cellar_prefault");
		if (next <= at)
			break;
	}
	return c;
}

/* new_cache -- a cache of `size` bytes in the dir or in DRAM, LRU */
static VMEMcache *
new_cache(const struct opts *o, int dram, size_t size)
{
	return cache_with(o, dram, size, o->extent, CELLAR_POLICY_LRU);
}

/* room -- pool bytes for n values of size (header, extent rounding) */
static size_t
room(const struct opts *o, size_t size, uint64_t n)
{
	size_t per = (size + 128 + o->extent - 1) / o->extent * o->extent;
	return per * n + 4 * MIB;
}

/* bench_pool -- every engine case on one kind of pool */
static void
bench_pool(const struct opts *o, int dram, const char *src)
{
	const char *pool = dram ? "dram" : "dir";
	static const size_t sizes[] = {4 * KIB, MIB};
	for (unsigned s = 0; s < 2; s++) {
		size_t size = sizes[s];
		struct run r;
		memset(&r, 0, sizeof(r));
		r.size = size;
		r.src = src;
		r.nkeys = o->ws / size;

		/* the hot set: every get and pin hits */
		r.c = new_cache(o, dram, room(o, size, r.nkeys));
		for (uint64_t k = 0; k < r.nkeys; k++)
			if (vmemcache_put(r.c, &k, sizeof(k), src + k * size,
					size))
				die("filling the hot set");
		r.kind = K_GET;
		run_case(o, pool, &r, 1);
		run_case(o, pool, &r, 2);
		r.kind = K_PIN;
		run_case(o, pool, &r, 1);
		vmemcache_delete(r.c);

		/* a full cache: every put evicts */
		size_t evict_pool = o->ws / 4 > 8 * MIB ? o->ws / 4 : 8 * MIB;
		r.c = new_cache(o, dram, evict_pool);
		r.kind = K_PUT;
		unsigned long long ev = 0;
		uint64_t k = 0;
		while (ev == 0) {
			if (vmemcache_put(r.c, &k, sizeof(k), src, size))
				die("filling the eviction pool");
			k++;
			vmemcache_get_stat(r.c, VMEMCACHE_STAT_EVICT, &ev,
				sizeof(ev));
		}
		atomic_store(&r.next_key, k);
		run_case(o, pool, &r, 1);
		run_case(o, pool, &r, 2);
		vmemcache_delete(r.c);
	}
}

/* find -- a recorded result, or NULL */
static const struct result *
find(const char *pool, enum kind kind, size_t size, int threads)
{
	for (unsigned i = 0; i < nresults; i++)
		if (strcmp(results[i].pool, pool) == 0 &&
				results[i].kind == kind &&
				results[i].size == size &&
				results[i].threads == threads)
			return &results[i];
	return NULL;
}

/* size_name -- "4 KiB" / "1 MiB" (internal) */
static const char *
size_name(size_t size, char *buf, size_t len)
{
	if (size >= MIB)
		snprintf(buf, len, "%zu MiB", size / MIB);
	else
		snprintf(buf, len, "%zu KiB", size / KIB);
	return buf;
}

/* report -- the results and the ratios, as Markdown or CSV */
static void
report(const struct opts *o, const char **pools, unsigned npools)
{
	char sz[32];
	if (o->csv)
		printf("pool,case,size_bytes,threads,ops_per_s,gb_per_s,"
			"p50_us,p99_us\n");
	else
		printf("| pool | case | size | threads | ops/s | GB/s | "
			"p50 µs | p99 µs |\n|---|---|---|---|---:|---:|---:|"
			"---:|\n");
	for (unsigned i = 0; i < nresults; i++) {
		const struct result *r = &results[i];
		if (o->csv)
			printf("%s,%s,%zu,%d,%.0f,%.3f,%.3f,%.3f\n", r->pool,
				kind_names[r->kind], r->size, r->threads,
				r->ops_s, r->gb_s, r->p50_us, r->p99_us);
		else if (r->kind == K_PIN)
			printf("| %s | %s | %s | %d | %.0f | - | %.3f | %.3f "
				"|\n", r->pool, kind_names[r->kind],
				size_name(r->size, sz, sizeof(sz)), r->threads,
				r->ops_s, r->p50_us, r->p99_us);
		else
			printf("| %s | %s | %s | %d | %.0f | %.2f | %.3f | "
				"%.3f |\n", r->pool, kind_names[r->kind],
				size_name(r->size, sz, sizeof(sz)), r->threads,
				r->ops_s, r->gb_s, r->p50_us, r->p99_us);
	}
	if (o->csv)
		printf("\npool,ratio,value,target,met\n");
	else
		printf("\n| pool | target ratio | value | target | met |\n"
			"|---|---|---:|---|---|\n");
	const struct result *mc = find("-", K_MEMCPY, MIB, 1);
	for (unsigned p = 0; p < npools; p++) {
		const char *pool = pools[p];
		const struct result *g1 = find(pool, K_GET, MIB, 1);
		const struct result *g4 = find(pool, K_GET, 4 * KIB, 1);
		const struct result *p1 = find(pool, K_PIN, MIB, 1);
		const struct result *p4 = find(pool, K_PIN, 4 * KIB, 1);
		const struct result *u4 = find(pool, K_PUT, 4 * KIB, 1);
		struct { const char *name; double v; const char *t; int met; }
		rows[4] = {
			{"get 1 MiB GB/s / memcpy 1 MiB GB/s",
				g1->gb_s / mc->gb_s, ">= 0.80", 0},
			{"pin+release 1 MiB time / 4 KiB time",
				p4->ops_s / p1->ops_s, "<= 2", 0},
			{"4 KiB get hits/s, 1 thread", g4->ops_s, ">= 1000000",
				0},
			{"4 KiB puts/s under eviction, 1 thread", u4->ops_s,
				">= 500000", 0},
		};
		rows[0].met = rows[0].v >= 0.80;
		rows[1].met = rows[1].v <= 2;
		rows[2].met = rows[2].v >= 1e6;
		rows[3].met = rows[3].v >= 5e5;
		for (unsigned i = 0; i < 4; i++) {
			if (o->csv)
				printf("%s,%s,%.3f,%s,%s\n", pool, rows[i].name,
					rows[i].v, rows[i].t,
					rows[i].met ? "yes" : "no");
			else if (rows[i].v < 100)
				printf("| %s | %s | %.3f | %s | %s |\n", pool,
					rows[i].name, rows[i].v, rows[i].t,
					rows[i].met ? "yes" : "**no**");
			else
				printf("| %s | %s | %.0f | %s | %s |\n", pool,
					rows[i].name, rows[i].v, rows[i].t,
					rows[i].met ? "yes" : "**no**");
		}
	}
}

/* a trace's target: one cache, or a tier stack over caches */
struct trace_target {
	VMEMcache *c;
	cellar_tier *t;
	char *val;                /* TRACE_VAL bytes, the key in front */
	unsigned long top_hits;   /* hits served by the top tier */
};

/*
 * trace_access_sized -- a trace_sized_fn: a get of 8 bytes of key k, and a
 * put of its value of `size` bytes (at most the target's buffer) after a miss
 */
static int
trace_access_sized(void *arg, uint32_t k, uint32_t size)
{
	struct trace_target *x = arg;
	char buf[8];
	unsigned idx = 0;
	ssize_t got = x->t != NULL ?
		cellar_tier_get(x->t, &k, sizeof(k), buf, sizeof(buf), 0, NULL,
			&idx) :
		vmemcache_get(x->c, &k, sizeof(k), buf, sizeof(buf), 0, NULL);
	if (got == (ssize_t)sizeof(buf)) {
		x->top_hits += idx == 0;
		return 1;
	}
	if (errno != ENOENT)
		die("a trace get");
	memcpy(x->val, &k, sizeof(k));
	int ret = x->t != NULL ?
		cellar_tier_put(x->t, &k, sizeof(k), x->val, size) :
		vmemcache_put(x->c, &k, sizeof(k), x->val, size);
	/* a recorded value larger than the whole cache is not kept */
	if (ret != 0 && errno != ENOSPC)
		die("a trace put");
	return 0;
}

/* trace_access -- a trace_fn: trace_access_sized with TRACE_VAL bytes */
static int
trace_access(void *arg, uint32_t k)
{
	return trace_access_sized(arg, k, TRACE_VAL);
}

/* trace_cache -- a cache for the traces: 4 KiB extents under `policy` */
static VMEMcache *
trace_cache(const struct opts *o, int dram, size_t size,
		enum cellar_policy policy)
{
	return cache_with(o, dram, size, TRACE_EXTENT, policy);
}

/* trace_capacity -- how many trace values a cache of `size` bytes holds */
static unsigned
trace_capacity(const struct opts *o, int dram, size_t size)
{
	VMEMcache *c = trace_cache(o, dram, size, CELLAR_POLICY_LRU);
	struct trace_target x = {c, NULL, xmalloc(TRACE_VAL), 0};
	unsigned long long ev = 0, n = 0;
	for (uint32_t k = 0; ev == 0; k++) {
		(void) trace_access(&x, k);
		vmemcache_get_stat(c, VMEMCACHE_STAT_EVICT, &ev, sizeof(ev));
	}
	vmemcache_get_stat(c, VMEMCACHE_STAT_ENTRIES, &n, sizeof(n));
	vmemcache_delete(c);
	free(x.val);
	return (unsigned)n;
}

/* one trace run's result */
struct trace_result {
	const char *setup, *policy, *trace;
	unsigned long n;
	double hit, top_hit, ops_s;
};

/* the traces: two generated ones, and one recorded from a run */
enum trace_kind { T_HOT_SCAN, T_ZIPF, T_RECORDED };
static const char *trace_names[] = {"hot+scan", "zipf-0.9", "recorded"};

/*
 * trace_run -- one trace on fresh caches: the top (DRAM unless --no-dram)
 * alone, or with `stacked` over a file pool. The generated traces run on a
 * top of --trace-mib in 4 KiB extents over a pool of twice that; the
 * recorded trace, as the TPC-DS benchmark's tiered mode that recorded it
 * (72 MiB over 287 MiB for 365 MiB of chunks), on a top of 0.2 of its
 * distinct bytes over a pool of 0.78 of them, in 16 KiB extents (the
 * plugin's default): the stack holds a little less than the data.
 */
static void
trace_run(const struct opts *o, int stacked, enum cellar_policy policy,
		enum trace_kind kind, unsigned cap,
		const struct trace_recorded *rec, struct trace_result *res)
{
	VMEMcache *cs[2];
	size_t top = o->trace_size, below = 2 * o->trace_size;
	size_t extent = TRACE_EXTENT, vmax = TRACE_VAL;
	if (kind == T_RECORDED) {
		top = (size_t)(rec->bytes / 5);
		below = (size_t)(rec->bytes * 78 / 100);
		extent = 16 * KIB;
		vmax = rec->max_size;
	}
	struct trace_target x = {NULL, NULL, xmalloc(vmax), 0};
	cs[0] = cache_with(o, o->use_dram, top, extent, policy);
	x.c = cs[0];
	if (stacked) {
		cs[1] = cache_with(o, 0, below, extent, policy);
		x.t = cellar_tier_new(cs, 2);
		if (x.t == NULL)
			die("cellar_tier_new");
	}
	unsigned long hits = 0;
	double t0 = now();
	switch (kind) {
	case T_HOT_SCAN:
		res->n = trace_hot_scan(cap, trace_access, &x, &hits);
		break;
	case T_ZIPF:
		res->n = trace_zipf(cap, (unsigned long)cap *
			ZIPF_READS_PER_VALUE, trace_access, &x, &hits);
		if (res->n == 0)
			die("trace_zipf (out of memory)");
		break;
	case T_RECORDED:
		res->n = trace_recorded_replay(rec, trace_access_sized, &x,
			&hits);
		break;
	}
	double t1 = now();
	res->hit = (double)hits / (double)res->n;
	res->top_hit = (double)x.top_hits / (double)res->n;
	res->ops_s = (double)res->n / (t1 - t0);
	if (stacked) {
		cellar_tier_delete(x.t);
		vmemcache_delete(cs[1]);
	}
	vmemcache_delete(cs[0]);
	free(x.val);
}

/* bench_traces -- the traces workload: every trace, policy and setup */
static void
bench_traces(const struct opts *o)
{
	static const struct {
		enum cellar_policy p;
		const char *name;
	} policies[] = {
		{CELLAR_POLICY_LRU, "LRU"}, {CELLAR_POLICY_S3FIFO, "S3-FIFO"},
	};
	const char *one = o->use_dram ? "dram" : "dir";
	int nsetups = o->use_dir && o->use_dram ? 2 : 1;
	struct trace_result res[12];
	unsigned nres = 0;
	unsigned cap = trace_capacity(o, o->use_dram, o->trace_size);
	fprintf(stderr, "cellar_bench --traces: %zu MiB top cache, %u values of "
		"%d B\n", o->trace_size / MIB, cap, TRACE_VAL);
	struct trace_recorded rec = {0};
	int ntraces = 2;
	if (o->trace_file != NULL) {
		if (trace_recorded_load(o->trace_file, &rec) != 0) {
			fprintf(stderr, "cellar_bench: cannot read the recorded "
				"trace %s: %s\n", o->trace_file,
				strerror(errno));
			exit(1);
		}
		ntraces = 3;
		fprintf(stderr, "recorded trace %s: %zu accesses of %u keys, "
			"%.1f MiB distinct\n", o->trace_file, rec.n, rec.nkeys,
			(double)rec.bytes / (double)MIB);
	}
	for (int st = 0; st < nsetups; st++)
		for (unsigned p = 0; p < 2; p++)
			for (int z = 0; z < ntraces; z++) {
				struct trace_result *r = &res[nres++];
				r->setup = st ? "dram over dir" : one;
				r->policy = policies[p].name;
				r->trace = trace_names[z];
				trace_run(o, st, policies[p].p,
					(enum trace_kind)z, cap, &rec, r);
				fprintf(stderr, "  %-13s %-7s %-8s hit %.3f, "
					"%.0f ops/s\n", r->setup, r->policy,
					r->trace, r->hit, r->ops_s);
			}
	trace_recorded_free(&rec);
	if (o->csv)
		printf("setup,policy,trace,accesses,hit_ratio,top_hit_ratio,"
			"ops_per_s\n");
	else
		printf("| setup | policy | trace | accesses | hit ratio | "
			"top-tier hits | ops/s |\n|---|---|---|---:|---:|---:|"
			"---:|\n");
	for (unsigned i = 0; i < nres; i++) {
		const struct trace_result *r = &res[i];
		printf(o->csv ? "%s,%s,%s,%lu,%.3f,%.3f,%.0f\n" :
			"| %s | %s | %s | %lu | %.3f | %.3f | %.0f |\n",
			r->setup, r->policy, r->trace, r->n, r->hit,
			r->top_hit, r->ops_s);
	}
}

/* usage -- the header comment, shortly */
static void
usage(FILE *f)
{
	fprintf(f,
"usage: cellar_bench [--dir PATH] [--no-dir] [--no-dram] [--seconds S]\n"
"                    [--ws MIB] [--extent BYTES] [--traces] [--trace-mib MIB]\n"
"                    [--trace-file FILE | --no-trace-file] [--quick] [--csv]\n"
"                    [--help]\n"
"  --dir PATH   directory of the file pool (default /dev/shm)\n"
"  --no-dir     skip the file pool\n"
"  --no-dram    skip the DRAM pool\n"
"  --seconds S  run time of each case (default 1.5)\n"
"  --ws MIB     hot working set of get/pin (default 256)\n"
"  --extent B   extent size (default 256)\n"
"  --traces     hit ratio and ops/s of LRU and S3-FIFO on two traces, one\n"
"               tier and DRAM over a file pool, instead of the cases\n"
"  --trace-mib M  size of the (top) cache of --traces (default 16)\n"
"  --trace-file F  the recorded trace --traces also replays (default\n"
"               " CELLAR_RECORDED_TRACE ")\n"
"  --no-trace-file  the generated traces only\n"
"  --quick      smoke run: 0.1 s per case, 16 MiB working set, 1 MiB trace\n"
"               caches\n"
"  --csv        CSV instead of Markdown\n"
"Measures memcpy, get (hits), put under eviction and pin+release of 4 KiB\n"
"and 1 MiB values on 1 and 2 threads: ops/s, GB/s, p50/p99 latency, and the\n"
"project's target ratios.\n");
}

int
main(int argc, char *argv[])
{
	struct opts o = {"/dev/shm", 1, 1, 0, 1.5, 256 * MIB, 256, 0, 16 * MIB,
		CELLAR_RECORDED_TRACE};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--dir") == 0 && i + 1 < argc) {
			o.dir = argv[++i];
		} else if (strcmp(a, "--no-dir") == 0) {
			o.use_dir = 0;
		} else if (strcmp(a, "--no-dram") == 0) {
			o.use_dram = 0;
		} else if (strcmp(a, "--seconds") == 0 && i + 1 < argc) {
			o.seconds = atof(argv[++i]);
		} else if (strcmp(a, "--ws") == 0 && i + 1 < argc) {
			o.ws = (size_t)strtoull(argv[++i], NULL, 10) * MIB;
		} else if (strcmp(a, "--extent") == 0 && i + 1 < argc) {
			o.extent = (size_t)strtoull(argv[++i], NULL, 10);
		} else if (strcmp(a, "--traces") == 0) {
			o.traces = 1;
		} else if (strcmp(a, "--trace-file") == 0 && i + 1 < argc) {
			o.trace_file = argv[++i];
		} else if (strcmp(a, "--no-trace-file") == 0) {
			o.trace_file = NULL;
		} else if (strcmp(a, "--trace-mib") == 0 && i + 1 < argc) {
			o.trace_size = (size_t)strtoull(argv[++i], NULL, 10) * MIB;
		} else if (strcmp(a, "--quick") == 0) {
			o.seconds = 0.1;
			o.ws = 16 * MIB;
			o.trace_size = MIB;
		} else if (strcmp(a, "--csv") == 0) {
			o.csv = 1;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (o.seconds <= 0 || o.ws < 2 * MIB || (!o.use_dir && !o.use_dram) ||
			o.trace_size < VMEMCACHE_MIN_POOL) {
		usage(stderr);
		return 2;
	}
	if (o.traces) {
		bench_traces(&o);
		return 0;
	}

	/* the source region: memcpy reads it, puts and fills take from it */
	char *src = xmalloc(o.ws);
	for (size_t i = 0; i < o.ws; i += 8)
		memcpy(src + i, &i, 8);
	fprintf(stderr, "cellar_bench: %.1f s per case, working set %zu MiB, "
		"extent %zu B\n", o.seconds, o.ws / MIB, o.extent);

	static const size_t sizes[] = {4 * KIB, MIB};
	for (unsigned s = 0; s < 2; s++) {
		struct run r;
		memset(&r, 0, sizeof(r));
		r.kind = K_MEMCPY;
		r.size = sizes[s];
		r.src = src;
		r.nkeys = o.ws / sizes[s];
		run_case(&o, "-", &r, 1);
		run_case(&o, "-", &r, 2);
	}
	const char *pools[2];
	unsigned npools = 0;
	if (o.use_dir) {
		bench_pool(&o, 0, src);
		pools[npools++] = "dir";
	}
	if (o.use_dram) {
		bench_pool(&o, 1, src);
		pools[npools++] = "dram";
	}
	report(&o, pools, npools);
	free(src);
	return 0;
}
