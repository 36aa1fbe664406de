/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format.h -- the pool's layout on its medium (internal)
 *
 * A pool is one mapping:
 *
 *   offset 0      struct pool_hdr, padded to POOL_HDR_SIZE
 *   heap_offset   heap_units extents of extent_size bytes each
 *
 * A persistent pool ends with its head map: one byte per extent, right
 * after the heap (at heap_offset + heap_units * extent_size), 1 where an
 * entry's first fragment may start. A put sets its byte before the entry's
 * magic, a free clears it after the magic, so after an unclean stop the
 * reattach looks only at flagged extents. Such a pool has
 * heap_units = (pool_size - heap_offset) / (extent_size + 1).
 *
 * A value lives in one or more runs of consecutive extents ("fragments"),
 * chained by extent number. The first fragment starts with struct entry_hdr,
 * the key, padding to 16 bytes, then the value's first bytes; every further
 * fragment starts with struct frag_hdr and continues the value. A value that
 * the allocator could place in one run is contiguous in memory.
 *
 * Everything needed to rebuild the index lives in the entry headers (key,
 * sizes, chain, a sequence number and checksums), so that a persistent pool
 * (cellar_add_persistent) can be reattached by a later process:
 *
 * - pool_hdr.checksum covers the header (with the field itself 0); `state`
 *   is POOL_STATE_CLEAN only between a clean close and the next open.
 * - entry_hdr.hdr_checksum covers the header (both checksum fields 0) and
 *   the key; entry_hdr.checksum also covers every value byte. Both are
 *   cks64 (cks.h) seeded with the pool's uuid, folded to 32 bits. Pools
 *   that are not persistent leave both 0 and ENTRY_F_CHECKSUM clear.
 * - frag_hdr carries its own magic, the owner's seq and a check of its
 *   fields, so a chain is validated without reading values.
 * - A free run starts with a free_mark written at a clean close (gen must
 *   equal the header's), which lets a clean reattach skip free space.
 * - When an entry's extents are freed, the magic of its header and of each
 *   fragment header is cleared, so a freed entry does not come back.
 */
#ifndef CELLAR_FORMAT_H
#define CELLAR_FORMAT_H 1

#include <stdint.h>
#include <string.h>

#include "cks.h"

#define POOL_HDR_SIZE 4096u
#define POOL_MAGIC "CELLARPL"
#define POOL_FORMAT_VERSION 3u
#define POOL_STATE_CLEAN 0x4e41454c43ull  /* "CLEAN" */
#define POOL_STATE_OPEN 0x4e45504full      /* "OPEN" */
#define POOL_F_PERSISTENT 0x1u
#define POOL_OWNER_SIZE 32u      /* CELLAR_OWNER_MAX */
#define SEED_POOL 0x43454c4c4152504cull   /* header checksum */

#define ENTRY_MAGIC 0x544e4543u /* "CENT" little-endian */
#define ENTRY_FORMAT_VERSION 2u
#define ENTRY_F_CHECKSUM 0x1u   /* checksum field is valid */

#define FRAG_MAGIC 0x47415246u  /* "FRAG" */
#define FREE_MAGIC 0x45455246u  /* "FREE" */

#define FRAG_NONE UINT64_MAX    /* end of a fragment chain */
#define VALUE_ALIGN 16u

struct pool_hdr {
	char magic[8];
	uint32_t version;
	uint32_t flags;
	uint64_t pool_size;
	uint64_t extent_size;
	uint64_t heap_offset;
	uint64_t heap_units;
	uint64_t checksum;     /* cks64 of this struct with checksum 0 */
	uint64_t uuid;         /* random at creation; seeds entry checksums */
	uint64_t gen;          /* opens so far; free marks of a clean close carry it */
	uint64_t state;        /* POOL_STATE_CLEAN or POOL_STATE_OPEN */
	uint64_t entries;      /* entries at the last clean close (a hint) */
	uint8_t owner[POOL_OWNER_SIZE]; /* cellar_set_owner's tag, zero padded */
};

struct entry_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t flags;
	uint32_t key_size;
	uint32_t hdr_size;     /* bytes before the value in this fragment */
	uint64_t value_size;
	uint64_t seq;          /* insertion order; newest wins on rebuild */
	uint64_t units;        /* extents of this fragment */
	uint64_t next;         /* first extent of the next fragment or FRAG_NONE */
	uint32_t checksum;     /* over header, key and value (when flagged) */
	uint32_t hdr_checksum; /* over header and key (when flagged) */
	/* key_size bytes of key follow, then padding to VALUE_ALIGN */
};

struct frag_hdr {
	uint32_t magic;        /* FRAG_MAGIC once the owner is written */
	uint32_t check;        /* over units, next and seq (persistent pools) */
	uint64_t units;        /* extents of this fragment */
	uint64_t next;         /* first extent of the next fragment or FRAG_NONE */
	uint64_t seq;          /* the owner's entry_hdr.seq */
};

/* the first bytes of a free run, written at a clean close */
struct free_mark {
	uint32_t magic;        /* FREE_MAGIC */
	uint32_t check;        /* over len and gen */
	uint64_t len;          /* extents of the run */
	uint64_t gen;          /* pool_hdr.gen of that close */
};

_Static_assert(sizeof(struct pool_hdr) <= POOL_HDR_SIZE, "pool header fits");
_Static_assert(sizeof(struct entry_hdr) == 56, "entry header is 56 bytes");
_Static_assert(sizeof(struct frag_hdr) == 32, "fragment header is 32 bytes");
_Static_assert(sizeof(struct free_mark) == 24, "free mark is 24 bytes");

/* pool_hdr_sum -- the pool header's checksum (its own field taken as 0) */
static inline uint64_t
pool_hdr_sum(const struct pool_hdr *h)
{
	struct pool_hdr z = *h;
	z.checksum = 0;
	return cks64(&z, sizeof(z), SEED_POOL);
}

/*
 * pool_hdr_foreign -- 1 when a header is intact and names another owner
 * than `owner` (POOL_OWNER_SIZE bytes); a header that is not intact is
 * nobody's, and its file is set aside by whoever opens it
 */
static inline int
pool_hdr_foreign(const struct pool_hdr *h, const uint8_t *owner)
{
	return memcmp(h->magic, POOL_MAGIC, sizeof(h->magic)) == 0 &&
		h->checksum == pool_hdr_sum(h) &&
		memcmp(h->owner, owner, POOL_OWNER_SIZE) != 0;
}

/* bytes before the value in an entry's first fragment */
static inline uint64_t
entry_hdr_size(uint64_t key_size)
{
	return (sizeof(struct entry_hdr) + key_size + VALUE_ALIGN - 1) /
		VALUE_ALIGN * VALUE_ALIGN;
}

#endif
