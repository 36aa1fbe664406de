/* SPDX-License-Identifier: Apache-2.0 */
/* ring.c -- bounded lock-free ring of pointers feeding the LRU */
#include "ring.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

int
ring_init(struct ring *r, size_t capacity)
{
	r->cells = zalloc(capacity, sizeof(*r->cells));
	if (r->cells == NULL)
		return ENOMEM;
	r->mask = capacity - 1;
	for (size_t i = 0; i < capacity; i++) {
		atomic_init(&r->cells[i].seq, i);
		atomic_init(&r->cells[i].data, NULL);
	}
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

void
ring_fini(struct ring *r)
{
	free(r->cells);
	r->cells = NULL;
}

int
ring_push(struct ring *r, void *p)
{
	size_t pos = atomic_load_explicit(&r->head, memory_order_relaxed);
	for (;;) {
		struct ring_cell *c = &r->cells[pos & r->mask];
		size_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
		intptr_t dif = (intptr_t)seq - (intptr_t)pos;
		if (dif == 0) {
			if (atomic_compare_exchange_weak_explicit(&r->head,
					&pos, pos + 1, memory_order_relaxed,
					memory_order_relaxed)) {
				atomic_store_explicit(&c->data, p,
						memory_order_relaxed);
				atomic_store_explicit(&c->seq, pos + 1,
						memory_order_release);
				return 1;
			}
		} else if (dif < 0) {
			return 0;
		} else {
			pos = atomic_load_explicit(&r->head,
					memory_order_relaxed);
		}
	}
}

void *
ring_pop(struct ring *r)
{
	size_t pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
	struct ring_cell *c = &r->cells[pos & r->mask];
	size_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
	if ((intptr_t)seq - (intptr_t)(pos + 1) < 0)
		return NULL;
	void *p = atomic_load_explicit(&c->data, memory_order_relaxed);
	atomic_store_explicit(&r->tail, pos + 1, memory_order_relaxed);
	atomic_store_explicit(&c->seq, pos + r->mask + 1, memory_order_release);
	return p;
}

size_t
ring_size_hint(struct ring *r)
{
	size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	return h - t;
}
