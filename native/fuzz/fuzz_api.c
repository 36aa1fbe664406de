/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_api.c -- API call sequences checked against an in-memory model
 *
 * LLVMFuzzerTestOneInput decodes its bytes into calls on a small cache
 * (1 MiB pool, 16 keys that are prefixes of each other and hold NUL bytes):
 * put, get with offsets and small buffers, exists, evict by key, evict LRU,
 * replace, pin/release, remove, on_miss that puts, statistics. Byte 0 picks
 * the policy (NONE or LRU), the medium (file or DRAM) and the extent size.
 *
 * The model is exact: it knows every entry's bytes, its recency and the
 * pool bytes each value holds (measured when it is stored, at least its
 * header and value in whole extents; pinned entries that left keep theirs
 * until the release). Under LRU every on_evict must name the model's least
 * recently used entry (the engine prefers, among the 32 oldest, one that is
 * not pinned, since its space frees at once), be necessary for the call in
 * progress, and find the entry still readable. Every result, errno and
 * statistic is checked; a mismatch aborts. With bit 7 of byte 0 set the
 * input runs the persistent mode instead (see ps_run). Without libFuzzer, FUZZ_REPLAY builds a main() that replays files
 * and directories and can generate random inputs (--random N).
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "internal.h"
#include "persist.h"
#include "ut.h"

#define FZ_POOL ((size_t)1 << 20)
#define NKEYS 16
#define NPINS 4
#define MAXVAL (FZ_POOL + 4096)
#define MAXINST 64
#define LONGKEY 1000

/* one stored value; kept while in the index or pinned */
struct inst {
	unsigned char *val;
	size_t len;
	size_t space;		/* pool bytes it holds */
	unsigned pins;
	int live;		/* in the index */
};

enum ctx_kind { CTX_NONE, CTX_PUT, CTX_REPLACE, CTX_EVICT_KEY, CTX_EVICT_LRU,
	CTX_GET };

struct ctx {
	enum ctx_kind kind;
	unsigned key;
	size_t need;
	unsigned evicted;
};

static struct model {
	VMEMcache *c;
	int lru;
	size_t extent, pool;
	struct inst *key_inst[NKEYS];
	uint64_t stamp[NKEYS];
	int queued[NKEYS];	/* LRU: a use of it waits in the ring */
	uint64_t clock, vseq;
	struct inst *all[MAXINST];
	unsigned nall;
	struct {
		int active;
		unsigned key;
		struct inst *in;
		cellar_pin pin;
	} pins[NPINS];
	unsigned long long puts, replaces, hits, misses, evictions;
	size_t freed;		/* pool bytes of values freed so far */
	struct ctx ctx;
	int miss_put;
	size_t miss_len;
	unsigned miss_calls;
} M;

static unsigned char readbuf[MAXVAL + 16];
static unsigned char longkey[LONGKEY];

static const struct { const char *k; size_t len; } KEYS[NKEYS - 1] = {
	{"a", 1}, {"ab", 2}, {"abc", 3}, {"b", 1}, {"\0", 1}, {"\0\0", 2},
	{"\0a", 2}, {"a\0", 2}, {"a\0b", 3}, {"abcdefghijklmnop", 16},
	{"abcdefghijklmno", 15}, {"\xff", 1}, {"\xff\xff\xff\xff", 4},
	{"k\0\0\0\0\0\0\0", 8}, {"K", 1},
};

/* key_ptr -- the bytes of key i (internal) */
static const void *
key_ptr(unsigned i)
{
	return i < NKEYS - 1 ? (const void *)KEYS[i].k : (const void *)longkey;
}

/* key_len -- the length of key i (internal) */
static size_t
key_len(unsigned i)
{
	return i < NKEYS - 1 ? KEYS[i].len : LONGKEY;
}

/* key_find -- the index of a key the engine passed back (internal) */
static unsigned
key_find(const void *key, size_t ksize)
{
	for (unsigned i = 0; i < NKEYS; i++)
		if (key_len(i) == ksize && memcmp(key_ptr(i), key, ksize) == 0)
			return i;
	UT_FATAL("engine passed an unknown key of %zu B", ksize);
}

/* space_min -- pool bytes a value of len takes when contiguous (internal) */
static size_t
space_min(unsigned k, size_t len)
{
	return ut_space(len, key_len(k), M.extent);
}

/* engine_free -- free pool bytes and free pieces, from the engine */
static size_t
engine_free(unsigned long long *runs)
{
	struct cellar_stats st;
	UT_OK(cellar_stats_get(M.c, &st));
	*runs = st.heap_entries;
	return (size_t)(st.pool_size - st.pool_used);
}

/*
 * slack -- bytes a value split over `runs` free pieces may need beyond its
 * contiguous size: a fragment header per piece and one partial extent
 */
static size_t
slack(unsigned long long runs)
{
	return (size_t)runs * sizeof(struct frag_hdr) + M.extent;
}

/*
 * surely_fits -- whether a value of `need` contiguous bytes under key k must
 * fit in `fr` free bytes spread over `runs` pieces: its pieces' slack is
 * free, and its entry header (which never splits) fits in the largest piece,
 * which holds at least the average, in whole extents (internal)
 */
static int
surely_fits(unsigned k, size_t need, size_t fr, unsigned long long runs)
{
	if (fr < need + slack(runs) || runs == 0)
		return 0;
	size_t largest = (size_t)(fr / runs) / M.extent * M.extent;
	return largest > (size_t)entry_hdr_size(key_len(k));
}

/* model_used -- pool bytes held by live and pinned values (internal) */
static size_t
model_used(void)
{
	size_t u = 0;
	for (unsigned i = 0; i < M.nall; i++)
		u += M.all[i]->space;
	return u;
}

/* model_pending -- pool bytes held only by pins (internal) */
static size_t
model_pending(void)
{
	size_t u = 0;
	for (unsigned i = 0; i < M.nall; i++)
		if (!M.all[i]->live)
			u += M.all[i]->space;
	return u;
}

/* inst_new -- a value of len bytes from the next seed (internal) */
static struct inst *
inst_new(size_t len)
{
	struct inst *in = ut_malloc(sizeof(*in));
	in->val = ut_malloc(len);
	ut_fill(in->val, len, ++M.vseq);
	in->len = len;
	in->space = 0;
	in->pins = 0;
	in->live = 0;
	return in;
}

/* inst_free -- frees a value no one holds (internal) */
static void
inst_free(struct inst *in)
{
	M.freed += in->space;
	for (unsigned i = 0; i < M.nall; i++)
		if (M.all[i] == in) {
			M.all[i] = M.all[--M.nall];
			break;
		}
	free(in->val);
	free(in);
}

/*
 * inst_link -- a value entered the index; its pool bytes are what the
 * engine's POOL_SIZE_USED grew by, plus what the call freed (internal)
 */
static void
inst_link(struct inst *in, unsigned k, size_t used_before,
	size_t freed_before)
{
	UT_ASSERT(M.nall < MAXINST);
	size_t used = (size_t)ut_stat(M.c, VMEMCACHE_STAT_POOL_SIZE_USED);
	in->space = used + (M.freed - freed_before) - used_before;
	UT_ASSERTm(in->space >= space_min(k, in->len) &&
		in->space <= M.pool, "value of %zu B takes %zu B", in->len,
		in->space);
	in->live = 1;
	M.all[M.nall++] = in;
}

/* inst_drop -- a value left the index; freed unless pinned (internal) */
static void
inst_drop(struct inst *in)
{
	in->live = 0;
	if (in->pins == 0)
		inst_free(in);
}

/* key_drop -- key k left the index (internal) */
static void
key_drop(unsigned k)
{
	UT_ASSERT(M.key_inst[k] != NULL);
	inst_drop(M.key_inst[k]);
	M.key_inst[k] = NULL;
	M.queued[k] = 0;
}

/*
 * model_use -- a hit on k: it becomes the most recent, unless its last use
 * still waits in the LRU's ring, where it already counts (internal)
 */
static void
model_use(unsigned k)
{
	if (M.queued[k])
		return;
	M.queued[k] = 1;
	M.stamp[k] = ++M.clock;
}

/*
 * model_drained -- the engine applied the uses waiting in its ring, as it
 * does before every put it places, eviction and removal (internal)
 */
static void
model_drained(void)
{
	memset(M.queued, 0, sizeof(M.queued));
}

/*
 * lru_victim -- the present key evict(NULL) must take, -1 if none: the
 * least recently used one that is not pinned among the 32 oldest, else the
 * least recently used
 */
static int
lru_victim(void)
{
	int order[NKEYS];
	unsigned n = 0;
	for (unsigned i = 0; i < NKEYS; i++) {
		if (!M.key_inst[i])
			continue;
		unsigned j = n++;
		while (j > 0 && M.stamp[order[j - 1]] > M.stamp[i]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = (int)i;
	}
	if (n == 0)
		return -1;
	for (unsigned j = 0; j < n && j < 32; j++)
		if (M.key_inst[order[j]]->pins == 0)
			return order[j];
	return order[0];
}

/* n_present -- keys in the index (internal) */
static unsigned
n_present(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < NKEYS; i++)
		n += M.key_inst[i] != NULL;
	return n;
}

/* check_pin_bytes -- a pin's pieces, in order, are the value (internal) */
static void
check_pin_bytes(const cellar_pin *p, const struct inst *in)
{
	UT_ASSERTeq(p->size, in->len);
	if (in->len == 0) {
		UT_ASSERT(p->addr == NULL);
		return;
	}
	UT_ASSERT(p->addr != NULL);
	size_t off = 0;
	for (unsigned i = 0; i < p->nparts; i++) {
		const void *a;
		size_t l;
		UT_OK(cellar_pin_part(p, i, &a, &l));
		if (i == 0) {
			UT_ASSERT(a == p->addr);
			UT_ASSERTeq(l, p->first_len);
		}
		UT_ASSERT(l > 0 && off + l <= in->len);
		UT_ASSERT(memcmp(a, in->val + off, l) == 0);
		off += l;
	}
	UT_ASSERTeq(off, in->len);
}

/* pin_release -- checks and releases pin slot s (internal) */
static void
pin_release(unsigned s)
{
	if (!M.pins[s].active)
		return;
	struct inst *in = M.pins[s].in;
	check_pin_bytes(&M.pins[s].pin, in);
	cellar_pin_release(&M.pins[s].pin);
	M.pins[s].active = 0;
	in->pins--;
	if (!in->live && in->pins == 0)
		inst_free(in);
}

/* release_all_pins -- before calls that could wait for pinned space */
static void
release_all_pins(void)
{
	for (unsigned s = 0; s < NPINS; s++)
		pin_release(s);
}

/* settle_pins -- a put could wait on pinned space: release first */
static void
settle_pins(void)
{
	if (M.lru || model_pending() > 0)
		release_all_pins();
}

/* on_evict_cb -- must be the model's expected victim, still readable */
static void
on_evict_cb(VMEMcache *c, const void *key, size_t ksize, void *arg)
{
	(void)arg;
	UT_ASSERT(c == M.c);
	unsigned k = key_find(key, ksize);
	struct inst *in = M.key_inst[k];
	UT_ASSERTm(in != NULL, "on_evict of absent key %u", k);
	switch (M.ctx.kind) {
	case CTX_EVICT_KEY:
		UT_ASSERTeq(k, M.ctx.key);
		UT_ASSERTeq(M.ctx.evicted, 0);
		break;
	case CTX_EVICT_LRU:
		UT_ASSERTeq(M.ctx.evicted, 0);
		UT_ASSERTm((int)k == lru_victim(), "evicted %u, LRU is %d", k,
			lru_victim());
		break;
	case CTX_PUT:
	case CTX_REPLACE: {
		UT_ASSERT(M.lru);
		UT_ASSERTm((int)k == lru_victim(), "put evicted %u, LRU is %d",
			k, lru_victim());
		unsigned long long runs;
		size_t fr = engine_free(&runs);
		UT_ASSERTm(!surely_fits(M.ctx.key, M.ctx.need, fr, runs),
			"eviction not needed:"
			" %zu B free in %llu pieces, %zu needed", fr, runs,
			M.ctx.need);
		break;
	}
	default:
		UT_FATAL("on_evict of key %u in call kind %d", k, M.ctx.kind);
	}
	/* still there and readable, whole */
	size_t vs = 0;
	UT_ASSERTeq(vmemcache_exists(c, key, ksize, &vs), 1);
	UT_ASSERTeq(vs, in->len);
	UT_ASSERTeq(vmemcache_get(c, key, ksize, readbuf, MAXVAL, 0, NULL),
		in->len);
	UT_ASSERT(memcmp(readbuf, in->val, in->len) == 0);
	M.hits++;
	M.ctx.evicted++;
	M.evictions++;
	key_drop(k);
}

static void do_put(unsigned k, size_t len);

/* on_miss_cb -- only from get; puts the key when the input says so */
static void
on_miss_cb(VMEMcache *c, const void *key, size_t ksize, void *arg)
{
	(void)arg;
	UT_ASSERT(c == M.c);
	unsigned k = key_find(key, ksize);
	UT_ASSERTm(M.ctx.kind == CTX_GET, "on_miss in call kind %d",
		M.ctx.kind);
	UT_ASSERTeq(k, M.ctx.key);
	UT_ASSERT(M.key_inst[k] == NULL);
	M.miss_calls++;
	if (M.miss_put) {
		struct ctx saved = M.ctx;
		do_put(k, M.miss_len);
		M.ctx = saved;
	}
}

/* do_put -- vmemcache_put with every outcome predicted (internal) */
static void
do_put(unsigned k, size_t len)
{
	settle_pins();
	int present = M.key_inst[k] != NULL;
	unsigned long long runs;
	size_t free_before = engine_free(&runs);
	size_t used_before = M.pool - free_before, freed_before = M.freed;
	size_t need = space_min(k, len);
	int too_big = need > M.pool;
	struct inst *in = inst_new(len);
	struct ctx saved = M.ctx;
	M.ctx = (struct ctx){CTX_PUT, k, need, 0};
	if (!present && !too_big)
		model_drained();
	errno = 0;
	int r = vmemcache_put(M.c, key_ptr(k), key_len(k), in->val, len);
	int e = errno;
	unsigned evicted = M.ctx.evicted;
	M.ctx = saved;
	if (present || too_big) {
		/* either error may win when both apply */
		UT_ASSERTm(r == -1 && ((present && e == EEXIST) ||
			(too_big && e == ENOSPC)), "put of %zu B, key %u %s: "
			"%d %s", len, k, present ? "present" : "absent", r,
			cellar_errno_name(e));
		UT_ASSERTeq(evicted, 0);
	} else if (!M.lru) {
		if (surely_fits(k, need, free_before, runs))
			UT_ASSERTm(r == 0, "NONE put of %zu B with %zu free: %s",
				len, free_before, cellar_errno_name(e));
		else if (free_before < need)
			UT_ASSERTm(r == -1 && e == ENOSPC, "NONE put of %zu B "
				"with %zu free: %d", len, free_before, r);
		else
			UT_ASSERT(r == 0 || e == ENOSPC);
	} else {
		UT_ASSERTm(r == 0, "LRU put of %zu B: %s", len,
			cellar_errno_name(e));
	}
	if (r != 0) {
		inst_free(in);
		return;
	}
	UT_ASSERT(M.key_inst[k] == NULL);
	inst_link(in, k, used_before, freed_before);
	M.key_inst[k] = in;
	M.stamp[k] = ++M.clock;
	M.puts++;
	UT_ASSERTle(model_used(), M.pool);
}

/* do_replace -- cellar_replace (internal) */
static void
do_replace(unsigned k, size_t len)
{
	settle_pins();
	struct inst *old = M.key_inst[k];
	unsigned long long runs;
	size_t free_before = engine_free(&runs);
	size_t used_before = M.pool - free_before, freed_before = M.freed;
	size_t need = space_min(k, len);
	struct inst *in = inst_new(len);
	struct ctx saved = M.ctx;
	M.ctx = (struct ctx){CTX_REPLACE, k, need, 0};
	if (need <= M.pool)
		model_drained();
	errno = 0;
	int r = cellar_replace(M.c, key_ptr(k), key_len(k), in->val, len);
	int e = errno;
	unsigned evicted = M.ctx.evicted;
	M.ctx = saved;
	if (need > M.pool) {
		UT_ASSERTm(r == -1 && e == ENOSPC, "replace of %zu B: %d", len,
			r);
		UT_ASSERTeq(evicted, 0);
	} else if (!M.lru) {
		size_t reusable = old && old->pins == 0 ? old->space : 0;
		if (r == 0)
			UT_ASSERTm(free_before + reusable >= need,
				"replace placed %zu B in %zu free", need,
				free_before + reusable);
		else
			UT_ASSERTm(e == ENOSPC && !surely_fits(k, need,
				free_before, runs), "NONE replace of %zu B with %zu "
				"free: %s", len, free_before,
				cellar_errno_name(e));
	} else {
		UT_ASSERTm(r == 0, "LRU replace of %zu B: %s", len,
			cellar_errno_name(e));
	}
	if (r != 0) {
		inst_free(in);
		if (old)
			UT_ASSERT(M.key_inst[k] == old);
		return;
	}
	if (M.key_inst[k])
		key_drop(k);
	inst_link(in, k, used_before, freed_before);
	M.key_inst[k] = in;
	M.stamp[k] = ++M.clock;
	M.replaces++;
	UT_ASSERTle(model_used(), M.pool);
}

/* resync_after_miss_put -- a get served by on_miss: count it as a miss and
 * accept whether the engine also counted a hit (internal) */
static void
resync_after_miss_put(void)
{
	struct cellar_stats st;
	UT_OK(cellar_stats_get(M.c, &st));
	UT_ASSERTeq(st.misses, M.misses);
	UT_ASSERT(st.hits == M.hits || st.hits == M.hits + 1);
	M.hits = st.hits;
}

/* do_get -- vmemcache_get with the argument classes of one byte */
static void
do_get(unsigned k, unsigned flags, unsigned arg, size_t miss_len)
{
	struct inst *in = M.key_inst[k];
	size_t len = in ? in->len : 0;
	size_t offset, bufsize;
	switch (flags & 3) {
	case 0: offset = 0; break;
	case 1: offset = arg; break;
	case 2: offset = len > arg ? len - arg : 0; break;
	default: offset = len + arg; break;
	}
	switch ((flags >> 2) & 3) {
	case 0: bufsize = 0; break;
	case 1: bufsize = arg + 1; break;
	case 2: bufsize = MAXVAL; break;
	default: bufsize = len; break;
	}
	int nullbuf = (flags >> 4) & 1;
	int nullvs = (flags >> 5) & 1;
	if (nullbuf)
		bufsize = 0;
	M.miss_put = (flags >> 6) & 1;
	M.miss_len = miss_len;
	M.miss_calls = 0;
	if (M.miss_put)
		settle_pins();	/* the callback's put could wait on a pin */

	size_t vs = (size_t)-7;
	memset(readbuf, 0xa5, 64);
	struct ctx saved = M.ctx;
	M.ctx = (struct ctx){CTX_GET, k, 0, 0};
	errno = 0;
	ssize_t r = vmemcache_get(M.c, key_ptr(k), key_len(k),
		nullbuf ? NULL : readbuf, bufsize, offset, nullvs ? NULL : &vs);
	int e = errno;
	M.ctx = saved;
	M.miss_put = 0;

	if (!in) {
		UT_ASSERTeq(M.miss_calls, 1);
		M.misses++;
		in = M.key_inst[k];	/* put by on_miss? */
		if (!in) {
			UT_ASSERTm(r == -1 && e == ENOENT, "get of absent key "
				"%u: %zd %s", k, r, cellar_errno_name(e));
			return;
		}
		resync_after_miss_put();
		len = in->len;
		/* the offset classes were computed for an absent key */
	} else {
		UT_ASSERTeq(M.miss_calls, 0);
		M.hits++;
	}
	size_t want = 0;
	if (!nullbuf && offset < len)
		want = len - offset < bufsize ? len - offset : bufsize;
	UT_ASSERTm(r == (ssize_t)want, "get key %u (%zu B) off %zu buf %zu: "
		"%zd, want %zu", k, len, offset, bufsize, r, want);
	if (!nullvs)
		UT_ASSERTeq(vs, len);
	if (want)
		UT_ASSERT(memcmp(readbuf, in->val + offset, want) == 0);
	model_use(k);
}

/* do_exists -- result per the model, no statistic moves (internal) */
static void
do_exists(unsigned k, int nullvs)
{
	struct cellar_stats a, b;
	UT_OK(cellar_stats_get(M.c, &a));
	size_t vs = 12345;
	int r = vmemcache_exists(M.c, key_ptr(k), key_len(k),
		nullvs ? NULL : &vs);
	UT_OK(cellar_stats_get(M.c, &b));
	UT_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	UT_ASSERTeq(r, M.key_inst[k] != NULL);
	if (r == 1 && !nullvs)
		UT_ASSERTeq(vs, M.key_inst[k]->len);
}

/* do_evict_key -- vmemcache_evict(key) (internal) */
static void
do_evict_key(unsigned k)
{
	int present = M.key_inst[k] != NULL;
	M.ctx = (struct ctx){CTX_EVICT_KEY, k, 0, 0};
	if (present)
		model_drained();
	errno = 0;
	int r = vmemcache_evict(M.c, key_ptr(k), key_len(k));
	int e = errno;
	unsigned evicted = M.ctx.evicted;
	M.ctx.kind = CTX_NONE;
	if (present) {
		UT_ASSERTeq(r, 0);
		UT_ASSERTeq(evicted, 1);
	} else {
		UT_ASSERTm(r == -1 && e == ENOENT, "evict absent key %u: %d",
			k, r);
		UT_ASSERTeq(evicted, 0);
	}
}

/* do_evict_lru -- vmemcache_evict(NULL) (internal) */
static int
do_evict_lru(void)
{
	int any = lru_victim() >= 0;
	M.ctx = (struct ctx){CTX_EVICT_LRU, 0, 0, 0};
	model_drained();
	errno = 0;
	int r = vmemcache_evict(M.c, NULL, 0);
	int e = errno;
	unsigned evicted = M.ctx.evicted;
	M.ctx.kind = CTX_NONE;
	if (M.lru && any) {
		UT_ASSERTm(r == 0, "evict(NULL) with %u entries: %s",
			n_present(), cellar_errno_name(e));
		UT_ASSERTeq(evicted, 1);
	} else {
		UT_ASSERTm(r == -1 && e == ESRCH, "evict(NULL): %d", r);
		UT_ASSERTeq(evicted, 0);
	}
	return r;
}

/* do_remove -- cellar_remove: no on_evict (internal) */
static void
do_remove(unsigned k)
{
	int present = M.key_inst[k] != NULL;
	if (present)
		model_drained();
	errno = 0;
	int r = cellar_remove(M.c, key_ptr(k), key_len(k));
	int e = errno;
	if (present) {
		UT_ASSERTeq(r, 0);
		key_drop(k);
	} else {
		UT_ASSERTm(r == -1 && e == ENOENT, "remove absent %u: %d", k,
			r);
	}
}

/* do_pin -- cellar_pin_get into slot s (internal) */
static void
do_pin(unsigned k, unsigned s)
{
	pin_release(s);
	struct inst *in = M.key_inst[k];
	errno = 0;
	int r = cellar_pin_get(M.c, key_ptr(k), key_len(k), &M.pins[s].pin);
	int e = errno;
	if (!in) {
		UT_ASSERTm(r == -1 && e == ENOENT, "pin absent %u: %d", k, r);
		M.misses++;
		return;
	}
	UT_ASSERTeq(r, 0);
	check_pin_bytes(&M.pins[s].pin, in);
	M.pins[s].active = 1;
	M.pins[s].key = k;
	M.pins[s].in = in;
	in->pins++;
	M.hits++;
	model_use(k);
}

/* check_stats -- every counter as the model says (internal) */
static void
check_stats(void)
{
	struct cellar_stats st;
	UT_OK(cellar_stats_get(M.c, &st));
	unsigned long long v[VMEMCACHE_STATS_NUM];
	ut_stats_all(M.c, v);
	UT_ASSERTeq(st.puts, v[VMEMCACHE_STAT_PUT]);
	UT_ASSERTeq(st.gets, v[VMEMCACHE_STAT_GET]);
	UT_ASSERTeq(st.hits, v[VMEMCACHE_STAT_HIT]);
	UT_ASSERTeq(st.misses, v[VMEMCACHE_STAT_MISS]);
	UT_ASSERTeq(st.evictions, v[VMEMCACHE_STAT_EVICT]);
	UT_ASSERTeq(st.entries, v[VMEMCACHE_STAT_ENTRIES]);
	UT_ASSERTeq(st.dram_used, v[VMEMCACHE_STAT_DRAM_SIZE_USED]);
	UT_ASSERTeq(st.pool_used, v[VMEMCACHE_STAT_POOL_SIZE_USED]);
	UT_ASSERTeq(st.heap_entries, v[VMEMCACHE_STAT_HEAP_ENTRIES]);

	UT_ASSERTeq(st.gets, st.hits + st.misses);
	UT_ASSERTeq(st.puts, M.puts);
	UT_ASSERTeq(st.replaces, M.replaces);
	UT_ASSERTeq(st.hits, M.hits);
	UT_ASSERTeq(st.misses, M.misses);
	UT_ASSERTeq(st.evictions, M.evictions);
	UT_ASSERTeq(st.entries, n_present());
	unsigned pins = 0;
	for (unsigned s = 0; s < NPINS; s++)
		pins += M.pins[s].active;
	UT_ASSERTeq(st.pinned, pins);
	UT_ASSERTeq(st.pool_size, M.pool);
	UT_ASSERTeq(st.pool_used, model_used());
	if (st.entries == 0 && model_pending() == 0) {
		UT_ASSERTeq(st.pool_used, 0);
		UT_ASSERTeq(st.dram_used, 0);
		UT_ASSERTeq(st.heap_entries, 1);
	} else if (st.entries > 0) {
		UT_ASSERT(st.dram_used > 0);
	}
	if (model_used() < M.pool)
		UT_ASSERT(st.heap_entries >= 1);

	unsigned long long x;
	UT_ERR(vmemcache_get_stat(M.c, VMEMCACHE_STATS_NUM, &x, sizeof(x)),
		EINVAL);
	UT_ERR(vmemcache_get_stat(M.c, VMEMCACHE_STAT_PUT, &x, 4), EINVAL);
}

/* input -- a cursor over the fuzz bytes (internal) */
struct input {
	const uint8_t *p;
	size_t n;
};

/* next -- the next byte, 0 past the end (internal) */
static unsigned
next(struct input *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

/* next16 -- two bytes (internal) */
static unsigned
next16(struct input *in)
{
	unsigned lo = next(in);
	return lo | (next(in) << 8);
}

/* next_size -- a value size, from tiny to just over the pool (internal) */
static size_t
next_size(struct input *in)
{
	unsigned s = next(in);
	switch (s & 7) {
	case 0: return 0;
	case 1: return s >> 3;
	case 2: return 1 + next(in);
	case 3: return 200 + next16(in) % 4000;
	case 4: return next16(in);
	case 5: return (size_t)next16(in) * 4;
	case 6: return (size_t)next16(in) * 8;
	default: return FZ_POOL - 5000 + (size_t)next(in) * 32;
	}
}

/* finish -- releases pins, empties the cache, checks it is clean */
static void
finish(void)
{
	release_all_pins();
	check_stats();
	if (M.lru) {
		while (do_evict_lru() == 0)
			;
	} else {
		for (unsigned k = 0; k < NKEYS; k++)
			if (M.key_inst[k])
				do_evict_key(k);
	}
	UT_ASSERTeq(n_present(), 0);
	UT_ASSERTeq(M.nall, 0);
	check_stats();
	vmemcache_delete(M.c);
	M.c = NULL;
}

/*
 * Persistent mode (byte 0 has bit 7 set): calls on a persistent pool, or a
 * DRAM tier stacked over one (bit 6, with an eviction journal), then a
 * clean close or, with bit 5, a crash (the file as it was while open);
 * then mutations of the file from the input: bit flips, bytes, a
 * truncation, and entries or fragments crafted with valid checksums whose
 * sizes, chains, keys and sequence numbers the input chooses; then a
 * reattach. Every value read back must be one that was stored under its
 * key (lost, never wrong), the heap must check out, and the cache must
 * take a pool's worth of new values.
 */
#define PS_HIST 64
#define PS_MAXVAL ((size_t)200 << 10)

static struct {
	uint64_t seed[NKEYS][PS_HIST];
	size_t len[NKEYS][PS_HIST];
	unsigned n[NKEYS];
	uint64_t ver;
} H;

static char ps_path[PATH_MAX];

/* what the persistent mode did, for the replay's report */
static struct {
	unsigned long long runs, crashes, stacks, mutations, crafted;
	unsigned long long recovered, dropped, clean, recreated;
} PS;

/* ps_value -- the bytes of version `i` of key k into readbuf+8 (internal) */
static const unsigned char *
ps_value(unsigned k, unsigned i)
{
	ut_fill(readbuf + 8, H.len[k][i], H.seed[k][i]);
	return readbuf + 8;
}

/* ps_next_value -- a new version of key k, or -1 when its history is full */
static int
ps_next_value(unsigned k, size_t len)
{
	if (H.n[k] == PS_HIST)
		return -1;
	unsigned i = H.n[k]++;
	H.seed[k][i] = (uint64_t)k << 48 | ++H.ver;
	H.len[k][i] = len;
	return (int)i;
}

/* ps_check -- a value read for key k is one of its versions (internal) */
static void
ps_check(unsigned k, const unsigned char *got, size_t len)
{
	static unsigned char want[PS_MAXVAL];
	for (unsigned i = 0; i < H.n[k]; i++) {
		if (H.len[k][i] != len)
			continue;
		ut_fill(want, len, H.seed[k][i]);
		if (memcmp(want, got, len) == 0)
			return;
	}
	UT_FATAL("key %u: a value of %zu B that was never stored", k, len);
}

struct ps_target {
	VMEMcache *top, *bot;
	cellar_tier *t;
};

static int
ps_store(struct ps_target *x, unsigned k, unsigned i, int how)
{
	const void *key = key_ptr(k);
	size_t ks = key_len(k), len = H.len[k][i];
	const unsigned char *v = ps_value(k, i);
	if (how == 2) {
		/* gathered: three pieces */
		struct cellar_iov iov[3] = {{v, len / 3}, {v + len / 3, len / 3},
			{v + 2 * (len / 3), len - 2 * (len / 3)}};
		return x->t ? cellar_tier_putv(x->t, key, ks, iov, 3)
			: cellar_putv(x->bot, key, ks, iov, 3);
	}
	if (how == 1)
		return x->t ? cellar_tier_replace(x->t, key, ks, v, len)
			: cellar_replace(x->bot, key, ks, v, len);
	return x->t ? cellar_tier_put(x->t, key, ks, v, len)
		: vmemcache_put(x->bot, key, ks, v, len);
}

static void
ps_get(struct ps_target *x, unsigned k)
{
	static unsigned char got[PS_MAXVAL];
	size_t vs = 0;
	ssize_t n = x->t ? cellar_tier_get(x->t, key_ptr(k), key_len(k), got,
			sizeof(got), 0, &vs, NULL)
		: vmemcache_get(x->bot, key_ptr(k), key_len(k), got,
			sizeof(got), 0, &vs);
	if (n < 0) {
		UT_ASSERTeq(errno, ENOENT);
		return;
	}
	UT_ASSERTeq((size_t)n, vs);
	ps_check(k, got, vs);
}

static int
ps_journal_key(const void *key, size_t ksize, void *arg)
{
	(void)arg;
	UT_ASSERT(ksize > 0 && key != NULL);
	return 0;
}

/* fz_open -- the pool at ps_path, and a stack over it when asked */
static void
fz_open(struct ps_target *x, size_t extent, int stack)
{
	memset(x, 0, sizeof(*x));
	x->bot = vmemcache_new();
	UT_ASSERT(x->bot != NULL);
	UT_OK(vmemcache_set_size(x->bot, 2 * FZ_POOL));
	UT_OK(vmemcache_set_extent_size(x->bot, extent));
	UT_ASSERTm(cellar_add_persistent(x->bot, ps_path) == 0, "reattach: %s",
		vmemcache_errormsg());
	if (!stack)
		return;
	x->top = vmemcache_new();
	UT_ASSERT(x->top != NULL);
	UT_OK(vmemcache_set_size(x->top, FZ_POOL));
	UT_OK(cellar_add_dram(x->top));
	VMEMcache *cs[2] = {x->top, x->bot};
	x->t = cellar_tier_new(cs, 2);
	UT_ASSERT(x->t != NULL);
	UT_OK(cellar_tier_journal_enable(x->t, 16));
}

static void
fz_close(struct ps_target *x)
{
	if (x->t) {
		cellar_tier_delete(x->t);
		vmemcache_delete(x->top);
	}
	vmemcache_delete(x->bot);
}

/* what a listing found: counts of known keys, copies of unknown ones */
struct ps_listing {
	unsigned known[NKEYS];
	unsigned char unknown[8][64];
	size_t unknown_len[8];
	unsigned nunknown;
};

/* ps_key_index -- the index of a key, or NKEYS for one never used */
static unsigned
ps_key_index(const void *key, size_t ksize)
{
	for (unsigned i = 0; i < NKEYS; i++)
		if (key_len(i) == ksize && memcmp(key_ptr(i), key, ksize) == 0)
			return i;
	return NKEYS;
}

static int
ps_list_key(const void *key, size_t ksize, void *arg)
{
	struct ps_listing *l = arg;
	unsigned k = ps_key_index(key, ksize);
	if (k < NKEYS) {
		UT_ASSERTeq(++l->known[k], 1);
	} else if (l->nunknown < 8 && ksize <= 64) {
		/* a crafted entry's key: its value must never be served */
		memcpy(l->unknown[l->nunknown], key, ksize);
		l->unknown_len[l->nunknown++] = ksize;
	}
	return 0;
}

/* ps_read_file / ps_write_file -- a pool file's bytes (internal) */
static unsigned char *
ps_read_file(size_t *size)
{
	int fd = open(ps_path, O_RDONLY);
	UT_ASSERT(fd >= 0);
	struct stat st;
	UT_OK(fstat(fd, &st));
	*size = (size_t)st.st_size;
	unsigned char *b = ut_malloc(*size + 1);
	UT_ASSERTeq(pread(fd, b, *size, 0), (ssize_t)*size);
	close(fd);
	return b;
}

static void
ps_write_file(const unsigned char *b, size_t size)
{
	int fd = open(ps_path, O_WRONLY | O_TRUNC);
	UT_ASSERT(fd >= 0);
	UT_ASSERTeq(pwrite(fd, b, size, 0), (ssize_t)size);
	close(fd);
}

/* ps_nth_head -- offset of the j-th extent (mod count) starting with an entry magic, or 0 */
static size_t
ps_nth_head(const unsigned char *b, size_t size, const struct pool_hdr *ph,
		unsigned j)
{
	size_t found[64], n = 0;
	for (size_t off = ph->heap_offset; n < 64 &&
			off + sizeof(struct entry_hdr) <= size;
			off += ph->extent_size) {
		uint32_t m;
		memcpy(&m, b + off, sizeof(m));
		if (m == ENTRY_MAGIC)
			found[n++] = off;
	}
	return n ? found[j % n] : 0;
}

/* ps_mutate -- one mutation of the file's bytes from the input (internal) */
static void
ps_mutate(struct input *in, unsigned char *b, size_t *size)
{
	unsigned kind = next(in) % 6;
	PS.mutations++;
	PS.crafted += kind >= 3;
	size_t off = (next16(in) | (size_t)next(in) << 16) % *size;
	struct pool_hdr ph;
	memcpy(&ph, b, sizeof(ph));
	int sane = *size > POOL_HDR_SIZE && ph.extent_size >= 256 &&
		ph.extent_size <= FZ_POOL && ph.heap_offset == POOL_HDR_SIZE;
	struct persist ps = {.seed = ph.uuid};
	switch (kind) {
	case 0:
		b[off] ^= (unsigned char)(1u << (next(in) & 7));
		break;
	case 1:
		for (unsigned i = next(in) % 9; i > 0 && off < *size; i--)
			b[off++] = (unsigned char)next(in);
		break;
	case 2:
		if (next(in) % 4 == 0)
			*size = off; /* rarely: truncation */
		break;
	case 3: {
		/* an entry header changed, its checksum made valid again */
		size_t h = sane ? ps_nth_head(b, *size, &ph, next(in)) : 0;
		if (h == 0)
			break;
		struct entry_hdr e;
		memcpy(&e, b + h, sizeof(e));
		switch (next(in) % 6) {
		case 0: e.units = next(in) % 6; break;
		case 1: e.next = next(in) % 8 == 0 ? FRAG_NONE
				: (next16(in) % (ph.heap_units + 2)); break;
		case 2: e.value_size = (uint64_t)next16(in) << (next(in) % 12);
			break;
		case 3: e.seq += next(in); break;
		case 4: e.key_size = next(in) % 20; break;
		default:
			if (h + sizeof(e) < *size)
				b[h + sizeof(e)] ^= (unsigned char)next(in);
		}
		if (h + sizeof(e) + e.key_size > *size)
			break;
		e.hdr_checksum = ps_hdr_checksum(&ps, &e, b + h + sizeof(e));
		memcpy(b + h, &e, sizeof(e));
		break;
	}
	default: {
		/* a fragment header with a valid check, owned by an entry */
		if (!sane || ph.heap_units == 0)
			break;
		size_t h = ps_nth_head(b, *size, &ph, next(in));
		uint64_t unit = next16(in) % ph.heap_units;
		size_t at = ph.heap_offset + unit * ph.extent_size;
		if (h == 0 || at + sizeof(struct frag_hdr) > *size)
			break;
		struct entry_hdr e;
		memcpy(&e, b + h, sizeof(e));
		struct frag_hdr f = {FRAG_MAGIC, 0, 1 + next(in) % 4,
			next(in) % 4 == 0 ? FRAG_NONE
				: next16(in) % ph.heap_units, e.seq};
		f.check = ps_frag_check(&ps, &f);
		memcpy(b + at, &f, sizeof(f));
		if (next(in) % 2) {
			/* and the entry points at it */
			e.next = unit;
			e.hdr_checksum = ps_hdr_checksum(&ps, &e, b + h + sizeof(e));
			memcpy(b + h, &e, sizeof(e));
		}
	}
	}
}

/* ps_run -- one persistent-mode input (internal) */
static void
ps_run(unsigned cfg, struct input *in)
{
	memset(&H, 0, sizeof(H));
	snprintf(ps_path, sizeof(ps_path), "%s/fz.pool", ut_tmpdir());
	unlink(ps_path);
	unsigned shift = (cfg >> 2) & 3;
	size_t extent = (size_t)256 << (shift == 3 ? 0 : shift);
	int stack = (cfg >> 6) & 1, crash = (cfg >> 5) & 1;
	struct ps_target x;
	fz_open(&x, extent, stack);

	for (unsigned ops = 1 + next(in) % 48; ops > 0 && in->n > 0; ops--) {
		unsigned op = next(in) % 7, k = next(in) % NKEYS;
		size_t len = (next16(in) << (next(in) % 3)) % PS_MAXVAL;
		int i;
		switch (op) {
		case 0:
		case 1:
		case 2:
			if ((i = ps_next_value(k, len)) >= 0)
				(void) ps_store(&x, k, (unsigned)i, (int)op);
			break;
		case 3:
			if (x.t)
				(void) cellar_tier_evict(x.t, key_ptr(k), key_len(k));
			else
				(void) vmemcache_evict(x.bot, key_ptr(k), key_len(k));
			break;
		case 4:
			if (x.t) {
				int over;
				UT_ASSERT(cellar_tier_journal_drain(x.t, 16,
					ps_journal_key, NULL, &over) >= 0);
			}
			break;
		default:
			ps_get(&x, k);
		}
	}
	unsigned char *snap = NULL;
	size_t size;
	if (crash)
		snap = ps_read_file(&size);
	fz_close(&x);
	if (snap == NULL)
		snap = ps_read_file(&size);
	for (unsigned m = next(in) % 8; m > 0 && size > 0; m--)
		ps_mutate(in, snap, &size);
	ps_write_file(snap, size);
	free(snap);

	fz_open(&x, extent, stack);
	struct cellar_reattach rep;
	UT_OK(cellar_reattach_get(x.bot, &rep));
	PS.runs++;
	PS.crashes += (unsigned)crash;
	PS.stacks += (unsigned)stack;
	PS.recovered += rep.entries_recovered;
	PS.dropped += rep.entries_dropped;
	PS.clean += rep.state == CELLAR_POOL_CLEAN;
	PS.recreated += rep.state == CELLAR_POOL_RECREATED;
	static struct ps_listing l;
	memset(&l, 0, sizeof(l));
	UT_OK(x.t ? cellar_tier_keys_list(x.t, ps_list_key, &l)
		: cellar_keys_list(x.bot, ps_list_key, &l));
	for (unsigned k = 0; k < NKEYS; k++)
		ps_get(&x, k);
	for (unsigned u = 0; u < l.nunknown; u++) {
		size_t vs;
		ssize_t n = x.t ? cellar_tier_get(x.t, l.unknown[u],
				l.unknown_len[u], readbuf, 16, 0, &vs, NULL)
			: vmemcache_get(x.bot, l.unknown[u], l.unknown_len[u],
				readbuf, 16, 0, &vs);
		UT_ASSERTm(n < 0 && errno == ENOENT,
			"a crafted key of %zu B was served", l.unknown_len[u]);
	}
	UT_OK(heap_check(&x.bot->heap));
	/* the reattached pool takes a pool's worth of new values */
	size_t filled = 0;
	for (unsigned k = 0; filled < 4 * FZ_POOL; k = (k + 1) % NKEYS) {
		int i = ps_next_value(k, 20000 + k * 1000);
		if (i < 0)
			break;
		UT_OK(ps_store(&x, k, (unsigned)i, 1));
		filled += H.len[k][i];
	}
	for (unsigned k = 0; k < NKEYS; k++)
		ps_get(&x, k);
	UT_OK(heap_check(&x.bot->heap));
	fz_close(&x);
	unlink(ps_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * LLVMFuzzerTestOneInput -- one input: byte 0 configures a fresh cache, the
 * rest is a sequence of calls; the cache is emptied and checked at the end
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	if (size == 0)
		return 0;
	if (longkey[0] == 0) {
		for (unsigned i = 0; i < LONGKEY; i++)
			longkey[i] = (unsigned char)(i % 7 == 3 ? 0 : 'L' + i % 5);
	}
	memset(&M, 0, sizeof(M));
	unsigned cfg = next(&in);
	if (cfg & 0x80) {
		ps_run(cfg, &in);
		return 0;
	}
	M.lru = cfg & 1;
	int dram = (cfg >> 1) & 1;
	unsigned shift = (cfg >> 2) & 3;
	M.extent = (size_t)256 << (shift == 3 ? 0 : shift);
	M.c = vmemcache_new();
	UT_ASSERT(M.c != NULL);
	UT_OK(vmemcache_set_size(M.c, FZ_POOL));
	UT_OK(vmemcache_set_extent_size(M.c, M.extent));
	UT_OK(vmemcache_set_eviction_policy(M.c, M.lru ?
		VMEMCACHE_REPLACEMENT_LRU : VMEMCACHE_REPLACEMENT_NONE));
	if (dram)
		UT_OK(cellar_add_dram(M.c));
	else
		UT_OK(vmemcache_add(M.c, ut_tmpdir()));
	M.pool = ut_pool_size(M.c);
	vmemcache_callback_on_evict(M.c, on_evict_cb, NULL);
	vmemcache_callback_on_miss(M.c, on_miss_cb, NULL);
	check_stats();

	while (in.n > 0) {
		unsigned op = next(&in) % 11;
		unsigned b = next(&in);
		unsigned k = b % NKEYS;
		unsigned flags, arg;
		size_t len;
		switch (op) {
		case 0:
		case 10:
			do_put(k, next_size(&in));
			break;
		case 1:
			flags = next(&in);
			arg = next16(&in) % 5000;
			len = (size_t)next(&in) * 37;
			do_get(k, flags, arg, len);
			break;
		case 2:
			do_exists(k, (b >> 4) & 1);
			break;
		case 3:
			do_evict_key(k);
			break;
		case 4:
			(void) do_evict_lru();
			break;
		case 5:
			do_replace(k, next_size(&in));
			break;
		case 6:
			do_pin(k, (b >> 4) % NPINS);
			break;
		case 7:
			pin_release((b >> 4) % NPINS);
			break;
		case 8:
			do_remove(k);
			break;
		default:
			check_stats();
		}
	}
	finish();
	return 0;
}

#ifdef FUZZ_REPLAY
/* run_file -- replays one input file (internal) */
static void
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	printf("replayed %s (%zu B)\n", path, n);
}

/* run_path -- a file, or every regular file of a directory (internal) */
static void
run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		perror(path);
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	DIR *d = opendir(path);
	if (d == NULL) {
		perror(path);
		exit(2);
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		run_file(p);
	}
	closedir(d);
}

/* run_random -- n generated inputs from fixed seeds (internal) */
static void
run_random(unsigned long n)
{
	static uint8_t buf[4096];
	for (unsigned long i = 0; i < n; i++) {
		uint64_t rs = 0x9e3779b97f4a7c15ULL * (i + 1);
		size_t len = 1 + ut_rand(&rs) % 1024;
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)ut_rand(&rs);
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("replayed %lu random inputs\n", n);
}

int
main(int argc, char *argv[])
{
	ut_start("fuzz_api_replay");
	if (argc < 2) {
		fprintf(stderr, "usage: %s [--random N] FILE|DIR...\n",
			argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--random") == 0 && i + 1 < argc)
			run_random(strtoul(argv[++i], NULL, 10));
		else
			run_path(argv[i]);
	}
	printf("persistent mode: %llu inputs (%llu crashes, %llu tier stacks), "
		"%llu mutations (%llu crafted with valid checksums); reattached "
		"%llu clean, %llu recreated; %llu entries recovered, %llu "
		"dropped\n", PS.runs, PS.crashes, PS.stacks, PS.mutations,
		PS.crafted, PS.clean, PS.recreated, PS.recovered, PS.dropped);
	return ut_done();
}
#endif
