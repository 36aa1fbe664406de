/* SPDX-License-Identifier: Apache-2.0 */
/*
 * repl.h -- LRU replacement fed by a lock-free ring (internal)
 *
 * A hit does not take the LRU lock: it pushes its entry, with a reference,
 * into the ring. Whoever takes the LRU lock (a put linking a new entry, an
 * eviction choosing a victim, or a reader finding the ring full) first
 * drains the ring in one batch, moving each entry to the recent end.
 */
#ifndef CELLAR_REPL_H
#define CELLAR_REPL_H 1

#include <pthread.h>

#include "entry.h"
#include "ring.h"

#define REPL_RING_SIZE 4096

/* drops one ring reference of e */
typedef void repl_unref_fn(struct entry *e, void *arg);

struct repl {
	int lru;                    /* 0 under policy NONE: nothing is tracked */
	pthread_mutex_t lock;
	struct entry *head;         /* least recently used */
	struct entry *tail;         /* most recently used */
	struct ring ring;
	repl_unref_fn *unref;       /* drops a ring reference */
	void *arg;
};

int repl_init(struct repl *r, int lru, repl_unref_fn *unref, void *arg);
/* repl_fini -- drops the references still in the ring */
void repl_fini(struct repl *r);

/* repl_insert -- links e as most recent unless it already left ENTRY_LIVE */
void repl_insert(struct repl *r, struct entry *e);

/* repl_remove -- drains the ring and unlinks e if it is linked */
void repl_remove(struct repl *r, struct entry *e);

/* repl_touch -- records a use of a live e; takes over one ring reference of
 * the caller */
void repl_touch(struct repl *r, struct entry *e);

/*
 * repl_victim -- the least recently used live entry, preferring one nobody
 * reads: moved to ENTRY_EVICTING, unlinked, returned with one more
 * data reference; NULL when there is none
 */
struct entry *repl_victim(struct repl *r);

#endif
