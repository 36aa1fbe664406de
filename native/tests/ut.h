/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ut.h -- tiny assertion, temp-dir, clock and random helpers for the C tests
 *
 * Every failed assertion prints file:line, the expression and the values
 * (plus errno and the engine's last message), removes the test's temp dir
 * and aborts, so sanitizers and ctest see a hard failure.
 */
#ifndef CELLAR_UT_H
#define CELLAR_UT_H 1

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cellar.h"
#include "format.h"	/* the engine's pool layout: header sizes */
#include "libvmemcache.h"

#define UT_UNUSED __attribute__((unused))

/* 1 in a sanitizer build, whose shadow memory makes resident sizes meaningless */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UT_SANITIZED 1
#endif
#endif
#ifndef UT_SANITIZED
#define UT_SANITIZED 0
#endif

/* ut_rss_anon -- RssAnon of this process in bytes, 0 if unknown */
static UT_UNUSED unsigned long long
ut_rss_anon(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (f == NULL)
		return 0;
	char line[256];
	unsigned long long kb = 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "RssAnon: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

static char ut_dir_path[256] UT_UNUSED;
static const char *ut_test_name UT_UNUSED = "test";

/* ut_rm_cb -- nftw callback removing one file or directory (internal) */
static inline int
ut_rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

/* ut_dir_remove -- removes the temp dir of this test, if any */
static inline void
ut_dir_remove(void)
{
	if (ut_dir_path[0] == '\0')
		return;
	nftw(ut_dir_path, ut_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	ut_dir_path[0] = '\0';
}

/* ut_fail -- prints the failure, cleans up and aborts */
static inline void __attribute__((noreturn, format(printf, 3, 4)))
ut_fail(const char *file, int line, const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	fprintf(stderr, "%s: %s:%d: ", ut_test_name, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " [errno %d %s, engine msg \"%s\"]\n", err,
		cellar_errno_name(err), vmemcache_errormsg());
	fflush(stderr);
	ut_dir_remove();
	abort();
}

#define UT_FATAL(...) ut_fail(__FILE__, __LINE__, __VA_ARGS__)

#define UT_ASSERT(cond) do {						\
	if (!(cond))							\
		UT_FATAL("UT_ASSERT(%s) failed", #cond);		\
} while (0)

#define UT_ASSERTm(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		UT_FATAL("UT_ASSERT(%s) failed", #cond);		\
	}								\
} while (0)

/* compares as long long; values are printed signed and in hex */
#define UT_CMP_(a, op, b) do {						\
	long long ut_a_ = (long long)(a), ut_b_ = (long long)(b);	\
	if (!(ut_a_ op ut_b_))						\
		UT_FATAL("UT_ASSERT(%s %s %s) failed: %s = %lld (0x%llx),"\
			" %s = %lld (0x%llx)", #a, #op, #b, #a, ut_a_,	\
			(unsigned long long)ut_a_, #b, ut_b_,		\
			(unsigned long long)ut_b_);			\
} while (0)

#define UT_ASSERTeq(a, b) UT_CMP_(a, ==, b)
#define UT_ASSERTne(a, b) UT_CMP_(a, !=, b)
#define UT_ASSERTlt(a, b) UT_CMP_(a, <, b)
#define UT_ASSERTle(a, b) UT_CMP_(a, <=, b)
#define UT_ASSERTge(a, b) UT_CMP_(a, >=, b)
#define UT_ASSERTgt(a, b) UT_CMP_(a, >, b)

/* asserts that expr returned 0 */
#define UT_OK(expr) do {						\
	errno = 0;							\
	long long ut_r_ = (long long)(expr);				\
	if (ut_r_ != 0)							\
		UT_FATAL("%s returned %lld, expected 0", #expr, ut_r_);\
} while (0)

/* asserts that expr returned -1 with errno == e */
#define UT_ERR(expr, e) do {						\
	errno = 0;							\
	long long ut_r_ = (long long)(expr);				\
	int ut_e_ = errno;						\
	if (ut_r_ != -1 || ut_e_ != (e)) {				\
		errno = ut_e_;						\
		UT_FATAL("%s returned %lld errno %s, expected -1 %s",	\
			#expr, ut_r_, cellar_errno_name(ut_e_),		\
			cellar_errno_name(e));				\
	}								\
} while (0)

#define UT_OUT(...) do {						\
	printf("%s: ", ut_test_name);					\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

/* ut_start -- names the test (for messages) */
static inline void
ut_start(const char *name)
{
	ut_test_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
	UT_OUT("START");
}

/* ut_done -- removes the temp dir and reports success */
static inline int
ut_done(void)
{
	ut_dir_remove();
	UT_OUT("PASS");
	return 0;
}

/*
 * ut_tmpdir -- a fresh directory under /dev/shm (else /tmp), made on the
 * first call and removed by ut_done(), atexit or a failed assertion
 */
static inline const char *
ut_tmpdir(void)
{
	static const char *bases[] = {"/dev/shm", "/tmp"};
	if (ut_dir_path[0] != '\0')
		return ut_dir_path;
	for (unsigned i = 0; i < 2; i++) {
		struct stat st;
		if (stat(bases[i], &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		snprintf(ut_dir_path, sizeof(ut_dir_path),
			"%s/cellar-ut-XXXXXX", bases[i]);
		if (mkdtemp(ut_dir_path) != NULL) {
			atexit(ut_dir_remove);
			return ut_dir_path;
		}
	}
	ut_dir_path[0] = '\0';
	UT_FATAL("cannot make a temp dir under /dev/shm or /tmp");
}

/* ut_now -- monotonic seconds */
static inline double
ut_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ut_sleep_ms -- sleeps that many milliseconds */
static inline void
ut_sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ut_rand -- xorshift64* step on a caller-owned state (never 0) */
static inline uint64_t
ut_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* ut_rand_range -- uniform-ish in [lo, hi] */
static inline uint64_t
ut_rand_range(uint64_t *state, uint64_t lo, uint64_t hi)
{
	return lo + ut_rand(state) % (hi - lo + 1);
}

/* ut_hash -- FNV-1a 64 of a buffer, folded with a seed */
static inline uint64_t
ut_hash(const void *buf, size_t len, uint64_t seed)
{
	const unsigned char *p = buf;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* ut_fill -- deterministic bytes from a seed */
static inline void
ut_fill(void *buf, size_t len, uint64_t seed)
{
	unsigned char *p = buf;
	uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;
	size_t i = 0;
	while (i + 8 <= len) {
		uint64_t v = ut_rand(&s);
		memcpy(p + i, &v, 8);
		i += 8;
	}
	if (i < len) {
		uint64_t v = ut_rand(&s);
		memcpy(p + i, &v, len - i);
	}
}

/* ut_malloc -- malloc that fails the test instead of returning NULL */
static inline void *
ut_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (p == NULL)
		UT_FATAL("out of memory (%zu bytes)", size);
	return p;
}

/* ut_stat -- one statistic of a cache, asserting the call works */
static inline unsigned long long
ut_stat(VMEMcache *cache, enum vmemcache_statistic stat)
{
	unsigned long long v = 0;
	if (vmemcache_get_stat(cache, stat, &v, sizeof(v)) != 0)
		UT_FATAL("vmemcache_get_stat(%d) failed", (int)stat);
	return v;
}

/* ut_stats_all -- all statistics into v[VMEMCACHE_STATS_NUM] */
static inline void
ut_stats_all(VMEMcache *cache, unsigned long long *v)
{
	for (int s = 0; s < VMEMCACHE_STATS_NUM; s++)
		v[s] = ut_stat(cache, (enum vmemcache_statistic)s);
}

/* ut_cache_sized -- a new cache of `size` bytes and `extent` (0: defaults) */
static inline VMEMcache *
ut_cache_sized(size_t size, size_t extent)
{
	VMEMcache *c = vmemcache_new();
	UT_ASSERT(c != NULL);
	if (size)
		UT_OK(vmemcache_set_size(c, size));
	if (extent)
		UT_OK(vmemcache_set_extent_size(c, extent));
	return c;
}

/*
 * ut_cache_with -- a cache under a cellar_policy with a pool in the test's
 * temp dir (or DRAM)
 */
static inline VMEMcache *
ut_cache_with(size_t size, size_t extent, enum cellar_policy policy, int dram)
{
	VMEMcache *c = ut_cache_sized(size, extent);
	UT_OK(cellar_set_policy(c, policy));
	if (dram)
		UT_OK(cellar_add_dram(c));
	else
		UT_OK(vmemcache_add(c, ut_tmpdir()));
	return c;
}

/* ut_cache_new -- a cache with a pool in the test's temp dir (or DRAM) */
static inline VMEMcache *
ut_cache_new(size_t size, size_t extent, enum vmemcache_repl_p policy,
	int dram)
{
	return ut_cache_with(size, extent, policy == VMEMCACHE_REPLACEMENT_LRU ?
		CELLAR_POLICY_LRU : CELLAR_POLICY_NONE, dram);
}

/* ut_pool_size -- the bytes the pool can give values */
static inline size_t
ut_pool_size(VMEMcache *cache)
{
	struct cellar_stats st;
	UT_OK(cellar_stats_get(cache, &st));
	return (size_t)st.pool_size;
}

/*
 * ut_space -- pool bytes a contiguous value takes: the entry header (56 B
 * plus the key, 16-aligned, see format.h) and the value, in whole extents
 */
static inline size_t
ut_space(size_t len, size_t ksize, size_t extent)
{
	size_t b = (size_t)entry_hdr_size(ksize) + len;
	return (b + extent - 1) / extent * extent;
}

/* ut_fit_len -- the value length that takes exactly `bytes` of the pool */
static inline size_t
ut_fit_len(size_t bytes, size_t ksize)
{
	return bytes - (size_t)entry_hdr_size(ksize);
}

/* ut_assert_empty_heap -- every entry gone: nothing used, one free piece */
#define UT_ASSERT_EMPTY(c) do {						\
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 0);		\
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_POOL_SIZE_USED), 0);	\
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_DRAM_SIZE_USED), 0);	\
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_HEAP_ENTRIES), 1);	\
} while (0)

/* ut_watchdog -- kills the test (SIGALRM) if it runs longer than secs */
static inline void
ut_watchdog(unsigned secs)
{
	alarm(secs);
}

#endif /* CELLAR_UT_H */
