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

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * A recorded trace: the chunk accesses of a real run, as written by the
 * Spark plugin's recorder (io.cellar.spark.exec.AccessTrace): a header line,
 * then per access a line "id size" (the chunk's number, in order of first
 * use, and its size in bytes). Lines starting with '#' are comments.
 */
#define TRACE_RECORDED_HEADER "# cellar access trace v1: id size"

struct trace_recorded {
	uint32_t *key;		/* per access */
	uint32_t *size;		/* per access */
	size_t n;		/* accesses */
	uint32_t nkeys;		/* distinct keys */
	uint32_t max_size;	/* the largest value */
	unsigned long long bytes; /* the distinct keys' bytes */
};

/* trace_recorded_free -- frees what trace_recorded_load allocated */
static inline void
trace_recorded_free(struct trace_recorded *t)
{
	free(t->key);
	free(t->size);
	memset(t, 0, sizeof(*t));
}

/*
 * trace_recorded_load -- reads a recorded trace; 0, or -1 with errno set
 * (EINVAL for a file that is not one: no header, a bad line, an id that is
 * not the next new one or not below 2^31, a size of 0 or 2^31 and above,
 * a key whose size changes)
 */
static inline int
trace_recorded_load(const char *path, struct trace_recorded *t)
{
	memset(t, 0, sizeof(*t));
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	char *line = NULL;
	size_t linecap = 0;
	size_t cap = 0;
	uint32_t *first = NULL;	/* the size of each key at first use */
	size_t firstcap = 0;
	int err = EINVAL;
	if (getline(&line, &linecap, f) < 0 ||
			strncmp(line, TRACE_RECORDED_HEADER,
				strlen(TRACE_RECORDED_HEADER)) != 0)
		goto fail;
	while (getline(&line, &linecap, f) >= 0) {
		if (line[0] == '#')
			continue;
		char *end;
		errno = 0;
		unsigned long id = strtoul(line, &end, 10);
		if (end == line || *end != ' ' || errno != 0 ||
				id > t->nkeys || id >= (1ul << 31))
			goto fail;
		char *s = end + 1;
		unsigned long size = strtoul(s, &end, 10);
		if (end == s || (*end != '\n' && *end != '\0') ||
				errno != 0 || size == 0 || size >= (1ul << 31))
			goto fail;
		if (t->n == cap) {
			cap = cap ? 2 * cap : 1024;
			uint32_t *k = realloc(t->key, cap * sizeof(*k));
			if (k != NULL)
				t->key = k;
			uint32_t *z = realloc(t->size, cap * sizeof(*z));
			if (z != NULL)
				t->size = z;
			if (k == NULL || z == NULL) {
				err = ENOMEM;
				goto fail;
			}
		}
		if (id == t->nkeys) {
			if (t->nkeys == firstcap) {
				firstcap = firstcap ? 2 * firstcap : 1024;
				uint32_t *a = realloc(first,
						firstcap * sizeof(*a));
				if (a == NULL) {
					err = ENOMEM;
					goto fail;
				}
				first = a;
			}
			first[t->nkeys++] = (uint32_t)size;
			t->bytes += size;
		} else if (first[id] != size) {
			goto fail;
		}
		if (size > t->max_size)
			t->max_size = (uint32_t)size;
		t->key[t->n] = (uint32_t)id;
		t->size[t->n++] = (uint32_t)size;
	}
	if (ferror(f) || t->n == 0)
		goto fail;
	free(line);
	free(first);
	fclose(f);
	return 0;
fail:
	free(line);
	free(first);
	fclose(f);
	trace_recorded_free(t);
	errno = err;
	return -1;
}

/* trace_sized_fn -- one access to key k of `size` bytes; 1 on a hit */
typedef int trace_sized_fn(void *arg, uint32_t k, uint32_t size);

/*
 * trace_recorded_replay -- every access of a recorded trace, in order;
 * returns the accesses made and sets *hits
 */
static inline unsigned long
trace_recorded_replay(const struct trace_recorded *t, trace_sized_fn *fn,
		void *arg, unsigned long *hits)
{
	unsigned long h = 0;
	for (size_t i = 0; i < t->n; i++)
		h += (unsigned)fn(arg, t->key[i], t->size[i]);
	*hits = h;
	return t->n;
}

#endif
