/* SPDX-License-Identifier: Apache-2.0 */
/*
 * persist.c -- persistent pools: a new file is formatted, an existing one
 * reattached by walking its extents, a bad one set aside; a clean close
 * makes everything durable
 *
 * Reattach, in three passes over what the scan found:
 * 1. scan: every extent that starts with an entry magic is a candidate if
 *    its header, key and fragment chain check out (header checksum, sizes,
 *    bounds, each fragment's own check and the owner's seq). After a clean
 *    close the scan jumps over candidates, fragments and the free marks
 *    the close wrote, so it costs about one step per entry and free run.
 *    After an unclean stop it looks only at the extents the head map flags
 *    (format.h), clearing the flags of those without an entry.
 * 2. resolve: candidates newest first (by seq); one is taken if none of
 *    its extents is taken yet, not even by one of its own fragments, and
 *    its key is not taken yet. So overlapping or duplicate claims keep the
 *    newest, no two live entries share an extent, and no entry holds an
 *    extent twice. Values are not read here: each is hashed at its first read
 *    (get or pin), and one that fails is dropped then, never returned, so
 *    reattach costs time per entry (clean) or per extent (unclean), never
 *    per byte.
 * 3. rebuild: the LRU gets the entries oldest first, every extent not
 *    taken becomes free space, and entry or fragment magics left in free
 *    space are cleared, so stale headers never mislead a later scan.
 */
#include "persist.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

_Static_assert(POOL_OWNER_SIZE == CELLAR_OWNER_MAX, "an owner tag fills the header's field");

#define SEED_VALUE 0x56414c5545ull        /* xor'ed into the pool's seed */
#define SEED_FRAG 0x46524147ull
#define SEED_FREE 0x46524545ull

/* most keys a header may claim (as vc_check_key) */
#define KEY_LIMIT ((uint64_t)1 << 30)

/*
 * zeroed -- a header's checksum fields cleared and its magic set, as the
 * checksums see it (internal)
 */
static struct entry_hdr
zeroed(const struct entry_hdr *h)
{
	struct entry_hdr z = *h;
	z.magic = ENTRY_MAGIC;
	z.checksum = 0;
	z.hdr_checksum = 0;
	return z;
}

uint32_t
ps_hdr_checksum(const struct persist *ps, const struct entry_hdr *h,
		const void *key)
{
	struct entry_hdr z = zeroed(h);
	struct cks s;
	cks_init(&s, ps->seed);
	cks_update(&s, &z, sizeof(z));
	cks_update(&s, key, z.key_size);
	return cks_fold32(cks_final(&s));
}

void
ps_value_begin(const struct persist *ps, struct cks *s,
		const struct entry_hdr *h, const void *key)
{
	struct entry_hdr z = zeroed(h);
	cks_init(s, ps->seed ^ SEED_VALUE);
	cks_update(s, &z, sizeof(z));
	cks_update(s, key, z.key_size);
}

uint32_t
ps_frag_check(const struct persist *ps, const struct frag_hdr *f)
{
	uint64_t v[3] = {f->units, f->next, f->seq};
	return cks_fold32(cks64(v, sizeof(v), ps->seed ^ SEED_FRAG));
}

/*
 * free_check -- free_mark.check (internal)
 */
static uint32_t
free_check(const struct persist *ps, uint64_t len, uint64_t gen)
{
	uint64_t v[2] = {len, gen};
	return cks_fold32(cks64(v, sizeof(v), ps->seed ^ SEED_FREE));
}

/* what the passes share */
struct scan {
	struct heap *heap;
	struct persist *ps;
	uint64_t units;          /* extents in the heap */
	uint64_t extent;
	int clean;
};

static inline const char *
addr_of(const struct scan *sc, uint64_t unit)
{
	return heap_addr(sc->heap, unit);
}

/*
 * frag_valid -- a fragment header that checks out by itself (internal)
 */
static int
frag_valid(const struct scan *sc, uint64_t unit, const struct frag_hdr *f)
{
	return f->magic == FRAG_MAGIC && f->units >= 1 &&
		f->units <= sc->units - unit &&
		f->units * sc->extent > sizeof(*f) &&
		f->check == ps_frag_check(sc->ps, f);
}

/*
 * chain_valid -- the entry at `unit`: its header, key and fragment chain,
 * without its value; 1 when valid, with the number of fragments (internal)
 */
static int
chain_valid(const struct scan *sc, uint64_t unit, uint32_t *nfrags)
{
	const struct entry_hdr *h = (const struct entry_hdr *)addr_of(sc, unit);
	uint64_t room = (sc->units - unit) * sc->extent;
	if (h->magic != ENTRY_MAGIC || h->version != ENTRY_FORMAT_VERSION ||
			h->flags != ENTRY_F_CHECKSUM || h->key_size == 0 ||
			h->key_size > KEY_LIMIT ||
			h->hdr_size != entry_hdr_size(h->key_size) ||
			h->units < 1 || h->units > sc->units - unit ||
			h->units * sc->extent < h->hdr_size ||
			h->hdr_size > room ||
			h->value_size > sc->units * sc->extent)
		return 0;
	if (h->hdr_checksum != ps_hdr_checksum(sc->ps, h, h + 1))
		return 0;
	uint64_t cap = h->units * sc->extent - h->hdr_size;
	uint64_t left = cap >= h->value_size ? 0 : h->value_size - cap;
	uint64_t next = h->next;
	uint32_t n = 1;
	while (left > 0) {
		if (next >= sc->units || n > sc->units)
			return 0;
		const struct frag_hdr *f =
			(const struct frag_hdr *)addr_of(sc, next);
		if (!frag_valid(sc, next, f) || f->seq != h->seq)
			return 0;
		cap = f->units * sc->extent - sizeof(*f);
		left = cap >= left ? 0 : left - cap;
		next = f->next;
		n++;
	}
	if (next != FRAG_NONE)
		return 0;
	*nfrags = n;
	return 1;
}

/*
 * value_sum -- entry_hdr.checksum recomputed from the pool; the chain must
 * have been validated (internal)
 */
static uint32_t
value_sum(const struct persist *ps, const struct heap *hp, uint64_t unit)
{
	const struct entry_hdr *h = (const struct entry_hdr *)heap_addr(hp, unit);
	struct cks s;
	ps_value_begin(ps, &s, h, h + 1);
	uint64_t cap = h->units * hp->extent - h->hdr_size;
	uint64_t left = h->value_size;
	uint64_t n = cap < left ? cap : left;
	cks_update(&s, (const char *)h + h->hdr_size, (size_t)n);
	left -= n;
	uint64_t next = h->next;
	while (left > 0 && next < hp->units) {
		const struct frag_hdr *f =
			(const struct frag_hdr *)heap_addr(hp, next);
		if (f->units > hp->units - next)
			break;
		cap = f->units * hp->extent - sizeof(*f);
		n = cap < left ? cap : left;
		cks_update(&s, f + 1, (size_t)n);
		left -= n;
		next = f->next;
	}
	return left == 0 ? cks_fold32(cks_final(&s)) : ~h->checksum;
}

int
ps_value_ok(const struct persist *ps, const struct heap *heap, uint64_t unit)
{
	const struct entry_hdr *h =
		(const struct entry_hdr *)heap_addr(heap, unit);
	return value_sum(ps, heap, unit) == h->checksum;
}

/* a growing array */
struct vec {
	void *items;
	size_t n, cap, size;
};

static int
vec_push(struct vec *v, const void *item)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 1024;
		void *p = realloc(v->items, cap * v->size);
		if (p == NULL)
			return -1;
		v->items = p;
		v->cap = cap;
	}
	memcpy((char *)v->items + v->n * v->size, item, v->size);
	v->n++;
	return 0;
}

struct cand {
	uint64_t seq;
	uint64_t unit;
	uint32_t nfrags;
};

static int
cmp_newest(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->seq != y->seq)
		return x->seq > y->seq ? -1 : 1;
	return x->unit < y->unit ? -1 : x->unit > y->unit;
}

/*
 * scan_pass -- pass 1: candidates and the extents that carry a magic
 * (internal)
 */
static int
scan_pass(struct scan *sc, uint64_t gen, struct vec *cands, struct vec *marks,
		unsigned long long *dropped)
{
	for (uint64_t u = 0; u < sc->units;) {
		if (!sc->clean && !sc->ps->heads[u]) {
			/* after an unclean stop only flagged extents can hold heads */
			u++;
			continue;
		}
		const char *a = addr_of(sc, u);
		uint32_t magic;
		memcpy(&magic, a, sizeof(magic));
		if (!sc->clean && magic != ENTRY_MAGIC) {
			/* a put or free the stop cut short: no entry here */
			ps_head_set(sc->ps, u, 0);
			u++;
			continue;
		}
		if (magic == ENTRY_MAGIC) {
			struct cand cd = {0, u, 0};
			if (vec_push(marks, &u))
				return -1;
			if (chain_valid(sc, u, &cd.nfrags)) {
				const struct entry_hdr *h =
					(const struct entry_hdr *)a;
				cd.seq = h->seq;
				if (vec_push(cands, &cd))
					return -1;
				if (sc->clean) {
					u += h->units;
					continue;
				}
			} else {
				(*dropped)++;
			}
		} else if (magic == FRAG_MAGIC) {
			const struct frag_hdr *f = (const struct frag_hdr *)a;
			if (vec_push(marks, &u))
				return -1;
			if (sc->clean && frag_valid(sc, u, f)) {
				u += f->units;
				continue;
			}
		} else if (magic == FREE_MAGIC && sc->clean) {
			const struct free_mark *m = (const struct free_mark *)a;
			if (m->gen == gen && m->len >= 1 &&
					m->len <= sc->units - u &&
					m->check == free_check(sc->ps, m->len, gen)) {
				u += m->len;
				continue;
			}
		}
		u++;
	}
	return 0;
}

/* bitmap of taken extents */
static inline int
bit_get(const uint64_t *b, uint64_t i)
{
	return (int)((b[i / 64] >> (i % 64)) & 1);
}

/*
 * range_free -- whether no extent of [s, s + n) is taken (internal)
 */
static int
range_free(const uint64_t *b, uint64_t s, uint64_t n)
{
	for (uint64_t i = s; i < s + n;) {
		if (i % 64 == 0 && s + n - i >= 64) {
			if (b[i / 64])
				return 0;
			i += 64;
			continue;
		}
		if (bit_get(b, i))
			return 0;
		i++;
	}
	return 1;
}

static void
range_take(uint64_t *b, uint64_t s, uint64_t n)
{
	for (uint64_t i = s; i < s + n;) {
		if (i % 64 == 0 && s + n - i >= 64) {
			b[i / 64] = UINT64_MAX;
			i += 64;
			continue;
		}
		b[i / 64] |= 1ull << (i % 64);
		i++;
	}
}

static void
range_clear(uint64_t *b, uint64_t s, uint64_t n)
{
	for (uint64_t i = s; i < s + n; i++)
		b[i / 64] &= ~(1ull << (i % 64));
}

/*
 * chain_unclaim -- clears the bits of the first `count` fragments of a
 * validated entry (internal)
 */
static void
chain_unclaim(const struct scan *sc, uint64_t *bits, uint64_t unit,
		uint32_t count)
{
	const struct entry_hdr *h = (const struct entry_hdr *)addr_of(sc, unit);
	uint64_t u = unit, n = h->units, next = h->next;
	for (uint32_t i = 0; i < count; i++) {
		range_clear(bits, u, n);
		if (next == FRAG_NONE)
			return;
		const struct frag_hdr *f =
			(const struct frag_hdr *)addr_of(sc, next);
		u = next;
		n = f->units;
		next = f->next;
	}
}

/*
 * chain_claim -- takes the extents of every fragment of a validated entry,
 * each only if no other entry and no earlier fragment of its own has taken
 * any of them: a crafted chain whose fragments overlap would otherwise
 * free an extent twice. 1 when all are taken, 0 with none taken (internal)
 */
static int
chain_claim(const struct scan *sc, uint64_t *bits, uint64_t unit)
{
	const struct entry_hdr *h = (const struct entry_hdr *)addr_of(sc, unit);
	uint64_t u = unit, n = h->units, next = h->next;
	for (uint32_t done = 0;; done++) {
		if (!range_free(bits, u, n)) {
			chain_unclaim(sc, bits, unit, done);
			return 0;
		}
		range_take(bits, u, n);
		if (next == FRAG_NONE)
			return 1;
		const struct frag_hdr *f =
			(const struct frag_hdr *)addr_of(sc, next);
		u = next;
		n = f->units;
		next = f->next;
	}
}

int
ps_rebuild(struct persist *ps, struct heap *heap, const struct ps_engine *eng)
{
	struct scan sc = {heap, ps, heap->units, heap->extent, ps->clean};
	uint64_t gen = ps->gen; /* the generation the file was closed in */
	struct cellar_reattach *r = &ps->report;
	struct vec cands = {NULL, 0, 0, sizeof(struct cand)};
	struct vec marks = {NULL, 0, 0, sizeof(uint64_t)};
	struct vec taken = {NULL, 0, 0, sizeof(void *)};
	uint64_t *bits = zalloc(sc.units / 64 + 1, sizeof(*bits));
	int ret = -1;
	if (bits == NULL || scan_pass(&sc, gen, &cands, &marks,
			&r->entries_dropped))
		goto out;

	if (cands.n > 1)
		qsort(cands.items, cands.n, sizeof(struct cand), cmp_newest);
	uint64_t max_seq = 0;
	for (size_t i = 0; i < cands.n; i++) {
		const struct cand *cd = (const struct cand *)cands.items + i;
		const struct entry_hdr *h =
			(const struct entry_hdr *)addr_of(&sc, cd->unit);
		void *e;
		if (!chain_claim(&sc, bits, cd->unit)) {
			r->entries_dropped++;
			continue;
		}
		int err = eng->adopt(eng->arg, h, cd->unit, cd->nfrags, &e);
		if (err == EEXIST) {
			chain_unclaim(&sc, bits, cd->unit, cd->nfrags);
			r->entries_dropped++;
			continue;
		}
		if (err || vec_push(&taken, &e))
			goto out; /* an adopted entry is freed with the index */
		if (h->seq > max_seq)
			max_seq = h->seq;
		r->entries_recovered++;
		r->bytes_recovered += h->value_size;
	}
	ps->max_seq = max_seq;
	/* oldest first: the LRU's head is the least recently written */
	for (size_t i = taken.n; i-- > 0;)
		eng->queue(eng->arg, ((void **)taken.items)[i]);

	/* magics in what is now free space are stale: clear them */
	for (size_t i = 0; i < marks.n; i++) {
		uint64_t u = ((uint64_t *)marks.items)[i];
		if (!bit_get(bits, u)) {
			memset(heap_addr(heap, u), 0, sizeof(uint32_t));
			ps_head_set(ps, u, 0);
		}
	}
	heap_reset_used(heap);
	for (uint64_t u = 0; u < sc.units;) {
		if (bit_get(bits, u)) {
			u++;
			continue;
		}
		uint64_t s = u;
		while (u < sc.units && !bit_get(bits, u))
			u++;
		heap_add_free(heap, s, u - s);
	}
	ret = 0;
out:
	if (ret)
		err_set(ENOMEM, "out of memory reattaching %s", r->path);
	free(bits);
	free(cands.items);
	free(marks.items);
	free(taken.items);
	return ret;
}

/*
 * header_seal -- recomputes the header's checksum and makes it durable
 * (internal)
 */
static int
header_seal(struct pool *p)
{
	struct pool_hdr *ph = (struct pool_hdr *)p->addr;
	ph->checksum = pool_hdr_sum(ph);
	return pool_persist(p, 0, POOL_HDR_SIZE);
}

/*
 * random_id -- a pool's uuid (internal)
 */
static uint64_t
random_id(void)
{
	uint64_t v = 0;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = now_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&v;
	return v ? v : 1;
}

/*
 * format_new -- lays an empty persistent pool out, its header sealed only
 * by ps_ready; 0 or -1 (internal)
 */
static int
format_new(struct persist *ps, struct pool *p, size_t extent_set,
		const uint8_t *owner, struct ps_layout *out)
{
	size_t extent = (size_t)align_up(extent_set, VALUE_ALIGN);
	if (p->size <= POOL_HDR_SIZE || extent > p->size - POOL_HDR_SIZE)
		return err_set(EINVAL,
			"extent size %zu is larger than the pool (%zu bytes)",
			extent_set, p->size);
	/* each extent costs its bytes plus one byte of the head map */
	uint64_t units = (p->size - POOL_HDR_SIZE) / (extent + 1);
	struct pool_hdr *ph = (struct pool_hdr *)p->addr;
	memset(ph, 0, sizeof(*ph));
	ps->heads = (uint8_t *)p->addr + POOL_HDR_SIZE + units * extent;
	memset(ps->heads, 0, units);
	memcpy(ph->magic, POOL_MAGIC, sizeof(ph->magic));
	ph->version = POOL_FORMAT_VERSION;
	ph->flags = POOL_F_PERSISTENT;
	ph->pool_size = p->size;
	ph->extent_size = extent;
	ph->heap_offset = POOL_HDR_SIZE;
	ph->heap_units = units;
	ph->uuid = random_id();
	ph->gen = 1;
	ph->state = POOL_STATE_OPEN;
	memcpy(ph->owner, owner, sizeof(ph->owner));
	ps->seed = ph->uuid;
	ps->gen = ph->gen;
	ps->fresh = 1;
	out->units = units;
	out->extent = extent;
	out->fresh = 1;
	return 0;
}

/*
 * header_problem -- why a pool header cannot be reattached, or NULL
 * (internal)
 */
static const char *
header_problem(const struct pool_hdr *ph, size_t file_size, char *buf,
		size_t len)
{
	if (memcmp(ph->magic, POOL_MAGIC, sizeof(ph->magic)) != 0)
		return "not a Cellar pool (bad magic)";
	if (ph->version != POOL_FORMAT_VERSION) {
		snprintf(buf, len, "format version %u, this engine reads %u",
				ph->version, POOL_FORMAT_VERSION);
		return buf;
	}
	if (ph->checksum != pool_hdr_sum(ph))
		return "the pool header's checksum does not match";
	if (!(ph->flags & POOL_F_PERSISTENT))
		return "not a persistent pool";
	if (ph->pool_size != file_size) {
		snprintf(buf, len, "the header says %llu bytes, the file has %zu",
				(unsigned long long)ph->pool_size, file_size);
		return buf;
	}
	if (ph->extent_size < VMEMCACHE_MIN_EXTENT ||
			ph->extent_size % VALUE_ALIGN != 0 ||
			ph->heap_offset != POOL_HDR_SIZE ||
			ph->extent_size > file_size - POOL_HDR_SIZE ||
			ph->heap_units != (file_size - POOL_HDR_SIZE) /
				(ph->extent_size + 1))
		return "the pool header's layout is inconsistent";
	if (ph->state != POOL_STATE_CLEAN && ph->state != POOL_STATE_OPEN)
		return "the pool header's state is unknown";
	return NULL;
}

/*
 * attach -- formats the mapped file or checks it for a reattach; 0, 1 when
 * the file must be set aside (why says why), -1 on an error (internal)
 */
static int
attach(struct persist *ps, struct pool *p, size_t extent, const uint8_t *owner,
		struct ps_layout *out, char *why, size_t why_len)
{
	struct pool_hdr *ph = (struct pool_hdr *)p->addr;
	char buf[160];
	if (p->size < POOL_HDR_SIZE + VMEMCACHE_MIN_EXTENT) {
		snprintf(why, why_len, "the file is too small (%zu bytes)", p->size);
		return 1;
	}
	static const char none[8];
	if (p->created || memcmp(ph->magic, none, sizeof(none)) == 0)
		return format_new(ps, p, extent, owner, out) ? -1 : 0;
	const char *problem = header_problem(ph, p->size, buf, sizeof(buf));
	if (problem) {
		snprintf(why, why_len, "%s", problem);
		return 1;
	}
	if (pool_hdr_foreign(ph, owner))
		return err_set(EACCES,
			"pool file %s belongs to another owner (cellar_set_owner); it is left as it is",
			p->path);
	ps->fresh = 0;
	ps->clean = ph->state == POOL_STATE_CLEAN;
	ps->seed = ph->uuid;
	ps->gen = ph->gen;
	ps->heads = (uint8_t *)p->addr + POOL_HDR_SIZE +
		ph->heap_units * ph->extent_size;
	out->units = ph->heap_units;
	out->extent = ph->extent_size;
	out->fresh = 0;
	return 0;
}

/*
 * note -- appends to the report's message (internal)
 */
static void __attribute__((format(printf, 2, 3)))
note(struct cellar_reattach *r, const char *fmt, ...)
{
	size_t at = strlen(r->message);
	if (at > 0 && at + 2 < sizeof(r->message)) {
		memcpy(r->message + at, "; ", 3);
		at += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message + at, sizeof(r->message) - at, fmt, ap);
	va_end(ap);
}

int
ps_open(struct persist *ps, struct pool *pool, const char *path, size_t size,
		size_t extent, const uint8_t *owner, struct ps_layout *out)
{
	ps->t0 = now_ns();
	for (;;) {
		if (pool_open_file(pool, path, size, owner))
			return -1;
		char why[256];
		int r = attach(ps, pool, extent, owner, out, why, sizeof(why));
		if (r == 0)
			return 0;
		if (r < 0 || ps->set_aside >= 3) {
			if (r > 0)
				err_set(EIO, "cannot make a usable pool file %s: %s",
						pool->path, why);
			pool_close(pool);
			return -1;
		}
		char bad[PATH_MAX];
		char file[PATH_MAX];
		memcpy(file, pool->path, sizeof(file));
		if (pool_set_aside(pool, bad))
			return -1;
		note(&ps->report, "%s was set aside as %s: %s", file, bad, why);
		ps->set_aside++;
	}
}

int
ps_ready(struct persist *ps, struct pool *pool)
{
	struct pool_hdr *ph = (struct pool_hdr *)pool->addr;
	if (!ps->fresh) {
		ph->gen++;
		ph->state = POOL_STATE_OPEN;
		ps->gen = ph->gen;
	}
	if (header_seal(pool))
		return -1;
	struct cellar_reattach *r = &ps->report;
	r->state = ps->fresh ? CELLAR_POOL_NEW : ps->clean ? CELLAR_POOL_CLEAN
		: CELLAR_POOL_RECOVERED;
	snprintf(r->path, sizeof(r->path), "%s", pool->path);
	if (ps->set_aside && pool->created)
		r->state = CELLAR_POOL_RECREATED;
	static const char *said[] = {
		[CELLAR_POOL_NEW] = "a new pool",
		[CELLAR_POOL_CLEAN] = "reattached after a clean close; values are checked at their first read",
		[CELLAR_POOL_RECOVERED] = "reattached after an unclean stop; the head map's extents were checked, values are checked at their first read",
		[CELLAR_POOL_RECREATED] = "a new pool in place of a bad one",
	};
	note(r, "%s (%llu entries, %llu dropped)", said[r->state],
			r->entries_recovered, r->entries_dropped);
	r->elapsed_ns = now_ns() - ps->t0;
	return 0;
}

void
ps_close(struct persist *ps, struct pool *pool, struct heap *heap,
		uint64_t entries)
{
	if (pool->addr) {
		struct pool_hdr *ph = (struct pool_hdr *)pool->addr;
		uint64_t (*runs)[2] = NULL;
		uint64_t n = heap_free_runs(heap, &runs);
		for (uint64_t i = 0; runs && i < n; i++) {
			struct free_mark m = {FREE_MAGIC,
				free_check(ps, runs[i][1], ps->gen), runs[i][1],
				ps->gen};
			/* the heap's node of the run lives here; the heap is done */
			memcpy(heap_addr(heap, runs[i][0]), &m, sizeof(m));
		}
		free(runs);
		if (pool_persist(pool, 0, pool->size) == 0) {
			ph->state = POOL_STATE_CLEAN;
			ph->entries = entries;
			header_seal(pool);
		}
	}
	free(ps);
}

/* what ps_seal's pass under the heap lock needs */
struct seal_pass {
	struct persist *ps;
	struct heap *heap;
	const uint64_t *live;   /* extents of entries in the index */
	uint64_t cleared;
};

/*
 * clear_gone -- clears the header and head-map byte of every entry head
 * that is not an indexed entry's: entries that left the index while pins
 * held them. Runs under the heap lock, so a pin's release cannot free such
 * an entry (and reuse its first extent for the heap's run node) meanwhile;
 * a release that comes first has cleared both already (internal)
 */
static void
clear_gone(void *arg)
{
	struct seal_pass *sp = arg;
	struct persist *ps = sp->ps;
	for (uint64_t u = 0; u < sp->heap->units; u++) {
		if (!__atomic_load_n(&ps->heads[u], __ATOMIC_RELAXED) ||
				bit_get(sp->live, u))
			continue;
		uint32_t *magic = (uint32_t *)heap_addr(sp->heap, u);
		if (__atomic_load_n(magic, __ATOMIC_RELAXED) == ENTRY_MAGIC) {
			__atomic_store_n(magic, 0, __ATOMIC_RELAXED);
			sp->cleared++;
		}
		ps_head_set(ps, u, 0);
	}
}

/* what mark_live needs */
struct live_marks {
	const struct heap *heap;
	uint64_t *live;
};

/*
 * mark_live -- sets the bits of every extent of one indexed entry
 * (internal)
 */
static void
mark_live(void *arg, uint64_t unit, uint32_t nfrags)
{
	struct live_marks *m = arg;
	const struct entry_hdr *h =
		(const struct entry_hdr *)heap_addr(m->heap, unit);
	range_take(m->live, unit, h->units);
	uint64_t next = h->next;
	for (uint32_t n = 1; n < nfrags && next != FRAG_NONE; n++) {
		const struct frag_hdr *f =
			(const struct frag_hdr *)heap_addr(m->heap, next);
		range_take(m->live, next, f->units);
		next = f->next;
	}
}

int
ps_seal(struct persist *ps, struct pool *pool, struct heap *heap,
		const struct ps_engine *eng)
{
	if (pool->addr == NULL)
		return 0;
	__atomic_store_n(&ps->sealed, 1, __ATOMIC_RELEASE);
	uint64_t *live = zalloc(heap->units / 64 + 1, sizeof(*live));
	if (live == NULL)
		return err_set(ENOMEM, "out of memory sealing %s", ps->report.path);
	struct live_marks marks = {heap, live};
	eng->each_live(eng->arg, mark_live, &marks);
	struct seal_pass sp = {ps, heap, live, 0};
	heap_locked(heap, clear_gone, &sp);
	free(live);
	/* no free marks: the heap's run nodes live where they would go, and
	 * a pin's release may still free; the next reattach steps through
	 * free space an extent at a time */
	if (pool_persist(pool, 0, pool->size) != 0)
		return -1;
	struct pool_hdr *ph = (struct pool_hdr *)pool->addr;
	ph->state = POOL_STATE_CLEAN;
	ph->entries = eng->entries(eng->arg);
	return header_seal(pool);
}
