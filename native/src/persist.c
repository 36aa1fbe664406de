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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
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
	VMEMcache *c;
	struct persist *ps;
	uint64_t units;          /* extents in the heap */
	uint64_t extent;
	int clean;
};

static inline const char *
addr_of(const struct scan *sc, uint64_t unit)
{
	return heap_addr(&sc->c->heap, unit);
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
ps_value_ok(VMEMcache *c, uint64_t unit)
{
	const struct entry_hdr *h =
		(const struct entry_hdr *)heap_addr(&c->heap, unit);
	return c->persist && value_sum(c->persist, &c->heap, unit) == h->checksum;
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

/*
 * adopt -- makes an index entry of a validated pool entry; 0, EEXIST when
 * the key is taken, ENOMEM (internal)
 */
static int
adopt(struct scan *sc, const struct cand *cd, struct entry **out)
{
	const struct entry_hdr *h =
		(const struct entry_hdr *)addr_of(sc, cd->unit);
	struct entry *e = malloc(sizeof(*e) + h->key_size);
	if (e == NULL)
		return ENOMEM;
	memset(e, 0, sizeof(*e));
	e->hash = hash_bytes(h + 1, h->key_size);
	e->value_size = h->value_size;
	e->unit = cd->unit;
	e->key_size = h->key_size;
	e->hdr_size = h->hdr_size;
	e->nfrags = cd->nfrags;
	memcpy(e->key, h + 1, h->key_size);
	atomic_init(&e->refs, REF_DATA); /* the index's */
	atomic_init(&e->state, ENTRY_LIVE);
	/* the value is hashed at its first read, clean or not (see cellar.h) */
	atomic_init(&e->check, CHECK_PENDING);
	int ret = idx_insert(&sc->c->index, e);
	if (ret) {
		free(e);
		return ret;
	}
	*out = e;
	return 0;
}

/*
 * rebuild -- passes 1 to 3 over an attached engine with an all-used heap;
 * 0 or -1 (ENOMEM) (internal)
 */
static int
rebuild(VMEMcache *c, struct persist *ps, int clean, uint64_t gen)
{
	struct scan sc = {c, ps, c->heap.units, c->heap.extent, clean};
	struct cellar_reattach *r = &ps->report;
	struct vec cands = {NULL, 0, 0, sizeof(struct cand)};
	struct vec marks = {NULL, 0, 0, sizeof(uint64_t)};
	struct vec taken = {NULL, 0, 0, sizeof(struct entry *)};
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
		struct entry *e;
		if (!chain_claim(&sc, bits, cd->unit)) {
			r->entries_dropped++;
			continue;
		}
		int err = adopt(&sc, cd, &e);
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
		atomic_fetch_add(&c->dram, dram_size_of(e));
	}
	atomic_store(&c->entries, r->entries_recovered);
	atomic_store(&c->seq, max_seq + 1);
	/* oldest first: the LRU's head is the least recently written */
	for (size_t i = taken.n; i-- > 0;)
		repl_insert(&c->repl, ((struct entry **)taken.items)[i]);

	/* magics in what is now free space are stale: clear them */
	for (size_t i = 0; i < marks.n; i++) {
		uint64_t u = ((uint64_t *)marks.items)[i];
		if (!bit_get(bits, u)) {
			memset(heap_addr(&c->heap, u), 0, sizeof(uint32_t));
			ps_head_set(ps, u, 0);
		}
	}
	heap_reset_used(&c->heap);
	for (uint64_t u = 0; u < sc.units;) {
		if (bit_get(bits, u)) {
			u++;
			continue;
		}
		uint64_t s = u;
		while (u < sc.units && !bit_get(bits, u))
			u++;
		heap_add_free(&c->heap, s, u - s);
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
header_seal(VMEMcache *c)
{
	struct pool_hdr *ph = (struct pool_hdr *)c->pool.addr;
	ph->checksum = pool_hdr_sum(ph);
	return pool_persist(&c->pool, 0, POOL_HDR_SIZE);
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
 * format_new -- lays out an empty persistent pool; 0 or -1 (internal)
 */
static int
format_new(VMEMcache *c, struct persist *ps)
{
	size_t extent = (size_t)align_up(c->extent, VALUE_ALIGN);
	if (c->pool.size <= POOL_HDR_SIZE ||
			extent > c->pool.size - POOL_HDR_SIZE)
		return err_set(EINVAL,
			"extent size %zu is larger than the pool (%zu bytes)",
			c->extent, c->pool.size);
	c->extent = extent;
	/* each extent costs its bytes plus one byte of the head map */
	uint64_t units = (c->pool.size - POOL_HDR_SIZE) / (extent + 1);
	struct pool_hdr *ph = (struct pool_hdr *)c->pool.addr;
	memset(ph, 0, sizeof(*ph));
	ps->heads = (uint8_t *)c->pool.addr + POOL_HDR_SIZE + units * extent;
	memset(ps->heads, 0, units);
	memcpy(ph->magic, POOL_MAGIC, sizeof(ph->magic));
	ph->version = POOL_FORMAT_VERSION;
	ph->flags = POOL_F_PERSISTENT;
	ph->pool_size = c->pool.size;
	ph->extent_size = extent;
	ph->heap_offset = POOL_HDR_SIZE;
	ph->heap_units = units;
	ph->uuid = random_id();
	ph->gen = 1;
	ph->state = POOL_STATE_OPEN;
	memcpy(ph->owner, c->owner, sizeof(ph->owner));
	ps->seed = ph->uuid;
	ps->gen = ph->gen;
	int ret = vc_engine_init(c, units, 1);
	if (ret)
		return err_set(ret, "cannot set the cache up: %s", strerror(ret));
	if (header_seal(c)) {
		vc_engine_fini(c);
		return -1;
	}
	ps->report.state = CELLAR_POOL_NEW;
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
 * attach -- formats or reattaches the mapped file; 0, 1 when the file must
 * be set aside (why says why), -1 on an error (internal)
 */
static int
attach(VMEMcache *c, struct persist *ps, char *why, size_t why_len)
{
	struct pool *p = &c->pool;
	struct pool_hdr *ph = (struct pool_hdr *)p->addr;
	char buf[160];
	if (p->size < POOL_HDR_SIZE + VMEMCACHE_MIN_EXTENT) {
		snprintf(why, why_len, "the file is too small (%zu bytes)", p->size);
		return 1;
	}
	static const char none[8];
	if (p->created || memcmp(ph->magic, none, sizeof(none)) == 0)
		return format_new(c, ps) ? -1 : 0;
	const char *problem = header_problem(ph, p->size, buf, sizeof(buf));
	if (problem) {
		snprintf(why, why_len, "%s", problem);
		return 1;
	}
	if (pool_hdr_foreign(ph, c->owner))
		return err_set(EACCES,
			"pool file %s belongs to another owner (cellar_set_owner); it is left as it is",
			p->path);
	int clean = ph->state == POOL_STATE_CLEAN;
	c->extent = ph->extent_size;
	ps->seed = ph->uuid;
	ps->heads = (uint8_t *)p->addr + POOL_HDR_SIZE +
		ph->heap_units * ph->extent_size;
	c->persist = ps;
	int ret = vc_engine_init(c, ph->heap_units, 0);
	if (ret) {
		c->persist = NULL;
		return err_set(ret, "cannot set the cache up: %s", strerror(ret));
	}
	if (rebuild(c, ps, clean, ph->gen)) {
		vc_engine_fini(c);
		c->persist = NULL;
		return -1;
	}
	ph->gen++;
	ph->state = POOL_STATE_OPEN;
	ps->gen = ph->gen;
	if (header_seal(c)) {
		vc_engine_fini(c);
		c->persist = NULL;
		return -1;
	}
	ps->report.state = clean ? CELLAR_POOL_CLEAN : CELLAR_POOL_RECOVERED;
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
ps_add(VMEMcache *c, const char *path, size_t size)
{
	uint64_t t0 = now_ns();
	struct persist *ps = zalloc(1, sizeof(*ps));
	if (ps == NULL)
		return err_set(ENOMEM, "out of memory");
	int set_aside = 0;
	size_t extent = c->extent;
	for (;;) {
		if (pool_open_file(&c->pool, path, size, c->owner))
			goto fail;
		char why[256];
		c->extent = extent;
		int r = attach(c, ps, why, sizeof(why));
		if (r == 0)
			break;
		if (r < 0 || set_aside >= 3) {
			if (r > 0)
				err_set(EIO, "cannot make a usable pool file %s: %s",
						c->pool.path, why);
			pool_close(&c->pool);
			goto fail;
		}
		char bad[PATH_MAX];
		char file[PATH_MAX];
		memcpy(file, c->pool.path, sizeof(file));
		if (pool_set_aside(&c->pool, bad))
			goto fail;
		note(&ps->report, "%s was set aside as %s: %s", file, bad, why);
		set_aside++;
	}
	struct cellar_reattach *r = &ps->report;
	snprintf(r->path, sizeof(r->path), "%s", c->pool.path);
	if (set_aside && c->pool.created)
		r->state = CELLAR_POOL_RECREATED;
	static const char *said[] = {
		[CELLAR_POOL_NEW] = "a new pool",
		[CELLAR_POOL_CLEAN] = "reattached after a clean close; values are checked at their first read",
		[CELLAR_POOL_RECOVERED] = "reattached after an unclean stop; the head map's extents were checked, values are checked at their first read",
		[CELLAR_POOL_RECREATED] = "a new pool in place of a bad one",
	};
	note(r, "%s (%llu entries, %llu dropped)", said[r->state],
			r->entries_recovered, r->entries_dropped);
	r->elapsed_ns = now_ns() - t0;
	c->persist = ps;
	return 0;
fail:
	free(ps);
	return -1;
}

void
ps_close(VMEMcache *c)
{
	struct persist *ps = c->persist;
	if (c->ready && c->pool.addr) {
		struct pool_hdr *ph = (struct pool_hdr *)c->pool.addr;
		uint64_t (*runs)[2] = NULL;
		uint64_t n = heap_free_runs(&c->heap, &runs);
		for (uint64_t i = 0; runs && i < n; i++) {
			struct free_mark m = {FREE_MAGIC,
				free_check(ps, runs[i][1], ps->gen), runs[i][1],
				ps->gen};
			/* the heap's node of the run lives here; the heap is done */
			memcpy(heap_addr(&c->heap, runs[i][0]), &m, sizeof(m));
		}
		free(runs);
		if (pool_persist(&c->pool, 0, c->pool.size) == 0) {
			ph->state = POOL_STATE_CLEAN;
			ph->entries = atomic_load(&c->entries);
			header_seal(c);
		}
	}
	free(ps);
	c->persist = NULL;
}

/* what ps_seal's pass under the heap lock needs */
struct seal_pass {
	VMEMcache *c;
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
	VMEMcache *c = sp->c;
	struct persist *ps = c->persist;
	for (uint64_t u = 0; u < c->heap.units; u++) {
		if (!__atomic_load_n(&ps->heads[u], __ATOMIC_RELAXED) ||
				bit_get(sp->live, u))
			continue;
		uint32_t *magic = (uint32_t *)heap_addr(&c->heap, u);
		if (__atomic_load_n(magic, __ATOMIC_RELAXED) == ENTRY_MAGIC) {
			__atomic_store_n(magic, 0, __ATOMIC_RELAXED);
			sp->cleared++;
		}
		ps_head_set(ps, u, 0);
	}
}

/*
 * mark_live -- sets the bits of every extent of every indexed entry
 * (internal)
 */
static void
mark_live(VMEMcache *c, uint64_t *live)
{
	for (unsigned i = 0; i < INDEX_SHARDS; i++) {
		struct index_shard *sh = &c->index.shards[i];
		pthread_rwlock_rdlock(&sh->lock);
		for (size_t b = 0; b < sh->nbuckets; b++) {
			for (struct entry *e = sh->buckets[b]; e; e = e->hnext) {
				const struct entry_hdr *h = (const struct entry_hdr *)
					heap_addr(&c->heap, e->unit);
				range_take(live, e->unit, h->units);
				uint64_t next = h->next;
				for (uint32_t n = 1; n < e->nfrags &&
						next != FRAG_NONE; n++) {
					const struct frag_hdr *f =
						(const struct frag_hdr *)
						heap_addr(&c->heap, next);
					range_take(live, next, f->units);
					next = f->next;
				}
			}
		}
		pthread_rwlock_unlock(&sh->lock);
	}
}

int
ps_seal(VMEMcache *c)
{
	struct persist *ps = c->persist;
	if (!c->ready || c->pool.addr == NULL)
		return 0;
	__atomic_store_n(&ps->sealed, 1, __ATOMIC_RELEASE);
	uint64_t *live = zalloc(c->heap.units / 64 + 1, sizeof(*live));
	if (live == NULL)
		return err_set(ENOMEM, "out of memory sealing %s", ps->report.path);
	mark_live(c, live);
	struct seal_pass sp = {c, live, 0};
	heap_locked(&c->heap, clear_gone, &sp);
	free(live);
	/* no free marks: the heap's run nodes live where they would go, and
	 * a pin's release may still free; the next reattach steps through
	 * free space an extent at a time */
	if (pool_persist(&c->pool, 0, c->pool.size) != 0)
		return -1;
	struct pool_hdr *ph = (struct pool_hdr *)c->pool.addr;
	ph->state = POOL_STATE_CLEAN;
	ph->entries = atomic_load(&c->entries);
	return header_seal(c);
}

int
cellar_reattach_get(VMEMcache *c, struct cellar_reattach *out)
{
	if (c == NULL || out == NULL)
		return err_set(EINVAL, "cellar_reattach_get: invalid (NULL) argument");
	if (c->persist == NULL)
		return err_set(EINVAL, "cellar_reattach_get: the cache has no persistent pool");
	*out = c->persist->report;
	return 0;
}
