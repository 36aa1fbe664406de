/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_seal.c -- cellar_seal makes a persistent pool clean while pins are
 * still out: a copy of the file taken right after it (as if the process
 * died then) reattaches clean, without the entries that left the cache
 * while pinned, with every other entry whole; the pool takes no more
 * values; the pins still read their values; and the later
 * vmemcache_delete closes it cleanly again. Then pins released by other
 * threads while the seal runs.
 */
#include <pthread.h>

#include "internal.h"
#include "ut_pool.h"

#define MIB ((size_t)1 << 20)
#define NK 60
#define VLEN 3000

static char path[PATH_MAX];

/* copy_file -- copies a pool file byte for byte to a new file */
static void
copy_file(const char *from, const char *to)
{
	size_t size;
	unsigned char *a = utp_map(from, &size);
	utp_write_new(to, a, size);
	munmap(a, size);
}

/*
 * open_copy -- copies the pool at `path` to `copy` (as if the process died
 * now) and opens it; it must reattach clean with `recovered` entries
 */
static VMEMcache *
open_copy(char *copy, size_t len, unsigned long long recovered)
{
	snprintf(copy, len, "%s.copy", path);
	copy_file(path, copy);
	VMEMcache *d = utp_open(copy, 0, 0);
	UT_ASSERT(d != NULL);
	struct cellar_reattach rep = utp_report(d);
	UT_ASSERTeq(rep.state, CELLAR_POOL_CLEAN);
	UT_ASSERTeq(rep.entries_recovered, recovered);
	return d;
}

static void
fill(VMEMcache *c)
{
	char v[VLEN];
	for (uint32_t k = 0; k < NK; k++) {
		ut_fill(v, VLEN, k);
		UT_OK(vmemcache_put(c, &k, sizeof(k), v, VLEN));
	}
}

/* pinned_ok -- the pin still holds ut_fill(VLEN, k) */
static void
pinned_ok(const cellar_pin *p, uint32_t k)
{
	char want[VLEN], got[VLEN];
	ut_fill(want, VLEN, k);
	size_t off = 0;
	for (unsigned i = 0; i < p->nparts; i++) {
		const void *a;
		size_t len;
		UT_OK(cellar_pin_part(p, i, &a, &len));
		UT_ASSERT(off + len <= VLEN);
		memcpy(got + off, a, len);
		off += len;
	}
	UT_ASSERTeq(off, VLEN);
	UT_ASSERT(memcmp(want, got, VLEN) == 0);
}

/* test_seal_with_pins -- the single-threaded contract */
static void
test_seal_with_pins(void)
{
	snprintf(path, sizeof(path), "%s/seal.pool", ut_tmpdir());
	VMEMcache *c = utp_open(path, 4 * MIB, 256);
	UT_ASSERT(c != NULL);
	fill(c);
	cellar_pin gone, old, kept;
	uint32_t k_gone = 3, k_old = 4, k_kept = 5;
	UT_OK(cellar_pin_get(c, &k_gone, sizeof(k_gone), &gone));
	UT_OK(cellar_pin_get(c, &k_old, sizeof(k_old), &old));
	UT_OK(cellar_pin_get(c, &k_kept, sizeof(k_kept), &kept));
	/* one leaves the cache, one is replaced, one stays */
	UT_OK(vmemcache_evict(c, &k_gone, sizeof(k_gone)));
	char v[VLEN];
	ut_fill(v, VLEN, 1000 + k_old);
	UT_OK(cellar_replace(c, &k_old, sizeof(k_old), v, VLEN));

	UT_OK(cellar_seal(c));
	uint32_t k_new = 999;
	UT_ASSERT(vmemcache_put(c, &k_new, sizeof(k_new), v, VLEN) != 0);
	UT_ASSERTeq(errno, EROFS);
	pinned_ok(&gone, k_gone);
	pinned_ok(&old, k_old);
	pinned_ok(&kept, k_kept);

	/* the process dies here: what the file says now */
	char copy[PATH_MAX + 8];
	VMEMcache *d = open_copy(copy, sizeof(copy), NK - 1);
	UT_ASSERTeq(vmemcache_exists(d, &k_gone, sizeof(k_gone), NULL), 0);
	char got[VLEN];
	UT_ASSERTeq(vmemcache_get(d, &k_old, sizeof(k_old), got, VLEN, 0,
			NULL), VLEN);
	UT_ASSERT(memcmp(v, got, VLEN) == 0);
	for (uint32_t k = 0; k < NK; k++)
		if (k != k_gone && k != k_old)
			UT_ASSERT(utp_key_ok(d, k, VLEN));
	UT_ASSERTeq(ut_stat(d, VMEMCACHE_STAT_ENTRIES), NK - 1);
	UT_OK(heap_check(&d->heap));
	vmemcache_delete(d);
	UT_OK(unlink(copy));

	/* or it lives on: the pins go, and the delete closes cleanly */
	cellar_pin_release(&gone);
	cellar_pin_release(&old);
	cellar_pin_release(&kept);
	vmemcache_delete(c);
	c = utp_open(path, 0, 0);
	UT_ASSERT(c != NULL);
	struct cellar_reattach rep = utp_report(c);
	UT_ASSERTeq(rep.state, CELLAR_POOL_CLEAN);
	UT_ASSERTeq(rep.entries_recovered, NK - 1);
	UT_ASSERTeq(vmemcache_exists(c, &k_gone, sizeof(k_gone), NULL), 0);
	UT_OK(heap_check(&c->heap));
	vmemcache_delete(c);
	UT_OK(unlink(path));

	/* a cache without a persistent pool has nothing to seal */
	c = ut_cache_new(MIB, 256, VMEMCACHE_REPLACEMENT_LRU, 1);
	UT_OK(cellar_seal(c));
	vmemcache_delete(c);
	UT_ASSERT(cellar_seal(NULL) != 0);
	UT_ASSERTeq(errno, EINVAL);
}

struct releaser {
	cellar_pin *pins;
	unsigned n;
};

static void *
release_all(void *arg)
{
	struct releaser *r = arg;
	for (unsigned i = 0; i < r->n; i++) {
		cellar_pin_release(&r->pins[i]);
		if (i % 4 == 0)
			sched_yield();
	}
	return NULL;
}

/*
 * test_seal_races_releases -- every key pinned and evicted, then a thread
 * releases the pins (freeing the entries) while the seal runs; the copy
 * taken after it is clean and empty, and the heap is whole
 */
static void
test_seal_races_releases(void)
{
	snprintf(path, sizeof(path), "%s/seal_mt.pool", ut_tmpdir());
	for (int round = 0; round < 20; round++) {
		VMEMcache *c = utp_open(path, 4 * MIB, 256);
		UT_ASSERT(c != NULL);
		fill(c);
		cellar_pin pins[NK];
		for (uint32_t k = 0; k < NK; k++) {
			UT_OK(cellar_pin_get(c, &k, sizeof(k), &pins[k]));
			UT_OK(vmemcache_evict(c, &k, sizeof(k)));
		}
		struct releaser r = {pins, NK};
		pthread_t t;
		UT_OK(pthread_create(&t, NULL, release_all, &r));
		UT_OK(cellar_seal(c));
		UT_OK(pthread_join(t, NULL));
		UT_OK(heap_check(&c->heap));

		char copy[PATH_MAX + 8];
		VMEMcache *d = open_copy(copy, sizeof(copy), 0);
		UT_OK(heap_check(&d->heap));
		vmemcache_delete(d);
		UT_OK(unlink(copy));
		vmemcache_delete(c);
		UT_OK(unlink(path));
	}
}

int
main(void)
{
	ut_start("test_seal");
	ut_watchdog(300);
	test_seal_with_pins();
	test_seal_races_releases();
	return ut_done();
}
