/* SPDX-License-Identifier: Apache-2.0 */
/* cks.c -- cks64: a four-lane multiply-rotate hash for entry checksums */
#include "cks.h"

#include <string.h>

#define K1 0x9E3779B185EBCA87ULL
#define K2 0xC2B2AE3D27D4EB4FULL
#define K3 0x165667B19E3779F9ULL
#define K4 0x85EBCA77C2B2AE63ULL
#define K5 0x27D4EB2F165667C5ULL

static inline uint64_t
rotl(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t
word(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return w;
}

/*
 * lane_step -- one lane takes one word (internal)
 */
static inline uint64_t
lane_step(uint64_t acc, uint64_t w)
{
	acc += w * K2;
	acc = rotl(acc, 31);
	return acc * K1;
}

/*
 * stripes -- takes every whole 32-byte stripe of p; returns the bytes taken
 * (internal)
 */
static size_t
stripes(uint64_t *lane, const unsigned char *p, size_t len)
{
	uint64_t a = lane[0], b = lane[1], c = lane[2], d = lane[3];
	size_t done = 0;
	while (len - done >= 32) {
		a = lane_step(a, word(p + done));
		b = lane_step(b, word(p + done + 8));
		c = lane_step(c, word(p + done + 16));
		d = lane_step(d, word(p + done + 24));
		done += 32;
	}
	lane[0] = a;
	lane[1] = b;
	lane[2] = c;
	lane[3] = d;
	return done;
}

void
cks_init(struct cks *s, uint64_t seed)
{
	s->seed = seed;
	s->lane[0] = seed + K1 + K2;
	s->lane[1] = seed + K2;
	s->lane[2] = seed;
	s->lane[3] = seed - K1;
	s->nbuf = 0;
	s->total = 0;
}

void
cks_update(struct cks *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	if (len == 0)
		return;
	s->total += len;
	if (s->nbuf > 0) {
		size_t k = 32 - s->nbuf < len ? 32 - s->nbuf : len;
		memcpy(s->buf + s->nbuf, p, k);
		s->nbuf += k;
		p += k;
		len -= k;
		if (s->nbuf < 32)
			return;
		stripes(s->lane, s->buf, 32);
		s->nbuf = 0;
	}
	size_t done = stripes(s->lane, p, len);
	memcpy(s->buf, p + done, len - done);
	s->nbuf = len - done;
}

/*
 * merge -- folds one lane into the result (internal)
 */
static inline uint64_t
merge(uint64_t h, uint64_t lane)
{
	h ^= lane_step(0, lane);
	return h * K1 + K4;
}

uint64_t
cks_final(const struct cks *s)
{
	uint64_t h;
	if (s->total >= 32) {
		h = rotl(s->lane[0], 1) + rotl(s->lane[1], 7) +
			rotl(s->lane[2], 12) + rotl(s->lane[3], 18);
		for (unsigned i = 0; i < 4; i++)
			h = merge(h, s->lane[i]);
	} else {
		h = s->seed + K5;
	}
	h += s->total;
	const unsigned char *p = s->buf;
	size_t n = s->nbuf;
	while (n >= 8) {
		h ^= lane_step(0, word(p));
		h = rotl(h, 27) * K1 + K4;
		p += 8;
		n -= 8;
	}
	while (n > 0) {
		h ^= (uint64_t)(*p) * K5;
		h = rotl(h, 11) * K1;
		p++;
		n--;
	}
	h ^= h >> 33;
	h *= K2;
	h ^= h >> 29;
	h *= K3;
	h ^= h >> 32;
	return h;
}

uint64_t
cks64(const void *data, size_t len, uint64_t seed)
{
	struct cks s;
	cks_init(&s, seed);
	cks_update(&s, data, len);
	return cks_final(&s);
}
