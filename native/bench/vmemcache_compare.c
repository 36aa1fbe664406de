/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmemcache_compare.c -- libvmemcache-API throughput of several libraries
 * in one run, alternating them
 *
 * Usage: vmemcache_compare --lib NAME=PATH [--lib NAME=PATH ...]
 *                          [--dir PATH] [--seconds S] [--rounds R]
 *                          [--pool-mib M] [--only WORKLOAD]
 *                          [--threads N] [--size 4k|1m] [--quick]
 *                          [--csv] [--help]
 *
 *   --lib NAME=PATH  a shared library with the libvmemcache 0.8.1 API,
 *                    loaded with dlopen; the first is the baseline of the
 *                    ratios (give libvmemcache 0.8.1 first, this build's
 *                    libvmemcache.so second)
 *   --dir PATH       directory of the pools (vmemcache_add; default /dev/shm)
 *   --seconds S      run time of each measurement (default 1.5)
 *   --rounds R       measurements of each library per case (default 3);
 *                    the order of the libraries is reversed every round
 *   --pool-mib M     pool size (default 256)
 *   --only W         one workload: hot, evict, mixed or zipf
 *   --threads N      only N threads (1 or 2)
 *   --size S         only values of 4k or 1m
 *   --quick          smoke run: 0.1 s, one round, 16 MiB pools
 *   --csv            CSV instead of a Markdown table
 *
 * Only the public API is called (vmemcache_new, _set_size,
 * _set_extent_size, _add, _put, _get, _delete, _errormsg), so any library
 * that offers it can be measured: this is how Cellar's engine is held to
 * "a drop-in libvmemcache". Workloads, each with 4 KiB and 1 MiB values,
 * on 1 and 2 threads, keys of 8 bytes, 256 B extents:
 *   hot    gets of keys drawn uniformly from a set that fills half the pool
 *          (every get a hit)
 *   evict  puts of new keys into a full pool (every put evicts)
 *   mixed  gets of keys drawn uniformly from twice what the pool holds; a
 *          miss puts the key (hits, misses and evicting puts)
 *   zipf   as mixed, keys drawn from a Zipf distribution (exponent 0.99)
 *          over four times what the pool holds
 * Each measurement runs in a child process with a fresh pool, so a library
 * that crashes is reported as such and the run goes on. Reported per
 * library: the median over the rounds of operations per second (a get and
 * the put after its miss are one operation) and of the p99 latency of the
 * operations timed (every 16th); then each library's throughput over the
 * baseline's. Nothing is asserted (STYLE.md section 6).
 */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "libvmemcache.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)
#define MAXLIBS 4
#define MAXROUNDS 15
#define THREADS 2
#define SAMPLE_EVERY 16
#define MAXSAMPLES (1u << 18)
#define EXTENT 256
#define ZIPF_EXP 0.99

enum workload { W_HOT, W_EVICT, W_MIXED, W_ZIPF, W_COUNT };
static const char *wl_names[] = {"hot", "evict", "mixed", "zipf"};

/* the API, resolved in one library */
struct api {
	VMEMcache *(*new_)(void);
	int (*set_size)(VMEMcache *, size_t);
	int (*set_extent_size)(VMEMcache *, size_t);
	int (*add)(VMEMcache *, const char *);
	int (*put)(VMEMcache *, const void *, size_t, const void *, size_t);
	ssize_t (*get)(VMEMcache *, const void *, size_t, void *, size_t,
			size_t, size_t *);
	void (*delete_)(VMEMcache *);
	const char *(*errormsg)(void);
};

struct lib {
	const char *name, *path;
};

struct opts {
	struct lib libs[MAXLIBS];
	int nlibs;
	const char *dir, *only, *size;
	double seconds;
	int rounds, csv, threads;
	size_t pool;
};

/* a measurement shared by its threads (in the child) */
struct run {
	const struct api *api;
	VMEMcache *c;
	enum workload wl;
	size_t size;		/* value bytes */
	uint64_t nkeys;		/* key range of the gets */
	const double *cdf;	/* zipf: cumulative weights of nkeys keys */
	const char *val;	/* put source, `size` bytes */
	double deadline;
	atomic_int ready, go;
	atomic_ullong next_key;	/* evict: new keys */
};

struct worker {
	struct run *run;
	int id;
	unsigned long long ops;
	uint32_t *samples;
	unsigned nsamples;
	int failed;
};

/* what a child reports to the parent */
struct outcome {
	double ops_s, p99_us;
	int ok;
	char why[160];
};

/* zipf_key -- a key drawn from the cumulative weights cdf[0..n) */
static uint64_t
zipf_key(const double *cdf, uint64_t n, uint64_t *s)
{
	double u = (double)(rnd(s) >> 11) / (double)(1ULL << 53) * cdf[n - 1];
	uint64_t lo = 0, hi = n - 1;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * put_ok -- a put that succeeded, or lost a race for its key to the other
 * thread (EEXIST), which the mixed workloads allow
 */
static int
put_ok(struct run *r, uint64_t k)
{
	if (r->api->put(r->c, &k, sizeof(k), r->val, r->size) == 0)
		return 1;
	return errno == EEXIST && r->wl != W_EVICT;
}

/* one_op -- one operation; 0 when the library failed */
static int
one_op(struct run *r, uint64_t *rs, char *buf)
{
	uint64_t k;
	ssize_t got;
	switch (r->wl) {
	case W_HOT:
		k = rnd(rs) % r->nkeys;
		return r->api->get(r->c, &k, sizeof(k), buf, r->size, 0,
				NULL) == (ssize_t)r->size;
	case W_EVICT:
		k = atomic_fetch_add_explicit(&r->next_key, 1,
				memory_order_relaxed);
		return put_ok(r, k);
	case W_MIXED:
	case W_ZIPF:
		k = r->wl == W_MIXED ? rnd(rs) % r->nkeys :
			zipf_key(r->cdf, r->nkeys, rs);
		got = r->api->get(r->c, &k, sizeof(k), buf, r->size, 0, NULL);
		if (got == (ssize_t)r->size)
			return 1;
		return got < 0 && errno == ENOENT && put_ok(r, k);
	default:
		return 0;
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	char *buf = malloc(r->size);
	if (buf == NULL) {
		w->failed = 1;
		atomic_fetch_add(&r->ready, 1);
		return NULL;
	}
	memset(buf, 0, r->size);
	uint64_t rs = 0x9E3779B97F4A7C15ULL * (uint64_t)(w->id + 1);
	unsigned check = r->size >= 256 * KIB ? 1 : 64;
	atomic_fetch_add(&r->ready, 1);
	while (!atomic_load(&r->go))
		;
	unsigned long long n = 0;
	for (;;) {
		int ok;
		if (n % SAMPLE_EVERY == 0 && w->nsamples < MAXSAMPLES) {
			double a = now();
			ok = one_op(r, &rs, buf);
			double ns = (now() - a) * 1e9;
			w->samples[w->nsamples++] = ns > UINT32_MAX ?
				UINT32_MAX : (uint32_t)ns;
		} else {
			ok = one_op(r, &rs, buf);
		}
		if (!ok) {
			w->failed = 1;
			break;
		}
		n++;
		if (n % check == 0 && now() >= r->deadline)
			break;
	}
	w->ops = n;
	free(buf);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* fail -- fills an outcome with the reason of a failure */
static void
fail(struct outcome *out, const struct api *api, const char *what)
{
	out->ok = 0;
	snprintf(out->why, sizeof(out->why), "%s: %s", what,
		api && api->errormsg ? api->errormsg() : dlerror());
}

/* resolve -- the API of the library at path; 0 when a symbol is missing */
static int
resolve(const char *path, struct api *api)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return 0;
	void **slots[] = {(void **)&api->new_, (void **)&api->set_size,
		(void **)&api->set_extent_size, (void **)&api->add,
		(void **)&api->put, (void **)&api->get, (void **)&api->delete_,
		(void **)&api->errormsg};
	const char *names[] = {"vmemcache_new", "vmemcache_set_size",
		"vmemcache_set_extent_size", "vmemcache_add", "vmemcache_put",
		"vmemcache_get", "vmemcache_delete", "vmemcache_errormsg"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((*slots[i] = dlsym(h, names[i])) == NULL)
			return 0;
	return 1;
}

/* measure -- one measurement, in the child: fills *out */
static void
measure(const struct opts *o, const char *path, enum workload wl,
	size_t size, int threads, const double *cdf, struct outcome *out)
{
	struct api api;
	memset(&api, 0, sizeof(api));
	if (!resolve(path, &api)) {
		fail(out, NULL, "dlopen");
		return;
	}
	VMEMcache *c = api.new_();
	if (c == NULL || api.set_size(c, o->pool) ||
			api.set_extent_size(c, EXTENT) || api.add(c, o->dir)) {
		fail(out, &api, "making the pool");
		return;
	}
	/* what the pool holds, counting each value's extents */
	uint64_t cap = o->pool / ((size + EXTENT - 1) / EXTENT * EXTENT + EXTENT);
	if (cap < 4)
		cap = 4;
	char *val = malloc(size);
	struct worker ws[THREADS];
	memset(ws, 0, sizeof(ws));
	struct run r = {.api = &api, .c = c, .wl = wl, .size = size,
		.cdf = cdf, .val = val};
	if (val == NULL) {
		fail(out, &api, "out of memory");
		goto done;
	}
	memset(val, 0x5a, size);
	uint64_t fill = wl == W_HOT ? cap / 2 : wl == W_EVICT ? cap * 5 / 4 : 0;
	r.nkeys = wl == W_HOT ? fill : wl == W_MIXED ? 2 * cap : 4 * cap;
	for (uint64_t k = 0; k < fill; k++) {
		if (api.put(c, &k, sizeof(k), val, size)) {
			fail(out, &api, "filling the pool");
			goto done;
		}
	}
	atomic_store(&r.next_key, fill);
	pthread_t tid[THREADS];
	for (int i = 0; i < threads; i++) {
		ws[i].run = &r;
		ws[i].id = i;
		ws[i].samples = malloc(MAXSAMPLES * sizeof(uint32_t));
		if (ws[i].samples == NULL) {
			fail(out, &api, "out of memory");
			threads = i;
			goto done;
		}
	}
	r.deadline = now() + 1e9; /* set for real once all threads are ready */
	for (int i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, worker_main, &ws[i])) {
			fprintf(stderr, "vmemcache_compare: pthread_create\n");
			exit(2);
		}
	while (atomic_load(&r.ready) < threads)
		;
	double t0 = now();
	r.deadline = t0 + o->seconds;
	atomic_store(&r.go, 1);
	for (int i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	double t1 = now();
	unsigned long long ops = 0;
	unsigned nsamples = 0;
	out->ok = 1;
	for (int i = 0; i < threads; i++) {
		ops += ws[i].ops;
		nsamples += ws[i].nsamples;
		if (ws[i].failed)
			fail(out, &api, "an operation failed");
	}
	uint32_t *all = malloc((nsamples ? nsamples : 1) * sizeof(uint32_t));
	if (all == NULL) {
		fail(out, &api, "out of memory");
		goto done;
	}
	unsigned m = 0;
	for (int i = 0; i < threads; i++)
		for (unsigned j = 0; j < ws[i].nsamples; j++)
			all[m++] = ws[i].samples[j];
	qsort(all, m, sizeof(*all), cmp_u32);
	out->ops_s = (double)ops / (t1 - t0);
	out->p99_us = m ? all[(size_t)((m - 1) * 0.99)] / 1e3 : 0;
	free(all);
done:
	for (int i = 0; i < threads; i++)
		free(ws[i].samples);
	free(val);
	api.delete_(c);
}

/* in_child -- measure() in a child process; a crash becomes the outcome */
static struct outcome
in_child(const struct opts *o, const char *path, enum workload wl,
	size_t size, int threads, const double *cdf)
{
	struct outcome out;
	memset(&out, 0, sizeof(out));
	int fd[2];
	if (pipe(fd)) {
		snprintf(out.why, sizeof(out.why), "pipe: %s", strerror(errno));
		return out;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(out.why, sizeof(out.why), "fork: %s", strerror(errno));
		close(fd[0]);
		close(fd[1]);
		return out;
	}
	if (pid == 0) {
		close(fd[0]);
		measure(o, path, wl, size, threads, cdf, &out);
		ssize_t w = write(fd[1], &out, sizeof(out));
		_exit(w == (ssize_t)sizeof(out) ? 0 : 3);
	}
	close(fd[1]);
	ssize_t got = 0, n;
	while (got < (ssize_t)sizeof(out) &&
			(n = read(fd[0], (char *)&out + got,
				sizeof(out) - (size_t)got)) > 0)
		got += n;
	close(fd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		memset(&out, 0, sizeof(out));
		snprintf(out.why, sizeof(out.why), "crashed (%s)",
			strsignal(WTERMSIG(status)));
	} else if (got != (ssize_t)sizeof(out)) {
		memset(&out, 0, sizeof(out));
		snprintf(out.why, sizeof(out.why), "exited with %d",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	return out;
}

/* zipf_cdf -- cumulative Zipf weights of n keys; exits when out of memory */
static double *
zipf_cdf(uint64_t n)
{
	double *cdf = malloc(n * sizeof(*cdf));
	if (cdf == NULL) {
		fprintf(stderr, "vmemcache_compare: out of memory\n");
		exit(2);
	}
	double sum = 0;
	for (uint64_t i = 0; i < n; i++)
		cdf[i] = sum += 1.0 / pow((double)(i + 1), ZIPF_EXP);
	return cdf;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* run_case -- every library, alternating, on one case; prints its row */
static void
run_case(const struct opts *o, enum workload wl, size_t size, int threads)
{
	double ops[MAXLIBS][MAXROUNDS], p99[MAXLIBS][MAXROUNDS];
	const char *why[MAXLIBS] = {NULL};
	uint64_t cap = o->pool / ((size + EXTENT - 1) / EXTENT * EXTENT + EXTENT);
	double *cdf = wl == W_ZIPF ? zipf_cdf(4 * (cap < 4 ? 4 : cap)) : NULL;
	static char whybuf[MAXLIBS][160];
	for (int round = 0; round < o->rounds; round++) {
		for (int j = 0; j < o->nlibs; j++) {
			int i = round % 2 ? o->nlibs - 1 - j : j;
			if (why[i])
				continue;
			struct outcome out = in_child(o, o->libs[i].path, wl,
				size, threads, cdf);
			if (!out.ok) {
				memcpy(whybuf[i], out.why, sizeof(whybuf[i]));
				whybuf[i][sizeof(whybuf[i]) - 1] = '\0';
				why[i] = whybuf[i];
				continue;
			}
			ops[i][round] = out.ops_s;
			p99[i][round] = out.p99_us;
		}
	}
	free(cdf);
	double med[MAXLIBS], lat[MAXLIBS];
	for (int i = 0; i < o->nlibs; i++) {
		med[i] = why[i] ? 0 : median(ops[i], o->rounds);
		lat[i] = why[i] ? 0 : median(p99[i], o->rounds);
	}
	char sz[32];
	snprintf(sz, sizeof(sz), "%zu %s", size >= MIB ? size / MIB : size / KIB,
		size >= MIB ? "MiB" : "KiB");
	printf(o->csv ? "%s,%s,%d" : "| %s | %s | %d", wl_names[wl], sz, threads);
	for (int i = 0; i < o->nlibs; i++) {
		if (why[i])
			printf(o->csv ? ",%s,," : " | %s | |", why[i]);
		else
			printf(o->csv ? ",%.0f,%.1f" : " | %.0f | %.1f", med[i],
				lat[i]);
	}
	for (int i = 1; i < o->nlibs; i++) {
		if (why[0] || why[i] || med[0] <= 0)
			printf(o->csv ? "," : " | n/a");
		else
			printf(o->csv ? ",%.2f" : " | %.2fx", med[i] / med[0]);
	}
	printf(o->csv ? "\n" : " |\n");
	fflush(stdout);
}

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: vmemcache_compare --lib NAME=PATH [--lib NAME=PATH ...]\n"
"                         [--dir PATH] [--seconds S] [--rounds R]\n"
"                         [--pool-mib M] [--only hot|evict|mixed|zipf]\n"
"                         [--threads 1|2] [--size 4k|1m]\n"
"                         [--quick] [--csv] [--help]\n"
"Throughput of libraries with the libvmemcache API, alternating them in one\n"
"run: hot gets, evicting puts, a uniform and a Zipf get-or-put mix, with 4 KiB\n"
"and 1 MiB values on 1 and 2 threads. The first library is the baseline.\n");
}

int
main(int argc, char **argv)
{
	struct opts o = {.dir = "/dev/shm", .seconds = 1.5, .rounds = 3,
		.pool = 256 * MIB};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--quick")) {
			o.seconds = 0.1;
			o.rounds = 1;
			o.pool = 16 * MIB;
		} else if (!strcmp(a, "--csv")) {
			o.csv = 1;
		} else if (v == NULL) {
			usage(stderr);
			return 2;
		} else if (!strcmp(a, "--lib")) {
			const char *eq = strchr(v, '=');
			if (eq == NULL || eq == v || !eq[1] || o.nlibs == MAXLIBS) {
				fprintf(stderr, "vmemcache_compare: --lib NAME=PATH,"
					" at most %d\n", MAXLIBS);
				return 2;
			}
			size_t n = (size_t)(eq - v);
			char *name = malloc(n + 1);
			if (name == NULL)
				return 2;
			memcpy(name, v, n);
			name[n] = '\0';
			o.libs[o.nlibs].name = name;
			o.libs[o.nlibs++].path = eq + 1;
			i++;
		} else if (!strcmp(a, "--dir")) {
			o.dir = v;
			i++;
		} else if (!strcmp(a, "--only")) {
			o.only = v;
			i++;
		} else if (!strcmp(a, "--threads")) {
			o.threads = atoi(v);
			i++;
		} else if (!strcmp(a, "--size")) {
			o.size = v;
			i++;
		} else if (!strcmp(a, "--seconds")) {
			o.seconds = atof(v);
			i++;
		} else if (!strcmp(a, "--rounds")) {
			o.rounds = atoi(v);
			i++;
		} else if (!strcmp(a, "--pool-mib")) {
			o.pool = (size_t)atol(v) * MIB;
			i++;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (o.nlibs == 0 || o.seconds <= 0 || o.rounds < 1 ||
			o.rounds > MAXROUNDS || o.pool < 4 * MIB) {
		fprintf(stderr, "vmemcache_compare: needs --lib, --seconds > 0,"
			" 1 to %d rounds and a pool of 4 MiB or more\n", MAXROUNDS);
		return 2;
	}
	if ((o.threads && (o.threads < 1 || o.threads > THREADS)) ||
			(o.size && strcmp(o.size, "4k") && strcmp(o.size, "1m"))) {
		fprintf(stderr, "vmemcache_compare: --threads is 1 or 2,"
			" --size is 4k or 1m\n");
		return 2;
	}
	if (o.only) {
		int known = 0;
		for (int w = 0; w < W_COUNT; w++)
			known |= !strcmp(o.only, wl_names[w]);
		if (!known) {
			fprintf(stderr, "vmemcache_compare: --only %s: not one of"
				" hot, evict, mixed, zipf\n", o.only);
			return 2;
		}
	}
	printf(o.csv ? "workload,size,threads" : "| workload | size | threads");
	for (int i = 0; i < o.nlibs; i++)
		printf(o.csv ? ",%s ops/s,%s p99 us" : " | %s ops/s | %s p99 µs",
			o.libs[i].name, o.libs[i].name);
	for (int i = 1; i < o.nlibs; i++)
		printf(o.csv ? ",%s/%s" : " | %s / %s", o.libs[i].name,
			o.libs[0].name);
	printf("%s\n", o.csv ? "" : " |");
	if (!o.csv) {
		printf("|---|---|---:");
		for (int i = 0; i < 3 * o.nlibs - 1; i++)
			printf("|---:");
		printf("|\n");
	}
	size_t sizes[] = {4 * KIB, MIB};
	for (int w = 0; w < W_COUNT; w++) {
		if (o.only && strcmp(o.only, wl_names[w]))
			continue;
		for (size_t s = 0; s < 2; s++) {
			if (o.size && (sizes[s] == MIB) != !strcmp(o.size, "1m"))
				continue;
			for (int t = 1; t <= THREADS; t++)
				if (!o.threads || t == o.threads)
					run_case(&o, (enum workload)w, sizes[s],
						t);
		}
	}
	for (int i = 0; i < o.nlibs; i++)
		free((char *)o.libs[i].name);
	return 0;
}
