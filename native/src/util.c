/* SPDX-License-Identifier: Apache-2.0 */
/* util.c -- errors, hashing and small helpers shared by the engine */
#include "util.h"

#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cellar.h"

#define ERRMSG_MAX 256

static _Thread_local char errmsg[ERRMSG_MAX];

/* the calling thread's stripe plus one; 0 until its first use */
static _Thread_local unsigned stripe_plus1;
static atomic_uint stripes_given;

/*
 * util_stripe -- threads take stripes in turn at their first use, so that
 * the first CELLAR_STRIPES threads each have one of their own (internal)
 */
unsigned
util_stripe(void)
{
	unsigned s = stripe_plus1;
	if (s == 0) {
		s = atomic_fetch_add_explicit(&stripes_given, 1,
				memory_order_relaxed) % CELLAR_STRIPES + 1;
		stripe_plus1 = s;
	}
	return s - 1;
}

void
copy_sliced(void *dst, const void *src, size_t n)
{
	char *d = dst;
	const char *s = src;
	while (n > COPY_SLICE) {
		memcpy(d, s, COPY_SLICE);
		d += COPY_SLICE;
		s += COPY_SLICE;
		n -= COPY_SLICE;
	}
	memcpy(d, s, n);
}

/*
 * err_set -- records the calling thread's last error (internal)
 */
int
err_set(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

/*
 * err_sys -- records "<what>: <strerror(err)>" (internal)
 */
int
err_sys(int err, const char *what)
{
	char buf[128];
	/* the GNU strerror_r returns the message, maybe not in buf */
	const char *msg = strerror_r(err, buf, sizeof(buf));
	return err_set(err, "%s: %s", what, msg);
}

/*
 * err_miss -- a miss costs no message formatting (internal)
 */
int
err_miss(void)
{
	errno = ENOENT;
	return -1;
}

/*
 * vmemcache_errormsg -- the calling thread's last error message
 */
const char *
vmemcache_errormsg(void)
{
	return errmsg;
}

/*
 * cellar_errno_name -- symbolic name of an errno value
 */
const char *
cellar_errno_name(int err)
{
	switch (err) {
	case 0: return "OK";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EBUSY: return "EBUSY";
	case EALREADY: return "EALREADY";
	case ENOMEM: return "ENOMEM";
	case EIO: return "EIO";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EROFS: return "EROFS";
	case ENOTDIR: return "ENOTDIR";
	case ESRCH: return "ESRCH";
	case EFBIG: return "EFBIG";
	case ENODEV: return "ENODEV";
	case ENXIO: return "ENXIO";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case EOVERFLOW: return "EOVERFLOW";
	case ERANGE: return "ERANGE";
	case EAGAIN: return "EAGAIN";
	case ETIMEDOUT: return "ETIMEDOUT";
	default: return "E?";
	}
}

/*
 * cellar_abi_version -- the ABI this library was built with
 */
int
cellar_abi_version(void)
{
	return CELLAR_ABI_VERSION;
}

/*
 * mix64 -- final avalanche of a 64-bit state (internal)
 */
static inline uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/*
 * hash_bytes -- multiply-rotate hash over 8-byte words (internal)
 */
uint64_t
hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0x2545f4914f6cdd1dULL);
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		w *= 0x87c37b91114253d5ULL;
		w = (w << 31) | (w >> 33);
		h = ((h ^ w) << 27 | (h ^ w) >> 37) * 0x4cf5ad432745937fULL;
		p += 8;
		len -= 8;
	}
	uint64_t tail = 0;
	for (size_t i = 0; i < len; i++)
		tail |= (uint64_t)p[i] << (8 * i);
	h ^= tail * 0x87c37b91114253d5ULL;
	return mix64(h);
}

/*
 * zero -- memset, called through a pointer the compiler cannot see through:
 * gcc and clang fold a malloc followed by a memset to 0 into calloc, which
 * is what zalloc avoids (internal)
 */
static void *(*volatile zero)(void *, int, size_t) = memset;

void *
zalloc(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	void *p = malloc(n * size);
	if (p != NULL)
		zero(p, 0, n * size);
	return p;
}

/*
 * zalloc_aligned -- the block from malloc is kept in the word just before
 * the aligned address
 */
void *
zalloc_aligned(size_t size, size_t align)
{
	if (size > SIZE_MAX - align - sizeof(void *))
		return NULL;
	char *raw = malloc(size + align + sizeof(void *));
	if (raw == NULL)
		return NULL;
	uintptr_t at = ((uintptr_t)raw + sizeof(void *) + align - 1) &
		~(uintptr_t)(align - 1);
	void **p = (void **)at;
	p[-1] = raw;
	zero(p, 0, size);
	return p;
}

void
free_aligned(void *p)
{
	if (p != NULL)
		free(((void **)p)[-1]);
}

/*
 * dram_size_of -- bytes a malloc'd block really takes, with the allocator's
 * per-chunk word (internal)
 */
size_t
dram_size_of(void *block)
{
	return malloc_usable_size(block) + sizeof(size_t);
}

uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
