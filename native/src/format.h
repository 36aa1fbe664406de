/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format.h -- the pool's layout on its medium (internal)
 *
 * A pool is one mapping:
 *
 *   offset 0      struct pool_hdr, padded to POOL_HDR_SIZE
 *   heap_offset   heap_units extents of extent_size bytes each
 *
 * A value lives in one or more runs of consecutive extents ("fragments"),
 * chained by extent number. The first fragment starts with struct entry_hdr,
 * the key, padding to 16 bytes, then the value's first bytes; every further
 * fragment starts with struct frag_hdr and continues the value. A value that
 * the allocator could place in one run is contiguous in memory.
 *
 * Everything needed to rebuild the index lives in the entry headers (key,
 * sizes, chain, a sequence number and a checksum), so that a later format
 * version can reattach a pool that survived its process. Version 1 pools are
 * not reattached: the checksum field is written as 0 and flags say so.
 */
#ifndef CELLAR_FORMAT_H
#define CELLAR_FORMAT_H 1

#include <stdint.h>

#define POOL_HDR_SIZE 4096u
#define POOL_MAGIC "CELLARPL"
#define POOL_FORMAT_VERSION 1u

#define ENTRY_MAGIC 0x544e4543u /* "CENT" little-endian */
#define ENTRY_FORMAT_VERSION 1u
#define ENTRY_F_CHECKSUM 0x1u   /* checksum field is valid */

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
	uint64_t checksum;
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
	uint32_t reserved;
	/* key_size bytes of key follow, then padding to VALUE_ALIGN */
};

struct frag_hdr {
	uint64_t units;        /* extents of this fragment */
	uint64_t next;         /* first extent of the next fragment or FRAG_NONE */
};

_Static_assert(sizeof(struct pool_hdr) <= POOL_HDR_SIZE, "pool header fits");
_Static_assert(sizeof(struct entry_hdr) == 56, "entry header is 56 bytes");
_Static_assert(sizeof(struct frag_hdr) == 16, "fragment header is 16 bytes");

/* bytes before the value in an entry's first fragment */
static inline uint64_t
entry_hdr_size(uint64_t key_size)
{
	return (sizeof(struct entry_hdr) + key_size + VALUE_ALIGN - 1) /
		VALUE_ALIGN * VALUE_ALIGN;
}

#endif
