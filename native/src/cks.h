/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cks.h -- cks64, the checksum of persistent entries (internal)
 *
 * A 64-bit hash in the style of xxHash64: four independent 64-bit lanes
 * each take one 8-byte word of every 32-byte stripe (multiply, rotate,
 * multiply), so the CPU keeps four multiplications in flight and the hash
 * runs near memory speed (several GB/s per core). The lanes are merged,
 * the tail and the length folded in, and the result avalanched. It detects
 * torn writes and flipped bits (it is not a cryptographic hash). Streaming:
 * a value given in pieces hashes as if contiguous.
 */
#ifndef CELLAR_CKS_H
#define CELLAR_CKS_H 1

#include <stddef.h>
#include <stdint.h>

struct cks {
	uint64_t lane[4];
	unsigned char buf[32];  /* bytes of a stripe not yet taken */
	size_t nbuf;
	uint64_t total;
	uint64_t seed;
};

void cks_init(struct cks *s, uint64_t seed);
void cks_update(struct cks *s, const void *data, size_t len);
uint64_t cks_final(const struct cks *s);

/* cks64 -- the hash of one buffer */
uint64_t cks64(const void *data, size_t len, uint64_t seed);

/* cks_fold32 -- 64 bits folded to the 32 a header field holds */
static inline uint32_t
cks_fold32(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

#endif
