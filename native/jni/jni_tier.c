/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jni_tier.c -- one tier of a stack through io.cellar.vmem.Native: LRU
 * eviction, statistics, media, committing a DRAM pool ahead of its puts and
 * the reattach report; each call takes the stack and a tier index, checked by
 * jni_tier_of()
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jni_common.h"

#define STATS_FIELDS 14
#define MEDIA_FIELDS 5
#define REATTACH_FIELDS 5

JNIEXPORT jboolean JNICALL
Java_io_cellar_vmem_Native_evictLeastRecentlyUsed(JNIEnv *env, jclass cls,
		jlong handle, jint tier)
{
	(void)cls;
	VMEMcache *c = jni_tier_of(env, handle, tier);
	if (c == NULL)
		return JNI_FALSE;
	if (vmemcache_evict(c, NULL, 0) == 0)
		return JNI_TRUE;
	int err = errno;
	if (err != ESRCH)
		jni_raise_engine(env, "vmemcache_evict", err);
	return JNI_FALSE;
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_stats(JNIEnv *env, jclass cls, jlong handle,
		jint tier, jlongArray out)
{
	(void)cls;
	VMEMcache *c = jni_tier_of(env, handle, tier);
	if (c == NULL)
		return;
	if (out == NULL || (*env)->GetArrayLength(env, out) != STATS_FIELDS) {
		jni_raise_arg(env, "stats needs an out array of 14 longs");
		return;
	}
	struct cellar_stats s;
	if (cellar_stats_get(c, &s)) {
		jni_raise_engine(env, "cellar_stats_get", errno);
		return;
	}
	jlong v[STATS_FIELDS] = {
		(jlong)s.puts, (jlong)s.gets, (jlong)s.hits, (jlong)s.misses,
		(jlong)s.evictions, (jlong)s.entries, (jlong)s.dram_used,
		(jlong)s.pool_used, (jlong)s.heap_entries, (jlong)s.pool_size,
		(jlong)s.replaces, (jlong)s.pinned, (jlong)s.put_fragments,
		(jlong)s.corrupt,
	};
	(*env)->SetLongArrayRegion(env, out, 0, STATS_FIELDS, v);
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_media(JNIEnv *env, jclass cls, jlong handle,
		jint tier, jintArray out)
{
	(void)cls;
	VMEMcache *c = jni_tier_of(env, handle, tier);
	if (c == NULL)
		return;
	if (out == NULL || (*env)->GetArrayLength(env, out) != MEDIA_FIELDS) {
		jni_raise_arg(env, "media needs an out array of 5 ints");
		return;
	}
	struct cellar_media m;
	if (cellar_media_get(c, &m)) {
		jni_raise_engine(env, "cellar_media_get", errno);
		return;
	}
	jint v[MEDIA_FIELDS] = { m.dram, m.devdax, m.libpmem, m.is_pmem,
		m.map_sync };
	(*env)->SetIntArrayRegion(env, out, 0, MEDIA_FIELDS, v);
}

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_prefault(JNIEnv *env, jclass cls, jlong handle,
		jint tier, jlong offset, jlong len)
{
	(void)cls;
	if (offset < 0 || len < 0) {
		jni_raise_arg(env, "offset and length must not be negative");
		return -1;
	}
	VMEMcache *c = jni_tier_of(env, handle, tier);
	if (c == NULL)
		return -1;
	long long end = cellar_prefault(c, (size_t)offset, (size_t)len);
	if (end < 0) {
		jni_raise_engine(env, "cellar_prefault", errno);
		return -1;
	}
	return (jlong)end;
}

/*
 * The calling thread to the lowest CPU priority (nice 19), for work that
 * should use only what the tasks leave idle. On Linux a nice value belongs
 * to a thread: PRIO_PROCESS with the thread's id sets that thread's alone.
 */
JNIEXPORT jboolean JNICALL
Java_io_cellar_vmem_Native_lowerThreadPriority(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19) == 0
		? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jobjectArray JNICALL
Java_io_cellar_vmem_Native_reattach(JNIEnv *env, jclass cls, jlong handle,
		jint tier, jlongArray out)
{
	(void)cls;
	VMEMcache *c = jni_tier_of(env, handle, tier);
	if (c == NULL)
		return NULL;
	if (out == NULL || (*env)->GetArrayLength(env, out) != REATTACH_FIELDS) {
		jni_raise_arg(env, "reattach needs an out array of 5 longs");
		return NULL;
	}
	struct cellar_reattach *r = malloc(sizeof(*r));
	if (r == NULL) {
		jni_raise_errno(env, "reattach", ENOMEM, "no memory for the report");
		return NULL;
	}
	jobjectArray arr = NULL;
	if (cellar_reattach_get(c, r) != 0)
		goto out; /* not persistent: no report */
	jlong v[REATTACH_FIELDS] = { (jlong)r->state,
		(jlong)r->entries_recovered, (jlong)r->entries_dropped,
		(jlong)r->bytes_recovered, (jlong)r->elapsed_ns };
	(*env)->SetLongArrayRegion(env, out, 0, REATTACH_FIELDS, v);
	char text[sizeof(r->path) > sizeof(r->message) ? sizeof(r->path)
		: sizeof(r->message)];
	arr = (*env)->NewObjectArray(env, 2, jni_g.string, NULL);
	if (arr == NULL)
		goto out;
	const char *parts[2] = { r->path, r->message };
	for (jsize i = 0; i < 2; i++) {
		jni_utf_copy(text, sizeof(text), parts[i]);
		jstring s = (*env)->NewStringUTF(env, text);
		if (s == NULL) {
			arr = NULL;
			goto out;
		}
		(*env)->SetObjectArrayElement(env, arr, i, s);
		(*env)->DeleteLocalRef(env, s);
	}
out:
	free(r);
	return arr;
}
