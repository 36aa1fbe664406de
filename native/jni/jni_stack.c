/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jni_stack.c -- tier stacks through io.cellar.vmem.Native: create,
 * delete, write-down and statistics
 */
#include <errno.h>
#include <stdint.h>

#include "jni_common.h"

#define TIER_STATS_FIELDS 3

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_tierNew(JNIEnv *env, jclass cls, jlongArray caches,
		jint journal)
{
	(void)cls;
	if (journal < 0) {
		jni_raise_arg(env, "journal capacity must be 0 or more");
		return 0;
	}
	if (caches == NULL) {
		jni_raise_arg(env, "caches is null");
		return 0;
	}
	jsize n = (*env)->GetArrayLength(env, caches);
	if (n < 1 || n > CELLAR_TIER_MAX) {
		jni_raise_arg(env, "a tier stack needs 1 to CELLAR_TIER_MAX caches");
		return 0;
	}
	jlong handles[CELLAR_TIER_MAX];
	VMEMcache *vc[CELLAR_TIER_MAX];
	(*env)->GetLongArrayRegion(env, caches, 0, n, handles);
	for (jsize i = 0; i < n; i++) {
		vc[i] = jni_ptr_of(env, handles[i], "tier cache");
		if (vc[i] == NULL)
			return 0;
	}
	cellar_tier *t = cellar_tier_new(vc, (unsigned)n);
	if (t == NULL) {
		jni_raise_engine(env, "cellar_tier_new", errno);
		return 0;
	}
	if (journal > 0 && cellar_tier_journal_enable(t, (size_t)journal)) {
		jni_raise_engine(env, "cellar_tier_journal_enable", errno);
		cellar_tier_delete(t);
		return 0;
	}
	return (jlong)(intptr_t)t;
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_tierDelete(JNIEnv *env, jclass cls, jlong handle)
{
	(void)cls;
	cellar_tier *t = jni_ptr_of(env, handle, "tier");
	if (t != NULL)
		cellar_tier_delete(t);
}

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_tierWriteDown(JNIEnv *env, jclass cls, jlong handle,
		jlong budget_ms)
{
	(void)cls;
	cellar_tier *t = jni_ptr_of(env, handle, "tier");
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

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_tierStats(JNIEnv *env, jclass cls, jlong handle,
		jlongArray out)
{
	(void)cls;
	cellar_tier *t = jni_ptr_of(env, handle, "tier");
	if (t == NULL)
		return;
	if (out == NULL ||
			(*env)->GetArrayLength(env, out) != TIER_STATS_FIELDS) {
		jni_raise_arg(env, "tierStats needs an out array of 3 longs");
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
