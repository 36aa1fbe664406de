/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_util.h -- the clock, the generator and the sort order the benches
 * share
 */
#ifndef CELLAR_BENCH_UTIL_H
#define CELLAR_BENCH_UTIL_H 1

#include <stdint.h>
#include <time.h>

/* now -- monotonic seconds */
static inline double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* rnd -- xorshift64* */
static inline uint64_t
rnd(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* cmp_u32 -- qsort order of uint32_t */
static inline int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

#endif
