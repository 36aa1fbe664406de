/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jni_stack.c -- a tier stack's life through io.cellar.vmem.Native: open
 * every tier's cache and the stack over them in one call, delete, write-down,
 * seal and movement statistics
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jni_common.h"

#define TIER_STATS_FIELDS 3

/* the numbers describing one tier, as Java lays them out (internal) */
struct tier_spec {
	jlong policy, size, extent, mode, put_wait;
	jbyte owner[CELLAR_OWNER_MAX];
	jsize owner_size;
	char *path; /* malloc'd, NUL-terminated; NULL for a DRAM pool */
};

/*
 * byte_array_at -- element i of a byte[][], or NULL (with nothing pending)
 * for a null element; *failed set when the JVM raised (internal)
 */
static jbyteArray
byte_array_at(JNIEnv *env, jobjectArray arr, jsize i, int *failed)
{
	jbyteArray a = (*env)->GetObjectArrayElement(env, arr, i);
	*failed = (*env)->ExceptionCheck(env) ? 1 : 0;
	return a;
}

/*
 * spec_read -- tier i's settings out of the Java arrays, checked; -1 after
 * raising (internal)
 */
static int
spec_read(JNIEnv *env, const jlong *settings, jobjectArray paths,
		jobjectArray owners, jsize i, struct tier_spec *s)
{
	const jlong *v = settings + (size_t)i * io_cellar_vmem_Native_TIER_FIELDS;
	s->policy = v[io_cellar_vmem_Native_TIER_POLICY];
	s->size = v[io_cellar_vmem_Native_TIER_SIZE];
	s->extent = v[io_cellar_vmem_Native_TIER_EXTENT];
	s->mode = v[io_cellar_vmem_Native_TIER_MODE];
	s->put_wait = v[io_cellar_vmem_Native_TIER_PUT_WAIT];
	s->owner_size = 0;
	s->path = NULL;
	if (s->size < 0 || s->extent < 0) {
		jni_raise_arg(env, "size and extent size must be 0 or more");
		return -1;
	}
	if (s->mode != io_cellar_vmem_Native_MODE_TEMPORARY &&
			s->mode != io_cellar_vmem_Native_MODE_PERSISTENT) {
		jni_raise_arg(env, "unknown pool mode");
		return -1;
	}
	int failed;
	jbyteArray owner = byte_array_at(env, owners, i, &failed);
	if (failed)
		return -1;
	if (owner != NULL) {
		s->owner_size = (*env)->GetArrayLength(env, owner);
		if (s->owner_size > CELLAR_OWNER_MAX) {
			jni_raise_arg(env,
					"an owner tag has at most CELLAR_OWNER_MAX (32) bytes");
			return -1;
		}
		(*env)->GetByteArrayRegion(env, owner, 0, s->owner_size, s->owner);
		(*env)->DeleteLocalRef(env, owner);
	}
	jbyteArray path = byte_array_at(env, paths, i, &failed);
	if (failed)
		return -1;
	if (path == NULL) {
		if (s->mode == io_cellar_vmem_Native_MODE_PERSISTENT) {
			jni_raise_arg(env, "a persistent pool needs a path");
			return -1;
		}
		return 0;
	}
	jsize n = (*env)->GetArrayLength(env, path);
	s->path = malloc((size_t)n + 1);
	if (s->path == NULL) {
		(*env)->DeleteLocalRef(env, path);
		jni_raise_errno(env, "stackOpen", ENOMEM, "no memory to copy the path");
		return -1;
	}
	(*env)->GetByteArrayRegion(env, path, 0, n, (jbyte *)s->path);
	(*env)->DeleteLocalRef(env, path);
	s->path[n] = '\0';
	if (memchr(s->path, '\0', (size_t)n) != NULL) {
		free(s->path);
		s->path = NULL;
		jni_raise_arg(env, "path contains a NUL byte");
		return -1;
	}
	return 0;
}

/*
 * tier_open -- a VMEMcache as one tier describes it: policy, size, extent,
 * owner, the pool, put wait; NULL after raising, PoolLockedException for a
 * persistent pool another process or cache holds (internal)
 */
static VMEMcache *
tier_open(JNIEnv *env, const struct tier_spec *s)
{
	int persistent = s->mode == io_cellar_vmem_Native_MODE_PERSISTENT;
	VMEMcache *c = vmemcache_new();
	if (c == NULL) {
		jni_raise_engine(env, "vmemcache_new", errno ? errno : ENOMEM);
		return NULL;
	}
	const char *fn = NULL;
	if (cellar_set_policy(c, (enum cellar_policy)s->policy))
		fn = "cellar_set_policy";
	else if (s->size != 0 && vmemcache_set_size(c, (size_t)s->size))
		fn = "vmemcache_set_size";
	else if (s->extent != 0 &&
			vmemcache_set_extent_size(c, (size_t)s->extent))
		fn = "vmemcache_set_extent_size";
	else if (s->owner_size > 0 &&
			cellar_set_owner(c, s->owner, (size_t)s->owner_size))
		fn = "cellar_set_owner";
	else if (s->path != NULL && !persistent && vmemcache_add(c, s->path))
		fn = "vmemcache_add";
	else if (s->path != NULL && persistent &&
			cellar_add_persistent(c, s->path))
		fn = "cellar_add_persistent";
	else if (s->path == NULL && cellar_add_dram(c))
		fn = "cellar_add_dram";

	if (fn != NULL) {
		/* the message is read before delete can touch the thread's error */
		int err = errno;
		if (err == EBUSY && persistent &&
				strcmp(fn, "cellar_add_persistent") == 0)
			jni_raise_locked(env, fn);
		else
			jni_raise_engine(env, fn, err);
		vmemcache_delete(c);
		return NULL;
	}
	if (s->put_wait >= 0)
		cellar_set_put_wait(c, (unsigned long)s->put_wait);
	return c;
}

/* caches_delete -- deletes caches [0, n), top to bottom (internal) */
static void
caches_delete(VMEMcache *const *vc, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		vmemcache_delete(vc[i]);
}

/*
 * stack_over -- the stack over n open caches, with its journal; NULL after
 * raising, the caches then left to the caller (internal)
 */
static cellar_tier *
stack_over(JNIEnv *env, VMEMcache *const *vc, unsigned n, jint journal)
{
	cellar_tier *t = cellar_tier_new(vc, n);
	if (t == NULL) {
		jni_raise_engine(env, "cellar_tier_new", errno);
		return NULL;
	}
	if (journal > 0 && cellar_tier_journal_enable(t, (size_t)journal)) {
		jni_raise_engine(env, "cellar_tier_journal_enable", errno);
		cellar_tier_delete(t);
		return NULL;
	}
	return t;
}

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_stackOpen(JNIEnv *env, jclass cls,
		jlongArray settings, jobjectArray paths, jobjectArray owners,
		jint journal)
{
	(void)cls;
	if (journal < 0) {
		jni_raise_arg(env, "journal capacity must be 0 or more");
		return 0;
	}
	if (settings == NULL || paths == NULL || owners == NULL) {
		jni_raise_arg(env, "settings, paths and owners must not be null");
		return 0;
	}
	jsize len = (*env)->GetArrayLength(env, settings);
	jsize n = (*env)->GetArrayLength(env, paths);
	if (n < 1 || n > CELLAR_TIER_MAX ||
			len != n * io_cellar_vmem_Native_TIER_FIELDS ||
			(*env)->GetArrayLength(env, owners) != n) {
		jni_raise_arg(env, "a stack needs 1 to CELLAR_TIER_MAX tiers, "
				"each with its settings, path and owner");
		return 0;
	}
	jlong v[CELLAR_TIER_MAX * io_cellar_vmem_Native_TIER_FIELDS];
	(*env)->GetLongArrayRegion(env, settings, 0, len, v);

	VMEMcache *vc[CELLAR_TIER_MAX];
	unsigned opened = 0;
	cellar_tier *t = NULL;
	for (; opened < (unsigned)n; opened++) {
		struct tier_spec s;
		if (spec_read(env, v, paths, owners, (jsize)opened, &s))
			break;
		vc[opened] = tier_open(env, &s);
		free(s.path);
		if (vc[opened] == NULL)
			break;
	}
	if (opened == (unsigned)n)
		t = stack_over(env, vc, opened, journal);
	if (t == NULL)
		caches_delete(vc, opened);
	return (jlong)(intptr_t)t;
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_stackDelete(JNIEnv *env, jclass cls, jlong handle)
{
	(void)cls;
	cellar_tier *t = jni_stack_of(env, handle);
	if (t == NULL)
		return;
	VMEMcache *vc[CELLAR_TIER_MAX];
	unsigned n = cellar_tier_count(t);
	for (unsigned i = 0; i < n; i++)
		vc[i] = cellar_tier_cache(t, i);
	cellar_tier_delete(t);
	caches_delete(vc, n);
}

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_writeDown(JNIEnv *env, jclass cls, jlong handle,
		jlong budget_ms)
{
	(void)cls;
	cellar_tier *t = jni_stack_of(env, handle);
	if (t == NULL)
		return 0;
	if (budget_ms < 0) {
		jni_raise_arg(env, "the write-down budget must be 0 ms or more");
		return 0;
	}
	unsigned long long written = 0;
	if (cellar_tier_write_down(t, (unsigned long)budget_ms, &written) &&
			errno != ETIMEDOUT) {
		jni_raise_engine(env, "cellar_tier_write_down", errno);
		return 0;
	}
	return (jlong)written;
}

/*
 * seal: cellar_seal on every persistent tier of the stack; returns how many
 * pools were sealed
 */
JNIEXPORT jint JNICALL
Java_io_cellar_vmem_Native_seal(JNIEnv *env, jclass cls, jlong handle)
{
	(void)cls;
	cellar_tier *t = jni_stack_of(env, handle);
	if (t == NULL)
		return 0;
	jint sealed = 0;
	for (unsigned i = 0; i < cellar_tier_count(t); i++) {
		VMEMcache *c = cellar_tier_cache(t, i);
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

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_movement(JNIEnv *env, jclass cls, jlong handle,
		jlongArray out)
{
	(void)cls;
	cellar_tier *t = jni_stack_of(env, handle);
	if (t == NULL)
		return;
	if (out == NULL ||
			(*env)->GetArrayLength(env, out) != TIER_STATS_FIELDS) {
		jni_raise_arg(env, "movement needs an out array of 3 longs");
		return;
	}
	struct cellar_tier_stats s;
	if (cellar_tier_stats_get(t, &s)) {
		jni_raise_engine(env, "cellar_tier_stats_get", errno);
		return;
	}
	jlong v[TIER_STATS_FIELDS] = { (jlong)s.promotions, (jlong)s.demotions,
		(jlong)s.dropped };
	(*env)->SetLongArrayRegion(env, out, 0, TIER_STATS_FIELDS, v);
}
