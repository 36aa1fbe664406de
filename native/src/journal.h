/* SPDX-License-Identifier: Apache-2.0 */
/*
 * journal.h -- bounded queue of keys that left a cache or a tier stack
 * (internal)
 *
 * Producers are the threads that evict; they copy the key under the
 * journal's own mutex (never while holding an engine lock, so a slow
 * consumer cannot stall the LRU). When the queue is full the new key is
 * not kept and the overflow flag is set: the consumer must resync from a
 * key listing. Draining moves keys out under the lock and hands them to the
 * caller's function after the lock is released.
 */
#ifndef CELLAR_JOURNAL_H
#define CELLAR_JOURNAL_H 1

#include <pthread.h>
#include <stddef.h>

#include "cellar.h"

struct jr_key {
	size_t len;
	unsigned char bytes[];
};

struct journal {
	pthread_mutex_t lock;
	struct jr_key **slots;   /* ring of capacity slots */
	size_t capacity;
	size_t head;             /* oldest */
	size_t count;
	int overflowed;
};

/* jr_new -- a journal of `capacity` keys, or NULL (ENOMEM) */
struct journal *jr_new(size_t capacity);

/* jr_delete -- frees the journal and the keys it still holds */
void jr_delete(struct journal *j);

/* jr_push -- appends a copy of the key, or records an overflow */
void jr_push(struct journal *j, const void *key, size_t key_size);

/*
 * jr_drain -- removes up to max keys, oldest first, and calls fn on each
 * (no lock held; its return value is ignored); *overflowed is whether keys were lost since the last
 * drain (and is cleared). Returns the count, or -1 (ENOMEM).
 */
long jr_drain(struct journal *j, size_t max, cellar_key_fn *fn, void *arg,
		int *overflowed);

#endif
