/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tier.c -- caches stacked top to bottom: demotion on eviction, promotion on
 * a hit below the top; an entry lives in one tier, except that a
 * persistent tier keeps its copy of what it promotes
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "internal.h"
#include "journal.h"
#include "util.h"

struct tier_slot {
	struct cellar_tier *tier;
	unsigned idx;
};

struct cellar_tier {
	unsigned n;
	VMEMcache *caches[CELLAR_TIER_MAX];
	struct tier_slot slots[CELLAR_TIER_MAX];
	vmemcache_on_evict *on_evict;
	void *evict_arg;
	struct journal *_Atomic journal;  /* keys that left the stack */
	atomic_ullong promotions, demotions, dropped;
};

/*
 * left_stack -- records a key that left the whole stack (internal)
 */
static void
left_stack(struct cellar_tier *t, const void *key, size_t key_size)
{
	struct journal *j = atomic_load_explicit(&t->journal,
			memory_order_acquire);
	if (j)
		jr_push(j, key, key_size);
}

/* at most this many pieces are gathered on the stack to move a value */
#define MOVE_PARTS 64

/*
 * move_pinned -- stores a pinned value into cache `to`; with `replace` it
 * takes the place of any value already there (internal)
 */
static int
move_pinned(VMEMcache *to, const void *key, size_t key_size,
		const cellar_pin *pin, int replace)
{
	struct vc_src stack[MOVE_PARTS];
	struct vc_src *src = stack;
	if (pin->nparts > MOVE_PARTS) {
		src = malloc(pin->nparts * sizeof(*src));
		if (src == NULL)
			return err_set(ENOMEM, "out of memory moving a value");
	}
	int ret = 0;
	for (unsigned i = 0; i < pin->nparts && ret == 0; i++)
		ret = cellar_pin_part(pin, i, &src[i].addr, &src[i].len);
	if (ret == 0)
		ret = vc_store(to, key, key_size, src, pin->nparts, pin->size,
				replace);
	if (src != stack)
		free(src);
	return ret;
}

/*
 * pins_equal -- whether two pinned values hold the same bytes, whatever
 * their fragments (internal)
 */
static int
pins_equal(const cellar_pin *a, const cellar_pin *b)
{
	if (a->size != b->size)
		return 0;
	const char *pa = NULL, *pb = NULL;
	size_t la = 0, lb = 0;
	unsigned ia = 0, ib = 0;
	for (size_t left = a->size; left > 0;) {
		const void *next;
		if (la == 0) {
			if (cellar_pin_part(a, ia++, &next, &la) != 0)
				return 0;
			pa = next;
		}
		if (lb == 0) {
			if (cellar_pin_part(b, ib++, &next, &lb) != 0)
				return 0;
			pb = next;
		}
		size_t n = la < lb ? la : lb;
		if (n == 0 || n > left)
			return 0;
		if (memcmp(pa, pb, n) != 0)
			return 0;
		pa += n;
		pb += n;
		la -= n;
		lb -= n;
		left -= n;
	}
	return 1;
}

/*
 * kept_below -- whether tier `below` already holds the value pinned above:
 * the copy a persistent tier keeps when it serves a hit (internal)
 */
static int
kept_below(cellar_tier *t, unsigned below, const void *key, size_t key_size,
		const cellar_pin *pin)
{
	VMEMcache *c = t->caches[below];
	if (c->persist == NULL)
		return 0;
	cellar_pin there;
	if (vc_pin(c, key, key_size, &there, 0) != 0)
		return 0;
	int same = pins_equal(pin, &there);
	cellar_pin_release(&there);
	return same;
}

/*
 * held_elsewhere -- whether a tier other than `idx` holds the key (internal)
 */
static int
held_elsewhere(cellar_tier *t, unsigned idx, const void *key, size_t key_size)
{
	for (unsigned i = 0; i < t->n; i++)
		if (i != idx && vmemcache_exists(t->caches[i], key, key_size,
				NULL) == 1)
			return 1;
	return 0;
}

/*
 * on_tier_evict -- demotes an entry leaving tier idx into tier idx + 1
 * (nothing to write when a persistent tier there kept its copy), or reports
 * it leaving the stack unless another tier still holds it (internal)
 */
static void
on_tier_evict(VMEMcache *cache, const void *key, size_t key_size, void *arg)
{
	struct tier_slot *slot = arg;
	struct cellar_tier *t = slot->tier;
	unsigned below = slot->idx + 1;
	if (below < t->n) {
		cellar_pin pin;
		/* the entry is still in its tier while this callback runs; the
		 * tier above always holds the newest value of a key, so it
		 * replaces whatever a race may have left below */
		if (vc_pin(cache, key, key_size, &pin, 0) == 0) {
			int ret = kept_below(t, below, key, key_size, &pin) ? 0
				: move_pinned(t->caches[below], key, key_size,
					&pin, 1);
			cellar_pin_release(&pin);
			if (ret == 0) {
				/* a newer value put above meanwhile makes the
				 * demoted one stale */
				if (vc_has_other(cache, key, key_size))
					cellar_remove(t->caches[below], key,
							key_size);
				atomic_fetch_add(&t->demotions, 1);
				return;
			}
		}
	}
	/* a persistent tier's kept copy leaving while a tier above holds the
	 * key: the key is still in the stack */
	if (held_elsewhere(t, slot->idx, key, key_size))
		return;
	atomic_fetch_add(&t->dropped, 1);
	left_stack(t, key, key_size);
	if (t->on_evict)
		t->on_evict(cache, key, key_size, t->evict_arg);
}

cellar_tier *
cellar_tier_new(VMEMcache *const *caches, unsigned n)
{
	if (caches == NULL || n == 0 || n > CELLAR_TIER_MAX) {
		err_set(EINVAL, "a tier stack needs 1 to %d caches, got %u",
				CELLAR_TIER_MAX, caches ? n : 0);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		if (caches[i] == NULL || !caches[i]->ready) {
			err_set(EINVAL, "tier %u has no pool", i);
			return NULL;
		}
		for (unsigned j = 0; j < i; j++) {
			if (caches[j] == caches[i]) {
				err_set(EINVAL, "tiers %u and %u are the same cache",
						j, i);
				return NULL;
			}
		}
	}
	cellar_tier *t = zalloc(1, sizeof(*t));
	if (t == NULL) {
		err_set(ENOMEM, "out of memory");
		return NULL;
	}
	t->n = n;
	for (unsigned i = 0; i < n; i++) {
		t->caches[i] = caches[i];
		t->slots[i] = (struct tier_slot){t, i};
		vmemcache_callback_on_evict(caches[i], on_tier_evict,
				&t->slots[i]);
	}
	return t;
}

void
cellar_tier_delete(cellar_tier *t)
{
	if (t == NULL)
		return;
	for (unsigned i = 0; i < t->n; i++)
		vmemcache_callback_on_evict(t->caches[i], NULL, NULL);
	jr_delete(atomic_load(&t->journal));
	free(t);
}

void
cellar_tier_callback_on_evict(cellar_tier *t, vmemcache_on_evict *evict,
		void *arg)
{
	if (t == NULL)
		return;
	t->on_evict = evict;
	t->evict_arg = arg;
}

unsigned
cellar_tier_count(const cellar_tier *t)
{
	return t ? t->n : 0;
}

VMEMcache *
cellar_tier_cache(const cellar_tier *t, unsigned idx)
{
	return t && idx < t->n ? t->caches[idx] : NULL;
}

/*
 * check_tier -- validates the arguments of a data call (internal)
 */
static int
check_tier(cellar_tier *t, const void *key, size_t key_size, const char *fn)
{
	if (t == NULL)
		return err_set(EINVAL, "%s: invalid (NULL) tier stack", fn);
	return vc_check_key(t->caches[0], key, key_size, fn);
}

int
cellar_tier_exists(cellar_tier *t, const void *key, size_t key_size,
		size_t *vsize, unsigned *tier_idx)
{
	if (check_tier(t, key, key_size, "cellar_tier_exists"))
		return -1;
	for (unsigned i = 0; i < t->n; i++) {
		if (vmemcache_exists(t->caches[i], key, key_size, vsize) == 1) {
			if (tier_idx)
				*tier_idx = i;
			return 1;
		}
	}
	return 0;
}

/*
 * fits -- whether tier i could hold the value at all (internal)
 */
static int
fits(cellar_tier *t, unsigned i, size_t key_size, size_t value_size)
{
	return heap_fits(&t->caches[i]->heap, entry_hdr_size(key_size),
			value_size);
}

/* enters_low -- whether new values enter the stack low (an S3-FIFO top) */
static int
enters_low(const cellar_tier *t)
{
	return t->caches[0]->policy == REPL_S3FIFO;
}

/*
 * entry_tier -- the tier a new value enters: the highest that can hold it
 * under LRU (as vmemcache's callers expect); under an S3-FIFO top the
 * lowest, so that a value reaches a higher tier only when read again there
 * (promote), and a scan never passes through the top; n when no tier can
 * hold it (internal)
 */
static unsigned
entry_tier(cellar_tier *t, size_t key_size, size_t value_size)
{
	if (enters_low(t)) {
		for (unsigned i = t->n; i-- > 0;)
			if (fits(t, i, key_size, value_size))
				return i;
		return t->n;
	}
	unsigned first = 0;
	while (first < t->n && !fits(t, first, key_size, value_size))
		first++;
	return first;
}

/*
 * store -- puts or replaces into the tier entry_tier picks, or, when that
 * tier has no room, the next one that takes it (below under LRU, above
 * under S3-FIFO); a replace first removes the key from every tier, so that
 * no tier keeps an older value, not even one that the put's own evictions
 * would demote (internal)
 */
static int
store(cellar_tier *t, const void *key, size_t key_size,
		const struct vc_src *src, unsigned nsrc, size_t value_size,
		int replace)
{
	unsigned target = entry_tier(t, key_size, value_size);
	if (target == t->n)
		return err_set(ENOSPC,
			"a value of %zu bytes does not fit in any tier", value_size);
	/* one tier: no other tier to keep in step, and the cache replaces in
	 * place (no window in which a reader misses the key) */
	if (t->n == 1)
		return vc_store(t->caches[0], key, key_size, src, nsrc,
				value_size, replace);
	if (replace) {
		for (unsigned i = 0; i < t->n; i++)
			cellar_remove(t->caches[i], key, key_size);
	} else {
		for (unsigned i = 0; i < t->n; i++)
			if (i != target && vmemcache_exists(t->caches[i], key,
					key_size, NULL) == 1)
				return err_set(EEXIST, "the key already exists");
	}
	int up = enters_low(t);
	int ret = -1;
	unsigned placed = target;
	for (;;) {
		if (fits(t, placed, key_size, value_size)) {
			ret = vc_store(t->caches[placed], key, key_size, src,
					nsrc, value_size, replace);
			if (ret == 0 || errno != ENOSPC)
				break;
		}
		if (up ? placed == 0 : placed + 1 == t->n)
			break;
		placed = up ? placed - 1 : placed + 1;
	}
	/* a demotion racing the checks above may have left an older value
	 * below the new one */
	for (unsigned i = placed + 1; ret == 0 && i < t->n; i++)
		cellar_remove(t->caches[i], key, key_size);
	return ret;
}

/*
 * store_one -- stores a value given as one buffer (internal)
 */
static int
store_one(cellar_tier *t, const void *key, size_t key_size, const void *value,
		size_t value_size, int replace)
{
	const char *fn = replace ? "cellar_tier_replace" : "cellar_tier_put";
	if (check_tier(t, key, key_size, fn))
		return -1;
	if (value == NULL && value_size > 0)
		return err_set(EINVAL, "%s: invalid (NULL) value of %zu bytes", fn,
				value_size);
	struct vc_src src = {value, value_size};
	return store(t, key, key_size, &src, 1, value_size, replace);
}

int
cellar_tier_put(cellar_tier *t, const void *key, size_t key_size,
		const void *value, size_t value_size)
{
	return store_one(t, key, key_size, value, value_size, 0);
}

int
cellar_tier_putv(cellar_tier *t, const void *key, size_t key_size,
		const struct cellar_iov *iov, unsigned iovcnt)
{
	uint64_t total;
	if (check_tier(t, key, key_size, "cellar_tier_putv") ||
			vc_check_iov(iov, iovcnt, &total, "cellar_tier_putv"))
		return -1;
	return store(t, key, key_size, (const struct vc_src *)iov, iovcnt,
			(size_t)total, 0);
}

int
cellar_tier_replace(cellar_tier *t, const void *key, size_t key_size,
		const void *value, size_t value_size)
{
	return store_one(t, key, key_size, value, value_size, 1);
}

/*
 * earned -- whether a hit in tier i earns the entry a promotion: always
 * under LRU; under S3-FIFO only a repeated hit (the one just counted and at
 * least one before it since the entry was queued or last promoted), and the
 * count starts again, so a scan's single reads never move a chunk up and a
 * copy kept below earns its next promotion anew (internal)
 */
static int
earned(cellar_tier *t, unsigned i, const cellar_pin *pin)
{
	if (t->caches[i]->policy != REPL_S3FIFO)
		return 1;
	struct entry *e = pin->priv_entry;
	if (atomic_load_explicit(&e->freq, memory_order_relaxed) < 2)
		return 0;
	atomic_store_explicit(&e->freq, 0, memory_order_relaxed);
	return 1;
}

/*
 * promote -- copies a value pinned in tier i > 0 to the top. A persistent
 * tier keeps its copy, so the value survives a stop even while it is hot;
 * any other tier lets it go first, so that it is in one tier only. A newer
 * value put on top meanwhile wins; if the top cannot take a value that
 * left tier i, it goes back, and if even that fails it has left the stack
 * (internal)
 */
static void
promote(cellar_tier *t, unsigned i, const void *key, size_t key_size,
		const cellar_pin *pin)
{
	if (!fits(t, 0, key_size, pin->size) || !earned(t, i, pin))
		return;
	int keep = t->caches[i]->persist != NULL;
	if (!keep && cellar_remove(t->caches[i], key, key_size) != 0)
		return;
	if (move_pinned(t->caches[0], key, key_size, pin, 0) == 0) {
		atomic_fetch_add(&t->promotions, 1);
		return;
	}
	if (keep || errno == EEXIST)
		return;
	if (move_pinned(t->caches[i], key, key_size, pin, 0) != 0 &&
			errno != EEXIST) {
		atomic_fetch_add(&t->dropped, 1);
		left_stack(t, key, key_size);
		if (t->on_evict)
			t->on_evict(t->caches[i], key, key_size, t->evict_arg);
	}
}

/*
 * find_pinned -- pins the key in the first tier that has it, counting a miss
 * in every tier above (internal)
 */
static int
find_pinned(cellar_tier *t, const void *key, size_t key_size, cellar_pin *pin,
		unsigned *found)
{
	for (unsigned i = 0; i < t->n; i++) {
		if (cellar_pin_get(t->caches[i], key, key_size, pin) == 0) {
			*found = i;
			return 0;
		}
	}
	return err_miss();
}

ssize_t
cellar_tier_get(cellar_tier *t, const void *key, size_t key_size, void *vbuf,
		size_t vbufsize, size_t offset, size_t *vsize, unsigned *tier_idx)
{
	if (check_tier(t, key, key_size, "cellar_tier_get"))
		return -1;
	/* the top tier alone is the common case: a plain get, one copy */
	ssize_t n = vmemcache_get(t->caches[0], key, key_size, vbuf, vbufsize,
			offset, vsize);
	if (n >= 0 || errno != ENOENT) {
		if (n >= 0 && tier_idx)
			*tier_idx = 0;
		return n;
	}
	cellar_pin pin;
	unsigned found = 0;
	for (found = 1; found < t->n; found++)
		if (cellar_pin_get(t->caches[found], key, key_size, &pin) == 0)
			break;
	if (found == t->n)
		return err_miss();
	size_t copied = 0;
	if (vbuf && offset < pin.size) {
		size_t want = pin.size - offset < vbufsize ? pin.size - offset
			: vbufsize;
		size_t skip = offset;
		for (unsigned p = 0; p < pin.nparts && copied < want; p++) {
			const void *a;
			size_t len;
			cellar_pin_part(&pin, p, &a, &len);
			if (skip >= len) {
				skip -= len;
				continue;
			}
			size_t k = len - skip < want - copied ? len - skip
				: want - copied;
			copy_sliced((char *)vbuf + copied, (const char *)a + skip,
					k);
			copied += k;
			skip = 0;
		}
	}
	if (vsize)
		*vsize = pin.size;
	if (tier_idx)
		*tier_idx = found;
	promote(t, found, key, key_size, &pin);
	cellar_pin_release(&pin);
	return (ssize_t)copied;
}

int
cellar_tier_pin_get(cellar_tier *t, const void *key, size_t key_size,
		cellar_pin *pin, unsigned *tier_idx)
{
	if (check_tier(t, key, key_size, "cellar_tier_pin_get"))
		return -1;
	if (pin == NULL)
		return err_set(EINVAL, "cellar_tier_pin_get: invalid (NULL) pin");
	unsigned found = 0;
	if (find_pinned(t, key, key_size, pin, &found))
		return -1;
	if (tier_idx)
		*tier_idx = found;
	if (found == 0)
		return 0;
	promote(t, found, key, key_size, pin);
	/* serve from the top when the promotion landed there */
	cellar_pin top;
	if (vc_pin(t->caches[0], key, key_size, &top, 0) == 0) {
		cellar_pin_release(pin);
		*pin = top;
	}
	return 0;
}

int
cellar_tier_evict(cellar_tier *t, const void *key, size_t key_size)
{
	if (check_tier(t, key, key_size, "cellar_tier_evict"))
		return -1;
	int removed = 0;
	for (unsigned i = 0; i < t->n; i++)
		if (vc_evict_quiet(t->caches[i], key, key_size) == 0)
			removed = 1;
	if (!removed)
		return err_set(ENOENT, "no such key");
	left_stack(t, key, key_size);
	return 0;
}

int
cellar_tier_journal_enable(cellar_tier *t, size_t capacity)
{
	if (t == NULL)
		return err_set(EINVAL,
			"cellar_tier_journal_enable: invalid (NULL) tier stack");
	if (capacity == 0 || capacity > CELLAR_JOURNAL_MAX)
		return err_set(EINVAL,
			"cellar_tier_journal_enable: capacity %zu is not from 1 to %zu",
			capacity, (size_t)CELLAR_JOURNAL_MAX);
	struct journal *j = jr_new(capacity);
	if (j == NULL)
		return err_set(ENOMEM, "out of memory for a journal");
	struct journal *none = NULL;
	if (!atomic_compare_exchange_strong(&t->journal, &none, j)) {
		jr_delete(j);
		return err_set(EALREADY, "the tier stack already has a journal");
	}
	return 0;
}

long
cellar_tier_journal_drain(cellar_tier *t, size_t max_keys, cellar_key_fn *fn,
		void *arg, int *overflowed)
{
	if (t == NULL || overflowed == NULL)
		return err_set(EINVAL,
			"cellar_tier_journal_drain: invalid (NULL) argument");
	struct journal *j = atomic_load(&t->journal);
	if (j == NULL)
		return err_set(EINVAL,
			"cellar_tier_journal_drain: the tier stack has no journal");
	return jr_drain(j, max_keys, fn, arg, overflowed);
}

/*
 * persists_below -- whether a tier below idx is persistent (internal)
 */
static int
persists_below(const cellar_tier *t, unsigned idx)
{
	for (unsigned i = idx + 1; i < t->n; i++)
		if (t->caches[i]->persist != NULL)
			return 1;
	return 0;
}

int
cellar_tier_write_down(cellar_tier *t, unsigned long budget_ms,
		unsigned long long *written)
{
	if (t == NULL)
		return err_set(EINVAL, "cellar_tier_write_down: invalid (NULL) tier stack");
	unsigned long long before = atomic_load(&t->demotions);
	uint64_t deadline = now_ns() + (uint64_t)budget_ms * 1000000ull;
	int ret = 0;
	for (unsigned i = 0; i + 1 < t->n && persists_below(t, i); i++) {
		/* coldest first: the hottest entries are written last, so
		 * below they are the most recent (a reattach keeps the order
		 * they were written in) */
		while (ret == 0) {
			if (now_ns() >= deadline) {
				ret = err_set(ETIMEDOUT,
					"cellar_tier_write_down: %lu ms were not enough to write the upper tiers down",
					budget_ms);
				break;
			}
			if (vmemcache_evict(t->caches[i], NULL, 0) != 0) {
				if (errno != ESRCH)
					ret = -1;
				break;
			}
		}
	}
	if (written)
		*written = atomic_load(&t->demotions) - before;
	return ret;
}

int
cellar_tier_stats_get(cellar_tier *t, struct cellar_tier_stats *out)
{
	if (t == NULL || out == NULL)
		return err_set(EINVAL, "cellar_tier_stats_get: invalid (NULL) argument");
	out->promotions = atomic_load(&t->promotions);
	out->demotions = atomic_load(&t->demotions);
	out->dropped = atomic_load(&t->dropped);
	return 0;
}
