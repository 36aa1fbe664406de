/* SPDX-License-Identifier: Apache-2.0 */
/* journal.c -- bounded queue of keys that left a cache or a tier stack */
#include "journal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* keys handed out by one drain are gathered on the stack up to this count */
#define DRAIN_STACK 64

struct journal *
jr_new(size_t capacity)
{
	struct journal *j = zalloc(1, sizeof(*j));
	if (j == NULL)
		return NULL;
	j->slots = zalloc(capacity, sizeof(*j->slots));
	if (j->slots == NULL || pthread_mutex_init(&j->lock, NULL) != 0) {
		free(j->slots);
		free(j);
		return NULL;
	}
	j->capacity = capacity;
	return j;
}

void
jr_delete(struct journal *j)
{
	if (j == NULL)
		return;
	for (size_t i = 0; i < j->count; i++)
		free(j->slots[(j->head + i) % j->capacity]);
	free(j->slots);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

void
jr_push(struct journal *j, const void *key, size_t key_size)
{
	struct jr_key *k = malloc(sizeof(*k) + key_size);
	if (k != NULL) {
		k->len = key_size;
		memcpy(k->bytes, key, key_size);
	}
	pthread_mutex_lock(&j->lock);
	if (k == NULL || j->count == j->capacity) {
		j->overflowed = 1;
	} else {
		j->slots[(j->head + j->count) % j->capacity] = k;
		j->count++;
		k = NULL;
	}
	pthread_mutex_unlock(&j->lock);
	free(k);
}

long
jr_drain(struct journal *j, size_t max, cellar_key_fn *fn, void *arg,
		int *overflowed)
{
	struct jr_key *stack[DRAIN_STACK];
	struct jr_key **out = stack;

	pthread_mutex_lock(&j->lock);
	size_t n = j->count < max ? j->count : max;
	if (n > DRAIN_STACK) {
		out = malloc(n * sizeof(*out));
		if (out == NULL) {
			pthread_mutex_unlock(&j->lock);
			return err_set(ENOMEM, "out of memory draining the journal");
		}
	}
	for (size_t i = 0; i < n; i++) {
		out[i] = j->slots[j->head];
		j->slots[j->head] = NULL;
		j->head = (j->head + 1) % j->capacity;
	}
	j->count -= n;
	*overflowed = j->overflowed;
	j->overflowed = 0;
	pthread_mutex_unlock(&j->lock);

	/* the keys have left the journal: each is handed out, whatever fn
	 * returns */
	for (size_t i = 0; i < n; i++) {
		if (fn != NULL)
			(void)fn(out[i]->bytes, out[i]->len, arg);
		free(out[i]);
	}
	if (out != stack)
		free(out);
	return (long)n;
}
