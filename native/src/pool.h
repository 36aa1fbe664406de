/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool.h -- the mapping a cache keeps its values in: a file created in a
 * directory, a device-DAX device, or anonymous memory (internal)
 */
#ifndef CELLAR_POOL_H
#define CELLAR_POOL_H 1

#include <stddef.h>

#include "cellar.h"

struct pool {
	char *addr;
	size_t size;
	struct cellar_media media;
	void (*copy)(void *dst, const void *src, size_t n); /* into the pool */
};

/* pool_open_path -- a directory (new unnamed file) or a DAX device */
int pool_open_path(struct pool *p, const char *path, size_t size);

/* pool_open_dram -- anonymous memory */
int pool_open_dram(struct pool *p, size_t size);

void pool_close(struct pool *p);

/* pool_drain -- waits for the pool copies of this thread to reach media */
void pool_drain(const struct pool *p);

#endif
