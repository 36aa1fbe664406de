/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jni_cache.c -- a cache's life through io.cellar.vmem.Native: open and
 * configure, delete, put wait, LRU eviction, seal, statistics, media and
 * the reattach report
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jni_common.h"

#define STATS_FIELDS 14
#define MEDIA_FIELDS 5
#define REATTACH_FIELDS 5

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_open(JNIEnv *env, jclass cls, jint policy,
		jlong size, jlong extent, jbyteArray path, jint mode, jint journal,
		jbyteArray owner)
{
	(void)cls;
	if (size < 0 || extent < 0 || journal < 0) {
		jni_raise_arg(env,
				"size, extent size and journal capacity must be 0 or more");
		return 0;
	}
	jbyte tag[CELLAR_OWNER_MAX];
	jsize tag_size = owner == NULL ? 0 : (*env)->GetArrayLength(env, owner);
	if (tag_size > CELLAR_OWNER_MAX) {
		jni_raise_arg(env, "an owner tag has at most CELLAR_OWNER_MAX (32) bytes");
		return 0;
	}
	if (tag_size > 0)
		(*env)->GetByteArrayRegion(env, owner, 0, tag_size, tag);
	if (mode != io_cellar_vmem_Native_MODE_TEMPORARY &&
			mode != io_cellar_vmem_Native_MODE_PERSISTENT) {
		jni_raise_arg(env, "unknown pool mode");
		return 0;
	}
	if (mode == io_cellar_vmem_Native_MODE_PERSISTENT && path == NULL) {
		jni_raise_arg(env, "a persistent pool needs a path");
		return 0;
	}
	char *cpath = NULL;
	if (path != NULL) {
		jsize n = (*env)->GetArrayLength(env, path);
		cpath = malloc((size_t)n + 1);
		if (cpath == NULL) {
			jni_raise_errno(env, "open", ENOMEM, "no memory to copy the path");
			return 0;
		}
		(*env)->GetByteArrayRegion(env, path, 0, n, (jbyte *)cpath);
		cpath[n] = '\0';
		if (memchr(cpath, '\0', (size_t)n) != NULL) {
			free(cpath);
			jni_raise_arg(env, "path contains a NUL byte");
			return 0;
		}
	}

	VMEMcache *c = vmemcache_new();
	if (c == NULL) {
		int err = errno ? errno : ENOMEM;
		free(cpath);
		jni_raise_engine(env, "vmemcache_new", err);
		return 0;
	}
	const char *fn = NULL;
	if (cellar_set_policy(c, (enum cellar_policy)policy))
		fn = "cellar_set_policy";
	else if (size != 0 && vmemcache_set_size(c, (size_t)size))
		fn = "vmemcache_set_size";
	else if (extent != 0 && vmemcache_set_extent_size(c, (size_t)extent))
		fn = "vmemcache_set_extent_size";
	else if (tag_size > 0 && cellar_set_owner(c, tag, (size_t)tag_size))
		fn = "cellar_set_owner";
	else if (cpath != NULL && mode == io_cellar_vmem_Native_MODE_TEMPORARY &&
			vmemcache_add(c, cpath))
		fn = "vmemcache_add";
	else if (cpath != NULL && mode == io_cellar_vmem_Native_MODE_PERSISTENT &&
			cellar_add_persistent(c, cpath))
		fn = "cellar_add_persistent";
	else if (cpath == NULL && cellar_add_dram(c))
		fn = "cellar_add_dram";
	else if (journal > 0 && cellar_journal_enable(c, (size_t)journal))
		fn = "cellar_journal_enable";

	if (fn != NULL) {
		/* the message is read before delete can touch the thread's error */
		int err = errno;
		if (err == EBUSY && mode == io_cellar_vmem_Native_MODE_PERSISTENT &&
				strcmp(fn, "cellar_add_persistent") == 0)
			jni_raise_locked(env, fn);
		else
			jni_raise_engine(env, fn, err);
		vmemcache_delete(c);
		c = NULL;
	}
	free(cpath);
	return (jlong)(intptr_t)c;
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_delete(JNIEnv *env, jclass cls, jlong handle)
{
	(void)cls;
	VMEMcache *c = jni_ptr_of(env, handle, "cache");
	if (c != NULL)
		vmemcache_delete(c);
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_setPutWait(JNIEnv *env, jclass cls, jlong handle,
		jlong millis)
{
	(void)cls;
	VMEMcache *c = jni_ptr_of(env, handle, "cache");
	if (c == NULL)
		return;
	if (millis < 0) {
		jni_raise_arg(env, "putWaitMillis must be 0 or more");
		return;
	}
	cellar_set_put_wait(c, (unsigned long)millis);
}

/*
 * seal: cellar_seal on the cache, or on every cache of the stack; returns
 * how many persistent pools were sealed
 */
JNIEXPORT jint JNICALL
Java_io_cellar_vmem_Native_seal(JNIEnv *env, jclass cls, jint kind,
		jlong handle)
{
	(void)cls;
	void *h;
	if (jni_target(env, kind, handle, &h) == NULL)
		return 0;
	VMEMcache *one = h;
	unsigned n = kind == io_cellar_vmem_Native_KIND_TIER ?
		cellar_tier_count(h) : 1;
	jint sealed = 0;
	for (unsigned i = 0; i < n; i++) {
		VMEMcache *c = kind == io_cellar_vmem_Native_KIND_TIER ?
			cellar_tier_cache(h, i) : one;
		struct cellar_reattach r;
		if (cellar_reattach_get(c, &r) != 0)
			continue; /* not persistent */
		if (cellar_seal(c) != 0) {
			jni_raise_engine(env, "cellar_seal", errno);
			return sealed;
		}
		sealed++;
	}
	return sealed;
}

JNIEXPORT jboolean JNICALL
Java_io_cellar_vmem_Native_evictLeastRecentlyUsed(JNIEnv *env, jclass cls,
		jlong handle)
{
	(void)cls;
	VMEMcache *c = jni_ptr_of(env, handle, "cache");
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
		jlongArray out)
{
	(void)cls;
	VMEMcache *c = jni_ptr_of(env, handle, "cache");
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
		jintArray out)
{
	(void)cls;
	VMEMcache *c = jni_ptr_of(env, handle, "cache");
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

JNIEXPORT jobjectArray JNICALL
Java_io_cellar_vmem_Native_reattach(JNIEnv *env, jclass cls, jlong handle,
		jlongArray out)
{
	(void)cls;
	VMEMcache *c = jni_ptr_of(env, handle, "cache");
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
