/* SPDX-License-Identifier: Apache-2.0 */
/* pool.c -- mapping pools: directory files, device DAX, anonymous memory, libpmem */
#include "pool.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "format.h"
#include "util.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* the transparent huge page a prefault rounds its end up to */
#define HUGE_PAGE ((uintptr_t)2 << 20)

/* libpmem, when the machine has it; resolved once at first use */
static struct {
	pthread_once_t once;
	int loaded;
	int (*is_pmem)(const void *addr, size_t len);
	void *(*memcpy_nodrain)(void *dst, const void *src, size_t len);
	void (*drain)(void);
	void (*persist)(const void *addr, size_t len);
} pmem = {.once = PTHREAD_ONCE_INIT};

/*
 * dl_error_clear -- consumes and releases the thread's pending dl error, if
 * any: the first dlerror() formats it, the second frees it (internal)
 */
static void
dl_error_clear(void)
{
	(void) dlerror();
	(void) dlerror();
}

/*
 * pmem_load -- dlopens libpmem unless CELLAR_NO_LIBPMEM is set (internal)
 *
 * A failed dlopen leaves an error in the thread's dlerror state, and glibc
 * frees it at the next dl call. A program that interposes malloc, realloc
 * and free and looks the real ones up with dlsym at their first call
 * (vmemcache's heap-usage test does) breaks if that first call comes while
 * the error is pending: the dlsym frees the error through the interposed
 * free, which recurses without end or frees it under dlerror's feet. So the
 * three are used once before the probe, which makes such a program resolve
 * them, and the error is consumed and released after it (dl_error_clear;
 * formatting the message takes malloc, realloc and free). Nothing of the
 * probe stays on the heap or in the dlerror state.
 */
static void
pmem_load(void)
{
	const char *off = getenv("CELLAR_NO_LIBPMEM");
	if (off && *off && strcmp(off, "0") != 0)
		return;
	void *volatile warm = malloc(1);
	void *grown = realloc(warm, 2);
	free(grown ? grown : warm);
	void *h = dlopen("libpmem.so.1", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		dl_error_clear();
		return;
	}
	pmem.is_pmem = (int (*)(const void *, size_t))dlsym(h, "pmem_is_pmem");
	pmem.memcpy_nodrain = (void *(*)(void *, const void *, size_t))
		dlsym(h, "pmem_memcpy_nodrain");
	pmem.drain = (void (*)(void))dlsym(h, "pmem_drain");
	pmem.persist = (void (*)(const void *, size_t))dlsym(h, "pmem_persist");
	if (pmem.is_pmem && pmem.memcpy_nodrain && pmem.drain)
		pmem.loaded = 1;
	else
		dlclose(h);
	/* a libpmem without one of the symbols */
	dl_error_clear();
}

static void
copy_plain(void *dst, const void *src, size_t n)
{
	copy_sliced(dst, src, n);
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
 * fill_holes -- writes zeros into the holes of a file's first `size` bytes,
 * so that the file system allocates their blocks; for file systems without
 * fallocate. Holes read as zeros, so the file's contents do not change.
 * 0 or an errno (internal)
 */
static int
fill_holes(int fd, size_t size)
{
	const size_t chunk = (size_t)1 << 20;
	char *zeros = zalloc(1, chunk);
	if (zeros == NULL)
		return ENOMEM;
	int ret = 0;
	off_t off = 0;
	while (ret == 0 && (size_t)off < size) {
		off_t hole = lseek(fd, off, SEEK_HOLE);
		if (hole < 0) {
			ret = errno;
			break;
		}
		if ((size_t)hole >= size)
			break;
		off_t data = lseek(fd, hole, SEEK_DATA);
		if (data < 0 && errno != ENXIO) {
			ret = errno;
			break;
		}
		off_t end = data < 0 || (size_t)data > size ? (off_t)size : data;
		for (off = hole; off < end;) {
			size_t n = (size_t)(end - off) < chunk ? (size_t)(end - off)
				: chunk;
			ssize_t w = pwrite(fd, zeros, n, off);
			if (w <= 0) {
				ret = w < 0 ? errno : EIO;
				break;
			}
			off += w;
		}
	}
	free(zeros);
	return ret;
}

/*
 * reserve -- gives the first `size` bytes of a file blocks for real, so
 * that a full device fails here, not later with SIGBUS on a store into
 * the mapping: fallocate, or where the file system has none, zeros written
 * into every hole; a file still sparse after that is refused (internal)
 */
static int
reserve(int fd, size_t size, const char *path)
{
	int ret = posix_fallocate(fd, 0, (off_t)size);
	if (ret == EOPNOTSUPP || ret == EINVAL) {
		struct stat st;
		ret = fstat(fd, &st) != 0 ? errno : 0;
		if (ret == 0 && (size_t)st.st_size < size &&
				ftruncate(fd, (off_t)size) != 0)
			ret = errno;
		if (ret == 0)
			ret = fill_holes(fd, size);
	}
	if (ret)
		return err_set(ret, "cannot reserve a pool of %zu bytes in %s: %s",
				size, path, strerror(ret));
	struct stat st;
	if (fstat(fd, &st) != 0)
		return err_sys(errno, "fstat");
	if ((uint64_t)st.st_blocks * 512 < size)
		return err_set(ENOSPC,
			"cannot reserve a pool of %zu bytes in %s: the file system allocated only %llu bytes of it, and a store into a hole of the mapping fails with SIGBUS once the device is full",
			size, path, (unsigned long long)st.st_blocks * 512);
	return 0;
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
	int ret = reserve(fd, size, dir);
	if (ret) {
		close(fd);
		return ret;
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
	p->fd = -1;
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
	p->fd = -1;
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	if (pages > 0 && page > 0 && size / (size_t)page > (size_t)pages)
		return err_set(ENOMEM,
			"a DRAM pool of %zu bytes exceeds the machine's memory (%zu bytes)",
			size, (size_t)pages * (size_t)page);
	void *a = mmap(NULL, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return err_sys(errno, "mmap");
	/*
	 * No huge page advice here: with the kernel's "defrag=madvise" a fault
	 * in an advised range compacts memory until it finds 2 MiB, and a put
	 * that filled fresh pool memory so ran at a sixth of its speed on a
	 * fragmented machine. pool_prefault() gives the advice as it commits
	 * the pool ahead of the puts, off their path.
	 */
	p->addr = a;
	p->size = size;
	p->media.dram = 1;
	media_setup(p);
	return 0;
}

int
pool_prefault(const struct pool *p, size_t off, size_t len, size_t *end)
{
	if (!p->media.dram)
		return err_set(ENOTSUP,
			"only a DRAM pool is committed ahead of its puts");
	if (off >= p->size) {
		*end = p->size;
		return 0;
	}
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t page = pg > 0 ? (uintptr_t)pg : 4096;
	uintptr_t base = (uintptr_t)p->addr;
	uintptr_t limit = (base + p->size + page - 1) & ~(page - 1);
	uintptr_t from = (base + off) & ~(page - 1);
	uintptr_t to = base + off + (len < p->size - off ? len : p->size - off);
	/* end where a huge page ends, so that the next range starts on one */
	to = (to + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (to > limit || to < from)
		to = limit;
	/* advice only: a kernel without transparent huge pages refuses it */
	(void) madvise((void *)from, to - from, MADV_HUGEPAGE);
	int r;
	do {
		r = madvise((void *)from, to - from, MADV_POPULATE_WRITE);
	} while (r != 0 && errno == EINTR);
	if (r != 0) {
		if (errno == EINVAL)
			return err_set(ENOTSUP, "this kernel cannot commit memory"
				" ahead of use (MADV_POPULATE_WRITE needs Linux"
				" 5.14)");
		return err_sys(errno, "madvise(MADV_POPULATE_WRITE)");
	}
	*end = to - base < p->size ? to - base : p->size;
	return 0;
}

void
pool_close(struct pool *p)
{
	if (p->addr)
		munmap(p->addr, p->size);
	p->addr = NULL;
	if (p->fd >= 0)
		close(p->fd); /* releases the lock */
	p->fd = -1;
}

/* most cellar-<n>.pool names a directory pool looks at */
#define POOL_FILES_MAX 4096u

/* the result of open_locked when the file exists but is not Cellar's to adopt */
#define NOT_OURS (-2)

/*
 * check_ours -- whether the open file or directory fd may be adopted as a
 * pool: owned by this process's user and writable by no other; else -1
 * with EPERM and a message that names it and says why (internal)
 */
static int
check_ours(int fd, const char *what, const char *path)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return err_sys(errno, "fstat");
	uid_t me = geteuid();
	if (st.st_uid != me)
		return err_set(EPERM,
			"%s %s belongs to uid %u, not to this process's user (uid %u); Cellar adopts only pools its own user made",
			what, path, (unsigned)st.st_uid, (unsigned)me);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return err_set(EPERM,
			"%s %s is writable by %s (mode %04o); Cellar adopts only pools that no other user can write (chmod go-w, or remove it)",
			what, path,
			(st.st_mode & S_IWOTH) ? "all users" : "its group",
			(unsigned)(st.st_mode & 07777));
	return 0;
}

/*
 * open_locked -- opens `name` relative to dirfd (creating it, O_EXCL, with
 * `create`), never through a symbolic link, and takes its lock without
 * waiting; `shown` names it in messages. The fd; NOT_OURS when the file is
 * not ours to adopt (message set); or -1 with errno ELOOP for a link,
 * EWOULDBLOCK when another holds the lock, ESTALE when the file was renamed
 * away meanwhile (internal)
 */
static int
open_locked(int dirfd, const char *name, const char *shown, int create)
{
	int fd = openat(dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW |
			(create ? O_CREAT | O_EXCL : 0), 0600);
	if (fd < 0)
		return -1;
	if (check_ours(fd, "pool file", shown)) {
		close(fd);
		return NOT_OURS;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	/* the holder may have set the file aside between our open and lock */
	struct stat a, b;
	if (fstat(fd, &a) != 0 ||
			fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) != 0 ||
			a.st_ino != b.st_ino || a.st_dev != b.st_dev ||
			!S_ISREG(a.st_mode)) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

/* what a directory pool's candidate file holds (internal) */
enum candidate { EMPTY, CONTENTS, FOREIGN };

/*
 * look_at -- whether a locked pool file is another owner's (its intact
 * header names another), may hold entries (a header that was not closed
 * clean, or one closed with entries) or is empty (internal)
 */
static enum candidate
look_at(int fd, const uint8_t *owner)
{
	struct pool_hdr h;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return EMPTY;
	if (pool_hdr_foreign(&h, owner))
		return FOREIGN;
	if (memcmp(h.magic, POOL_MAGIC, sizeof(h.magic)) != 0)
		return EMPTY;
	return h.state != POOL_STATE_CLEAN || h.entries > 0 ? CONTENTS : EMPTY;
}

/*
 * pool_number -- n of a name "cellar-<n>.pool", or -1 (internal)
 */
static long
pool_number(const char *name)
{
	unsigned n;
	char check[64];
	if (sscanf(name, "cellar-%u.pool", &n) != 1 || n >= POOL_FILES_MAX)
		return -1;
	snprintf(check, sizeof(check), "cellar-%u.pool", n);
	return strcmp(check, name) == 0 ? (long)n : -1;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

/*
 * name_in -- dir/cellar-<n>.pool into out, and cellar-<n>.pool into
 * base[64] (internal)
 */
static int
name_in(char *out, char *base, const char *dir, long n)
{
	snprintf(base, 64, "cellar-%ld.pool", n);
	if (snprintf(out, PATH_MAX, "%s/%s", dir, base) >= PATH_MAX)
		return err_set(ENAMETOOLONG, "pool directory path too long: %s",
				dir);
	return 0;
}

/*
 * open_in_dir -- the locked pool file of a directory pool; the directory
 * must be ours (check_ours), and its files are opened relative to it, so
 * that a rename of the path meanwhile cannot redirect them (internal)
 */
static int
open_in_dir(struct pool *p, const char *dir, const uint8_t *owner)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_sys(errno, "open");
	if (check_ours(dfd, "pool directory", dir)) {
		close(dfd);
		return -1;
	}
	int lfd = dup(dfd);
	DIR *d = lfd < 0 ? NULL : fdopendir(lfd);
	if (d == NULL) {
		int err = errno;
		if (lfd >= 0)
			close(lfd);
		close(dfd);
		return err_sys(err, "open");
	}
	long *nums = malloc(POOL_FILES_MAX * sizeof(*nums));
	if (nums == NULL) {
		closedir(d);
		close(dfd);
		return err_set(ENOMEM, "out of memory");
	}
	size_t count = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && count < POOL_FILES_MAX) {
		long n = pool_number(de->d_name);
		if (n >= 0)
			nums[count++] = n;
	}
	closedir(d);
	qsort(nums, count, sizeof(*nums), cmp_long);

	char name[PATH_MAX];
	char base[64];
	int fd = -1;
	/*
	 * a file that is a link, not ours, another owner's pool or locked is
	 * passed over
	 */
	for (size_t i = 0; i < count; i++) {
		if (name_in(name, base, dir, nums[i]))
			goto fail;
		int f = open_locked(dfd, base, name, 0);
		if (f < 0)
			continue;
		enum candidate what = look_at(f, owner);
		if (what == FOREIGN || (fd >= 0 && what == EMPTY)) {
			close(f);
			continue;
		}
		/* keep the first lockable file, unless a later one has contents */
		if (fd >= 0)
			close(fd);
		fd = f;
		memcpy(p->path, name, sizeof(name));
		if (what == CONTENTS)
			break;
	}
	/* none: the lowest free name; a racing process may take it first */
	for (long n = 0; fd < 0 && n < (long)POOL_FILES_MAX; n++) {
		if (bsearch(&n, nums, count, sizeof(*nums), cmp_long))
			continue;
		if (name_in(name, base, dir, n))
			goto fail;
		fd = open_locked(dfd, base, name, 1);
		if (fd >= 0) {
			memcpy(p->path, name, sizeof(name));
			break;
		}
		if (fd == NOT_OURS)
			goto fail;
		if (errno != EEXIST && errno != EWOULDBLOCK && errno != ESTALE) {
			err_sys(errno, "open");
			goto fail;
		}
	}
	free(nums);
	close(dfd);
	if (fd < 0)
		return err_set(EBUSY, "every pool file name in %s is taken", dir);
	p->fd = fd;
	return 0;
fail:
	free(nums);
	close(dfd);
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * open_one -- the locked pool file of an explicit path (internal)
 */
static int
open_one(struct pool *p, const char *path)
{
	if (strlen(path) >= PATH_MAX)
		return err_set(ENAMETOOLONG, "pool file path too long");
	for (int attempt = 0; attempt < 8; attempt++) {
		int fd = open_locked(AT_FDCWD, path, path, 0);
		if (fd == -1 && errno == ENOENT)
			fd = open_locked(AT_FDCWD, path, path, 1);
		if (fd >= 0) {
			p->fd = fd;
			snprintf(p->path, sizeof(p->path), "%s", path);
			return 0;
		}
		if (fd == NOT_OURS)
			return -1;
		if (errno == ELOOP)
			return err_set(ELOOP,
				"pool file %s is a symbolic link; Cellar opens a pool file only by its own name",
				path);
		if (errno == EWOULDBLOCK)
			return err_set(EBUSY,
				"pool file %s is locked by another process or cache",
				path);
		if (errno != EEXIST && errno != ESTALE)
			return err_sys(errno, "open");
	}
	return err_set(EBUSY, "pool file %s keeps changing under us", path);
}

int
pool_open_file(struct pool *p, const char *path, size_t size,
		const uint8_t *owner)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	struct stat st;
	int ret;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		ret = open_in_dir(p, path, owner);
	} else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		ret = err_set(EINVAL,
			"a persistent pool is a directory or a regular file; %s is neither",
			path);
	} else {
		ret = open_one(p, path);
	}
	if (ret)
		return ret;
	if (fstat(p->fd, &st) != 0) {
		ret = err_sys(errno, "fstat");
		goto fail;
	}
	size_t have = (size_t)st.st_size;
	if (have == 0) {
		if ((ret = reserve(p->fd, size, p->path)) != 0)
			goto fail;
		have = size;
		p->created = 1;
	} else if ((uint64_t)st.st_blocks * 512 < have &&
			(ret = reserve(p->fd, have, p->path)) != 0) {
		/* a sparse pool (copied, or made where fallocate was missing) */
		goto fail;
	}
	if ((ret = map_shared(p, p->fd, have)) != 0)
		goto fail;
	media_setup(p);
	return 0;
fail:
	close(p->fd);
	p->fd = -1;
	return ret;
}

/* set-aside files kept per pool file for inspection; older ones are removed */
#define SET_ASIDE_KEPT 3

struct aside {
	long long secs;
	int pid;
	char *name;
};

static int
cmp_aside_newest_first(const void *a, const void *b)
{
	const struct aside *x = a, *y = b;
	if (x->secs != y->secs)
		return x->secs < y->secs ? 1 : -1;
	return (x->pid < y->pid) - (x->pid > y->pid);
}

/*
 * prune_set_aside -- removes all but the SET_ASIDE_KEPT newest files
 * <file>.bad-<seconds>-<pid> beside `file` that are regular files of ours;
 * best effort: a file it cannot remove stays (internal)
 */
static void
prune_set_aside(const char *file)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(file, '/');
	const char *base = slash ? slash + 1 : file;
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == file)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - file), file);
	char prefix[NAME_MAX + 8];
	if (snprintf(prefix, sizeof(prefix), "%s.bad-", base) >=
			(int)sizeof(prefix))
		return;
	size_t plen = strlen(prefix);

	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct aside *all = NULL;
	size_t count = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && count < POOL_FILES_MAX) {
		struct aside a;
		int used = 0;
		if (strncmp(de->d_name, prefix, plen) != 0 ||
				sscanf(de->d_name + plen, "%lld-%d%n", &a.secs,
					&a.pid, &used) != 2 ||
				de->d_name[plen + (size_t)used] != '\0')
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
				!S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct aside *n = realloc(all, ncap * sizeof(*all));
			if (n == NULL)
				break;
			all = n;
			cap = ncap;
		}
		if ((a.name = strdup(de->d_name)) == NULL)
			break;
		all[count++] = a;
	}
	qsort(all, count, sizeof(*all), cmp_aside_newest_first);
	for (size_t i = 0; i < count; i++) {
		if (i >= SET_ASIDE_KEPT)
			(void) unlinkat(dirfd(d), all[i].name, 0);
		free(all[i].name);
	}
	free(all);
	closedir(d);
}

int
pool_set_aside(struct pool *p, char *bad)
{
	int ret = 0;
	if (snprintf(bad, PATH_MAX, "%s.bad-%lld-%d", p->path,
			(long long)time(NULL), (int)getpid()) >= PATH_MAX ||
			rename(p->path, bad) != 0) {
		ret = err_sys(errno ? errno : ENAMETOOLONG, "rename");
		/* it cannot be set aside: an unlink still gives a fresh file */
		if (unlink(p->path) == 0) {
			snprintf(bad, PATH_MAX, "(removed)");
			ret = 0;
		}
	} else {
		prune_set_aside(p->path);
	}
	pool_close(p);
	return ret;
}

int
pool_persist(const struct pool *p, size_t off, size_t len)
{
	if (p->addr == NULL || p->media.dram || len == 0)
		return 0;
	if (p->media.is_pmem && pmem.persist) {
		pmem.persist(p->addr + off, len);
		return 0;
	}
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t start = off / page * page;
	if (msync(p->addr + start, off + len - start, MS_SYNC) != 0)
		return err_sys(errno, "msync");
	return 0;
}
