/* SPDX-License-Identifier: Apache-2.0 */
/* pool.c -- mapping pools: directory files, device DAX, anonymous memory, libpmem */
#include "pool.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

/* libpmem, when the machine has it; resolved once at first use */
static struct {
	pthread_once_t once;
	int loaded;
	int (*is_pmem)(const void *addr, size_t len);
	void *(*memcpy_nodrain)(void *dst, const void *src, size_t len);
	void (*drain)(void);
} pmem = {.once = PTHREAD_ONCE_INIT};

/*
 * pmem_load -- dlopens libpmem unless CELLAR_NO_LIBPMEM is set (internal)
 */
static void
pmem_load(void)
{
	const char *off = getenv("CELLAR_NO_LIBPMEM");
	if (off && *off && strcmp(off, "0") != 0)
		return;
	void *h = dlopen("libpmem.so.1", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return;
	pmem.is_pmem = (int (*)(const void *, size_t))dlsym(h, "pmem_is_pmem");
	pmem.memcpy_nodrain = (void *(*)(void *, const void *, size_t))
		dlsym(h, "pmem_memcpy_nodrain");
	pmem.drain = (void (*)(void))dlsym(h, "pmem_drain");
	if (pmem.is_pmem && pmem.memcpy_nodrain && pmem.drain)
		pmem.loaded = 1;
	else
		dlclose(h);
}

static void
copy_plain(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}

static void
copy_pmem(void *dst, const void *src, size_t n)
{
	pmem.memcpy_nodrain(dst, src, n);
}

/*
 * media_setup -- records what the medium is and picks the copy routine
 * (internal)
 */
static void
media_setup(struct pool *p)
{
	pthread_once(&pmem.once, pmem_load);
	p->media.libpmem = pmem.loaded;
	p->copy = copy_plain;
	if (!p->media.dram && pmem.loaded && pmem.is_pmem(p->addr, p->size)) {
		p->media.is_pmem = 1;
		p->copy = copy_pmem;
	}
}

void
pool_drain(const struct pool *p)
{
	if (p->media.is_pmem)
		pmem.drain();
}

/*
 * map_shared -- maps fd, with MAP_SYNC where the medium supports it
 * (internal)
 */
static int
map_shared(struct pool *p, int fd, size_t size)
{
	void *a = mmap(NULL, size, PROT_READ | PROT_WRITE,
			MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
	if (a != MAP_FAILED) {
		p->media.map_sync = 1;
	} else {
		a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (a == MAP_FAILED)
			return err_sys(errno, "mmap");
	}
	p->addr = a;
	p->size = size;
	return 0;
}

/*
 * open_tmpfile -- a new file in dir that nobody else can open and that
 * disappears with the process (internal)
 */
static int
open_tmpfile(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd;
	/* a file system without O_TMPFILE: a named file, unlinked at once */
	char name[PATH_MAX];
	if (snprintf(name, sizeof(name), "%s/cellar.pool.XXXXXX", dir) >=
			(int)sizeof(name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(name, O_CLOEXEC);
	if (fd >= 0)
		unlink(name);
	return fd;
}

/*
 * open_dir -- a pool file of `size` bytes in directory `dir` (internal)
 */
static int
open_dir(struct pool *p, const char *dir, size_t size)
{
	int fd = open_tmpfile(dir);
	if (fd < 0)
		return err_sys(errno, "open");
	/* reserve the blocks now so that a full device fails here, not later
	 * with SIGBUS on a write into the mapping */
	int ret = posix_fallocate(fd, 0, (off_t)size);
	if (ret == EOPNOTSUPP || ret == EINVAL) {
		if (ftruncate(fd, (off_t)size) != 0)
			ret = errno;
		else
			ret = 0;
	}
	if (ret) {
		close(fd);
		return err_set(ret, "cannot reserve a pool of %zu bytes in %s: %s",
				size, dir, strerror(ret));
	}
	ret = map_shared(p, fd, size);
	close(fd);
	return ret;
}

/*
 * devdax_size -- the size of a device-DAX device from sysfs (internal)
 */
static int
devdax_size(const struct stat *st, size_t *size)
{
	char path[128];
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/size",
			major(st->st_rdev), minor(st->st_rdev));
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return err_set(ENODEV, "not a device-DAX device (no %s)", path);
	unsigned long long v = 0;
	int n = fscanf(f, "%llu", &v);
	fclose(f);
	if (n != 1 || v == 0)
		return err_set(ENODEV, "cannot read the size of the device (%s)",
				path);
	*size = (size_t)v;
	return 0;
}

/*
 * open_devdax -- maps a device-DAX device whole or its first `size` bytes
 * (internal)
 */
static int
open_devdax(struct pool *p, const char *path, const struct stat *st,
		size_t size)
{
	size_t dev_size = 0;
	if (devdax_size(st, &dev_size))
		return -1;
	if (size == 0 || size > dev_size)
		size = dev_size;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return err_sys(errno, "open");
	int ret = map_shared(p, fd, size);
	close(fd);
	p->media.devdax = 1;
	return ret;
}

int
pool_open_path(struct pool *p, const char *path, size_t size)
{
	memset(p, 0, sizeof(*p));
	struct stat st;
	if (stat(path, &st) != 0)
		return err_sys(errno, "open");
	int ret;
	if (S_ISCHR(st.st_mode))
		ret = open_devdax(p, path, &st, size);
	else if (!S_ISDIR(st.st_mode))
		ret = err_sys(ENOTDIR, "open");
	else
		ret = open_dir(p, path, size);
	if (ret == 0)
		media_setup(p);
	return ret;
}

int
pool_open_dram(struct pool *p, size_t size)
{
	memset(p, 0, sizeof(*p));
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	if (pages > 0 && page > 0 && size / (size_t)page > (size_t)pages)
		return err_set(ENOMEM,
			"a DRAM pool of %zu bytes exceeds the machine's memory (%zu bytes)",
			size, (size_t)pages * (size_t)page);
	void *a = mmap(NULL, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return err_sys(errno, "mmap");
	p->addr = a;
	p->size = size;
	p->media.dram = 1;
	media_setup(p);
	return 0;
}

void
pool_close(struct pool *p)
{
	if (p->addr)
		munmap(p->addr, p->size);
	p->addr = NULL;
}
