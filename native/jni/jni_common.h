/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jni_common.h -- what the JNI glue files share: cached class references,
 * status -> Java exception, handle and argument checks, key copies
 *
 * Java binds one kind of handle: a cellar_tier stack (a single cache is a
 * stack of one tier). The glue of io.cellar.vmem.Native is split by concept,
 * as RocksDB splits its JNI layer: jni_common.c (load/unload, exceptions,
 * checks), jni_stack.c (a stack's life: open every tier and the stack,
 * delete, write-down, seal, movement), jni_tier.c (one tier of a stack:
 * statistics, media, reattach report, LRU eviction), jni_data.c (put, get,
 * pin, evict), jni_keys.c (key listing and the eviction journal). Every one
 * of them keeps these rules:
 * - No mutable globals except the class and method references cached by
 *   JNI_OnLoad (written once, before any other entry point runs) and
 *   released by JNI_OnUnload.
 * - Keys are copied with GetByteArrayRegion, into a stack buffer when small.
 *   Values travel as direct-buffer addresses or as region copies; no
 *   GetPrimitiveArrayCritical is held across an engine call, since puts and
 *   gets may wait on engine locks. A get into a byte[] pins the entry and
 *   copies from the pinned memory with SetByteArrayRegion: one copy, and no
 *   engine lock held while the JVM copies.
 * - A failing engine call's errno is saved at once; jni_raise_engine()
 *   turns it and vmemcache_errormsg() into a pending exception, and the
 *   caller returns right after it.
 * - Handles are the engine's pointers, carried in a jlong by Java: a
 *   cellar_tier * for a stack, a cellar_pin * for a pin.
 * Only Java_* entry points and JNI_OnLoad/OnUnload leave the library
 * (jni.map); the jni_ functions below are internal to it.
 */
#ifndef CELLAR_JNI_COMMON_H
#define CELLAR_JNI_COMMON_H 1

#include <stddef.h>
#include <sys/types.h>

#include <jni.h>

#include "cellar.h"
#include "io_cellar_vmem_Native.h"
#include "libvmemcache.h"

#define KEY_STACK_MAX 256 /* keys up to this size are copied on the stack */

/* references cached by JNI_OnLoad; read-only afterwards */
struct jni_globals {
	jclass byte_buffer;
	jclass illegal_argument;
	jclass illegal_state;
	jclass cellar;
	jclass cache_full;
	jclass cache_io;
	jclass pool_locked;
	jclass byte_array;
	jclass string;
	jmethodID cellar_init;
	jmethodID cache_full_init;
	jmethodID cache_io_init;
	jmethodID pool_locked_init;
};

extern struct jni_globals jni_g;

/*
 * jni_utf_copy -- copies src into dst (cap bytes with the NUL) as text
 * that NewStringUTF accepts
 */
void jni_utf_copy(char *dst, size_t cap, const char *src);

/* jni_raise_arg -- makes an IllegalArgumentException pending */
void jni_raise_arg(JNIEnv *env, const char *msg);

/*
 * jni_raise_errno -- makes the Java exception of engine error `err`
 * pending; the code table is in jni_common.c
 */
void jni_raise_errno(JNIEnv *env, const char *fn, int err,
		const char *detail);

/* jni_raise_engine -- jni_raise_errno() with the engine's last message */
void jni_raise_engine(JNIEnv *env, const char *fn, int err);

/* jni_raise_locked -- a PoolLockedException naming the locked file */
void jni_raise_locked(JNIEnv *env, const char *fn);

/* jni_ptr_of -- a jlong handle as a pointer; NULL after raising for 0 */
void *jni_ptr_of(JNIEnv *env, jlong handle, const char *what);

/* a key copied out of its byte[]: on the stack when small */
struct key {
	char stack[KEY_STACK_MAX];
	char *ptr;
	size_t len;
};

/* jni_key_get -- copies a Java key; -1 after raising */
int jni_key_get(JNIEnv *env, jbyteArray key, struct key *k);

/* jni_key_free -- frees what jni_key_get() allocated */
void jni_key_free(struct key *k);

/* jni_array_range_ok -- [off, off + len) lies in arr; 0 after raising */
int jni_array_range_ok(JNIEnv *env, jbyteArray arr, jlong off, jlong len,
		const char *what);

/*
 * jni_direct_range -- the address of bytes [pos, pos + len) of a direct
 * buffer; NULL after raising
 */
char *jni_direct_range(JNIEnv *env, jobject buf, jlong pos, jlong len,
		const char *what);

/* jni_stack_of -- a stack handle as a cellar_tier *; NULL after raising for 0 */
cellar_tier *jni_stack_of(JNIEnv *env, jlong handle);

/*
 * jni_tier_of -- the cache of tier `tier` of a stack; NULL after raising
 * (IllegalArgumentException for an index out of range)
 */
VMEMcache *jni_tier_of(JNIEnv *env, jlong handle, jint tier);

#endif
