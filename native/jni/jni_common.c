/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jni_common.c -- the glue's shared part: JNI_OnLoad/OnUnload and the
 * class references they cache, engine status -> Java exception, handle and
 * argument checks, key copies
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jni_common.h"

#define MSG_MAX 1024 /* longest exception message */

struct jni_globals jni_g;

/*
 * jni_utf_copy -- copies src into dst (cap bytes with the NUL) as text that
 * NewStringUTF accepts: valid 1- to 3-byte UTF-8 sequences are kept, any
 * other byte becomes '?' (internal)
 */
void
jni_utf_copy(char *dst, size_t cap, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t at = 0;

	while (*s && at + 1 < cap) {
		size_t n = 0;
		if (s[0] < 0x80)
			n = 1;
		else if (s[0] >= 0xc2 && s[0] <= 0xdf && (s[1] & 0xc0) == 0x80)
			n = 2;
		else if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 &&
				(s[2] & 0xc0) == 0x80 && (s[0] != 0xe0 || s[1] >= 0xa0))
			n = 3;

		if (n == 0) {
			dst[at++] = '?';
			s++;
			continue;
		}
		if (at + n >= cap)
			break;
		memcpy(dst + at, s, n);
		at += n;
		s += n;
	}
	dst[at] = '\0';
}

/* jni_raise_arg -- makes an IllegalArgumentException pending (internal) */
void
jni_raise_arg(JNIEnv *env, const char *msg)
{
	(*env)->ThrowNew(env, jni_g.illegal_argument, msg);
}

/*
 * jni_raise_errno -- makes the Java exception of engine error `err` pending,
 * with the message "<fn>: <detail> (<ENAME>: <strerror>)". The code table:
 * EINVAL -> IllegalArgumentException; EBUSY, EALREADY ->
 * IllegalStateException; ENOSPC -> CacheFullException; medium errors ->
 * CacheIOException; anything else (ENOMEM too) -> CellarException.
 * ErrorCode.java is the Java side; ErrorCodeTest checks both (internal)
 */
void
jni_raise_errno(JNIEnv *env, const char *fn, int err, const char *detail)
{
	char text[MSG_MAX];
	char msg[MSG_MAX];
	char sbuf[128];
	const char *meaning = strerror_r(err, sbuf, sizeof(sbuf));

	if (detail != NULL && detail[0] != '\0')
		snprintf(text, sizeof(text), "%s: %s (%s: %s)", fn, detail,
				cellar_errno_name(err), meaning);
	else
		snprintf(text, sizeof(text), "%s (%s: %s)", fn,
				cellar_errno_name(err), meaning);
	jni_utf_copy(msg, sizeof(msg), text);

	jclass cls = jni_g.cellar;
	jmethodID init = jni_g.cellar_init;
	switch (err) {
	case EINVAL:
		(*env)->ThrowNew(env, jni_g.illegal_argument, msg);
		return;
	case EBUSY:
	case EALREADY:
		(*env)->ThrowNew(env, jni_g.illegal_state, msg);
		return;
	case ENOSPC:
		cls = jni_g.cache_full;
		init = jni_g.cache_full_init;
		break;
	case EIO:
	case EACCES:
	case EPERM:
	case EROFS:
	case ENOTDIR:
	case EISDIR:
	case ENOENT:
	case ENXIO:
	case ENODEV:
	case EFBIG:
	case EDQUOT:
	case EMFILE:
	case ENFILE:
	case ENAMETOOLONG:
	case ELOOP:
	case EBADF:
		cls = jni_g.cache_io;
		init = jni_g.cache_io_init;
		break;
	default:
		break;
	}

	jstring jmsg = (*env)->NewStringUTF(env, msg);
	if (jmsg == NULL)
		return; /* OutOfMemoryError pending */
	jobject ex = (*env)->NewObject(env, cls, init, (jint)err, jmsg);
	if (ex != NULL) {
		(*env)->Throw(env, (jthrowable)ex);
		(*env)->DeleteLocalRef(env, ex);
	}
	(*env)->DeleteLocalRef(env, jmsg);
}

/* jni_raise_engine -- jni_raise_errno() with the engine's last message (internal) */
void
jni_raise_engine(JNIEnv *env, const char *fn, int err)
{
	jni_raise_errno(env, fn, err, vmemcache_errormsg());
}

/* jni_ptr_of -- a jlong handle as a pointer; IAE for 0 (internal) */
void *
jni_ptr_of(JNIEnv *env, jlong handle, const char *what)
{
	if (handle == 0) {
		char msg[64];
		snprintf(msg, sizeof(msg), "%s handle is 0", what);
		jni_raise_arg(env, msg);
		return NULL;
	}
	return (void *)(intptr_t)handle;
}

/* jni_stack_of -- a stack handle as a cellar_tier *; IAE for 0 (internal) */
cellar_tier *
jni_stack_of(JNIEnv *env, jlong handle)
{
	return jni_ptr_of(env, handle, "tier stack");
}

/*
 * jni_tier_of -- the cache of tier `tier` of a stack, the index checked
 * against cellar_tier_count(); NULL after raising (internal)
 */
VMEMcache *
jni_tier_of(JNIEnv *env, jlong handle, jint tier)
{
	cellar_tier *t = jni_stack_of(env, handle);
	if (t == NULL)
		return NULL;
	unsigned n = cellar_tier_count(t);
	if (tier < 0 || (unsigned)tier >= n) {
		char msg[96];
		snprintf(msg, sizeof(msg),
				"tier must be from 0 to %u, was %d", n - 1, (int)tier);
		jni_raise_arg(env, msg);
		return NULL;
	}
	return cellar_tier_cache(t, (unsigned)tier);
}

/* jni_key_get -- copies a Java key; -1 after raising (internal) */
int
jni_key_get(JNIEnv *env, jbyteArray key, struct key *k)
{
	if (key == NULL) {
		jni_raise_arg(env, "key is null");
		return -1;
	}
	jsize n = (*env)->GetArrayLength(env, key);
	if (n == 0) {
		jni_raise_arg(env, "key is empty; keys need at least 1 byte");
		return -1;
	}
	k->ptr = (size_t)n <= KEY_STACK_MAX ? k->stack : malloc((size_t)n);
	if (k->ptr == NULL) {
		jni_raise_errno(env, "key", ENOMEM, "no memory to copy the key");
		return -1;
	}
	(*env)->GetByteArrayRegion(env, key, 0, n, (jbyte *)k->ptr);
	k->len = (size_t)n;
	return 0;
}

/* jni_key_free -- frees what jni_key_get() allocated (internal) */
void
jni_key_free(struct key *k)
{
	if (k->ptr != k->stack)
		free(k->ptr);
}

/* jni_array_range_ok -- [off, off + len) lies in arr; 0 after raising (internal) */
int
jni_array_range_ok(JNIEnv *env, jbyteArray arr, jlong off, jlong len,
		const char *what)
{
	char msg[160];
	if (arr == NULL) {
		snprintf(msg, sizeof(msg), "%s is null", what);
		jni_raise_arg(env, msg);
		return 0;
	}
	jlong n = (*env)->GetArrayLength(env, arr);
	if (off < 0 || len < 0 || off > n || len > n - off) {
		snprintf(msg, sizeof(msg),
				"range off=%lld, len=%lld is outside %s of %lld bytes",
				(long long)off, (long long)len, what, (long long)n);
		jni_raise_arg(env, msg);
		return 0;
	}
	return 1;
}

/*
 * jni_direct_range -- the address of bytes [pos, pos + len) of a direct buffer;
 * NULL after raising (internal)
 */
char *
jni_direct_range(JNIEnv *env, jobject buf, jlong pos, jlong len, const char *what)
{
	char msg[160];
	if (buf == NULL) {
		snprintf(msg, sizeof(msg), "%s is null", what);
		jni_raise_arg(env, msg);
		return NULL;
	}
	char *addr = (*env)->GetDirectBufferAddress(env, buf);
	if (addr == NULL) {
		snprintf(msg, sizeof(msg), "%s is not a direct buffer", what);
		jni_raise_arg(env, msg);
		return NULL;
	}
	jlong cap = (*env)->GetDirectBufferCapacity(env, buf);
	if (pos < 0 || len < 0 || pos > cap || len > cap - pos) {
		snprintf(msg, sizeof(msg),
				"range pos=%lld, len=%lld is outside %s of %lld bytes",
				(long long)pos, (long long)len, what, (long long)cap);
		jni_raise_arg(env, msg);
		return NULL;
	}
	return addr + pos;
}

JNIEXPORT jint JNICALL
Java_io_cellar_vmem_Native_abiVersion(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return cellar_abi_version();
}

/*
 * jni_raise_locked -- a pool file held by another process or cache: a
 * PoolLockedException with the engine's message, which names the file
 * (internal)
 */
void
jni_raise_locked(JNIEnv *env, const char *fn)
{
	char text[MSG_MAX];
	char msg[MSG_MAX];
	snprintf(text, sizeof(text), "%s: %s (EBUSY: Device or resource busy)",
			fn, vmemcache_errormsg());
	jni_utf_copy(msg, sizeof(msg), text);
	jstring jmsg = (*env)->NewStringUTF(env, msg);
	if (jmsg == NULL)
		return;
	jobject ex = (*env)->NewObject(env, jni_g.pool_locked, jni_g.pool_locked_init,
			(jint)EBUSY, jmsg);
	if (ex != NULL) {
		(*env)->Throw(env, (jthrowable)ex);
		(*env)->DeleteLocalRef(env, ex);
	}
	(*env)->DeleteLocalRef(env, jmsg);
}

/* TEST ONLY: jni_raise_errno() with a given code and text, for ErrorCodeTest */
JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_raiseForTest(JNIEnv *env, jclass cls, jint err,
		jstring detail)
{
	(void)cls;
	const char *d = detail ? (*env)->GetStringUTFChars(env, detail, NULL)
			: NULL;
	if (detail != NULL && d == NULL)
		return; /* OutOfMemoryError pending */
	jni_raise_errno(env, "raiseForTest", err, d);
	if (d != NULL)
		(*env)->ReleaseStringUTFChars(env, detail, d);
}

/* global_class -- a global reference to a class; -1 with an exception pending */
static int
global_class(JNIEnv *env, const char *name, jclass *out)
{
	jclass local = (*env)->FindClass(env, name);
	if (local == NULL)
		return -1;
	*out = (*env)->NewGlobalRef(env, local);
	(*env)->DeleteLocalRef(env, local);
	return *out ? 0 : -1;
}

/* exception_init -- the (int errno, String message) constructor of a class */
static int
exception_init(JNIEnv *env, jclass cls, jmethodID *out)
{
	*out = (*env)->GetMethodID(env, cls, "<init>", "(ILjava/lang/String;)V");
	return *out ? 0 : -1;
}

/* release_globals -- drops every cached reference (internal) */
static void
release_globals(JNIEnv *env)
{
	jclass *classes[] = { &jni_g.byte_buffer, &jni_g.illegal_argument,
		&jni_g.illegal_state, &jni_g.cellar, &jni_g.cache_full, &jni_g.cache_io,
		&jni_g.pool_locked, &jni_g.byte_array, &jni_g.string };
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (*classes[i] != NULL)
			(*env)->DeleteGlobalRef(env, *classes[i]);
		*classes[i] = NULL;
	}
	jni_g.cellar_init = jni_g.cache_full_init = jni_g.cache_io_init = NULL;
	jni_g.pool_locked_init = NULL;
}

/*
 * JNI_OnLoad -- caches the classes and constructors the glue needs; a
 * failed lookup fails System.load with the lookup's exception
 */
JNIEXPORT jint JNICALL
JNI_OnLoad(JavaVM *vm, void *reserved)
{
	(void)reserved;
	JNIEnv *env;
	if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
		return JNI_ERR;

	if (global_class(env, "java/nio/ByteBuffer", &jni_g.byte_buffer) ||
			global_class(env, "java/lang/IllegalArgumentException",
					&jni_g.illegal_argument) ||
			global_class(env, "java/lang/IllegalStateException",
					&jni_g.illegal_state) ||
			global_class(env, "io/cellar/vmem/CellarException",
					&jni_g.cellar) ||
			global_class(env, "io/cellar/vmem/CacheFullException",
					&jni_g.cache_full) ||
			global_class(env, "io/cellar/vmem/CacheIOException",
					&jni_g.cache_io) ||
			global_class(env, "io/cellar/vmem/PoolLockedException",
					&jni_g.pool_locked) ||
			global_class(env, "[B", &jni_g.byte_array) ||
			global_class(env, "java/lang/String", &jni_g.string) ||
			exception_init(env, jni_g.cellar, &jni_g.cellar_init) ||
			exception_init(env, jni_g.cache_full, &jni_g.cache_full_init) ||
			exception_init(env, jni_g.cache_io, &jni_g.cache_io_init) ||
			exception_init(env, jni_g.pool_locked, &jni_g.pool_locked_init)) {
		release_globals(env);
		return JNI_ERR;
	}
	return JNI_VERSION_1_8;
}

/* JNI_OnUnload -- drops the references JNI_OnLoad cached */
JNIEXPORT void JNICALL
JNI_OnUnload(JavaVM *vm, void *reserved)
{
	(void)reserved;
	JNIEnv *env;
	if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) == JNI_OK)
		release_globals(env);
}
