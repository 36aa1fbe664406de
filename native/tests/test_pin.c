/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pin.c -- pinned zero-copy reads, single-threaded
 *
 * One piece in a fresh cache; several pieces, in order, when the pool is
 * fragmented; a pinned entry evicted, removed or replaced keeps its bytes
 * until the release, and its space comes back after it.
 */
#include "ut.h"

#define MIB ((size_t)1 << 20)
#define KIB ((size_t)1 << 10)

/* pin_copy -- the concatenation of all pieces of a pin (internal) */
static char *
pin_copy(const cellar_pin *p)
{
	char *out = ut_malloc(p->size);
	size_t off = 0;
	for (unsigned i = 0; i < p->nparts; i++) {
		const void *addr = NULL;
		size_t len = 0;
		UT_OK(cellar_pin_part(p, i, &addr, &len));
		UT_ASSERT(addr != NULL);
		UT_ASSERT(len > 0);
		if (i == 0) {
			UT_ASSERT(addr == p->addr);
			UT_ASSERTeq(len, p->first_len);
		}
		UT_ASSERTle(off + len, p->size);
		memcpy(out + off, addr, len);
		off += len;
	}
	UT_ASSERTeq(off, p->size);
	const void *addr;
	size_t len;
	UT_ERR(cellar_pin_part(p, p->nparts, &addr, &len), EINVAL);
	return out;
}

/* pinned -- the pins held now (internal) */
static unsigned long long
pinned(VMEMcache *c)
{
	struct cellar_stats st;
	UT_OK(cellar_stats_get(c, &st));
	return st.pinned;
}

static int misses_seen;

/* on_miss_cb -- must never run for a pin (internal) */
static void
on_miss_cb(VMEMcache *c, const void *key, size_t ksize, void *arg)
{
	(void)c;
	(void)key;
	(void)ksize;
	(void)arg;
	misses_seen++;
}

/* test_single_piece -- a fresh cache gives one contiguous piece */
static void
test_single_piece(int dram)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, dram);
	vmemcache_callback_on_miss(c, on_miss_cb, NULL);
	size_t len = 100 * KIB + 17;
	char *v = ut_malloc(len);
	ut_fill(v, len, 1);
	UT_OK(vmemcache_put(c, "p", 1, v, len));

	cellar_pin p;
	memset(&p, 0, sizeof(p));
	UT_OK(cellar_pin_get(c, "p", 1, &p));
	UT_ASSERTeq(p.size, len);
	UT_ASSERTeq(p.nparts, 1);
	UT_ASSERTeq(p.first_len, len);
	UT_ASSERT(p.addr != NULL);
	UT_ASSERT(memcmp(p.addr, v, len) == 0);
	char *cp = pin_copy(&p);
	UT_ASSERT(memcmp(cp, v, len) == 0);
	free(cp);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_HIT), 1);
	UT_ASSERTeq(pinned(c), 1);

	/* two pins of one entry */
	cellar_pin p2;
	UT_OK(cellar_pin_get(c, "p", 1, &p2));
	UT_ASSERT(p2.addr == p.addr);
	UT_ASSERTeq(pinned(c), 2);
	cellar_pin_release(&p2);
	UT_ASSERTeq(pinned(c), 1);
	cellar_pin_release(&p);
	UT_ASSERTeq(pinned(c), 0);
	cellar_pin_release(&p);		/* released: ignored */
	UT_ASSERTeq(pinned(c), 0);
	cellar_pin zero;
	memset(&zero, 0, sizeof(zero));
	cellar_pin_release(&zero);	/* zeroed: ignored */

	/* a miss: ENOENT, counted, no on_miss */
	UT_ERR(cellar_pin_get(c, "q", 1, &p), ENOENT);
	UT_ERR(cellar_pin_get(c, "p\0", 2, &p), ENOENT);
	UT_ASSERTeq(misses_seen, 0);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_MISS), 2);
	UT_ASSERTeq(pinned(c), 0);
	UT_ERR(cellar_pin_get(c, NULL, 1, &p), EINVAL);
	UT_ERR(cellar_pin_get(c, "p", 1, NULL), EINVAL);

	/* an empty value */
	UT_OK(vmemcache_put(c, "e", 1, NULL, 0));
	UT_OK(cellar_pin_get(c, "e", 1, &p));
	UT_ASSERTeq(p.size, 0);
	UT_ASSERT(p.addr == NULL);
	UT_ASSERTeq(p.first_len, 0);
	cellar_pin_release(&p);

	/* the whole pool is one piece too */
	UT_OK(vmemcache_evict(c, "p", 1));
	UT_OK(vmemcache_evict(c, "e", 1));
	UT_ASSERT_EMPTY(c);
	size_t wlen = ut_fit_len(ut_pool_size(c), 1);
	char *whole = ut_malloc(wlen);
	ut_fill(whole, wlen, 2);
	UT_OK(vmemcache_put(c, "w", 1, whole, wlen));
	UT_OK(cellar_pin_get(c, "w", 1, &p));
	UT_ASSERTeq(p.nparts, 1);
	UT_ASSERTeq(p.first_len, wlen);
	UT_ASSERT(memcmp(p.addr, whole, wlen) == 0);
	cellar_pin_release(&p);
	free(whole);
	free(v);
	vmemcache_delete(c);
}

/* test_pin_marks_used -- a pin refreshes the entry like a get */
static void
test_pin_marks_used(void)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 0);
	for (uint32_t k = 0; k < 3; k++)
		UT_OK(vmemcache_put(c, &k, sizeof(k), "v", 1));
	uint32_t k0 = 0, k1 = 1;
	cellar_pin p;
	UT_OK(cellar_pin_get(c, &k0, sizeof(k0), &p));
	cellar_pin_release(&p);
	UT_OK(vmemcache_evict(c, NULL, 0));
	UT_ASSERTeq(vmemcache_exists(c, &k0, sizeof(k0), NULL), 1);
	UT_ASSERTeq(vmemcache_exists(c, &k1, sizeof(k1), NULL), 0);
	vmemcache_delete(c);
}

/* test_fragmented -- a value over several free pieces, in order */
static void
test_fragmented(int dram)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_NONE, dram);
	size_t piece = 16 * KIB, pool = ut_pool_size(c);
	size_t vlen = ut_fit_len(piece, sizeof(uint32_t));
	uint32_t n = (uint32_t)(pool / piece);
	size_t tail = pool - n * piece;
	char *v = ut_malloc(piece);
	for (uint32_t k = 0; k < n; k++) {
		ut_fill(v, vlen, k);
		UT_OK(vmemcache_put(c, &k, sizeof(k), v, vlen));
	}
	if (tail >= 256)
		UT_OK(vmemcache_put(c, "x", 1, v, ut_fit_len(tail, 1)));
	UT_ERR(vmemcache_put(c, "y", 1, v, 1), ENOSPC);
	/* holes of 16 KiB, none adjacent */
	for (uint32_t k = 0; k < n; k += 2)
		UT_OK(vmemcache_evict(c, &k, sizeof(k)));
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_HEAP_ENTRIES), (n + 1) / 2);
	struct cellar_stats st;
	UT_OK(cellar_stats_get(c, &st));
	UT_ASSERTeq(st.put_fragments, 0);

	size_t len = 100 * KIB + 123;
	char *big = ut_malloc(len), *out = ut_malloc(len);
	ut_fill(big, len, 77);
	UT_OK(vmemcache_put(c, "big", 3, big, len));
	UT_OK(cellar_stats_get(c, &st));
	UT_ASSERTeq(st.put_fragments, 1);
	UT_ASSERTeq(st.evictions, (n + 1) / 2);

	cellar_pin p;
	UT_OK(cellar_pin_get(c, "big", 3, &p));
	UT_ASSERTeq(p.size, len);
	UT_ASSERTge(p.nparts, (len + piece - 1) / piece);
	UT_ASSERTlt(p.first_len, piece);
	char *cp = pin_copy(&p);
	UT_ASSERT(memcmp(cp, big, len) == 0);
	free(cp);
	cellar_pin_release(&p);

	/* get across piece boundaries, at every offset step */
	UT_ASSERTeq(vmemcache_get(c, "big", 3, out, len, 0, NULL), len);
	UT_ASSERT(memcmp(out, big, len) == 0);
	for (size_t off = 0; off < len; off += 999) {
		size_t want = len - off < 5000 ? len - off : 5000;
		UT_ASSERTeq(vmemcache_get(c, "big", 3, out, 5000, off, NULL),
			want);
		UT_ASSERT(memcmp(out, big + off, want) == 0);
	}
	for (size_t off = piece - 3; off < len; off += piece) {
		size_t want = len - off < 7 ? len - off : 7;
		UT_ASSERTeq(vmemcache_get(c, "big", 3, out, 7, off, NULL),
			want);
		UT_ASSERT(memcmp(out, big + off, want) == 0);
	}

	/* remaining neighbours intact */
	for (uint32_t k = 1; k < n; k += 2) {
		ut_fill(v, vlen, k);
		UT_ASSERTeq(vmemcache_get(c, &k, sizeof(k), out, piece, 0,
			NULL), vlen);
		UT_ASSERT(memcmp(out, v, vlen) == 0);
	}

	/* all gone: the pieces coalesce */
	UT_OK(vmemcache_evict(c, "big", 3));
	if (tail >= 256)
		UT_OK(vmemcache_evict(c, "x", 1));
	for (uint32_t k = 1; k < n; k += 2)
		UT_OK(vmemcache_evict(c, &k, sizeof(k)));
	UT_ASSERT_EMPTY(c);
	free(v);
	free(big);
	free(out);
	vmemcache_delete(c);
}

enum gone_how { GONE_EVICT, GONE_REMOVE, GONE_REPLACE, GONE_LRU };

/* check_pinned_gone -- a pinned entry leaves; its bytes stay until release */
static void
check_pinned_gone(enum gone_how how, int dram)
{
	VMEMcache *c = ut_cache_new(MIB, 0, how == GONE_LRU ?
		VMEMCACHE_REPLACEMENT_LRU : VMEMCACHE_REPLACEMENT_NONE, dram);
	size_t len = ut_fit_len(256 * KIB, 1);
	size_t fill = ut_fit_len(16 * KIB, sizeof(uint32_t));
	char *v = ut_malloc(len), *w = ut_malloc(len);
	ut_fill(v, len, 5);
	ut_fill(w, len, 6);
	UT_OK(vmemcache_put(c, "p", 1, v, len));
	cellar_pin p;
	UT_OK(cellar_pin_get(c, "p", 1, &p));

	switch (how) {
	case GONE_EVICT:
		UT_OK(vmemcache_evict(c, "p", 1));
		break;
	case GONE_REMOVE:
		UT_OK(cellar_remove(c, "p", 1));
		break;
	case GONE_REPLACE:
		UT_OK(cellar_replace(c, "p", 1, w, 1000));
		break;
	case GONE_LRU:
		UT_OK(vmemcache_evict(c, NULL, 0));
		break;
	}
	if (how == GONE_REPLACE) {
		char out[1000];
		UT_ASSERTeq(vmemcache_get(c, "p", 1, out, sizeof(out), 0,
			NULL), 1000);
		UT_ASSERT(memcmp(out, w, 1000) == 0);
	} else {
		UT_ASSERTeq(vmemcache_exists(c, "p", 1, NULL), 0);
	}
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), how == GONE_REPLACE);

	/* fill the rest of the pool (it cannot be the pinned space) */
	uint32_t k = 0;
	size_t small = how == GONE_REPLACE ? ut_space(1000, 1, 256) : 0;
	size_t rest = ut_pool_size(c) - 256 * KIB - small;
	for (size_t done = 0; done + 16 * KIB <= rest; done += 16 * KIB, k++)
		UT_OK(vmemcache_put(c, &k, sizeof(k), w, fill));
	UT_ASSERT(memcmp(p.addr, v, len) == 0);
	UT_ASSERTeq(p.size, len);
	cellar_pin_release(&p);

	/* its space is back: a value of the same size fits without evicting */
	unsigned long long ev = ut_stat(c, VMEMCACHE_STAT_EVICT);
	UT_OK(vmemcache_put(c, "q", 1, w, len));
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_EVICT), ev);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_POOL_SIZE_USED),
		256 * KIB + k * 16 * KIB + small);
	free(v);
	free(w);
	vmemcache_delete(c);
}

int
main(void)
{
	ut_start("test_pin");
	for (int dram = 0; dram < 2; dram++) {
		test_single_piece(dram);
		test_fragmented(dram);
		check_pinned_gone(GONE_EVICT, dram);
		check_pinned_gone(GONE_REMOVE, dram);
		check_pinned_gone(GONE_REPLACE, dram);
		check_pinned_gone(GONE_LRU, dram);
	}
	test_pin_marks_used();
	return ut_done();
}
