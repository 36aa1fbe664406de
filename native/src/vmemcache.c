/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmemcache.c -- the cache: configuration, entry life cycle and data calls;
 * a persistent pool's setup, reattach and seal are in reattach.c
 */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cks.h"
#include "format.h"
#include "internal.h"
#include "persist.h"
#include "util.h"

/* by default, how long a put waits for readers of evicted entries */
#define PUT_WAIT_MS_DEFAULT 1000ul
/* keys are bounded so that an entry header can always be placed */
#define KEY_MAX ((size_t)1 << 30)
#define POOL_SIZE_MAX ((size_t)1 << 56)

static inline uint64_t
inc(atomic_ullong *c)
{
	return atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static inline void
dec(atomic_ullong *c)
{
	atomic_fetch_sub_explicit(c, 1, memory_order_relaxed);
}

static inline struct entry_hdr *
hdr_of(VMEMcache *c, const struct entry *e)
{
	return (struct entry_hdr *)heap_addr(&c->heap, e->unit);
}

VMEMcache *
vmemcache_new(void)
{
	/* its counters sit on cache lines of their own */
	VMEMcache *c = zalloc_aligned(sizeof(*c), _Alignof(VMEMcache));
	if (c == NULL) {
		err_set(ENOMEM, "out of memory");
		return NULL;
	}
	c->policy = REPL_LRU;
	c->extent = VMEMCACHE_MIN_EXTENT;
	atomic_init(&c->put_wait_ms, PUT_WAIT_MS_DEFAULT);
	return c;
}

/*
 * check_config -- a setter may run only on a cache without a pool (internal)
 */
static int
check_config(VMEMcache *c, const char *fn)
{
	if (c == NULL)
		return err_set(EINVAL, "%s: invalid (NULL) cache", fn);
	if (c->ready)
		return err_set(EALREADY,
			"%s: the cache already has its pool; configure it before vmemcache_add",
			fn);
	return 0;
}

int
vmemcache_set_eviction_policy(VMEMcache *c, enum vmemcache_repl_p repl_p)
{
	if (check_config(c, "vmemcache_set_eviction_policy"))
		return -1;
	if ((unsigned)repl_p >= VMEMCACHE_REPLACEMENT_NUM)
		return err_set(EINVAL, "invalid replacement policy %d", (int)repl_p);
	c->policy = repl_p == VMEMCACHE_REPLACEMENT_LRU ? REPL_LRU : REPL_NONE;
	return 0;
}

_Static_assert((int)CELLAR_POLICY_NONE == (int)REPL_NONE &&
		(int)CELLAR_POLICY_LRU == (int)REPL_LRU &&
		(int)CELLAR_POLICY_S3FIFO == (int)REPL_S3FIFO,
		"cellar_policy and repl_kind agree");

int
cellar_set_policy(VMEMcache *c, enum cellar_policy policy)
{
	if (check_config(c, "cellar_set_policy"))
		return -1;
	if ((unsigned)policy >= CELLAR_POLICY_COUNT)
		return err_set(EINVAL,
			"cellar_set_policy: unknown policy %d (NONE 0, LRU 1, S3FIFO 2)",
			(int)policy);
	c->policy = (enum repl_kind)policy;
	return 0;
}

int
vmemcache_set_size(VMEMcache *c, size_t size)
{
	if (check_config(c, "vmemcache_set_size"))
		return -1;
	if (size < VMEMCACHE_MIN_POOL)
		return err_set(EINVAL, "size %zu is smaller than the minimum pool (%zu)",
				size, VMEMCACHE_MIN_POOL);
	if (size >= POOL_SIZE_MAX)
		return err_set(EINVAL, "size %zu is too large (limit 2^56)", size);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	c->size = (size_t)align_up(size, page);
	return 0;
}

int
vmemcache_set_extent_size(VMEMcache *c, size_t extent_size)
{
	if (check_config(c, "vmemcache_set_extent_size"))
		return -1;
	if (extent_size < VMEMCACHE_MIN_EXTENT)
		return err_set(EINVAL, "extent size %zu is smaller than the minimum (%zu)",
				extent_size, VMEMCACHE_MIN_EXTENT);
	if (extent_size >= POOL_SIZE_MAX)
		return err_set(EINVAL, "extent size %zu is too large", extent_size);
	c->extent = extent_size;
	return 0;
}

void
vmemcache_callback_on_evict(VMEMcache *c, vmemcache_on_evict *evict, void *arg)
{
	if (c == NULL)
		return;
	c->on_evict = evict;
	c->evict_arg = arg;
}

void
vmemcache_callback_on_miss(VMEMcache *c, vmemcache_on_miss *miss, void *arg)
{
	if (c == NULL)
		return;
	c->on_miss = miss;
	c->miss_arg = arg;
}

int
cellar_set_owner(VMEMcache *c, const void *owner, size_t size)
{
	if (check_config(c, "cellar_set_owner"))
		return -1;
	if (owner == NULL && size != 0)
		return err_set(EINVAL, "cellar_set_owner: invalid (NULL) owner");
	if (size > CELLAR_OWNER_MAX)
		return err_set(EINVAL,
			"cellar_set_owner: an owner tag has at most %d bytes, not %zu",
			CELLAR_OWNER_MAX, size);
	memset(c->owner, 0, sizeof(c->owner));
	if (size)
		memcpy(c->owner, owner, size);
	return 0;
}

int
cellar_set_put_wait(VMEMcache *c, unsigned long ms)
{
	if (c == NULL)
		return err_set(EINVAL, "cellar_set_put_wait: invalid (NULL) cache");
	atomic_store(&c->put_wait_ms, ms);
	return 0;
}

void
vmemcache_bench_set(VMEMcache *c, enum vmemcache_bench_cfg cfg, size_t val)
{
	(void)c;
	(void)cfg;
	(void)val;
}

/*
 * node_release -- drops a ring reference; frees the node after the last
 * reference of either kind (internal)
 */
static void
node_release(struct entry *e, void *arg)
{
	VMEMcache *c = arg;
	if (atomic_fetch_sub_explicit(&e->refs, REF_RING,
			memory_order_acq_rel) == REF_RING) {
		atomic_fetch_sub_explicit(&c->dram, dram_size_of(e),
				memory_order_relaxed);
		free(e);
	}
}

/*
 * data_to_ring -- turns one data reference into a ring reference; the last
 * data reference returns the entry's extents (internal)
 */
static void
data_to_ring(VMEMcache *c, struct entry *e)
{
	uint64_t old = atomic_fetch_add_explicit(&e->refs, REF_RING - REF_DATA,
			memory_order_acq_rel);
	if ((old & REF_DATA_MASK) == 1) {
		struct entry_hdr *h = hdr_of(c, e);
		struct heap_place pl = {.unit = e->unit, .units = h->units,
			.next = h->next};
		/* a freed entry must not come back when a pool is reattached;
		 * atomic, as ps_seal may clear it at the same time */
		__atomic_store_n(&h->magic, 0, __ATOMIC_RELAXED);
		if (c->persist)
			ps_head_set(c->persist, e->unit, 0);
		heap_free(&c->heap, &pl);
		dec(&c->pending);
	}
}

/*
 * entry_unref -- drops one data reference (internal)
 */
static void
entry_unref(struct entry *e, VMEMcache *c)
{
	data_to_ring(c, e);
	node_release(e, c);
}

/*
 * reader_unref -- drops a reader's data reference in one write when it is
 * not the last; the last one takes entry_unref's way, which holds the node
 * until its extents are back (internal)
 */
static void
reader_unref(struct entry *e, VMEMcache *c)
{
	unsigned long long old = atomic_load_explicit(&e->refs,
			memory_order_relaxed);
	do {
		if ((old & REF_DATA_MASK) == 1) {
			entry_unref(e, c);
			return;
		}
	} while (!atomic_compare_exchange_weak_explicit(&e->refs, &old,
			old - REF_DATA, memory_order_release,
			memory_order_relaxed));
}

/*
 * reader_done -- ends a reader's hit: its use goes to the replacement, with
 * the reader's reference when it must wait in a ring (internal)
 */
static void
reader_done(struct entry *e, VMEMcache *c)
{
	if (repl_use(&c->repl, e)) {
		data_to_ring(c, e);
		repl_touch(&c->repl, e);
	} else {
		reader_unref(e, c);
	}
}

/*
 * vc_engine_init -- builds heap, index and LRU over a pool laid out with
 * c->extent and `units` extents; the heap starts all free, or (to be
 * rebuilt with heap_add_free) all used, without a write into the pool
 * (internal)
 */
int
vc_engine_init(VMEMcache *c, uint64_t units, int all_free)
{
	/* a heap to be rebuilt must not write into the pool before the scan */
	int ret = heap_init(&c->heap, c->pool.addr + POOL_HDR_SIZE,
			all_free ? units : 0, c->extent);
	if (ret)
		return ret;
	c->heap.units = units;
	if ((ret = idx_init(&c->index)) != 0)
		goto fail_index;
	ret = repl_init(&c->repl, c->policy, node_release, c);
	if (ret)
		goto fail_repl;
	return 0;
fail_repl:
	idx_fini(&c->index, NULL, NULL);
fail_index:
	heap_fini(&c->heap);
	return ret;
}

static void drop_at_delete(struct entry *e, void *arg);

/*
 * vc_engine_fini -- frees what vc_engine_init built (no entries held)
 * (internal)
 */
void
vc_engine_fini(VMEMcache *c)
{
	repl_fini(&c->repl);
	idx_fini(&c->index, drop_at_delete, NULL);
	heap_fini(&c->heap);
}

/*
 * setup -- lays a fresh pool out and builds the engine around it (internal)
 */
static int
setup(VMEMcache *c)
{
	size_t extent = (size_t)align_up(c->extent, VALUE_ALIGN);
	if (c->pool.size <= POOL_HDR_SIZE ||
			extent > c->pool.size - POOL_HDR_SIZE) {
		pool_close(&c->pool);
		return err_set(EINVAL,
			"extent size %zu is larger than the pool (%zu bytes)",
			c->extent, c->pool.size);
	}
	c->extent = extent;
	uint64_t units = (c->pool.size - POOL_HDR_SIZE) / extent;

	struct pool_hdr *ph = (struct pool_hdr *)c->pool.addr;
	memset(ph, 0, sizeof(*ph));
	memcpy(ph->magic, POOL_MAGIC, sizeof(ph->magic));
	ph->version = POOL_FORMAT_VERSION;
	ph->pool_size = c->pool.size;
	ph->extent_size = extent;
	ph->heap_offset = POOL_HDR_SIZE;
	ph->heap_units = units;

	int ret = vc_engine_init(c, units, 1);
	if (ret) {
		pool_close(&c->pool);
		return err_set(ret, "cannot set the cache up: %s", strerror(ret));
	}
	c->ready = 1;
	return 0;
}

/*
 * pool_bytes -- the bytes to map for the set size (VMEMCACHE_MIN_POOL when
 * unset). libvmemcache accepts an extent as large as the pool; when the pool
 * header would leave no room for one whole extent, the header is mapped on
 * top of the size, so such a pool holds exactly one extent. An extent larger
 * than the size is left for setup to refuse (internal)
 */
_Static_assert(VMEMCACHE_MIN_POOL > POOL_HDR_SIZE,
		"the smallest pool is larger than its header");

static size_t
pool_bytes(const VMEMcache *c)
{
	size_t size = c->size ? c->size : VMEMCACHE_MIN_POOL;
	size_t extent = (size_t)align_up(c->extent, VALUE_ALIGN);
	if (extent <= size && extent > size - POOL_HDR_SIZE)
		size += POOL_HDR_SIZE;
	return size;
}

int
vmemcache_add(VMEMcache *c, const char *path)
{
	if (c == NULL)
		return err_set(EINVAL, "vmemcache_add: invalid (NULL) cache");
	if (c->ready)
		return err_set(EBUSY, "the cache already has a pool");
	if (path == NULL)
		return err_set(EINVAL, "invalid (NULL) path");
	if (pool_open_path(&c->pool, path, pool_bytes(c)))
		return -1;
	return setup(c);
}

int
cellar_add_dram(VMEMcache *c)
{
	if (c == NULL)
		return err_set(EINVAL, "cellar_add_dram: invalid (NULL) cache");
	if (c->ready)
		return err_set(EBUSY, "the cache already has a pool");
	if (pool_open_dram(&c->pool, pool_bytes(c)))
		return -1;
	return setup(c);
}

/*
 * drop_at_delete -- frees an entry without returning its space (internal)
 */
static void
drop_at_delete(struct entry *e, void *arg)
{
	(void)arg;
	free(e);
}

void
vmemcache_delete(VMEMcache *c)
{
	if (c == NULL)
		return;
	if (c->persist) {
		ps_close(c->persist, &c->pool, &c->heap,
				atomic_load(&c->entries));
		c->persist = NULL;
	}
	jr_delete(atomic_load(&c->journal));
	if (c->ready) {
		/* the ring's references first: they point at indexed entries */
		repl_fini(&c->repl);
		idx_fini(&c->index, drop_at_delete, NULL);
		heap_fini(&c->heap);
		pool_close(&c->pool);
	}
	free_aligned(c);
}

int
vc_check_key(VMEMcache *c, const void *key, size_t key_size, const char *fn)
{
	if (c == NULL)
		return err_set(EINVAL, "%s: invalid (NULL) cache", fn);
	if (!c->ready)
		return err_set(EINVAL, "%s: the cache has no pool (call vmemcache_add first)",
				fn);
	if (key == NULL)
		return err_set(EINVAL, "%s: invalid (NULL) key", fn);
	if (key_size == 0)
		return err_set(EINVAL, "%s: invalid key size 0", fn);
	if (key_size > KEY_MAX)
		return err_set(EINVAL, "%s: key size %zu exceeds the limit (%zu)",
				fn, key_size, KEY_MAX);
	return 0;
}

/* the pieces of an entry's value, in order */
struct piece_iter {
	VMEMcache *c;
	uint64_t next;     /* next fragment */
	uint64_t left;     /* value bytes not yet visited */
	char *addr;        /* current piece */
	size_t len;
};

/*
 * pieces_begin -- the first piece of e's value (internal)
 */
static void
pieces_begin(struct piece_iter *it, VMEMcache *c, const struct entry *e)
{
	struct entry_hdr *h = hdr_of(c, e);
	uint64_t cap = h->units * c->heap.extent - e->hdr_size;
	it->c = c;
	it->addr = (char *)h + e->hdr_size;
	it->len = (size_t)(cap < e->value_size ? cap : e->value_size);
	it->left = e->value_size - it->len;
	it->next = h->next;
}

/*
 * pieces_next -- advances to the next piece; 0 when there is none (internal)
 */
static int
pieces_next(struct piece_iter *it)
{
	if (it->left == 0 || it->next == FRAG_NONE)
		return 0;
	struct frag_hdr *f = (struct frag_hdr *)heap_addr(&it->c->heap, it->next);
	uint64_t cap = f->units * it->c->heap.extent - sizeof(*f);
	it->addr = (char *)(f + 1);
	it->len = (size_t)(cap < it->left ? cap : it->left);
	it->left -= it->len;
	it->next = f->next;
	return 1;
}

/* a value is copied and hashed in slices of this size, while in cache */
#define HASH_SLICE ((size_t)64 * 1024)

/*
 * seal_frags -- stamps the owner's seq (and, persistent, a check) into every
 * fragment header of a new entry's chain (internal)
 */
static void
seal_frags(VMEMcache *c, uint64_t next, uint64_t seq)
{
	while (next != FRAG_NONE) {
		struct frag_hdr *f = (struct frag_hdr *)heap_addr(&c->heap, next);
		f->seq = seq;
		f->check = c->persist ? ps_frag_check(c->persist, f) : 0;
		f->magic = FRAG_MAGIC;
		next = f->next;
	}
}

/*
 * write_value -- fills the entry's header, key and value into its extents.
 * The header's magic is written last, with the checksums of a persistent
 * pool (internal)
 */
static void
write_value(VMEMcache *c, struct entry *e, const struct heap_place *pl,
		const struct vc_src *src, unsigned nsrc)
{
	struct entry_hdr *h = hdr_of(c, e);
	struct entry_hdr fresh = {
		.magic = ENTRY_MAGIC,
		.version = ENTRY_FORMAT_VERSION,
		.flags = c->persist ? ENTRY_F_CHECKSUM : 0,
		.key_size = e->key_size,
		.hdr_size = e->hdr_size,
		.value_size = e->value_size,
		.seq = inc(&c->seq),
		.units = pl->units,
		.next = pl->next,
	};
	struct entry_hdr pending = fresh;
	pending.magic = 0;
	c->pool.copy(h, &pending, sizeof(pending));
	c->pool.copy((char *)(h + 1), e->key, e->key_size);
	seal_frags(c, pl->next, fresh.seq);

	struct cks sum;
	size_t slice = SIZE_MAX;
	if (c->persist) {
		fresh.hdr_checksum = ps_hdr_checksum(c->persist, &fresh, e->key);
		ps_value_begin(c->persist, &sum, &fresh, e->key);
		slice = HASH_SLICE;
	}

	struct piece_iter it;
	pieces_begin(&it, c, e);
	size_t done = 0; /* bytes of the current piece written */
	for (unsigned i = 0; i < nsrc; i++) {
		const char *s = src[i].addr;
		size_t n = src[i].len;
		while (n > 0) {
			if (done == it.len) {
				if (!pieces_next(&it))
					goto out;
				done = 0;
			}
			size_t k = it.len - done < n ? it.len - done : n;
			if (k > slice)
				k = slice;
			c->pool.copy(it.addr + done, s, k);
			if (c->persist)
				cks_update(&sum, s, k);
			done += k;
			s += k;
			n -= k;
		}
	}
out:
	if (c->persist) {
		fresh.checksum = cks_fold32(cks_final(&sum));
		/* the head map's byte before the magic (format.h) */
		ps_head_set(c->persist, e->unit, 1);
	}
	c->pool.copy(h, &fresh, sizeof(fresh));
	pool_drain(&c->pool);
}

/* the entry whose on_evict runs in this thread, if any */
static _Thread_local struct entry *evicting_here;

/* how an entry leaves: evict_entry's flags */
#define EV_NOTIFY 1 /* journal it and run on_evict */
#define EV_COUNT 2  /* count it in the evictions */
#define EV_EVICT (EV_NOTIFY | EV_COUNT) /* an eviction, as vmemcache's */

/*
 * evict_entry -- removes an entry this thread moved out of ENTRY_LIVE and
 * holds a reference to; with EV_NOTIFY journals it and runs on_evict first,
 * with EV_COUNT counts an eviction (internal)
 */
static void
evict_entry(VMEMcache *c, struct entry *e, int how)
{
	int callback = how & EV_NOTIFY;
	repl_remove(&c->repl, e);
	if (callback) {
		struct journal *j = atomic_load_explicit(&c->journal,
				memory_order_acquire);
		if (j)
			jr_push(j, e->key, e->key_size);
	}
	if (callback && c->on_evict) {
		struct entry *outer = evicting_here;
		evicting_here = e;
		c->on_evict(c, e->key, e->key_size, c->evict_arg);
		evicting_here = outer;
	}
	if (idx_unlink(&c->index, e)) {
		dec(&c->entries);
		if (how & EV_COUNT)
			inc(&c->evictions);
		inc(&c->pending);
		entry_unref(e, c);
	}
	entry_unref(e, c);
}

/*
 * entry_checked -- for an entry this thread holds a data reference to:
 * 0 when its value may be read; -1 when it failed its checksum (it is then
 * evicted, on_evict runs and sees a miss) or failed before, with the
 * reference dropped (internal)
 */
static int
entry_checked(VMEMcache *c, struct entry *e)
{
	unsigned char st = atomic_load_explicit(&e->check, memory_order_acquire);
	if (st == CHECK_OK)
		return 0;
	if (st == CHECK_PENDING) {
		if (c->persist && ps_value_ok(c->persist, &c->heap, e->unit)) {
			atomic_store_explicit(&e->check, CHECK_OK,
					memory_order_release);
			return 0;
		}
		unsigned char pending = CHECK_PENDING;
		if (atomic_compare_exchange_strong(&e->check, &pending,
				CHECK_BAD))
			inc(&c->corrupt);
		unsigned live = ENTRY_LIVE;
		if (atomic_compare_exchange_strong(&e->state, &live,
				ENTRY_EVICTING)) {
			evict_entry(c, e, EV_EVICT);
			return -1;
		}
	}
	entry_unref(e, c);
	return -1;
}

/*
 * make_room -- places a value, evicting least-recently-used entries and
 * waiting for readers of evicted entries as needed (internal)
 */
static int
make_room(VMEMcache *c, uint64_t hdr_size, uint64_t value_size,
		struct heap_place *pl)
{
	struct timespec deadline = {0, 0};
	uint64_t gen;
	while (heap_alloc(&c->heap, hdr_size, value_size, pl, &gen) != 0) {
		struct entry *victim = repl_victim(&c->repl);
		if (victim) {
			evict_entry(c, victim, EV_EVICT);
			continue;
		}
		if (atomic_load(&c->pending) == 0)
			return err_set(ENOSPC,
				"no space for a value of %llu bytes: the cache is full and nothing can be evicted",
				(unsigned long long)value_size);
		/* the space of evicted entries comes back when their readers end */
		if (deadline.tv_sec == 0) {
			clock_gettime(CLOCK_MONOTONIC, &deadline);
			uint64_t ns = (uint64_t)deadline.tv_nsec +
				(uint64_t)atomic_load(&c->put_wait_ms) * 1000000ull;
			deadline.tv_sec += (time_t)(ns / 1000000000ull);
			deadline.tv_nsec = (long)(ns % 1000000000ull);
		}
		if (heap_wait_freed(&c->heap, gen, &deadline) == ETIMEDOUT)
			return err_set(ENOSPC,
				"no space for a value of %llu bytes: evicted entries are still pinned after %lu ms",
				(unsigned long long)value_size,
				(unsigned long)atomic_load(&c->put_wait_ms));
	}
	if (pl->nfrags > 1)
		inc(&c->fragmented);
	return 0;
}

static int
peek_present(struct entry *e, void *arg)
{
	(void)arg;
	return e != NULL;
}

int
vc_store(VMEMcache *c, const void *key, size_t key_size,
		const struct vc_src *src, unsigned nsrc, uint64_t value_size,
		int replace)
{
	uint64_t hdr_size = entry_hdr_size(key_size);
	if (c->persist && ps_sealed(c->persist))
		return err_set(EROFS,
			"the pool is sealed (cellar_seal): it takes no more values");
	if (!heap_fits(&c->heap, hdr_size, value_size))
		return err_set(ENOSPC,
			"a value of %llu bytes does not fit in the pool (%zu bytes)",
			(unsigned long long)value_size, c->pool.size);
	uint64_t hash = hash_bytes(key, key_size);
	if (!replace && idx_peek(&c->index, hash, key, key_size, peek_present,
			NULL))
		return err_set(EEXIST, "the key already exists");

	struct entry *e = malloc(sizeof(*e) + key_size);
	if (e == NULL)
		return err_set(ENOMEM, "out of memory for an entry");
	memset(e, 0, sizeof(*e));
	e->hash = hash;
	e->value_size = value_size;
	e->key_size = (uint32_t)key_size;
	e->hdr_size = (uint32_t)hdr_size;
	memcpy(e->key, key, key_size);
	atomic_init(&e->refs, 2 * REF_DATA); /* the index's and ours */
	atomic_init(&e->state, ENTRY_LIVE);

	struct heap_place pl;
	if (make_room(c, hdr_size, value_size, &pl)) {
		free(e);
		return -1;
	}
	e->unit = pl.unit;
	e->nfrags = (uint32_t)pl.nfrags;
	write_value(c, e, &pl, src, nsrc);
	atomic_fetch_add_explicit(&c->dram, dram_size_of(e),
			memory_order_relaxed);

	int err = 0;
	struct entry *old = NULL;
	if (!replace)
		err = idx_insert(&c->index, e);
	/* a replace waits for an eviction of the same key to finish */
	while (replace && (old = idx_swap(&c->index, e, &err)) != NULL &&
			err == EAGAIN) {
		if (old == evicting_here) {
			err = EBUSY;
			break;
		}
		sched_yield();
	}
	if (err) {
		heap_free(&c->heap, &pl);
		atomic_fetch_sub_explicit(&c->dram, dram_size_of(e),
				memory_order_relaxed);
		free(e);
		if (err == EBUSY)
			return err_set(EBUSY,
				"cannot replace a key from its own on_evict callback");
		return err == EEXIST ? err_set(EEXIST, "the key already exists")
			: err_set(err, "out of memory for the index");
	}
	if (old) {
		repl_remove(&c->repl, old);
		inc(&c->pending);
		entry_unref(old, c);
	} else {
		inc(&c->entries);
	}
	repl_insert(&c->repl, e);
	inc(replace ? &c->replaces : &c->puts);
	entry_unref(e, c);
	return 0;
}

/*
 * check_value -- a value pointer may be NULL only for 0 bytes (internal)
 */
static int
check_value(const void *value, size_t value_size, const char *fn)
{
	if (value == NULL && value_size > 0)
		return err_set(EINVAL, "%s: invalid (NULL) value of %zu bytes",
				fn, value_size);
	return 0;
}

int
vmemcache_put(VMEMcache *c, const void *key, size_t key_size,
		const void *value, size_t value_size)
{
	if (vc_check_key(c, key, key_size, "vmemcache_put") ||
			check_value(value, value_size, "vmemcache_put"))
		return -1;
	struct vc_src src = {value, value_size};
	return vc_store(c, key, key_size, &src, 1, value_size, 0);
}

_Static_assert(sizeof(struct cellar_iov) == sizeof(struct vc_src) &&
		offsetof(struct cellar_iov, len) == offsetof(struct vc_src, len),
		"a cellar_iov is a vc_src");

int
vc_check_iov(const struct cellar_iov *iov, unsigned iovcnt, uint64_t *total,
		const char *fn)
{
	if (iov == NULL && iovcnt > 0)
		return err_set(EINVAL, "%s: invalid (NULL) iov", fn);
	uint64_t sum = 0;
	for (unsigned i = 0; i < iovcnt; i++) {
		if (iov[i].base == NULL && iov[i].len > 0)
			return err_set(EINVAL, "%s: piece %u is NULL with %zu bytes",
					fn, i, iov[i].len);
		sum += iov[i].len;
	}
	*total = sum;
	return 0;
}

int
cellar_putv(VMEMcache *c, const void *key, size_t key_size,
		const struct cellar_iov *iov, unsigned iovcnt)
{
	uint64_t total;
	if (vc_check_key(c, key, key_size, "cellar_putv") ||
			vc_check_iov(iov, iovcnt, &total, "cellar_putv"))
		return -1;
	return vc_store(c, key, key_size, (const struct vc_src *)iov, iovcnt,
			total, 0);
}

int
cellar_replace(VMEMcache *c, const void *key, size_t key_size,
		const void *value, size_t value_size)
{
	if (vc_check_key(c, key, key_size, "cellar_replace") ||
			check_value(value, value_size, "cellar_replace"))
		return -1;
	struct vc_src src = {value, value_size};
	return vc_store(c, key, key_size, &src, 1, value_size, 1);
}

/*
 * copy_out -- copies up to n value bytes from `offset` (internal)
 */
static size_t
copy_out(VMEMcache *c, const struct entry *e, char *buf, size_t n,
		size_t offset)
{
	if (buf == NULL || offset >= e->value_size)
		return 0;
	if (n > e->value_size - offset)
		n = (size_t)(e->value_size - offset);
	struct piece_iter it;
	pieces_begin(&it, c, e);
	size_t done = 0;
	do {
		if (offset >= it.len) {
			offset -= it.len;
			continue;
		}
		size_t k = it.len - offset < n - done ? it.len - offset : n - done;
		copy_sliced(buf + done, it.addr + offset, k);
		done += k;
		offset = 0;
	} while (done < n && pieces_next(&it));
	return done;
}

ssize_t
vmemcache_get(VMEMcache *c, const void *key, size_t key_size, void *vbuf,
		size_t vbufsize, size_t offset, size_t *vsize)
{
	if (vc_check_key(c, key, key_size, "vmemcache_get"))
		return -1;
	uint64_t hash = hash_bytes(key, key_size);
	struct entry *e = idx_get_ref(&c->index, hash, key, key_size);
	if (e != NULL && entry_checked(c, e))
		e = NULL;
	if (e == NULL) {
		inc(&c->gets[util_stripe()].misses);
		if (c->on_miss) {
			c->on_miss(c, key, key_size, c->miss_arg);
			e = idx_get_ref(&c->index, hash, key, key_size);
			if (e != NULL && entry_checked(c, e))
				e = NULL;
		}
		if (e == NULL)
			return err_miss();
	} else {
		inc(&c->gets[util_stripe()].hits);
	}
	size_t n = copy_out(c, e, vbuf, vbufsize, offset);
	if (vsize)
		*vsize = (size_t)e->value_size;
	reader_done(e, c);
	return (ssize_t)n;
}

struct exists_arg {
	size_t size;
};

static int
peek_size(struct entry *e, void *arg)
{
	if (e == NULL)
		return 0;
	((struct exists_arg *)arg)->size = (size_t)e->value_size;
	return 1;
}

int
vmemcache_exists(VMEMcache *c, const void *key, size_t key_size, size_t *vsize)
{
	if (vc_check_key(c, key, key_size, "vmemcache_exists"))
		return -1;
	struct exists_arg a = {0};
	int found = idx_peek(&c->index, hash_bytes(key, key_size), key,
			key_size, peek_size, &a);
	if (found && vsize)
		*vsize = a.size;
	return found;
}

/*
 * evict_key -- evicts or removes the entry of a key; when another thread is
 * evicting it already, waits until that eviction (and its on_evict) is
 * over, so that the key is gone when this returns (internal)
 */
static int
evict_key(VMEMcache *c, const void *key, size_t key_size, int how)
{
	uint64_t hash = hash_bytes(key, key_size);
	struct entry *e = idx_get_ref(&c->index, hash, key, key_size);
	if (e == NULL)
		return err_set(ENOENT, "no such key");
	for (;;) {
		unsigned live = ENTRY_LIVE;
		if (atomic_compare_exchange_strong(&e->state, &live,
				ENTRY_EVICTING)) {
			evict_entry(c, e, how);
			return 0;
		}
		/* an eviction in progress: ours (from on_evict) is done enough */
		int mine = e == evicting_here;
		entry_unref(e, c);
		if (mine)
			return 0;
		sched_yield();
		e = idx_get_ref(&c->index, hash, key, key_size);
		if (e == NULL)
			return 0;
	}
}

int
vmemcache_evict(VMEMcache *c, const void *key, size_t ksize)
{
	if (key == NULL) {
		if (c == NULL || !c->ready)
			return err_set(EINVAL, "vmemcache_evict: %s",
				c ? "the cache has no pool" : "invalid (NULL) cache");
		struct entry *victim = repl_victim(&c->repl);
		if (victim == NULL)
			return err_set(ESRCH, "no entry can be evicted");
		evict_entry(c, victim, EV_EVICT);
		return 0;
	}
	if (vc_check_key(c, key, ksize, "vmemcache_evict"))
		return -1;
	return evict_key(c, key, ksize, EV_EVICT);
}

static int
peek_live_other(struct entry *e, void *arg)
{
	(void)arg;
	return e != NULL && e != evicting_here &&
		atomic_load(&e->state) == ENTRY_LIVE;
}

int
vc_has_other(VMEMcache *c, const void *key, size_t key_size)
{
	return idx_peek(&c->index, hash_bytes(key, key_size), key, key_size,
			peek_live_other, NULL);
}

int
cellar_remove(VMEMcache *c, const void *key, size_t key_size)
{
	if (vc_check_key(c, key, key_size, "cellar_remove"))
		return -1;
	return evict_key(c, key, key_size, 0);
}

int
vc_evict_quiet(VMEMcache *c, const void *key, size_t key_size)
{
	return evict_key(c, key, key_size, EV_COUNT);
}

int
vc_pin(VMEMcache *c, const void *key, size_t key_size, cellar_pin *pin,
		int count)
{
	memset(pin, 0, sizeof(*pin));
	struct entry *e = idx_get_ref(&c->index, hash_bytes(key, key_size), key,
			key_size);
	if (e != NULL && entry_checked(c, e))
		e = NULL;
	if (e == NULL) {
		if (count)
			inc(&c->gets[util_stripe()].misses);
		return err_miss();
	}
	struct piece_iter it;
	pieces_begin(&it, c, e);
	pin->addr = e->value_size ? it.addr : NULL;
	pin->first_len = it.len;
	pin->size = (size_t)e->value_size;
	pin->nparts = e->nfrags;
	pin->priv_entry = e;
	pin->priv_cache = c;
	inc(&c->pinned);
	if (count) {
		inc(&c->gets[util_stripe()].hits);
		/* a queued use gets a reference of its own; the pin keeps
		 * ours */
		if (repl_use(&c->repl, e)) {
			atomic_fetch_add_explicit(&e->refs, REF_RING,
					memory_order_relaxed);
			repl_touch(&c->repl, e);
		}
	}
	return 0;
}

int
cellar_pin_get(VMEMcache *c, const void *key, size_t key_size, cellar_pin *pin)
{
	if (vc_check_key(c, key, key_size, "cellar_pin_get"))
		return -1;
	if (pin == NULL)
		return err_set(EINVAL, "cellar_pin_get: invalid (NULL) pin");
	return vc_pin(c, key, key_size, pin, 1);
}

int
cellar_pin_part(const cellar_pin *pin, unsigned idx, const void **addr,
		size_t *len)
{
	if (pin == NULL || pin->priv_entry == NULL || addr == NULL || len == NULL)
		return err_set(EINVAL, "cellar_pin_part: invalid (NULL) argument");
	if (idx >= pin->nparts)
		return err_set(EINVAL, "cellar_pin_part: part %u of %u", idx,
				pin->nparts);
	struct piece_iter it;
	pieces_begin(&it, pin->priv_cache, pin->priv_entry);
	for (unsigned i = 0; i < idx; i++)
		if (!pieces_next(&it))
			return err_set(EINVAL, "cellar_pin_part: part %u of %u", idx,
					pin->nparts);
	*addr = it.addr;
	*len = it.len;
	return 0;
}

void
cellar_pin_release(cellar_pin *pin)
{
	if (pin == NULL || pin->priv_entry == NULL)
		return;
	VMEMcache *c = pin->priv_cache;
	struct entry *e = pin->priv_entry;
	memset(pin, 0, sizeof(*pin));
	dec(&c->pinned);
	entry_unref(e, c);
}

int
cellar_stats_get(VMEMcache *c, struct cellar_stats *out)
{
	if (c == NULL || out == NULL)
		return err_set(EINVAL, "cellar_stats_get: invalid (NULL) argument");
	memset(out, 0, sizeof(*out));
	out->hits = out->misses = 0;
	for (unsigned i = 0; i < CELLAR_STRIPES; i++) {
		out->hits += atomic_load(&c->gets[i].hits);
		out->misses += atomic_load(&c->gets[i].misses);
	}
	out->gets = out->hits + out->misses;
	out->puts = atomic_load(&c->puts);
	out->evictions = atomic_load(&c->evictions);
	out->entries = atomic_load(&c->entries);
	out->dram_used = atomic_load(&c->dram);
	out->replaces = atomic_load(&c->replaces);
	out->pinned = atomic_load(&c->pinned);
	out->put_fragments = atomic_load(&c->fragmented);
	out->corrupt = atomic_load(&c->corrupt);
	if (c->ready) {
		uint64_t used, runs;
		heap_stats(&c->heap, &used, &runs);
		out->pool_used = used * c->heap.extent;
		out->heap_entries = runs;
		out->pool_size = c->heap.units * c->heap.extent;
	}
	return 0;
}

int
vmemcache_get_stat(VMEMcache *c, enum vmemcache_statistic stat, void *value,
		size_t value_size)
{
	if (c == NULL || value == NULL)
		return err_set(EINVAL, "vmemcache_get_stat: invalid (NULL) argument");
	if (value_size != sizeof(unsigned long long))
		return err_set(EINVAL, "wrong size of the statistic's value (%zu != %zu)",
				value_size, sizeof(unsigned long long));
	struct cellar_stats s;
	cellar_stats_get(c, &s);
	unsigned long long v;
	switch (stat) {
	case VMEMCACHE_STAT_PUT: v = s.puts; break;
	case VMEMCACHE_STAT_GET: v = s.gets; break;
	case VMEMCACHE_STAT_HIT: v = s.hits; break;
	case VMEMCACHE_STAT_MISS: v = s.misses; break;
	case VMEMCACHE_STAT_EVICT: v = s.evictions; break;
	case VMEMCACHE_STAT_ENTRIES: v = s.entries; break;
	case VMEMCACHE_STAT_DRAM_SIZE_USED: v = s.dram_used; break;
	case VMEMCACHE_STAT_POOL_SIZE_USED: v = s.pool_used; break;
	case VMEMCACHE_STAT_HEAP_ENTRIES: v = s.heap_entries; break;
	default:
		return err_set(EINVAL, "unknown statistic %d", (int)stat);
	}
	memcpy(value, &v, sizeof(v));
	return 0;
}

int
cellar_media_get(VMEMcache *c, struct cellar_media *out)
{
	if (c == NULL || out == NULL)
		return err_set(EINVAL, "cellar_media_get: invalid (NULL) argument");
	if (!c->ready)
		return err_set(EINVAL, "cellar_media_get: the cache has no pool");
	*out = c->pool.media;
	return 0;
}

long long
cellar_prefault(VMEMcache *c, size_t offset, size_t len)
{
	if (c == NULL)
		return err_set(EINVAL, "cellar_prefault: invalid (NULL) argument");
	if (!c->ready)
		return err_set(EINVAL, "cellar_prefault: the cache has no pool");
	size_t end;
	if (pool_prefault(&c->pool, offset, len, &end))
		return -1;
	return (long long)end;
}
