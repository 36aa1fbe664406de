/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jni_keys.c -- keys through io.cellar.vmem.Native: every key of a stack,
 * and the drained eviction journal, as byte[][]
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jni_common.h"

/* keys gathered in C before they become a byte[][] */
struct key_list {
	unsigned char *buf;      /* (size_t len, bytes) records */
	size_t used, cap, count;
	int err;
};

/* gather -- cellar_key_fn appending a key to a key_list (internal) */
static int
gather(const void *key, size_t key_size, void *arg)
{
	struct key_list *l = arg;
	size_t need = sizeof(size_t) + key_size;
	if (l->used + need > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		while (cap < l->used + need)
			cap *= 2;
		unsigned char *b = realloc(l->buf, cap);
		if (b == NULL) {
			l->err = ENOMEM;
			return 1;
		}
		l->buf = b;
		l->cap = cap;
	}
	memcpy(l->buf + l->used, &key_size, sizeof(key_size));
	memcpy(l->buf + l->used + sizeof(key_size), key, key_size);
	l->used += need;
	l->count++;
	return 0;
}

/*
 * key_arrays -- the gathered keys as a byte[][]; NULL with an exception
 * pending (internal)
 */
static jobjectArray
key_arrays(JNIEnv *env, const struct key_list *l)
{
	if (l->count > (size_t)INT32_MAX) {
		jni_raise_errno(env, "keys", EOVERFLOW, "too many keys for an array");
		return NULL;
	}
	jobjectArray arr = (*env)->NewObjectArray(env, (jsize)l->count,
			jni_g.byte_array, NULL);
	if (arr == NULL)
		return NULL;
	size_t at = 0;
	for (jsize i = 0; i < (jsize)l->count; i++) {
		size_t len;
		memcpy(&len, l->buf + at, sizeof(len));
		jbyteArray k = (*env)->NewByteArray(env, (jsize)len);
		if (k == NULL)
			return NULL;
		(*env)->SetByteArrayRegion(env, k, 0, (jsize)len,
				(const jbyte *)(l->buf + at + sizeof(len)));
		(*env)->SetObjectArrayElement(env, arr, i, k);
		(*env)->DeleteLocalRef(env, k);
		at += sizeof(len) + len;
	}
	return arr;
}

JNIEXPORT jobjectArray JNICALL
Java_io_cellar_vmem_Native_keys(JNIEnv *env, jclass cls, jlong handle)
{
	(void)cls;
	cellar_tier *t = jni_stack_of(env, handle);
	if (t == NULL)
		return NULL;
	struct key_list l = {0};
	jobjectArray arr = NULL;
	if (cellar_tier_keys_list(t, gather, &l) != 0)
		jni_raise_engine(env, "cellar_tier_keys_list", errno);
	else if (l.err)
		jni_raise_errno(env, "keys", l.err, "no memory to gather the keys");
	else
		arr = key_arrays(env, &l);
	free(l.buf);
	return arr;
}

JNIEXPORT jobjectArray JNICALL
Java_io_cellar_vmem_Native_drainEvicted(JNIEnv *env, jclass cls, jlong handle,
		jint max, jbooleanArray overflow_out)
{
	(void)cls;
	if (max < 0 || overflow_out == NULL ||
			(*env)->GetArrayLength(env, overflow_out) < 1) {
		jni_raise_arg(env, "drainEvicted needs max >= 0 and a boolean[1]");
		return NULL;
	}
	cellar_tier *t = jni_stack_of(env, handle);
	if (t == NULL)
		return NULL;
	struct key_list l = {0};
	int over = 0;
	long n = cellar_tier_journal_drain(t, (size_t)max, gather, &l, &over);
	jobjectArray arr = NULL;
	if (n < 0) {
		jni_raise_engine(env, "cellar_tier_journal_drain", errno);
	} else if (l.err) {
		/* keys that could not be kept are lost: the caller must resync */
		l.count = 0;
		l.used = 0;
		over = 1;
	}
	if (n >= 0) {
		arr = key_arrays(env, &l);
		jboolean b = over ? JNI_TRUE : JNI_FALSE;
		if (arr != NULL)
			(*env)->SetBooleanArrayRegion(env, overflow_out, 0, 1, &b);
	}
	free(l.buf);
	return arr;
}
