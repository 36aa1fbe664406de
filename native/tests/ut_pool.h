/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ut_pool.h -- helpers for persistent-pool tests: open a pool file, find an
 * entry in a closed pool file, flip bits in it, check a value
 */
#ifndef CELLAR_UT_POOL_H
#define CELLAR_UT_POOL_H 1

#include <fcntl.h>
#include <sys/mman.h>

#include "ut.h"

/*
 * utp_open_owned -- a cache over a persistent pool of owner tag `owner`
 * (NULL: none); NULL (errno set) on failure
 */
static inline VMEMcache *
utp_open_owned(const char *path, size_t size, size_t extent,
		const char *owner)
{
	VMEMcache *c = ut_cache_sized(size, extent);
	if (owner != NULL)
		UT_OK(cellar_set_owner(c, owner, strlen(owner)));
	if (cellar_add_persistent(c, path) != 0) {
		int err = errno;
		vmemcache_delete(c);
		errno = err;
		return NULL;
	}
	return c;
}

/* utp_open -- a cache over a persistent pool; NULL (errno set) on failure */
static inline VMEMcache *
utp_open(const char *path, size_t size, size_t extent)
{
	return utp_open_owned(path, size, extent, NULL);
}

/* utp_report -- the cache's reattach report */
static inline struct cellar_reattach
utp_report(VMEMcache *c)
{
	struct cellar_reattach r;
	UT_OK(cellar_reattach_get(c, &r));
	return r;
}

/* utp_map -- maps a closed pool file; *size gets its size */
static inline unsigned char *
utp_map(const char *path, size_t *size)
{
	int fd = open(path, O_RDWR);
	UT_ASSERT(fd >= 0);
	struct stat st;
	UT_OK(fstat(fd, &st));
	*size = (size_t)st.st_size;
	void *a = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(a != MAP_FAILED);
	close(fd);
	return a;
}

/*
 * utp_find -- offset in a mapped pool of the live entry header of key, or 0
 */
static inline size_t
utp_find(const unsigned char *a, size_t size, size_t extent, const void *key,
	size_t ksize)
{
	for (size_t off = POOL_HDR_SIZE; off + sizeof(struct entry_hdr) <= size;
			off += extent) {
		struct entry_hdr h;
		memcpy(&h, a + off, sizeof(h));
		if (h.magic == ENTRY_MAGIC && h.key_size == ksize &&
				off + sizeof(h) + ksize <= size &&
				memcmp(a + off + sizeof(h), key, ksize) == 0)
			return off;
	}
	return 0;
}

/* utp_flip -- flips one bit of byte `off` of a pool file */
static inline void
utp_flip(const char *path, size_t off, unsigned bit)
{
	size_t size;
	unsigned char *a = utp_map(path, &size);
	UT_ASSERT(off < size);
	a[off] ^= (unsigned char)(1u << bit);
	munmap(a, size);
}

/* utp_write_new -- writes `size` bytes into a new file of mode 0600 */
static inline void
utp_write_new(const char *path, const void *bytes, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	UT_ASSERT(fd >= 0);
	for (size_t off = 0; off < size;) {
		ssize_t n = pwrite(fd, (const char *)bytes + off, size - off,
				(off_t)off);
		UT_ASSERT(n > 0);
		off += (size_t)n;
	}
	close(fd);
}

/* utp_key_ok -- whether key k holds ut_fill(len, k) */
static inline int
utp_key_ok(VMEMcache *c, uint32_t k, size_t len)
{
	char *want = ut_malloc(len), *got = ut_malloc(len);
	ut_fill(want, len, k);
	ssize_t r = vmemcache_get(c, &k, sizeof(k), got, len, 0, NULL);
	int ok = r == (ssize_t)len && memcmp(want, got, len) == 0;
	free(want);
	free(got);
	return ok;
}

#endif /* CELLAR_UT_POOL_H */
