/* SPDX-License-Identifier: Apache-2.0 */
/*
 * entry.h -- an entry's DRAM node (internal)
 *
 * Ownership is one 64-bit word of two counts. Data references (low half)
 * are held by the index while the entry is in it and by every reader (a get
 * in progress, a pin); the entry's extents return to the heap when the last
 * one goes, so a reader never sees freed or reused memory. Ring references
 * (high half) are held by hits waiting in the LRU's ring: they keep only
 * this small node alive, never the extents, so a stalled ring cannot hold
 * pool space. The node is freed when both counts are zero.
 *
 * `state` decides who removes an entry: only the thread that moves it out
 * of ENTRY_LIVE evicts (and calls on_evict) or replaces it. `linked` and
 * the list links are guarded by the replacement lock, `hnext` by the index
 * shard's lock; `freq` (S3-FIFO's use count) is raised by readers without
 * a lock. `queued` (LRU) is set by the reader that pushes a use of the
 * entry into a ring and cleared when that use is applied: while it is set,
 * further hits push nothing, as the entry is about to move to the recent
 * end anyway.
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

/* whether the value's checksum was checked (reattached persistent pools) */
enum entry_check {
	CHECK_OK,        /* written by this process or checked */
	CHECK_PENDING,   /* reattached from a clean pool: checked at first read */
	CHECK_BAD        /* failed its check; on its way out, never returned */
};

#define REF_DATA 1ull
#define REF_RING (1ull << 32)
#define REF_DATA_MASK (REF_RING - 1)

struct entry {
	struct entry *hnext;            /* index chain */
	struct entry *lru_prev;
	struct entry *lru_next;
	uint64_t hash;
	uint64_t value_size;
	uint64_t unit;                  /* first extent of the first fragment */
	atomic_ullong refs;             /* ring << 32 | data */
	atomic_uint state;
	uint32_t key_size;
	uint32_t hdr_size;              /* bytes before the value */
	uint32_t nfrags;
	uint8_t linked;                 /* 1 + the replacement list, 0: none */
	atomic_uchar freq;              /* S3-FIFO: uses in its FIFO, 0..3 */
	atomic_uchar check;             /* enum entry_check */
	atomic_uchar queued;            /* LRU: a use waits in a ring */
	unsigned char key[];
};

#endif
