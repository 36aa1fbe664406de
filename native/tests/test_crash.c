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
 *
 * A kill keeps the page cache, so it never loses a write. The power-loss
 * rounds do: the engine makes a pool durable only at a clean close and
 * makes the header it marks open durable at the open, so what a power loss
 * leaves is the file as of the last clean close, with that header, and any
 * subset of the writes since. Each round takes the file before the open and
 * at the moment of the loss, builds a third file whose every differing
 * unit (a 64-byte cache line, a 512-byte sector or a 4 KiB page, chosen per
 * round) comes from one or the other at random (the older with a chance
 * of 10, 50 or 90%, chosen per round), reattaches it and checks it
 * as above; then writes more, closes it cleanly and checks it again. Some
 * rounds lose the power in the middle of the open, before its header was
 * durable. A value of an older version may come back (lost, never wrong:
 * each value proves it is whole and of its key).
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
#define POWER_ROUNDS 30

static char path[PATH_MAX];

/* random_op -- a put, replace, eviction or get of a random key */
static void
random_op(VMEMcache *c, uint64_t *r, char *v, char *got, size_t max)
{
	uint32_t k = (uint32_t)ut_rand_range(r, 0, NKEYS - 1);
	uint64_t op = ut_rand(r) % 10;
	/* mostly small, some large enough to chain fragments */
	size_t len = ut_rand(r) % 4 == 0 ?
		(size_t)ut_rand_range(r, 8 * KIB, max) :
		(size_t)ut_rand_range(r, UTV_HDR, 3000);
	if (op < 4) {
		utv_make(v, len, k, ut_rand(r));
		vmemcache_put(c, &k, sizeof(k), v, len);
	} else if (op < 7) {
		utv_make(v, len, k, ut_rand(r));
		cellar_replace(c, &k, sizeof(k), v, len);
	} else if (op < 8) {
		vmemcache_evict(c, &k, sizeof(k));
	} else {
		size_t vs = 0;
		if (vmemcache_get(c, &k, sizeof(k), got, max, 0, &vs) >= 0)
			utv_check(got, vs, k);
	}
}

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
	for (;;)
		random_op(c, &r, v, got, max);
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

/*
 * verify -- every entry intact, statistics and heap consistent; with
 * `lossy` (after a power loss) a listed entry whose value the loss tore
 * may fail its checksum at its first read, and is then counted as corrupt
 * and gone; returns how many did
 */
static unsigned long long
verify(VMEMcache *c, char *buf, size_t max, int lossy)
{
	struct listing l = {.n = 0};
	UT_OK(cellar_keys_list(c, on_key, &l));
	struct cellar_stats st;
	UT_OK(cellar_stats_get(c, &st));
	UT_ASSERTeq(st.entries, l.n);
	unsigned long long need = 0, torn = 0;
	for (unsigned i = 0; i < l.n; i++) {
		uint32_t k = l.keys[i];
		UT_ASSERT(k < NKEYS);
		size_t vs = 0;
		ssize_t n = vmemcache_get(c, &k, sizeof(k), buf, max, 0, &vs);
		if (n < 0 && lossy && errno == ENOENT) {
			UT_ASSERTeq(vmemcache_exists(c, &k, sizeof(k), NULL), 0);
			torn++;
			continue;
		}
		UT_ASSERTm(n >= 0, "listed key %u cannot be read", k);
		UT_ASSERTeq((size_t)n, vs);
		utv_check(buf, vs, k);
		need += ut_space(vs, sizeof(k), 256) / 2; /* at least half */
	}
	UT_OK(cellar_stats_get(c, &st));
	UT_ASSERTeq(st.corrupt, torn);
	UT_ASSERTeq(st.entries, l.n - torn);
	UT_ASSERT(st.pool_used >= need);
	UT_ASSERT(st.pool_used <= st.pool_size);
	UT_ASSERT((st.entries == 0) == (st.pool_used == 0));
	UT_OK(heap_check(&c->heap));
	return torn;
}

/* slurp -- a file's bytes */
static unsigned char *
slurp(const char *p, size_t *size)
{
	int fd = open(p, O_RDONLY);
	UT_ASSERT(fd >= 0);
	struct stat st;
	UT_OK(fstat(fd, &st));
	*size = (size_t)st.st_size;
	unsigned char *b = ut_malloc(*size);
	for (size_t off = 0; off < *size;) {
		ssize_t n = pread(fd, b + off, *size - off, (off_t)off);
		UT_ASSERT(n > 0);
		off += (size_t)n;
	}
	close(fd);
	return b;
}

struct power_counts {
	unsigned rounds, at_open;
	unsigned long long units, reverted, entries, torn;
};

/*
 * power_round -- one power loss on the clean pool at `path` (see the top
 * of the file); `path` is closed cleanly again at the end
 */
static void
power_round(uint64_t *r, char *v, char *got, size_t max,
		struct power_counts *pc)
{
	size_t size, size2;
	unsigned char *before = slurp(path, &size);
	VMEMcache *c = utp_open(path, POOL, 256);
	UT_ASSERT(c != NULL);
	int at_open = ut_rand(r) % 5 == 0;
	if (!at_open) {
		unsigned ops = (unsigned)ut_rand_range(r, 50, 1500);
		for (unsigned i = 0; i < ops; i++)
			random_op(c, r, v, got, max);
	}
	unsigned char *after = slurp(path, &size2);
	UT_ASSERTeq(size, size2);

	static const size_t grains[] = {64, 512, 4096};
	size_t grain = grains[ut_rand(r) % 3];
	/* how much of what was written since is lost: a tenth, half or most */
	static const unsigned lose_pct[] = {10, 50, 90};
	unsigned pct = lose_pct[ut_rand(r) % 3];
	unsigned char *mix = ut_malloc(size);
	/* the header: durable at the open, unless the power went before */
	memcpy(mix, at_open ? before : after, POOL_HDR_SIZE);
	for (size_t off = POOL_HDR_SIZE; off < size; off += grain) {
		size_t n = size - off < grain ? size - off : grain;
		int differs = memcmp(before + off, after + off, n) != 0;
		int lost = differs && ut_rand(r) % 100 < pct;
		memcpy(mix + off, lost ? before + off : after + off, n);
		pc->units += (unsigned long long)differs;
		pc->reverted += (unsigned long long)lost;
	}
	char mpath[PATH_MAX + 8];
	snprintf(mpath, sizeof(mpath), "%s.mix", path);
	utp_write_new(mpath, mix, size);
	free(before);
	free(after);
	free(mix);

	VMEMcache *m = utp_open(mpath, POOL, 256);
	UT_ASSERT(m != NULL);
	struct cellar_reattach rep = utp_report(m);
	UT_ASSERTeq(rep.state, at_open ? CELLAR_POOL_CLEAN
			: CELLAR_POOL_RECOVERED);
	pc->torn += verify(m, got, max, 1);
	pc->entries += ut_stat(m, VMEMCACHE_STAT_ENTRIES);
	for (unsigned i = 0; i < 200; i++)
		random_op(m, r, v, got, max);
	unsigned long long n = ut_stat(m, VMEMCACHE_STAT_ENTRIES);
	vmemcache_delete(m);
	m = utp_open(mpath, POOL, 256);
	UT_ASSERT(m != NULL);
	rep = utp_report(m);
	UT_ASSERTeq(rep.state, CELLAR_POOL_CLEAN);
	UT_ASSERTeq(rep.entries_recovered, n);
	verify(m, got, max, 0);
	vmemcache_delete(m);
	UT_OK(unlink(mpath));
	vmemcache_delete(c);
	pc->rounds++;
	pc->at_open += (unsigned)at_open;
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
		verify(c, buf, max, 0);
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
			verify(c, buf, max, 0);
			clean++;
		}
		/* the next writer starts with a clean reattach */
		vmemcache_delete(c);
	}
	UT_OUT("%d kills, %u recovered, %u clean closes", rounds, recovered,
			clean);
	UT_ASSERT(recovered >= (unsigned)rounds / 2);

	struct power_counts pc = {0};
	char *v = ut_malloc(max);
	for (int i = 0; i < POWER_ROUNDS; i++)
		power_round(&r, v, buf, max, &pc);
	UT_OUT("%u power losses (%u in an open): %llu units differed, %llu "
			"of them lost; %llu entries whole after reattach, %llu "
			"torn ones dropped at their first read", pc.rounds,
			pc.at_open, pc.units, pc.reverted, pc.entries, pc.torn);
	UT_ASSERT(pc.reverted > 0 && pc.entries > 0);
	free(v);
	free(buf);
	return ut_done();
}
