/* SPDX-License-Identifier: Apache-2.0 */
/*
 * persist.h -- persistent pools: format, reattach, clean close, checksums
 * (internal)
 */
#ifndef CELLAR_PERSIST_H
#define CELLAR_PERSIST_H 1

#include <stdint.h>

#include "cellar.h"
#include "cks.h"
#include "format.h"

struct persist {
	uint64_t seed;       /* the pool's uuid */
	uint64_t gen;        /* pool_hdr.gen of this open */
	uint8_t *heads;      /* the head map: a byte per extent (format.h) */
	int sealed;          /* ps_seal ran: no more puts (atomic) */
	struct cellar_reattach report;
};

/*
 * ps_head_set -- marks (1) or clears (0) extent `unit` as an entry's head;
 * atomic, as a pin's release may clear one while ps_seal does
 */
static inline void
ps_head_set(struct persist *ps, uint64_t unit, uint8_t v)
{
	__atomic_store_n(&ps->heads[unit], v, __ATOMIC_RELAXED);
}

/*
 * ps_add -- opens, locks and maps a persistent pool file, reattaches its
 * entries (or formats it, or sets a bad file aside and makes a new one)
 * and builds the engine; sets c->persist. 0, or -1 with nothing left open
 */
int ps_add(VMEMcache *c, const char *path, size_t size);

/*
 * ps_close -- the clean close: marks free runs, makes the pool durable,
 * marks the header clean; frees c->persist (the mapping stays)
 */
void ps_close(VMEMcache *c);

/*
 * ps_seal -- makes the pool clean while pins may still hold entries that
 * left the index (see cellar_seal); 0 or -1
 */
int ps_seal(VMEMcache *c);

/* ps_sealed -- whether ps_seal ran */
static inline int
ps_sealed(const struct persist *ps)
{
	return __atomic_load_n(&ps->sealed, __ATOMIC_ACQUIRE);
}

/* ps_value_ok -- 1 when the entry at `unit` matches its checksum */
int ps_value_ok(VMEMcache *c, uint64_t unit);

/* ps_hdr_checksum -- entry_hdr.hdr_checksum of a header and key */
uint32_t ps_hdr_checksum(const struct persist *ps, const struct entry_hdr *h,
		const void *key);

/* ps_value_begin -- starts entry_hdr.checksum: header and key, value next */
void ps_value_begin(const struct persist *ps, struct cks *s,
		const struct entry_hdr *h, const void *key);

/* ps_frag_check -- frag_hdr.check of a fragment header */
uint32_t ps_frag_check(const struct persist *ps, const struct frag_hdr *f);

#endif
