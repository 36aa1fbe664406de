/* SPDX-License-Identifier: Apache-2.0 */
/*
 * entry.h -- an entry's DRAM node (internal)
 *
 * Ownership is a reference count: the index holds one reference while the
 * entry is in it, every reader (get in progress, pin, a hit waiting in the
 * ring) holds one. The entry's extents return to the heap when the last
 * reference goes, so a reader never sees freed or reused memory.
 *
 * `state` decides who removes an entry: only the thread that moves it out
 * of ENTRY_LIVE evicts (and calls on_evict) or replaces it. `in_lru` is
 * guarded by the LRU lock and `hnext` by the index shard's lock.
 */
#ifndef CELLAR_ENTRY_H
#define CELLAR_ENTRY_H 1

#include <stdatomic.h>
#include <stdint.h>

enum entry_state {
	ENTRY_LIVE,      /* in the index, may be in the LRU */
	ENTRY_EVICTING,  /* an evictor owns it; still readable until unlinked */
	ENTRY_DEAD       /* replaced; leaves when its readers are done */
};

struct entry {
	struct entry *hnext;            /* index chain */
	struct entry *lru_prev;
	struct entry *lru_next;
	uint64_t hash;
	uint64_t value_size;
	uint64_t unit;                  /* first extent of the first fragment */
	atomic_uint refs;
	atomic_uint state;
	uint32_t key_size;
	uint32_t hdr_size;              /* bytes before the value */
	uint32_t nfrags;
	uint8_t in_lru;
	unsigned char key[];
};

#endif
