/* SPDX-License-Identifier: Apache-2.0 */
/*
 * traces.h -- access traces for replacement policies, shared by
 * tests/test_policy.c (which asserts on their hit ratios) and
 * bench/cellar_bench.c (which reports hit ratio and throughput)
 *
 * A trace is a sequence of keys sized by `cap`, the number of values the
 * cache holds; it hands each key to a trace_fn, which does a get and, after
 * a miss, a put of the key's value. Both traces are deterministic: the same
 * cap gives the same keys in the same order.
 */
#ifndef CELLAR_TRACES_H
#define CELLAR_TRACES_H 1

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* trace_fn -- one access to key k; 1 on a hit, 0 on a miss */
typedef int trace_fn(void *arg, uint32_t k);

/* trace_lcg -- a 64-bit LCG step */
static inline uint64_t
trace_lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 11;
}

/*
 * trace_hot_scan -- 40 rounds of a hot set of 40% of the cache, each key
 * read once in a shuffled order, then a scan of 1.5 caches of keys never
 * seen before; returns the accesses made and sets *hits (the hit ratio is
 * at best 0.21: the hot reads after the first round)
 */
static inline unsigned long
trace_hot_scan(unsigned cap, trace_fn *fn, void *arg, unsigned long *hits)
{
	unsigned hot = cap * 2 / 5;
	unsigned long h = 0, n = 0;
	uint32_t next = 1u << 20;
	uint64_t s = 7;
	for (int round = 0; round < 40; round++) {
		unsigned start = (unsigned)(trace_lcg(&s) % hot);
		for (unsigned i = 0; i < hot; i++, n++)
			h += (unsigned)fn(arg, (start + i * 7919u) % hot);
		for (unsigned i = 0; i < cap * 3 / 2; i++, n++)
			h += (unsigned)fn(arg, next++);
	}
	*hits = h;
	return n;
}

/*
 * trace_zipf -- `reads` reads of keys drawn from a Zipf distribution
 * (exponent 0.9) over four caches' worth of keys; returns the accesses
 * made and sets *hits, or returns 0 when out of memory
 */
static inline unsigned long
trace_zipf(unsigned cap, unsigned long reads, trace_fn *fn, void *arg,
		unsigned long *hits)
{
	unsigned nkeys = 4 * cap;
	double *cdf = malloc(nkeys * sizeof(*cdf));
	if (cdf == NULL)
		return 0;
	double sum = 0;
	for (unsigned i = 0; i < nkeys; i++)
		cdf[i] = sum += 1.0 / pow(i + 1, 0.9);
	uint64_t s = 11;
	unsigned long h = 0;
	for (unsigned long i = 0; i < reads; i++) {
		double u = (double)(trace_lcg(&s) % 1000000007u) /
			1000000007.0 * sum;
		unsigned lo = 0, hi = nkeys - 1;
		while (lo < hi) {
			unsigned mid = (lo + hi) / 2;
			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* spread the ranks over the key space */
		h += (unsigned)fn(arg, lo * 2654435761u);
	}
	free(cdf);
	*hits = h;
	return reads;
}

#endif
