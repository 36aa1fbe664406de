/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_prefault.c -- cellar_prefault: a DRAM pool committed ahead of its puts
 *
 * Arguments are refused with EINVAL, a pool that is not DRAM with ENOTSUP.
 * On a DRAM pool a range ends on a 2 MiB boundary of the address space, the
 * slices reach the pool's size and stop there, the entries already in the
 * pool keep their bytes, and the process's anonymous resident memory grows
 * by the pool's size (outside sanitizer builds, which keep shadow memory of
 * their own). A kernel without MADV_POPULATE_WRITE answers ENOTSUP, and the
 * test then checks only that.
 */
#include "ut.h"

#define MIB ((size_t)1 << 20)
#define POOL (48 * MIB)
#define NVAL 64
#define VAL 4096

/* fill -- the bytes of value i (internal) */
static void
fill(uint32_t i, unsigned char *v)
{
	for (size_t j = 0; j < VAL; j++)
		v[j] = (unsigned char)(i * 31u + j * 7u);
}

/* refused -- arguments and pools prefault refuses */
static void
refused(void)
{
	UT_ERR(cellar_prefault(NULL, 0, MIB), EINVAL);
	VMEMcache *c = vmemcache_new();
	UT_ASSERT(c != NULL);
	/* no pool yet */
	UT_ERR(cellar_prefault(c, 0, MIB), EINVAL);
	UT_OK(vmemcache_set_size(c, VMEMCACHE_MIN_POOL));
	UT_OK(vmemcache_add(c, ut_tmpdir()));
	/* a file pool is the file system's to commit */
	UT_ERR(cellar_prefault(c, 0, MIB), ENOTSUP);
	vmemcache_delete(c);
}

int
main(void)
{
	ut_start("test_prefault");
	refused();

	VMEMcache *c = vmemcache_new();
	UT_ASSERT(c != NULL);
	UT_OK(vmemcache_set_size(c, POOL));
	UT_OK(cellar_add_dram(c));
	unsigned char v[VAL], got[VAL];
	for (uint32_t i = 0; i < NVAL; i++) {
		fill(i, v);
		UT_OK(vmemcache_put(c, &i, sizeof(i), v, VAL));
	}
	unsigned long long rss0 = ut_rss_anon();

	errno = 0;
	long long first = cellar_prefault(c, 0, 1);
	if (first < 0) {
		UT_ASSERTeq(errno, ENOTSUP);
		UT_OUT("this kernel cannot commit ahead of use: ENOTSUP");
		vmemcache_delete(c);
		ut_done();
		return 0;
	}
	/* one byte asked: the range ends at the first 2 MiB boundary */
	UT_ASSERTgt(first, 0);
	UT_ASSERTle(first, (long long)(2 * MIB));

	/* slices of 5 MiB: each ends further on, the last at the pool's end */
	long long at = first;
	int slices = 0;
	while (at < (long long)POOL) {
		long long next = cellar_prefault(c, (size_t)at, 5 * MIB);
		UT_ASSERTgt(next, at);
		UT_ASSERTle(next, at + (long long)(7 * MIB));
		at = next;
		slices++;
	}
	UT_ASSERTeq(at, (long long)POOL);
	UT_ASSERTge(slices, (int)(POOL / (7 * MIB)));
	/* at or past the end: nothing more, the end again */
	UT_ASSERTeq(cellar_prefault(c, POOL, MIB), (long long)POOL);
	UT_ASSERTeq(cellar_prefault(c, 4 * POOL, MIB), (long long)POOL);
	/* again from the start: already committed, same answer */
	UT_ASSERTeq(cellar_prefault(c, 0, 2 * POOL), (long long)POOL);

	unsigned long long rss = ut_rss_anon();
	UT_OUT("RssAnon grew %.1f MiB for a pool of %zu MiB",
		rss > rss0 ? (double)(rss - rss0) / (double)MIB : 0.0,
		POOL / MIB);
	if (!UT_SANITIZED && rss0)
		UT_ASSERTm(rss >= rss0 + POOL - NVAL * (VAL + 256) - 2 * MIB,
			"RssAnon grew from %llu to %llu", rss0, rss);

	/* the entries put before keep their bytes; the pool still takes more */
	for (uint32_t i = 0; i < NVAL; i++) {
		fill(i, v);
		UT_ASSERTeq(vmemcache_get(c, &i, sizeof(i), got, VAL, 0, NULL),
			(ssize_t)VAL);
		UT_ASSERT(memcmp(v, got, VAL) == 0);
	}
	for (uint32_t i = NVAL; i < 2 * NVAL; i++) {
		fill(i, v);
		UT_OK(vmemcache_put(c, &i, sizeof(i), v, VAL));
	}
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 2 * NVAL);
	vmemcache_delete(c);
	ut_done();
	return 0;
}
