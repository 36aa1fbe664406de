/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jni_ops.c -- the data operations of each handle kind: a VMEMcache
 * (KIND_CACHE) or a cellar_tier stack (KIND_TIER)
 */
#include "jni_common.h"

static int
c_put(void *h, const void *k, size_t ks, const void *v, size_t vs)
{
	return vmemcache_put(h, k, ks, v, vs);
}

static int
c_replace(void *h, const void *k, size_t ks, const void *v, size_t vs)
{
	return cellar_replace(h, k, ks, v, vs);
}

static int
c_putv(void *h, const void *k, size_t ks, const struct cellar_iov *iov,
		unsigned n)
{
	return cellar_putv(h, k, ks, iov, n);
}

static int
t_putv(void *h, const void *k, size_t ks, const struct cellar_iov *iov,
		unsigned n)
{
	return cellar_tier_putv(h, k, ks, iov, n);
}

static ssize_t
c_get(void *h, const void *k, size_t ks, void *buf, size_t bs, size_t off,
		size_t *vsize)
{
	return vmemcache_get(h, k, ks, buf, bs, off, vsize);
}

static int
c_pin(void *h, const void *k, size_t ks, cellar_pin *pin, unsigned *tier)
{
	*tier = 0;
	return cellar_pin_get(h, k, ks, pin);
}

static int
c_exists(void *h, const void *k, size_t ks, size_t *vsize, unsigned *tier)
{
	*tier = 0;
	return vmemcache_exists(h, k, ks, vsize);
}

static int
c_evict(void *h, const void *k, size_t ks)
{
	return vmemcache_evict(h, k, ks);
}

static int
t_put(void *h, const void *k, size_t ks, const void *v, size_t vs)
{
	return cellar_tier_put(h, k, ks, v, vs);
}

static int
t_replace(void *h, const void *k, size_t ks, const void *v, size_t vs)
{
	return cellar_tier_replace(h, k, ks, v, vs);
}

static ssize_t
t_get(void *h, const void *k, size_t ks, void *buf, size_t bs, size_t off,
		size_t *vsize)
{
	return cellar_tier_get(h, k, ks, buf, bs, off, vsize, NULL);
}

static int
t_pin(void *h, const void *k, size_t ks, cellar_pin *pin, unsigned *tier)
{
	return cellar_tier_pin_get(h, k, ks, pin, tier);
}

static int
t_exists(void *h, const void *k, size_t ks, size_t *vsize, unsigned *tier)
{
	return cellar_tier_exists(h, k, ks, vsize, tier);
}

static int
t_evict(void *h, const void *k, size_t ks)
{
	return cellar_tier_evict(h, k, ks);
}

static const struct ops CACHE_OPS = {
	"vmemcache_put", "cellar_replace", "vmemcache_get", "cellar_pin_get",
	"vmemcache_exists", "vmemcache_evict", "cellar_putv",
	c_put, c_putv, c_replace, c_get, c_pin, c_exists, c_evict,
};

static const struct ops TIER_OPS = {
	"cellar_tier_put", "cellar_tier_replace", "cellar_tier_get",
	"cellar_tier_pin_get", "cellar_tier_exists", "cellar_tier_evict",
	"cellar_tier_putv",
	t_put, t_putv, t_replace, t_get, t_pin, t_exists, t_evict,
};

/* jni_target -- the ops and handle of a (kind, handle) pair; NULL after raising */
const struct ops *
jni_target(JNIEnv *env, jint kind, jlong handle, void **h)
{
	const struct ops *o;
	if (kind == io_cellar_vmem_Native_KIND_CACHE) {
		o = &CACHE_OPS;
	} else if (kind == io_cellar_vmem_Native_KIND_TIER) {
		o = &TIER_OPS;
	} else {
		jni_raise_arg(env, "unknown handle kind");
		return NULL;
	}
	*h = jni_ptr_of(env, handle, "cache");
	return *h ? o : NULL;
}
