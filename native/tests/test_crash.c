/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_crash.c -- kill -9 of a writer never makes a persistent pool lie
 *
 * A child process reattaches the pool and does puts, replaces, evictions
 * and gets as fast as it can, of values that prove themselves (ut_value.h:
 * key, version, length and a checksum of the payload); the parent kills it
 * with SIGKILL at a random moment, reattaches, and checks that every entry
 * listed is a whole value of its key, that the statistics agree with the
 * listing and that the heap is consistent. Every third round the parent
 * adds and closes cleanly, and each writer starts from a clean close, so
 * clean reattaches are crossed too. At least
 * 20 kills in every build; sanitizer builds use fewer operations.
 */
#include <signal.h>
#include <sys/wait.h>

#include "internal.h"
#include "ut_pool.h"
#include "ut_value.h"

#define MIB ((size_t)1 << 20)
#define KIB ((size_t)1 << 10)
#define NKEYS 400
#define POOL (8 * MIB)
#define ROUNDS 24

static char path[PATH_MAX];

/* writer -- the child: never returns */
static void __attribute__((noreturn))
writer(uint64_t seed)
{
	VMEMcache *c = utp_open(path, POOL, 256);
	if (c == NULL)
		_exit(2);
	uint64_t r = seed;
	size_t max = 96 * KIB;
	char *v = malloc(max), *got = malloc(max);
	if (v == NULL || got == NULL)
		_exit(3);
	for (;;) {
		uint32_t k = (uint32_t)ut_rand_range(&r, 0, NKEYS - 1);
		uint64_t op = ut_rand(&r) % 10;
		/* mostly small, some large enough to chain fragments */
		size_t len = ut_rand(&r) % 4 == 0 ?
			(size_t)ut_rand_range(&r, 8 * KIB, max) :
			(size_t)ut_rand_range(&r, UTV_HDR, 3000);
		if (op < 4) {
			utv_make(v, len, k, ut_rand(&r));
			vmemcache_put(c, &k, sizeof(k), v, len);
		} else if (op < 7) {
			utv_make(v, len, k, ut_rand(&r));
			cellar_replace(c, &k, sizeof(k), v, len);
		} else if (op < 8) {
			vmemcache_evict(c, &k, sizeof(k));
		} else {
			size_t vs = 0;
			if (vmemcache_get(c, &k, sizeof(k), got, max, 0, &vs) >= 0)
				utv_check(got, vs, k);
		}
	}
}

struct listing {
	uint32_t keys[NKEYS];
	unsigned n;
};

static int
on_key(const void *key, size_t ksize, void *arg)
{
	struct listing *l = arg;
	UT_ASSERTeq(ksize, sizeof(uint32_t));
	UT_ASSERT(l->n < NKEYS);
	memcpy(&l->keys[l->n++], key, sizeof(uint32_t));
	return 0;
}

/* verify -- every entry intact, statistics and heap consistent */
static void
verify(VMEMcache *c, char *buf, size_t max)
{
	struct listing l = {.n = 0};
	UT_OK(cellar_keys_list(c, on_key, &l));
	struct cellar_stats st;
	UT_OK(cellar_stats_get(c, &st));
	UT_ASSERTeq(st.entries, l.n);
	unsigned long long need = 0;
	for (unsigned i = 0; i < l.n; i++) {
		uint32_t k = l.keys[i];
		UT_ASSERT(k < NKEYS);
		size_t vs = 0;
		ssize_t n = vmemcache_get(c, &k, sizeof(k), buf, max, 0, &vs);
		UT_ASSERTm(n >= 0, "listed key %u cannot be read", k);
		UT_ASSERTeq((size_t)n, vs);
		utv_check(buf, vs, k);
		need += ut_space(vs, sizeof(k), 256) / 2; /* at least half */
	}
	UT_OK(cellar_stats_get(c, &st));
	UT_ASSERTeq(st.corrupt, 0);
	UT_ASSERTeq(st.entries, l.n);
	UT_ASSERT(st.pool_used >= need);
	UT_ASSERT(st.pool_used <= st.pool_size);
	UT_ASSERT((l.n == 0) == (st.pool_used == 0));
	UT_OK(heap_check(&c->heap));
}

int
main(int argc, char *argv[])
{
	ut_start("test_crash");
	int rounds = argc > 1 ? atoi(argv[1]) : ROUNDS;
	snprintf(path, sizeof(path), "%s/crash.pool", ut_tmpdir());
	uint64_t r = (uint64_t)time(NULL) | 1;
	UT_OUT("seed %llu", (unsigned long long)r);
	size_t max = 96 * KIB;
	char *buf = ut_malloc(max);
	unsigned recovered = 0, clean = 0;
	for (int i = 0; i < rounds; i++) {
		uint64_t seed = ut_rand(&r) | 1;
		pid_t pid = fork();
		UT_ASSERT(pid >= 0);
		if (pid == 0)
			writer(seed);
		ut_sleep_ms((unsigned)ut_rand_range(&r, 20, 300));
		UT_OK(kill(pid, SIGKILL));
		int st;
		UT_ASSERTeq(waitpid(pid, &st, 0), pid);
		UT_ASSERTm(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
				"the writer ended by itself (status %d)", st);

		VMEMcache *c = utp_open(path, POOL, 256);
		UT_ASSERT(c != NULL);
		struct cellar_reattach rep = utp_report(c);
		/* a writer killed before its open marked the pool: clean */
		UT_ASSERT(rep.state == CELLAR_POOL_RECOVERED ||
				rep.state == CELLAR_POOL_CLEAN ||
				rep.state == CELLAR_POOL_NEW);
		recovered += rep.state == CELLAR_POOL_RECOVERED;
		verify(c, buf, max);
		if (i % 3 == 2) {
			/* a clean close in between, checked on reattach */
			for (uint32_t k = 0; k < 20; k++) {
				size_t len = (size_t)ut_rand_range(&r, UTV_HDR, 5000);
				utv_make(buf, len, k, ut_rand(&r));
				UT_OK(cellar_replace(c, &k, sizeof(k), buf, len));
			}
			unsigned long long n = ut_stat(c, VMEMCACHE_STAT_ENTRIES);
			vmemcache_delete(c);
			c = utp_open(path, POOL, 256);
			UT_ASSERT(c != NULL);
			rep = utp_report(c);
			UT_ASSERTeq(rep.state, CELLAR_POOL_CLEAN);
			UT_ASSERTeq(rep.entries_recovered, n);
			verify(c, buf, max);
			clean++;
		}
		/* the next writer starts with a clean reattach */
		vmemcache_delete(c);
	}
	UT_OUT("%d kills, %u recovered, %u clean closes", rounds, recovered,
			clean);
	UT_ASSERT(recovered >= (unsigned)rounds / 2);
	free(buf);
	return ut_done();
}
