/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_reserve.c -- a persistent pool's blocks are reserved for real: where
 * the file system has no fallocate the engine writes its holes, a sparse
 * pool file is filled before it is mapped, and a device that cannot hold
 * the pool refuses it with a message
 *
 * A file system without fallocate or a full device cannot be had here, so
 * this binary defines posix_fallocate itself (the engine's call resolves
 * to it) and makes it pass through, fail as unsupported, or fail as full.
 */
#include <fcntl.h>

#include "internal.h"
#include "ut_pool.h"

#define MIB ((size_t)1 << 20)

static enum { FALLOC_PASS, FALLOC_UNSUPPORTED, FALLOC_FULL } mode;
static unsigned calls;

int
posix_fallocate(int fd, off_t off, off_t len)
{
	calls++;
	switch (mode) {
	case FALLOC_UNSUPPORTED:
		return EOPNOTSUPP;
	case FALLOC_FULL:
		return ENOSPC;
	default:
		return fallocate(fd, 0, off, len) == 0 ? 0 : errno;
	}
}

static char path[PATH_MAX];

/* allocated -- bytes of the file that have blocks */
static unsigned long long
allocated(const char *p)
{
	struct stat st;
	UT_OK(stat(p, &st));
	return (unsigned long long)st.st_blocks * 512;
}


static void
put_keys(VMEMcache *c, uint32_t from, uint32_t to, size_t len)
{
	char *v = ut_malloc(len);
	for (uint32_t k = from; k < to; k++) {
		ut_fill(v, len, k);
		UT_OK(vmemcache_put(c, &k, sizeof(k), v, len));
	}
	free(v);
}

/* test_no_fallocate -- a new pool is written whole instead of left sparse */
static void
test_no_fallocate(void)
{
	snprintf(path, sizeof(path), "%s/nofalloc.pool", ut_tmpdir());
	mode = FALLOC_UNSUPPORTED;
	calls = 0;
	VMEMcache *c = utp_open(path, 8 * MIB, 4096);
	UT_ASSERTm(c != NULL, "%s", vmemcache_errormsg());
	UT_ASSERT(calls >= 1);
	UT_ASSERTm(allocated(path) >= 8 * MIB, "%llu bytes allocated",
			allocated(path));
	put_keys(c, 0, 100, 30000);
	for (uint32_t k = 0; k < 100; k++)
		UT_ASSERT(utp_key_ok(c, k, 30000));
	vmemcache_delete(c);
	UT_OK(unlink(path));
}

/*
 * test_sparse_reattach -- a pool file with a hole (a sparse copy) gets its
 * blocks before it is mapped, with and without fallocate, and keeps its
 * entries
 */
static void
test_sparse_reattach(void)
{
	for (int unsupported = 0; unsupported <= 1; unsupported++) {
		snprintf(path, sizeof(path), "%s/sparse.pool", ut_tmpdir());
		mode = FALLOC_PASS;
		VMEMcache *c = utp_open(path, 8 * MIB, 4096);
		UT_ASSERT(c != NULL);
		put_keys(c, 0, 20, 30000);
		vmemcache_delete(c);

		/* the entries sit at the front; punch the middle out */
		int fd = open(path, O_RDWR);
		UT_ASSERT(fd >= 0);
		UT_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				(off_t)(3 * MIB), (off_t)(3 * MIB)));
		close(fd);
		UT_ASSERT(allocated(path) < 6 * MIB);

		mode = unsupported ? FALLOC_UNSUPPORTED : FALLOC_PASS;
		calls = 0;
		c = utp_open(path, 0, 0);
		UT_ASSERTm(c != NULL, "%s", vmemcache_errormsg());
		UT_ASSERTeq(calls, 1);
		UT_ASSERTm(allocated(path) >= 8 * MIB, "%llu bytes allocated",
				allocated(path));
		struct cellar_reattach rep = utp_report(c);
		UT_ASSERTeq(rep.state, CELLAR_POOL_CLEAN);
		UT_ASSERTeq(rep.entries_recovered, 20);
		for (uint32_t k = 0; k < 20; k++)
			UT_ASSERT(utp_key_ok(c, k, 30000));
		put_keys(c, 20, 200, 30000);
		UT_OK(heap_check(&c->heap));
		vmemcache_delete(c);

		/* a pool with all its blocks is not reserved again */
		mode = FALLOC_PASS;
		calls = 0;
		c = utp_open(path, 0, 0);
		UT_ASSERT(c != NULL);
		UT_ASSERTeq(calls, 0);
		vmemcache_delete(c);
		UT_OK(unlink(path));
	}
}

/*
 * test_device_full -- a pool the device cannot hold is refused with its
 * path and the reason
 */
static void
test_device_full(void)
{
	snprintf(path, sizeof(path), "%s/full.pool", ut_tmpdir());
	mode = FALLOC_FULL;
	VMEMcache *c = utp_open(path, 8 * MIB, 4096);
	UT_ASSERT(c == NULL);
	UT_ASSERTeq(errno, ENOSPC);
	const char *msg = vmemcache_errormsg();
	UT_ASSERTm(strstr(msg, path) != NULL && strstr(msg, "reserve") != NULL,
			"message: %s", msg);
	/* a directory pool is refused the same way */
	c = vmemcache_new();
	UT_ASSERT(c != NULL);
	UT_OK(vmemcache_set_size(c, 8 * MIB));
	UT_ASSERT(vmemcache_add(c, ut_tmpdir()) != 0);
	UT_ASSERTeq(errno, ENOSPC);
	vmemcache_delete(c);
	mode = FALLOC_PASS;
}

int
main(void)
{
	ut_start("test_reserve");
	test_no_fallocate();
	test_sparse_reattach();
	test_device_full();
	return ut_done();
}
