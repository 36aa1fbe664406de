/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jni_data.c -- the data path of io.cellar.vmem.Native: put, replace and
 * gathered put, get into byte[] or direct buffers, pin and release, value
 * size and evict; every call takes a stack handle and calls cellar_tier_*
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "jni_common.h"

#define PIECE_MAX ((size_t)1 << 30) /* largest ByteBuffer made for a pinned piece */
#define ARRAY_MAX ((size_t)INT32_MAX - 8) /* largest byte[] a JVM reliably gives */

#define PIN_OUT_FIELDS 5

/*
 * store -- put (or replace) of `len` bytes at `val`; JNI_FALSE when a put
 * found the key present, or after raising (internal)
 */
static jboolean
store(JNIEnv *env, jlong handle, jbyteArray jkey, const void *val,
		size_t len, int replace)
{
	cellar_tier *t = jni_stack_of(env, handle);
	struct key k;
	if (t == NULL || jni_key_get(env, jkey, &k))
		return JNI_FALSE;

	int ret = replace ? cellar_tier_replace(t, k.ptr, k.len, val, len)
			: cellar_tier_put(t, k.ptr, k.len, val, len);
	int err = errno;
	jni_key_free(&k);
	if (ret == 0)
		return JNI_TRUE;
	if (!replace && err == EEXIST)
		return JNI_FALSE;
	jni_raise_engine(env, replace ? "cellar_tier_replace" : "cellar_tier_put",
			err);
	return JNI_FALSE;
}

/* store_array -- store() from value[off, off + len), via a heap copy (internal) */
static jboolean
store_array(JNIEnv *env, jlong handle, jbyteArray key,
		jbyteArray value, jlong off, jlong len, int replace)
{
	if (!jni_array_range_ok(env, value, off, len, "value"))
		return JNI_FALSE;
	void *buf = NULL;
	if (len > 0) {
		buf = malloc((size_t)len);
		if (buf == NULL) {
			jni_raise_errno(env, replace ? "replace" : "put", ENOMEM,
					"no memory to copy the value");
			return JNI_FALSE;
		}
		(*env)->GetByteArrayRegion(env, value, (jsize)off, (jsize)len,
				buf);
	}
	jboolean ret = store(env, handle, key, buf, (size_t)len, replace);
	free(buf);
	return ret;
}

/* pin_to_array -- copies pinned bytes from voff on into dst[off, off + len) */
static void
pin_to_array(JNIEnv *env, const cellar_pin *pin, size_t voff, jbyteArray dst,
		jlong off, jlong len)
{
	size_t skip = voff;
	size_t left = (size_t)len;
	jsize at = (jsize)off;

	for (unsigned i = 0; i < pin->nparts && left > 0; i++) {
		const void *addr;
		size_t plen;
		if (cellar_pin_part(pin, i, &addr, &plen))
			return;
		if (skip >= plen) {
			skip -= plen;
			continue;
		}
		size_t n = plen - skip < left ? plen - skip : left;
		(*env)->SetByteArrayRegion(env, dst, at, (jsize)n,
				(const jbyte *)addr + skip);
		at += (jsize)n;
		left -= n;
		skip = 0;
	}
}

/*
 * pin_key -- pins an entry; 0 on a hit, 1 on a miss, -1 after raising
 * (internal)
 */
static int
pin_key(JNIEnv *env, jlong handle, jbyteArray jkey, cellar_pin *pin,
		unsigned *tier)
{
	cellar_tier *t = jni_stack_of(env, handle);
	struct key k;
	if (t == NULL || jni_key_get(env, jkey, &k))
		return -1;
	int ret = cellar_tier_pin_get(t, k.ptr, k.len, pin, tier);
	int err = errno;
	jni_key_free(&k);
	if (ret == 0)
		return 0;
	if (err == ENOENT)
		return 1;
	jni_raise_engine(env, "cellar_tier_pin_get", err);
	return -1;
}

JNIEXPORT jboolean JNICALL
Java_io_cellar_vmem_Native_put(JNIEnv *env, jclass cls,
		jlong handle, jbyteArray key, jbyteArray value, jlong off,
		jlong len)
{
	(void)cls;
	return store_array(env, handle, key, value, off, len, 0);
}

JNIEXPORT jboolean JNICALL
Java_io_cellar_vmem_Native_putDirect(JNIEnv *env, jclass cls,
		jlong handle, jbyteArray key, jobject value, jlong pos,
		jlong len)
{
	(void)cls;
	const char *val = jni_direct_range(env, value, pos, len, "value");
	if (val == NULL)
		return JNI_FALSE;
	return store(env, handle, key, val, (size_t)len, 0);
}

/* pieces of a gathered value on the stack up to this count */
#define GATHER_STACK 32

JNIEXPORT jboolean JNICALL
Java_io_cellar_vmem_Native_putGather(JNIEnv *env, jclass cls,
		jlong handle, jbyteArray key, jlongArray addresses,
		jlongArray lengths)
{
	(void)cls;
	if (addresses == NULL || lengths == NULL) {
		jni_raise_arg(env, "addresses and lengths must not be null");
		return JNI_FALSE;
	}
	jsize n = (*env)->GetArrayLength(env, addresses);
	if (n != (*env)->GetArrayLength(env, lengths)) {
		jni_raise_arg(env, "addresses and lengths differ in length");
		return JNI_FALSE;
	}
	jlong sa[GATHER_STACK], sl[GATHER_STACK];
	struct cellar_iov siov[GATHER_STACK];
	jlong *a = sa, *l = sl;
	struct cellar_iov *iov = siov;
	if (n > GATHER_STACK) {
		a = malloc((size_t)n * sizeof(*a));
		l = malloc((size_t)n * sizeof(*l));
		iov = malloc((size_t)n * sizeof(*iov));
	}
	jboolean ret = JNI_FALSE;
	if (a == NULL || l == NULL || iov == NULL) {
		jni_raise_errno(env, "putGather", ENOMEM, "no memory for the pieces");
		goto out;
	}
	(*env)->GetLongArrayRegion(env, addresses, 0, n, a);
	(*env)->GetLongArrayRegion(env, lengths, 0, n, l);
	for (jsize i = 0; i < n; i++) {
		if (l[i] < 0 || (a[i] == 0 && l[i] > 0)) {
			jni_raise_arg(env,
					"a piece has a negative length or a zero address");
			goto out;
		}
		iov[i].base = (const void *)(intptr_t)a[i];
		iov[i].len = (size_t)l[i];
	}
	cellar_tier *t = jni_stack_of(env, handle);
	struct key k;
	if (t == NULL || jni_key_get(env, key, &k))
		goto out;
	int r = cellar_tier_putv(t, k.ptr, k.len, iov, (unsigned)n);
	int err = errno;
	jni_key_free(&k);
	if (r == 0)
		ret = JNI_TRUE;
	else if (err != EEXIST)
		jni_raise_engine(env, "cellar_tier_putv", err);
out:
	if (a != sa)
		free(a);
	if (l != sl)
		free(l);
	if (iov != siov)
		free(iov);
	return ret;
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_replace(JNIEnv *env, jclass cls,
		jlong handle, jbyteArray key, jbyteArray value, jlong off,
		jlong len)
{
	(void)cls;
	store_array(env, handle, key, value, off, len, 1);
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_replaceDirect(JNIEnv *env, jclass cls,
		jlong handle, jbyteArray key, jobject value, jlong pos,
		jlong len)
{
	(void)cls;
	const char *val = jni_direct_range(env, value, pos, len, "value");
	if (val != NULL)
		store(env, handle, key, val, (size_t)len, 1);
}

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_get(JNIEnv *env, jclass cls,
		jlong handle, jbyteArray key, jbyteArray dst, jlong off,
		jlong len, jlong voff)
{
	(void)cls;
	if (!jni_array_range_ok(env, dst, off, len, "dst"))
		return -1;
	if (voff < 0) {
		jni_raise_arg(env, "valueOffset must be 0 or more");
		return -1;
	}
	cellar_pin pin;
	unsigned tier;
	if (pin_key(env, handle, key, &pin, &tier))
		return -1;
	pin_to_array(env, &pin, (size_t)voff, dst, off, len);
	jlong size = (jlong)pin.size;
	cellar_pin_release(&pin);
	return (*env)->ExceptionCheck(env) ? -1 : size;
}

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_getDirect(JNIEnv *env, jclass cls,
		jlong handle, jbyteArray jkey, jobject dst, jlong pos,
		jlong len, jlong voff)
{
	(void)cls;
	char *buf = jni_direct_range(env, dst, pos, len, "dst");
	if (buf == NULL)
		return -1;
	if (voff < 0) {
		jni_raise_arg(env, "valueOffset must be 0 or more");
		return -1;
	}
	cellar_tier *t = jni_stack_of(env, handle);
	struct key k;
	if (t == NULL || jni_key_get(env, jkey, &k))
		return -1;
	size_t vsize = 0;
	ssize_t ret = cellar_tier_get(t, k.ptr, k.len, buf, (size_t)len,
			(size_t)voff, &vsize, NULL);
	int err = errno;
	jni_key_free(&k);
	if (ret >= 0)
		return (jlong)vsize;
	if (err != ENOENT)
		jni_raise_engine(env, "cellar_tier_get", err);
	return -1;
}

JNIEXPORT jbyteArray JNICALL
Java_io_cellar_vmem_Native_getAll(JNIEnv *env, jclass cls,
		jlong handle, jbyteArray key)
{
	(void)cls;
	cellar_pin pin;
	unsigned tier;
	if (pin_key(env, handle, key, &pin, &tier))
		return NULL;
	if (pin.size > ARRAY_MAX) {
		char msg[200];
		snprintf(msg, sizeof(msg),
				"value of %zu bytes is larger than a byte[] can be (%zu); "
				"use pin(key) or get(key, ByteBuffer, offset)",
				pin.size, ARRAY_MAX);
		cellar_pin_release(&pin);
		jni_raise_errno(env, "get", EOVERFLOW, msg);
		return NULL;
	}
	jbyteArray arr = (*env)->NewByteArray(env, (jsize)pin.size);
	if (arr != NULL)
		pin_to_array(env, &pin, 0, arr, 0, (jlong)pin.size);
	cellar_pin_release(&pin);
	return arr;
}

/* pin_buffers -- the pinned value as direct buffers of <= PIECE_MAX bytes */
static jobjectArray
pin_buffers(JNIEnv *env, const cellar_pin *pin)
{
	const void *addr;
	size_t plen;
	jsize count = 0;

	for (unsigned i = 0; i < pin->nparts; i++) {
		if (cellar_pin_part(pin, i, &addr, &plen)) {
			jni_raise_engine(env, "cellar_pin_part", errno);
			return NULL;
		}
		count += (jsize)((plen + PIECE_MAX - 1) / PIECE_MAX);
	}
	jobjectArray arr = (*env)->NewObjectArray(env, count, jni_g.byte_buffer, NULL);
	if (arr == NULL)
		return NULL;
	jsize at = 0;
	for (unsigned i = 0; i < pin->nparts; i++) {
		cellar_pin_part(pin, i, &addr, &plen);
		for (size_t done = 0; done < plen;) {
			size_t n = plen - done < PIECE_MAX ? plen - done : PIECE_MAX;
			/* writable for JNI's sake; Java hands out read-only views */
			jobject bb = (*env)->NewDirectByteBuffer(env,
					(char *)(uintptr_t)addr + done, (jlong)n);
			if (bb == NULL)
				return NULL;
			(*env)->SetObjectArrayElement(env, arr, at++, bb);
			(*env)->DeleteLocalRef(env, bb);
			done += n;
		}
	}
	return arr;
}

JNIEXPORT jobjectArray JNICALL
Java_io_cellar_vmem_Native_pin(JNIEnv *env, jclass cls,
		jlong handle, jbyteArray key, jlongArray out)
{
	(void)cls;
	if (out == NULL || (*env)->GetArrayLength(env, out) < PIN_OUT_FIELDS) {
		jni_raise_arg(env, "pin needs an out array of 5 longs");
		return NULL;
	}
	cellar_pin *pin = calloc(1, sizeof(*pin));
	if (pin == NULL) {
		jni_raise_errno(env, "pin", ENOMEM, "no memory for a pin");
		return NULL;
	}
	unsigned tier = 0;
	if (pin_key(env, handle, key, pin, &tier)) {
		free(pin);
		return NULL;
	}
	jobjectArray pieces = pin_buffers(env, pin);
	if (pieces == NULL) {
		cellar_pin_release(pin);
		free(pin);
		return NULL;
	}
	jlong o[PIN_OUT_FIELDS] = {
		[io_cellar_vmem_Native_PIN_HANDLE] = (jlong)(intptr_t)pin,
		[io_cellar_vmem_Native_PIN_SIZE] = (jlong)pin->size,
		[io_cellar_vmem_Native_PIN_TIER] = (jlong)tier,
		[io_cellar_vmem_Native_PIN_PARTS] = (jlong)pin->nparts,
		[io_cellar_vmem_Native_PIN_ADDRESS] = (jlong)(intptr_t)pin->addr,
	};
	(*env)->SetLongArrayRegion(env, out, 0, PIN_OUT_FIELDS, o);
	return pieces;
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_pinRelease(JNIEnv *env, jclass cls, jlong handle)
{
	(void)cls;
	cellar_pin *pin = jni_ptr_of(env, handle, "pin");
	if (pin == NULL)
		return;
	cellar_pin_release(pin);
	free(pin);
}

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_valueSize(JNIEnv *env, jclass cls,
		jlong handle, jbyteArray jkey, jintArray tier_out)
{
	(void)cls;
	if (tier_out != NULL && (*env)->GetArrayLength(env, tier_out) < 1) {
		jni_raise_arg(env, "tierOut is empty");
		return -1;
	}
	cellar_tier *t = jni_stack_of(env, handle);
	struct key k;
	if (t == NULL || jni_key_get(env, jkey, &k))
		return -1;
	size_t vsize = 0;
	unsigned tier = 0;
	int ret = cellar_tier_exists(t, k.ptr, k.len, &vsize, &tier);
	int err = errno;
	jni_key_free(&k);
	if (ret < 0) {
		jni_raise_engine(env, "cellar_tier_exists", err);
		return -1;
	}
	if (ret == 0)
		return -1;
	if (tier_out != NULL) {
		jint t = (jint)tier;
		(*env)->SetIntArrayRegion(env, tier_out, 0, 1, &t);
	}
	return (jlong)vsize;
}

JNIEXPORT jboolean JNICALL
Java_io_cellar_vmem_Native_evict(JNIEnv *env, jclass cls,
		jlong handle, jbyteArray jkey)
{
	(void)cls;
	cellar_tier *t = jni_stack_of(env, handle);
	struct key k;
	if (t == NULL || jni_key_get(env, jkey, &k))
		return JNI_FALSE;
	int ret = cellar_tier_evict(t, k.ptr, k.len);
	int err = errno;
	jni_key_free(&k);
	if (ret == 0)
		return JNI_TRUE;
	if (err != ENOENT)
		jni_raise_engine(env, "cellar_tier_evict", err);
	return JNI_FALSE;
}
