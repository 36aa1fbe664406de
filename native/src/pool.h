/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool.h -- the mapping a cache keeps its values in: a file created in a
 * directory, a device-DAX device, or anonymous memory (internal)
 */
#ifndef CELLAR_POOL_H
#define CELLAR_POOL_H 1

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "cellar.h"

struct pool {
	char *addr;
	size_t size;
	struct cellar_media media;
	void (*copy)(void *dst, const void *src, size_t n); /* into the pool */
	int fd;                  /* a persistent pool's locked file, else -1 */
	int created;             /* the persistent file was made by this open */
	char path[PATH_MAX];     /* a persistent pool's file */
};

/* pool_open_path -- a directory (new unnamed file) or a DAX device */
int pool_open_path(struct pool *p, const char *path, size_t size);

/* pool_open_dram -- anonymous memory */
int pool_open_dram(struct pool *p, size_t size);

/*
 * pool_prefault -- commits bytes [off, off + len) of a DRAM pool, clipped to
 * the pool, with the end moved up to a 2 MiB boundary of the address space,
 * as transparent huge pages where the system gives them on request; leaves
 * the contents as they are, so it may run while the pool is in use. Sets
 * *end to the offset after the committed range (the pool's size when off is
 * at or beyond it). ENOTSUP for a pool that is not DRAM or a kernel that
 * cannot commit ahead of use.
 */
int pool_prefault(const struct pool *p, size_t off, size_t len, size_t *end);

/*
 * pool_open_file -- a persistent pool: `path` is a directory (the first
 * lockable cellar-<n>.pool, preferring one with contents, else a new one)
 * or one file (EBUSY when locked). The file is locked with flock for as
 * long as the pool is open. A new or empty file gets `size` bytes; an
 * existing one is mapped whole (p->created tells which). Only what is ours
 * is adopted: a pool file is never opened through a symbolic link (ELOOP),
 * and an existing directory or file must belong to the process's user and
 * be writable by no other (EPERM, with a message that says which and why);
 * new files are created O_EXCL with mode 0600. A directory's file whose
 * intact header names another owner than `owner` (POOL_OWNER_SIZE bytes,
 * format.h) is passed over too: that owner keeps it, and this one takes
 * or makes another.
 */
int pool_open_file(struct pool *p, const char *path, size_t size,
		const uint8_t *owner);

/*
 * pool_set_aside -- renames an open persistent pool's file to
 * <file>.bad-<seconds>-<pid> (written to bad[PATH_MAX]) and closes it;
 * of a file's set-aside copies only the 3 newest are kept
 */
int pool_set_aside(struct pool *p, char *bad);

/* pool_persist -- makes [off, off + len) of the pool durable */
int pool_persist(const struct pool *p, size_t off, size_t len);

void pool_close(struct pool *p);

/* pool_drain -- waits for the pool copies of this thread to reach media */
void pool_drain(const struct pool *p);

#endif
