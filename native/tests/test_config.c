/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_config.c -- configuration, vmemcache_add errors, DRAM pools, media
 *
 * engine-api.md section 2, "Configuration", plus cellar_add_dram,
 * cellar_media_get, cellar_errno_name and cellar_abi_version.
 */
#include <fcntl.h>
#include <dirent.h>

#include "ut.h"

#define MIB ((size_t)1 << 20)

/* dir_is_empty -- 1 when the directory holds no entry but . and .. */
static int
dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	UT_ASSERT(d != NULL);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n == 0;
}

/* put_u32_key -- puts a 1-byte value under a 4-byte key (internal) */
static int
put_u32_key(VMEMcache *c, uint32_t k)
{
	char v = (char)k;
	return vmemcache_put(c, &k, sizeof(k), &v, 1);
}

/*
 * test_defaults -- a new cache is LRU with 256 B extents and a 1 MiB pool
 * (its first POOL_HDR_SIZE bytes hold the pool header): one-byte values,
 * one extent each, fill it exactly, the next put evicts the oldest
 */
static void
test_defaults(void)
{
	VMEMcache *c = vmemcache_new();
	UT_ASSERT(c != NULL);
	/* the cache's counters sit on cache lines of their own */
	UT_ASSERTeq((uintptr_t)c % 64, 0);
	UT_OK(vmemcache_add(c, ut_tmpdir()));
	UT_ASSERTeq(ut_pool_size(c), VMEMCACHE_MIN_POOL - POOL_HDR_SIZE);
	UT_ASSERT_EMPTY(c);

	uint32_t n = (uint32_t)(ut_pool_size(c) / VMEMCACHE_MIN_EXTENT);
	for (uint32_t k = 0; k < n; k++)
		UT_OK(put_u32_key(c, k));
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), n);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_POOL_SIZE_USED),
		ut_pool_size(c));

	/* full: LRU (the default) evicts key 0, the oldest */
	UT_OK(put_u32_key(c, n));
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), 1);
	uint32_t k0 = 0, k1 = 1;
	UT_ASSERTeq(vmemcache_exists(c, &k0, sizeof(k0), NULL), 0);
	UT_ASSERTeq(vmemcache_exists(c, &k1, sizeof(k1), NULL), 1);
	vmemcache_delete(c);
	UT_ASSERT(dir_is_empty(ut_tmpdir()));
}

/* test_setters -- bounds of each setter, rounding, EALREADY after add */
static void
test_setters(void)
{
	long page = sysconf(_SC_PAGESIZE);
	VMEMcache *c = vmemcache_new();
	UT_ASSERT(c != NULL);

	UT_ERR(vmemcache_set_size(c, 0), EINVAL);
	UT_ERR(vmemcache_set_size(c, VMEMCACHE_MIN_POOL - 1), EINVAL);
	UT_ERR(vmemcache_set_size(c, (size_t)1 << 56), EINVAL);
	UT_ERR(vmemcache_set_size(c, ((size_t)1 << 56) + 4096), EINVAL);
	UT_ERR(vmemcache_set_size(c, SIZE_MAX), EINVAL);
	UT_OK(vmemcache_set_size(c, ((size_t)1 << 56) - (size_t)page));
	UT_OK(vmemcache_set_size(c, VMEMCACHE_MIN_POOL));

	UT_ERR(vmemcache_set_extent_size(c, 0), EINVAL);
	UT_ERR(vmemcache_set_extent_size(c, VMEMCACHE_MIN_EXTENT - 1), EINVAL);
	UT_OK(vmemcache_set_extent_size(c, VMEMCACHE_MIN_EXTENT));
	UT_OK(vmemcache_set_extent_size(c, 4096));

	UT_ERR(vmemcache_set_eviction_policy(c, VMEMCACHE_REPLACEMENT_NUM),
		EINVAL);
	UT_ERR(vmemcache_set_eviction_policy(c, (enum vmemcache_repl_p)77),
		EINVAL);
	UT_OK(vmemcache_set_eviction_policy(c, VMEMCACHE_REPLACEMENT_NONE));
	UT_OK(vmemcache_set_eviction_policy(c, VMEMCACHE_REPLACEMENT_LRU));

	/* rounded up to the page size */
	UT_OK(vmemcache_set_size(c, VMEMCACHE_MIN_POOL + 1));
	UT_OK(vmemcache_add(c, ut_tmpdir()));
	UT_ASSERTeq(ut_pool_size(c),
		VMEMCACHE_MIN_POOL + (size_t)page - POOL_HDR_SIZE);

	/* every setter refuses once the cache has a pool, valid or not */
	UT_ERR(vmemcache_set_size(c, 2 * MIB), EALREADY);
	UT_ERR(vmemcache_set_size(c, 1), EALREADY);
	UT_ERR(vmemcache_set_extent_size(c, 256), EALREADY);
	UT_ERR(vmemcache_set_eviction_policy(c, VMEMCACHE_REPLACEMENT_LRU),
		EALREADY);
	UT_ERR(vmemcache_set_eviction_policy(c, VMEMCACHE_REPLACEMENT_NONE),
		EALREADY);

	/* a second pool of either kind */
	UT_ERR(vmemcache_add(c, ut_tmpdir()), EBUSY);
	UT_ERR(cellar_add_dram(c), EBUSY);
	vmemcache_delete(c);

	/* the same after a DRAM pool */
	c = vmemcache_new();
	UT_OK(cellar_add_dram(c));
	UT_ERR(vmemcache_set_size(c, 2 * MIB), EALREADY);
	UT_ERR(vmemcache_set_extent_size(c, 512), EALREADY);
	UT_ERR(vmemcache_set_eviction_policy(c, VMEMCACHE_REPLACEMENT_NONE),
		EALREADY);
	UT_ERR(vmemcache_add(c, ut_tmpdir()), EBUSY);
	UT_ERR(cellar_add_dram(c), EBUSY);
	vmemcache_delete(c);

	vmemcache_delete(NULL);
}

/* test_extent_larger_than_pool -- fails at add with EINVAL */
static void
test_extent_larger_than_pool(void)
{
	VMEMcache *c = vmemcache_new();
	UT_OK(vmemcache_set_size(c, MIB));
	UT_OK(vmemcache_set_extent_size(c, 2 * MIB));
	UT_ERR(vmemcache_add(c, ut_tmpdir()), EINVAL);
	UT_ASSERT(strlen(vmemcache_errormsg()) > 0);
	vmemcache_delete(c);

	c = vmemcache_new();
	UT_OK(vmemcache_set_extent_size(c, 2 * MIB)); /* default 1 MiB pool */
	UT_ERR(cellar_add_dram(c), EINVAL);
	vmemcache_delete(c);
	UT_ASSERT(dir_is_empty(ut_tmpdir()));
}

/*
 * extent_pool_round_trip -- a cache whose extent is the whole pool, added
 * by `add`: the pool holds that one extent; the largest value that fits
 * round-trips, one byte more does not fit, and a second put evicts the
 * first (internal)
 */
static void
extent_pool_round_trip(size_t extent, int (*add)(VMEMcache *c))
{
	VMEMcache *c = vmemcache_new();
	UT_OK(vmemcache_set_size(c, VMEMCACHE_MIN_POOL));
	UT_OK(vmemcache_set_extent_size(c, extent));
	UT_OK(add(c));
	/* the pool header does not come out of the one extent */
	size_t whole = (extent + VALUE_ALIGN - 1) / VALUE_ALIGN * VALUE_ALIGN;
	UT_ASSERTeq(ut_pool_size(c), whole);
	UT_ASSERT_EMPTY(c);

	uint32_t k0 = 0, k1 = 1;
	size_t max = whole - (size_t)entry_hdr_size(sizeof(k0));
	char *v = ut_malloc(max + 1);
	char *back = ut_malloc(max + 1);
	ut_fill(v, max + 1, 7);
	UT_ERR(vmemcache_put(c, &k0, sizeof(k0), v, max + 1), ENOSPC);
	UT_OK(vmemcache_put(c, &k0, sizeof(k0), v, max));
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_POOL_SIZE_USED), whole);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_HEAP_ENTRIES), 0);
	size_t vsize = 0;
	UT_ASSERTeq(vmemcache_get(c, &k0, sizeof(k0), back, max + 1, 0, &vsize),
		max);
	UT_ASSERTeq(vsize, max);
	UT_ASSERT(memcmp(v, back, max) == 0);

	UT_OK(vmemcache_put(c, &k1, sizeof(k1), v + 1, max));
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), 1);
	UT_ASSERTeq(vmemcache_exists(c, &k0, sizeof(k0), NULL), 0);
	UT_ASSERTeq(vmemcache_get(c, &k1, sizeof(k1), back, max, 0, NULL),
		max);
	UT_ASSERT(memcmp(v + 1, back, max) == 0);
	UT_OK(vmemcache_evict(c, &k1, sizeof(k1)));
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_POOL_SIZE_USED), 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_HEAP_ENTRIES), 1);
	free(back);
	free(v);
	vmemcache_delete(c);
}

static int
add_tmpdir(VMEMcache *c)
{
	return vmemcache_add(c, ut_tmpdir());
}

/*
 * test_extent_equals_pool -- as libvmemcache, an extent as large as the
 * pool is accepted (its header is mapped on top), and one byte more is not
 */
static void
test_extent_equals_pool(void)
{
	extent_pool_round_trip(VMEMCACHE_MIN_POOL, add_tmpdir);
	extent_pool_round_trip(VMEMCACHE_MIN_POOL, cellar_add_dram);
	/* too large for the pool less its header, and not 16-byte aligned */
	extent_pool_round_trip(VMEMCACHE_MIN_POOL - POOL_HDR_SIZE + 1,
		add_tmpdir);

	VMEMcache *c = vmemcache_new();
	UT_OK(vmemcache_set_size(c, VMEMCACHE_MIN_POOL));
	UT_OK(vmemcache_set_extent_size(c, VMEMCACHE_MIN_POOL + 1));
	UT_ERR(vmemcache_add(c, ut_tmpdir()), EINVAL);
	vmemcache_delete(c);
	UT_ASSERT(dir_is_empty(ut_tmpdir()));
}

/* test_bad_paths -- NULL, regular file, missing, read-only */
static void
test_bad_paths(void)
{
	VMEMcache *c = vmemcache_new();

	UT_ERR(vmemcache_add(c, NULL), EINVAL);
	UT_ASSERTm(strcmp(vmemcache_errormsg(), "invalid (NULL) path") == 0,
		"message \"%s\"", vmemcache_errormsg());

	char file[512];
	snprintf(file, sizeof(file), "%s/regular", ut_tmpdir());
	int fd = open(file, O_CREAT | O_RDWR, 0600);
	UT_ASSERT(fd >= 0);
	close(fd);
	UT_ERR(vmemcache_add(c, file), ENOTDIR);
	UT_ASSERTm(strcmp(vmemcache_errormsg(), "open: Not a directory") == 0,
		"message \"%s\"", vmemcache_errormsg());
	unlink(file);

	char missing[512];
	snprintf(missing, sizeof(missing), "%s/no/such/dir", ut_tmpdir());
	UT_ERR(vmemcache_add(c, missing), ENOENT);
	UT_ASSERTm(strlen(vmemcache_errormsg()) > 0 &&
		strcmp(vmemcache_errormsg(), "open: Not a directory") != 0,
		"message \"%s\"", vmemcache_errormsg());

	if (geteuid() != 0) {
		char ro[512];
		snprintf(ro, sizeof(ro), "%s/ro", ut_tmpdir());
		UT_OK(mkdir(ro, 0500));
		UT_ERR(vmemcache_add(c, ro), EACCES);
		UT_ASSERT(strlen(vmemcache_errormsg()) > 0);
		chmod(ro, 0700);
		rmdir(ro);
		UT_OUT("read-only dir (mode 0500): EACCES \"%s\"",
			vmemcache_errormsg());
	} else {
		/* root bypasses modes: a directory no file can be made in */
		errno = 0;
		int r = vmemcache_add(c, "/proc/self");
		int e = errno;
		UT_ASSERTeq(r, -1);
		UT_ASSERTne(e, 0);
		UT_ASSERT(strlen(vmemcache_errormsg()) > 0);
		UT_OUT("euid 0, /proc/self instead of a 0500 dir: %s \"%s\"",
			cellar_errno_name(e), vmemcache_errormsg());
	}

	/* after all those failures the cache still takes a good path */
	UT_OK(vmemcache_add(c, ut_tmpdir()));
	UT_OK(vmemcache_put(c, "k", 1, "v", 1));
	UT_ASSERTeq(vmemcache_exists(c, "k", 1, NULL), 1);
	vmemcache_delete(c);
}

/* test_too_large -- a pool beyond the free space fails cleanly */
static void
test_too_large(void)
{
	size_t huge = (size_t)1 << 55;
	VMEMcache *c = vmemcache_new();
	UT_OK(vmemcache_set_size(c, huge));
	errno = 0;
	int r = vmemcache_add(c, ut_tmpdir());
	int e = errno;
	UT_ASSERTeq(r, -1);
	UT_ASSERTm(e == ENOSPC || e == ENOMEM || e == EFBIG,
		"errno %s", cellar_errno_name(e));
	UT_ASSERT(strlen(vmemcache_errormsg()) > 0);
	UT_OUT("2^55 B pool in %s: %s \"%s\"", ut_tmpdir(),
		cellar_errno_name(e), vmemcache_errormsg());
	vmemcache_delete(c);
	UT_ASSERT(dir_is_empty(ut_tmpdir()));

	c = vmemcache_new();
	UT_OK(vmemcache_set_size(c, huge));
	errno = 0;
	r = cellar_add_dram(c);
	e = errno;
	UT_ASSERTeq(r, -1);
	UT_ASSERTm(e == ENOMEM || e == ENOSPC, "errno %s",
		cellar_errno_name(e));
	UT_ASSERT(strlen(vmemcache_errormsg()) > 0);
	vmemcache_delete(c);

	/* the process is fine: a normal cache works */
	c = ut_cache_new(2 * MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	char buf[4];
	UT_OK(vmemcache_put(c, "key", 3, "val", 3));
	UT_ASSERTeq(vmemcache_get(c, "key", 3, buf, sizeof(buf), 0, NULL), 3);
	UT_ASSERT(memcmp(buf, "val", 3) == 0);
	vmemcache_delete(c);
}

/* test_dram -- cellar_add_dram sizes and use */
static void
test_dram(void)
{
	VMEMcache *c = vmemcache_new();
	UT_OK(cellar_add_dram(c));
	UT_ASSERTeq(ut_pool_size(c), VMEMCACHE_MIN_POOL - POOL_HDR_SIZE);
	UT_ASSERT_EMPTY(c);
	struct cellar_media m;
	UT_OK(cellar_media_get(c, &m));
	UT_ASSERTeq(m.dram, 1);
	UT_ASSERTeq(m.devdax, 0);
	UT_ASSERTeq(m.is_pmem, 0);
	UT_ASSERTeq(m.map_sync, 0);
	vmemcache_delete(c);

	c = ut_cache_new(3 * MIB, 1024, VMEMCACHE_REPLACEMENT_LRU, 1);
	UT_ASSERTeq(ut_pool_size(c), 3 * MIB - POOL_HDR_SIZE);
	char *v = ut_malloc(MIB);
	char *out = ut_malloc(MIB);
	ut_fill(v, MIB, 7);
	UT_OK(vmemcache_put(c, "a", 1, v, MIB));
	size_t vs = 0;
	UT_ASSERTeq(vmemcache_get(c, "a", 1, out, MIB, 0, &vs), MIB);
	UT_ASSERTeq(vs, MIB);
	UT_ASSERT(memcmp(v, out, MIB) == 0);
	UT_OK(vmemcache_evict(c, "a", 1));
	UT_ASSERT_EMPTY(c);
	free(v);
	free(out);
	vmemcache_delete(c);
}

/* test_media -- cellar_media_get argument checks and a file pool */
static void
test_media(void)
{
	struct cellar_media m;
	VMEMcache *c = vmemcache_new();
	UT_ERR(cellar_media_get(c, &m), EINVAL);
	UT_OK(vmemcache_add(c, ut_tmpdir()));
	UT_ERR(cellar_media_get(c, NULL), EINVAL);
	UT_ERR(cellar_media_get(NULL, &m), EINVAL);
	memset(&m, 0x55, sizeof(m));
	UT_OK(cellar_media_get(c, &m));
	UT_ASSERTeq(m.dram, 0);
	UT_ASSERTeq(m.devdax, 0);
	UT_ASSERT(m.libpmem == 0 || m.libpmem == 1);
	UT_ASSERT(m.map_sync == 0 || m.map_sync == 1);
	UT_ASSERT(m.is_pmem == 0 || m.is_pmem == 1);
	if (strncmp(ut_tmpdir(), "/dev/shm/", 9) == 0) {
		/* tmpfs is no DAX file system */
		UT_ASSERTeq(m.is_pmem, 0);
		UT_ASSERTeq(m.map_sync, 0);
	}
	UT_OUT("media of %s: dram %d devdax %d libpmem %d is_pmem %d "
		"map_sync %d", ut_tmpdir(), m.dram, m.devdax, m.libpmem,
		m.is_pmem, m.map_sync);
	vmemcache_delete(c);

	struct cellar_stats st;
	c = vmemcache_new();
	UT_ERR(cellar_stats_get(c, NULL), EINVAL);
	UT_ERR(cellar_stats_get(NULL, &st), EINVAL);
	vmemcache_delete(c);
}

/* test_names -- cellar_errno_name and cellar_abi_version */
static void
test_names(void)
{
	static const struct { int e; const char *name; } names[] = {
		{EINVAL, "EINVAL"}, {ENOENT, "ENOENT"}, {EEXIST, "EEXIST"},
		{ENOSPC, "ENOSPC"}, {ESRCH, "ESRCH"}, {EBUSY, "EBUSY"},
		{EALREADY, "EALREADY"}, {ENOTDIR, "ENOTDIR"},
		{ENOMEM, "ENOMEM"}, {EACCES, "EACCES"}, {EROFS, "EROFS"},
		{EFBIG, "EFBIG"}, {EIO, "EIO"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *n = cellar_errno_name(names[i].e);
		UT_ASSERT(n != NULL);
		UT_ASSERTm(strcmp(n, names[i].name) == 0, "%d -> %s",
			names[i].e, n);
	}
	UT_ASSERT(strcmp(cellar_errno_name(-1), "E?") == 0);
	UT_ASSERT(strcmp(cellar_errno_name(999999), "E?") == 0);
	UT_ASSERTeq(cellar_abi_version(), CELLAR_ABI_VERSION);
}

/* err_thread -- makes an error in another thread (internal) */
static void *
err_thread(void *arg)
{
	VMEMcache *c = arg;
	UT_ERR(vmemcache_add(c, NULL), EINVAL);
	UT_ASSERT(strcmp(vmemcache_errormsg(), "invalid (NULL) path") == 0);
	return NULL;
}

/* test_errormsg_per_thread -- one thread's error leaves another's message */
static void
test_errormsg_per_thread(void)
{
	VMEMcache *c = vmemcache_new();
	char file[512];
	snprintf(file, sizeof(file), "%s/regular2", ut_tmpdir());
	int fd = open(file, O_CREAT | O_RDWR, 0600);
	UT_ASSERT(fd >= 0);
	close(fd);
	UT_ERR(vmemcache_add(c, file), ENOTDIR);
	pthread_t t;
	UT_OK(pthread_create(&t, NULL, err_thread, c));
	UT_OK(pthread_join(t, NULL));
	UT_ASSERT(strcmp(vmemcache_errormsg(), "open: Not a directory") == 0);
	unlink(file);
	vmemcache_delete(c);
}

int
main(void)
{
	ut_start("test_config");
	test_defaults();
	test_setters();
	test_extent_larger_than_pool();
	test_extent_equals_pool();
	test_bad_paths();
	test_too_large();
	test_dram();
	test_media();
	test_names();
	test_errormsg_per_thread();
	UT_OUT("device-DAX paths not checked: no device on this machine");
	return ut_done();
}
