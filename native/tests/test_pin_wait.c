/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pin_wait.c -- a put waiting for a pinned entry's space blocks no one
 *
 * The main thread pins P (512 KiB of a 1 MiB pool). A writer thread puts a
 * 700 KiB value, which can only fit once P's space is free: P is evicted
 * (by key, or by the put's own LRU pass) and the put waits for the release.
 * Meanwhile a reader thread keeps calling get/exists/stats/pin and must make
 * progress, and P's bytes must stay intact. The pin is held for 1.5 s; after
 * the release the put ends, successfully.
 */
#include <stdatomic.h>

#include "ut.h"

#define MIB ((size_t)1 << 20)
#define KIB ((size_t)1 << 10)
#define HOLD_MS 1500

struct shared {
	VMEMcache *c;
	int evict_first;		/* writer evicts P by key first */
	atomic_int writer_done;
	int writer_ret, writer_err;
	atomic_int stop;
	atomic_ulong reader_ops;
	char *big;
	size_t big_len;
};

/* writer -- optionally evicts P, then puts the big value (internal) */
static void *
writer(void *arg)
{
	struct shared *s = arg;
	if (s->evict_first) {
		int r = vmemcache_evict(s->c, "p", 1);
		UT_ASSERT(r == 0 || (r == -1 && errno == ENOENT));
	}
	s->writer_ret = vmemcache_put(s->c, "x", 1, s->big, s->big_len);
	s->writer_err = errno;
	atomic_store(&s->writer_done, 1);
	return NULL;
}

/* reader -- other readers never block on the waiting put (internal) */
static void *
reader(void *arg)
{
	struct shared *s = arg;
	char buf[64];
	while (!atomic_load(&s->stop)) {
		ssize_t g = vmemcache_get(s->c, "r", 1, buf, sizeof(buf), 0,
			NULL);
		UT_ASSERT(g == sizeof(buf) || (g == -1 && errno == ENOENT));
		if (g > 0)
			UT_ASSERT(buf[0] == 'r' && buf[63] == 'r');
		UT_ASSERT(vmemcache_exists(s->c, "nope", 4, NULL) == 0);
		g = vmemcache_get(s->c, "p", 1, buf, 1, 0, NULL);
		UT_ASSERT(g == 1 || (g == -1 && errno == ENOENT));
		struct cellar_stats st;
		UT_OK(cellar_stats_get(s->c, &st));
		cellar_pin pin;
		if (cellar_pin_get(s->c, "r", 1, &pin) == 0) {
			UT_ASSERT(((const char *)pin.addr)[0] == 'r');
			cellar_pin_release(&pin);
		}
		atomic_fetch_add(&s->reader_ops, 1);
	}
	return NULL;
}

/* run -- one round (internal) */
static void
run(int evict_first, int dram)
{
	struct shared s;
	memset(&s, 0, sizeof(s));
	s.c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, dram);
	/* longer than the pin is held: the put must wait for the release */
	UT_OK(cellar_set_put_wait(s.c, 4 * HOLD_MS));
	s.evict_first = evict_first;
	s.big_len = 700 * KIB;
	s.big = ut_malloc(s.big_len);
	ut_fill(s.big, s.big_len, 9);
	size_t plen = 512 * KIB;
	char *pv = ut_malloc(plen);
	ut_fill(pv, plen, 8);
	char rv[4096];
	memset(rv, 'r', sizeof(rv));

	UT_OK(vmemcache_put(s.c, "r", 1, rv, sizeof(rv)));
	UT_OK(vmemcache_put(s.c, "p", 1, pv, plen));
	cellar_pin pin;
	UT_OK(cellar_pin_get(s.c, "p", 1, &pin));
	UT_ASSERTeq(pin.size, plen);

	pthread_t tw, tr;
	UT_OK(pthread_create(&tr, NULL, reader, &s));
	UT_OK(pthread_create(&tw, NULL, writer, &s));

	/* wait until P has left the index (the writer evicted it) */
	double t0 = ut_now();
	while (vmemcache_exists(s.c, "p", 1, NULL) == 1) {
		UT_ASSERTm(ut_now() - t0 < 20, "P never evicted");
		ut_sleep_ms(1);
	}
	/*
	 * the put cannot finish: it needs P's space. The pin is held for
	 * HOLD_MS, longer than a hiccup: a scan holds its pins for seconds.
	 */
	for (int i = 0; i < HOLD_MS / 250; i++) {
		unsigned long before = atomic_load(&s.reader_ops);
		ut_sleep_ms(250);
		UT_ASSERTm(atomic_load(&s.reader_ops) > before,
			"reader made no progress while the put waited");
		int done = atomic_load(&s.writer_done);
		UT_ASSERTm(!done, "the put returned %d (%s) after %.2f s, while"
			" P's space was still pinned", s.writer_ret,
			cellar_errno_name(s.writer_err), ut_now() - t0);
		UT_ASSERT(memcmp(pin.addr, pv, plen) == 0);
	}
	/* the main thread is a reader too */
	char buf[16];
	UT_ERR(vmemcache_get(s.c, "p", 1, buf, sizeof(buf), 0, NULL), ENOENT);
	UT_ASSERT(memcmp(pin.addr, pv, plen) == 0);
	cellar_pin_release(&pin);

	t0 = ut_now();
	while (!atomic_load(&s.writer_done)) {
		UT_ASSERTm(ut_now() - t0 < 20, "put never finished");
		ut_sleep_ms(1);
	}
	UT_OK(pthread_join(tw, NULL));
	atomic_store(&s.stop, 1);
	UT_OK(pthread_join(tr, NULL));
	UT_ASSERTm(s.writer_ret == 0, "the put waiting for P's space failed:"
		" %s", cellar_errno_name(s.writer_err));

	char *out = ut_malloc(s.big_len);
	UT_ASSERTeq(vmemcache_get(s.c, "x", 1, out, s.big_len, 0, NULL),
		s.big_len);
	UT_ASSERT(memcmp(out, s.big, s.big_len) == 0);
	struct cellar_stats st;
	UT_OK(cellar_stats_get(s.c, &st));
	UT_ASSERTeq(st.pinned, 0);
	UT_OUT("evict_first %d dram %d: reader ops %lu", evict_first, dram,
		atomic_load(&s.reader_ops));
	free(out);
	free(pv);
	free(s.big);
	vmemcache_delete(s.c);
}

/*
 * test_short_wait -- with a put wait shorter than the pin, the put fails
 * with ENOSPC and the cache stays usable (internal)
 */
static void
test_short_wait(void)
{
	VMEMcache *c = ut_cache_new(MIB, 0, VMEMCACHE_REPLACEMENT_LRU, 1);
	UT_OK(cellar_set_put_wait(c, 50));
	size_t plen = 700 * KIB;
	char *pv = ut_malloc(plen);
	ut_fill(pv, plen, 3);
	UT_OK(vmemcache_put(c, "p", 1, pv, plen));
	cellar_pin pin;
	UT_OK(cellar_pin_get(c, "p", 1, &pin));
	double t0 = ut_now();
	UT_ERR(vmemcache_put(c, "q", 1, pv, plen), ENOSPC);
	UT_ASSERT(ut_now() - t0 >= 0.045);
	UT_ASSERT(strstr(vmemcache_errormsg(), "pinned") != NULL);
	UT_ASSERT(memcmp(pin.addr, pv, plen) == 0);
	cellar_pin_release(&pin);
	/* the space is back: the same put now succeeds */
	UT_OK(vmemcache_put(c, "q", 1, pv, plen));
	free(pv);
	vmemcache_delete(c);
}

int
main(void)
{
	ut_start("test_pin_wait");
	ut_watchdog(120);
	run(1, 0);
	run(0, 0);
	run(0, 1);
	test_short_wait();
	return ut_done();
}
