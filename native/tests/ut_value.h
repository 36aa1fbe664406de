/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ut_value.h -- self-describing values for the threaded tests
 *
 * A value carries its key id, a generation, its length and a checksum of
 * its payload, so any bytes a get or a pin returns can be proven to be one
 * whole value of the key asked for, never a torn or reused one.
 */
#ifndef CELLAR_UT_VALUE_H
#define CELLAR_UT_VALUE_H 1

#include "ut.h"

#define UTV_MAGIC 0xCE11A4u
#define UTV_HDR ((size_t)32)

struct utv_hdr {
	uint32_t magic;
	uint32_t key;
	uint64_t gen;
	uint64_t len;
	uint64_t sum;
};

/* utv_sum -- word-wise checksum of the payload (internal) */
static inline uint64_t
utv_sum(const unsigned char *p, size_t n, uint32_t key, uint64_t gen)
{
	uint64_t h = 0x84222325cbf29ce4ULL ^ ((uint64_t)key << 32) ^ gen ^ n;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* utv_make -- writes the value of (key, gen) of len >= UTV_HDR bytes */
static inline void
utv_make(void *buf, size_t len, uint32_t key, uint64_t gen)
{
	struct utv_hdr h = {UTV_MAGIC, key, gen, len, 0};
	unsigned char *p = buf;
	ut_fill(p + UTV_HDR, len - UTV_HDR, ((uint64_t)key << 40) ^ gen);
	h.sum = utv_sum(p + UTV_HDR, len - UTV_HDR, key, gen);
	memcpy(p, &h, sizeof(h));
}

/* utv_check -- asserts buf is one whole value of key; returns its gen */
static inline uint64_t
utv_check(const void *buf, size_t len, uint32_t key)
{
	struct utv_hdr h;
	UT_ASSERTm(len >= UTV_HDR, "value of key %u is %zu B", key, len);
	memcpy(&h, buf, sizeof(h));
	UT_ASSERTm(h.magic == UTV_MAGIC, "key %u: bad magic %x", key, h.magic);
	UT_ASSERTm(h.key == key, "asked key %u, value of key %u", key, h.key);
	UT_ASSERTm(h.len == len, "key %u: %zu B read, value says %llu", key,
		len, (unsigned long long)h.len);
	uint64_t s = utv_sum((const unsigned char *)buf + UTV_HDR,
		len - UTV_HDR, key, h.gen);
	UT_ASSERTm(s == h.sum, "key %u gen %llu: torn value", key,
		(unsigned long long)h.gen);
	return h.gen;
}

/* utv_check_pin -- checks every piece of a pinned value, in order */
static inline uint64_t
utv_check_pin(const cellar_pin *p, uint32_t key, void *scratch)
{
	size_t off = 0;
	for (unsigned i = 0; i < p->nparts; i++) {
		const void *a;
		size_t l;
		UT_OK(cellar_pin_part(p, i, &a, &l));
		UT_ASSERT(off + l <= p->size);
		memcpy((char *)scratch + off, a, l);
		off += l;
	}
	UT_ASSERTeq(off, p->size);
	return utv_check(scratch, p->size, key);
}

#endif /* CELLAR_UT_VALUE_H */
