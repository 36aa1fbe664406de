/* SPDX-License-Identifier: Apache-2.0 */
/*
 * repl.h -- replacement: LRU fed by a lock-free ring, or S3-FIFO (internal)
 *
 * LRU: a hit does not take the LRU lock: it pushes its entry, with a
 * reference, into the ring of its thread's stripe (util_stripe), so that
 * readers on different threads do not contend for one ring's head. Whoever
 * takes the LRU lock (a put linking a new entry, an eviction choosing a
 * victim, or a reader finding its ring full) first drains the rings in one
 * batch, moving each entry to the recent end. An entry waits in a ring at
 * most once: a hit on an entry whose earlier use still waits pushes
 * nothing and writes nothing, so the hot entries of a cache-resident set
 * cost their readers no ring cell, reference or list move per hit. Such a
 * repeat counts where the waiting use counts; otherwise the uses of one
 * thread keep their order, and those of different threads interleave by
 * ring.
 *
 * S3-FIFO (Yang et al., SOSP 2023): a hit only raises the entry's 2-bit
 * use count, with no lock and no ring. A new entry joins a small
 * probationary FIFO (a tenth of the bytes); one that was hit while there
 * moves on to the main FIFO when it reaches the head, one that was not is
 * evicted and its key's hash remembered in a ghost table, so that when it
 * comes back it goes straight to the main FIFO. The main FIFO is a CLOCK:
 * an entry at its head that was used goes round again with its count
 * lowered, one that was not is evicted. A scan's entries are seen once, so
 * they pass through the small FIFO and leave without touching the main.
 */
#ifndef CELLAR_REPL_H
#define CELLAR_REPL_H 1

#include <pthread.h>

#include "entry.h"
#include "ring.h"

/* cells of each stripe's ring */
#define REPL_RING_SIZE 1024

/* the kinds, in the order of enum cellar_policy */
enum repl_kind { REPL_NONE, REPL_LRU, REPL_S3FIFO };

/* drops one ring reference of e */
typedef void repl_unref_fn(struct entry *e, void *arg);

/* one FIFO or LRU list, least recent at the head */
struct repl_list {
	struct entry *head;
	struct entry *tail;
	uint64_t bytes;             /* weights of its entries */
	uint64_t count;
};

struct repl {
	enum repl_kind kind;        /* REPL_NONE: nothing is tracked */
	pthread_mutex_t lock;
	struct repl_list lists[2];  /* LRU: [0]; S3-FIFO: small [0], main [1] */
	struct ring rings[CELLAR_STRIPES]; /* LRU only */
	uint64_t *ghost;            /* S3-FIFO: hashes evicted from small */
	size_t ghost_mask;          /* slots - 1 (a power of two), 0 if none */
	repl_unref_fn *unref;       /* drops a ring reference */
	void *arg;
};

int repl_init(struct repl *r, enum repl_kind kind, repl_unref_fn *unref,
		void *arg);
/* repl_fini -- drops the references still in the ring */
void repl_fini(struct repl *r);

/* repl_insert -- links e as most recent unless it already left ENTRY_LIVE */
void repl_insert(struct repl *r, struct entry *e);

/* repl_remove -- drains the ring and unlinks e if it is linked */
void repl_remove(struct repl *r, struct entry *e);

/*
 * repl_use -- records a hit on e. 1 when the use must wait in a ring: the
 * caller then gives repl_touch a ring reference of e. 0 when it needs none:
 * S3-FIFO counts it on the spot, an entry on its way out keeps its place,
 * and an LRU entry whose earlier use still waits in a ring will move to
 * the recent end anyway
 */
int repl_use(struct repl *r, struct entry *e);

/* repl_touch -- queues the use repl_use asked for; takes over the caller's
 * ring reference of e */
void repl_touch(struct repl *r, struct entry *e);

/*
 * repl_victim -- the entry to evict next, preferring one nobody reads:
 * moved to ENTRY_EVICTING, unlinked, returned with one more data
 * reference; NULL when there is none
 */
struct entry *repl_victim(struct repl *r);

#endif
