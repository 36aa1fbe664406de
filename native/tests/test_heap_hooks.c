/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_heap_hooks.c -- the engine under a program that interposes malloc,
 * realloc and free to count its heap
 *
 * Heap tracers (vmemcache's heap-usage test among them) define the three,
 * look the real ones up with dlsym(RTLD_NEXT) at their first call and count
 * malloc_usable_size of every block taken and returned. The engine must
 * work under such hooks: every block it frees was taken through them (no
 * calloc or aligned_alloc, which they cannot see), nothing is left over
 * after vmemcache_delete, and it leaves no dl error pending (a failed
 * dlopen of libpmem), which would make a hook's dlsym free that error
 * through the hook itself and recurse.
 *
 * Not built with sanitizers: they own malloc and free themselves.
 */
#include <dlfcn.h>
#include <malloc.h>

#include "ut.h"

/* the real allocator, found at the first call of each hook */
static void *(*real_malloc)(size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

/* per thread: counting on, inside a hook, and what was counted */
static _Thread_local int counting;
static _Thread_local int in_hook;
static _Thread_local long long held;      /* usable bytes taken - returned */
static _Thread_local unsigned long unseen_frees; /* blocks never handed out */

/* a hook was called back while it looked the real function up */
static const char *reentered;

/* the counted blocks: open addressing, TOMB marks a removed slot */
#define LIVE_SLOTS ((size_t)1 << 17)
#define TOMB ((void *)1)
static void *live[LIVE_SLOTS];
static size_t live_count;

static size_t
slot_of(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 47) & (LIVE_SLOTS - 1);
}

/* live_add -- records a counted block (internal) */
static void
live_add(void *p)
{
	if (live_count + 1 >= LIVE_SLOTS / 2)
		UT_FATAL("more than %zu blocks held: raise LIVE_SLOTS",
			LIVE_SLOTS / 2);
	size_t i = slot_of(p);
	while (live[i] != NULL && live[i] != TOMB)
		i = (i + 1) & (LIVE_SLOTS - 1);
	live[i] = p;
	live_count++;
}

/* live_remove -- forgets a counted block; 0 when it was never recorded */
static int
live_remove(void *p)
{
	for (size_t i = slot_of(p); live[i] != NULL;
			i = (i + 1) & (LIVE_SLOTS - 1)) {
		if (live[i] == p) {
			live[i] = TOMB;
			live_count--;
			return 1;
		}
	}
	return 0;
}

/*
 * resolve -- the real `name` by dlsym, as tracers do; NULL (and `reentered`
 * set) when the lookup calls a hook back (internal)
 */
static void *
resolve(const char *name)
{
	/* volatile: dlsym cannot see it, so a plain store would be dropped */
	static _Thread_local volatile int resolving;
	if (resolving) {
		reentered = name;
		return NULL;
	}
	resolving = 1;
	void *f = dlsym(RTLD_NEXT, name);
	resolving = 0;
	if (f == NULL)
		abort();
	return f;
}

/* taken -- counts a block handed out by a hook (internal) */
static void
taken(void *p)
{
	if (p == NULL || !counting)
		return;
	held += (long long)malloc_usable_size(p);
	live_add(p);
}

/* returned -- counts a block given back to a hook (internal) */
static void
returned(void *p)
{
	if (p == NULL || !counting)
		return;
	if (live_remove(p))
		held -= (long long)malloc_usable_size(p);
	else
		unseen_frees++;
}

void *
malloc(size_t size)
{
	if (real_malloc == NULL &&
			(real_malloc = (void *(*)(size_t))resolve("malloc")) ==
			NULL)
		return NULL;
	int outer = !in_hook;
	in_hook = 1;
	void *p = real_malloc(size);
	if (outer) {
		taken(p);
		in_hook = 0;
	}
	return p;
}

void *
realloc(void *old, size_t size)
{
	if (real_realloc == NULL &&
			(real_realloc = (void *(*)(void *, size_t))
			resolve("realloc")) == NULL)
		return NULL;
	int outer = !in_hook;
	in_hook = 1;
	size_t old_usable = old ? malloc_usable_size(old) : 0;
	int was_seen = outer && old && counting ? live_remove(old) : 0;
	void *p = real_realloc(old, size);
	if (outer) {
		if (was_seen)
			held -= (long long)old_usable;
		else if (old && counting)
			unseen_frees++;
		if (p == NULL && was_seen) {
			/* the old block stays */
			live_add(old);
			held += (long long)old_usable;
		} else {
			taken(p);
		}
		in_hook = 0;
	}
	return p;
}

void
free(void *p)
{
	/* a free that cannot find the real one leaks: `reentered` reports it */
	if (real_free == NULL &&
			(real_free = (void (*)(void *))resolve("free")) == NULL)
		return;
	int outer = !in_hook;
	in_hook = 1;
	if (outer)
		returned(p);
	real_free(p);
	if (outer)
		in_hook = 0;
}

/* counting_begin -- counts this thread's calls from now on, from zero */
static void
counting_begin(void)
{
	held = 0;
	unseen_frees = 0;
	counting = 1;
}

/* counting_end -- stops counting; asserts nothing is left over */
static void
counting_end(const char *what)
{
	counting = 0;
	UT_ASSERTm(reentered == NULL,
		"%s: the hook %s was called back from its own dlsym: a dl error was pending",
		what, reentered ? reentered : "");
	UT_ASSERTm(unseen_frees == 0,
		"%s: %lu blocks freed that no hook handed out (calloc, aligned_alloc?)",
		what, unseen_frees);
	UT_ASSERTm(held == 0, "%s: %lld bytes still held (%zu blocks)", what,
		held, live_count);
}

/*
 * test_first_add -- the process's first pool (the libpmem probe) under
 * hooks not yet resolved: the add works, leaves no dl error pending and
 * nothing on the heap after delete. Runs before anything else frees.
 */
static void
test_first_add(const char *dir)
{
	counting_begin();
	VMEMcache *c = vmemcache_new();
	UT_ASSERT(c != NULL);
	int ret = vmemcache_add(c, dir);
	/* dlerror formats a pending error: count that too */
	const char *pending = dlerror();
	counting = 0;
	UT_ASSERTm(reentered == NULL,
		"first add: the hook %s was called back from its own dlsym: a dl error was pending",
		reentered ? reentered : "");
	UT_ASSERTeq(ret, 0);
	UT_ASSERTm(pending == NULL, "a dl error was left pending: %s", pending);
	struct cellar_media m;
	UT_OK(cellar_media_get(c, &m));
	if (m.libpmem)
		UT_OUT("libpmem is installed: its probe did not fail here");
	counting = 1;
	vmemcache_delete(c);
	counting_end("first add");
}

/*
 * fill -- puts 32-byte values under 8-byte keys from `from` on until one
 * more entry is evicted; returns the next key
 */
static uint64_t
fill(VMEMcache *c, uint64_t from)
{
	char v[32];
	memset(v, 'v', sizeof(v));
	uint64_t n = from;
	unsigned long long evicted = ut_stat(c, VMEMCACHE_STAT_EVICT);
	while (ut_stat(c, VMEMCACHE_STAT_EVICT) == evicted) {
		UT_OK(vmemcache_put(c, &n, sizeof(n), v, sizeof(v)));
		n++;
	}
	return n;
}

/*
 * test_full_cache -- a full 1 MiB pool of 256 B extents: what the hooks
 * count per entry stays under libvmemcache's bound (180 bytes, its
 * heap-usage test), and gets, evictions, replaces, the S3-FIFO ghost table,
 * the journal and listings all give back every block they take
 */
static void
test_full_cache(const char *dir, enum cellar_policy policy, int dram)
{
	counting_begin();
	VMEMcache *c = vmemcache_new();
	UT_ASSERT(c != NULL);
	UT_OK(vmemcache_set_size(c, VMEMCACHE_MIN_POOL));
	UT_OK(vmemcache_set_extent_size(c, VMEMCACHE_MIN_EXTENT));
	UT_OK(cellar_set_policy(c, policy));
	UT_OK(dram ? cellar_add_dram(c) : vmemcache_add(c, dir));
	UT_OK(cellar_journal_enable(c, 64));

	uint64_t n = fill(c, 0);
	uint64_t entries = ut_stat(c, VMEMCACHE_STAT_ENTRIES);
	UT_ASSERTgt(entries, 1000);
	UT_ASSERTgt(held, 0);
	UT_OUT("%s pool, policy %d: %lld heap bytes per entry (%llu entries)",
		dram ? "DRAM" : "file", (int)policy, held / (long long)entries,
		(unsigned long long)entries);
	UT_ASSERTm(held / (long long)entries <= 180,
		"%lld heap bytes per entry (%llu entries)",
		held / (long long)entries, (unsigned long long)entries);

	char buf[32];
	for (uint64_t k = 0; k < n; k += 7)
		(void) vmemcache_get(c, &k, sizeof(k), buf, sizeof(buf), 0,
			NULL);
	for (uint64_t k = n / 2; k < n / 2 + 100; k++) {
		UT_OK(cellar_replace(c, &k, sizeof(k), "r", 1));
		(void) vmemcache_evict(c, &k, sizeof(k));
	}
	int overflowed = 0;
	UT_ASSERTgt(cellar_journal_drain(c, 1000, NULL, NULL, &overflowed), 0);
	fill(c, n);
	vmemcache_delete(c);
	counting_end(policy == CELLAR_POLICY_S3FIFO ? "S3-FIFO cache"
		: "LRU cache");
}

int
main(void)
{
	/* before anything else takes or gives back memory */
	ut_test_name = "test_heap_hooks";
	static char dir[64];
	snprintf(dir, sizeof(dir), "/dev/shm/cellar-hooks-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		snprintf(dir, sizeof(dir), "/tmp/cellar-hooks-XXXXXX");
		if (mkdtemp(dir) == NULL)
			UT_FATAL("cannot make a temp dir");
	}
	test_first_add(dir);
	rmdir(dir);

	ut_start("test_heap_hooks");
	test_full_cache(ut_tmpdir(), CELLAR_POLICY_LRU, 0);
	test_full_cache(ut_tmpdir(), CELLAR_POLICY_S3FIFO, 0);
	test_full_cache(ut_tmpdir(), CELLAR_POLICY_LRU, 1);
	return ut_done();
}
