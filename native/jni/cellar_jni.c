/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cellar_jni.c -- JNI glue of io.cellar.vmem.Native: argument checks,
 * handle casts, engine status -> Java exception
 *
 * Rules this file keeps:
 * - No mutable globals except the class and method references cached by
 *   JNI_OnLoad (written once, before any other entry point runs) and
 *   released by JNI_OnUnload.
 * - Keys are copied with GetByteArrayRegion, into a stack buffer when small.
 *   Values travel as direct-buffer addresses or as region copies; no
 *   GetPrimitiveArrayCritical is held across an engine call, since puts and
 *   gets may wait on engine locks. A get into a byte[] pins the entry and
 *   copies from the pinned memory with SetByteArrayRegion: one copy, and no
 *   engine lock held while the JVM copies.
 * - A failing engine call's errno is saved at once; raise_engine() turns it
 *   and vmemcache_errormsg() into a pending exception, and the caller
 *   returns right after it.
 * - Handles are the engine's pointers, carried in a jlong by Java.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jni.h>

#include "cellar.h"
#include "io_cellar_vmem_Native.h"
#include "libvmemcache.h"

#define KEY_STACK_MAX 256           /* keys up to this size are copied on the stack */
#define MSG_MAX 1024                /* longest exception message */
#define PIECE_MAX ((size_t)1 << 30) /* largest ByteBuffer made for a pinned piece */
#define ARRAY_MAX ((size_t)INT32_MAX - 8) /* largest byte[] a JVM reliably gives */

#define STATS_FIELDS 14
#define MEDIA_FIELDS 5
#define TIER_STATS_FIELDS 3
#define PIN_OUT_FIELDS 5
#define REATTACH_FIELDS 5

/* references cached by JNI_OnLoad; read-only afterwards */
static struct {
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
} G;

/*
 * utf_copy -- copies src into dst (cap bytes with the NUL) as text that
 * NewStringUTF accepts: valid 1- to 3-byte UTF-8 sequences are kept, any
 * other byte becomes '?' (internal)
 */
static void
utf_copy(char *dst, size_t cap, const char *src)
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

/* raise_arg -- makes an IllegalArgumentException pending (internal) */
static void
raise_arg(JNIEnv *env, const char *msg)
{
	(*env)->ThrowNew(env, G.illegal_argument, msg);
}

/*
 * raise_errno -- makes the Java exception of engine error `err` pending,
 * with the message "<fn>: <detail> (<ENAME>: <strerror>)". The code table:
 * EINVAL -> IllegalArgumentException; EBUSY, EALREADY ->
 * IllegalStateException; ENOSPC -> CacheFullException; medium errors ->
 * CacheIOException; anything else (ENOMEM too) -> CellarException.
 * ErrorCode.java is the Java side; ErrorCodeTest checks both (internal)
 */
static void
raise_errno(JNIEnv *env, const char *fn, int err, const char *detail)
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
	utf_copy(msg, sizeof(msg), text);

	jclass cls = G.cellar;
	jmethodID init = G.cellar_init;
	switch (err) {
	case EINVAL:
		(*env)->ThrowNew(env, G.illegal_argument, msg);
		return;
	case EBUSY:
	case EALREADY:
		(*env)->ThrowNew(env, G.illegal_state, msg);
		return;
	case ENOSPC:
		cls = G.cache_full;
		init = G.cache_full_init;
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
		cls = G.cache_io;
		init = G.cache_io_init;
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

/* raise_engine -- raise_errno() with the engine's last message (internal) */
static void
raise_engine(JNIEnv *env, const char *fn, int err)
{
	raise_errno(env, fn, err, vmemcache_errormsg());
}

/* ptr_of -- a jlong handle as a pointer; IAE for 0 (internal) */
static void *
ptr_of(JNIEnv *env, jlong handle, const char *what)
{
	if (handle == 0) {
		char msg[64];
		snprintf(msg, sizeof(msg), "%s handle is 0", what);
		raise_arg(env, msg);
		return NULL;
	}
	return (void *)(intptr_t)handle;
}

/*
 * One set of data operations per handle kind, so each entry point below
 * serves both a VMEMcache (KIND_CACHE) and a cellar_tier (KIND_TIER).
 */
struct ops {
	const char *put_fn, *replace_fn, *get_fn, *pin_fn, *exists_fn, *evict_fn;
	const char *putv_fn;
	int (*put)(void *h, const void *k, size_t ks, const void *v, size_t vs);
	int (*putv)(void *h, const void *k, size_t ks,
			const struct cellar_iov *iov, unsigned n);
	int (*replace)(void *h, const void *k, size_t ks, const void *v,
			size_t vs);
	ssize_t (*get)(void *h, const void *k, size_t ks, void *buf, size_t bs,
			size_t off, size_t *vsize);
	int (*pin)(void *h, const void *k, size_t ks, cellar_pin *pin,
			unsigned *tier);
	int (*exists)(void *h, const void *k, size_t ks, size_t *vsize,
			unsigned *tier);
	int (*evict)(void *h, const void *k, size_t ks);
};

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

/* target -- the ops and handle of a (kind, handle) pair; NULL after raising */
static const struct ops *
target(JNIEnv *env, jint kind, jlong handle, void **h)
{
	const struct ops *o;
	if (kind == io_cellar_vmem_Native_KIND_CACHE) {
		o = &CACHE_OPS;
	} else if (kind == io_cellar_vmem_Native_KIND_TIER) {
		o = &TIER_OPS;
	} else {
		raise_arg(env, "unknown handle kind");
		return NULL;
	}
	*h = ptr_of(env, handle, "cache");
	return *h ? o : NULL;
}

/* a key copied out of its byte[]: on the stack when small */
struct key {
	char stack[KEY_STACK_MAX];
	char *ptr;
	size_t len;
};

/* key_get -- copies a Java key; -1 after raising (internal) */
static int
key_get(JNIEnv *env, jbyteArray key, struct key *k)
{
	if (key == NULL) {
		raise_arg(env, "key is null");
		return -1;
	}
	jsize n = (*env)->GetArrayLength(env, key);
	if (n == 0) {
		raise_arg(env, "key is empty; keys need at least 1 byte");
		return -1;
	}
	k->ptr = (size_t)n <= KEY_STACK_MAX ? k->stack : malloc((size_t)n);
	if (k->ptr == NULL) {
		raise_errno(env, "key", ENOMEM, "no memory to copy the key");
		return -1;
	}
	(*env)->GetByteArrayRegion(env, key, 0, n, (jbyte *)k->ptr);
	k->len = (size_t)n;
	return 0;
}

/* key_free -- frees what key_get() allocated (internal) */
static void
key_free(struct key *k)
{
	if (k->ptr != k->stack)
		free(k->ptr);
}

/* array_range_ok -- [off, off + len) lies in arr; 0 after raising (internal) */
static int
array_range_ok(JNIEnv *env, jbyteArray arr, jlong off, jlong len,
		const char *what)
{
	char msg[160];
	if (arr == NULL) {
		snprintf(msg, sizeof(msg), "%s is null", what);
		raise_arg(env, msg);
		return 0;
	}
	jlong n = (*env)->GetArrayLength(env, arr);
	if (off < 0 || len < 0 || off > n || len > n - off) {
		snprintf(msg, sizeof(msg),
				"range off=%lld, len=%lld is outside %s of %lld bytes",
				(long long)off, (long long)len, what, (long long)n);
		raise_arg(env, msg);
		return 0;
	}
	return 1;
}

/*
 * direct_range -- the address of bytes [pos, pos + len) of a direct buffer;
 * NULL after raising (internal)
 */
static char *
direct_range(JNIEnv *env, jobject buf, jlong pos, jlong len, const char *what)
{
	char msg[160];
	if (buf == NULL) {
		snprintf(msg, sizeof(msg), "%s is null", what);
		raise_arg(env, msg);
		return NULL;
	}
	char *addr = (*env)->GetDirectBufferAddress(env, buf);
	if (addr == NULL) {
		snprintf(msg, sizeof(msg), "%s is not a direct buffer", what);
		raise_arg(env, msg);
		return NULL;
	}
	jlong cap = (*env)->GetDirectBufferCapacity(env, buf);
	if (pos < 0 || len < 0 || pos > cap || len > cap - pos) {
		snprintf(msg, sizeof(msg),
				"range pos=%lld, len=%lld is outside %s of %lld bytes",
				(long long)pos, (long long)len, what, (long long)cap);
		raise_arg(env, msg);
		return NULL;
	}
	return addr + pos;
}

/*
 * store -- put (or replace) of `len` bytes at `val`; JNI_FALSE when a put
 * found the key present, or after raising (internal)
 */
static jboolean
store(JNIEnv *env, jint kind, jlong handle, jbyteArray jkey, const void *val,
		size_t len, int replace)
{
	void *h;
	const struct ops *o = target(env, kind, handle, &h);
	struct key k;
	if (o == NULL || key_get(env, jkey, &k))
		return JNI_FALSE;

	int ret = replace ? o->replace(h, k.ptr, k.len, val, len)
			: o->put(h, k.ptr, k.len, val, len);
	int err = errno;
	key_free(&k);
	if (ret == 0)
		return JNI_TRUE;
	if (!replace && err == EEXIST)
		return JNI_FALSE;
	raise_engine(env, replace ? o->replace_fn : o->put_fn, err);
	return JNI_FALSE;
}

/* store_array -- store() from value[off, off + len), via a heap copy (internal) */
static jboolean
store_array(JNIEnv *env, jint kind, jlong handle, jbyteArray key,
		jbyteArray value, jlong off, jlong len, int replace)
{
	if (!array_range_ok(env, value, off, len, "value"))
		return JNI_FALSE;
	void *buf = NULL;
	if (len > 0) {
		buf = malloc((size_t)len);
		if (buf == NULL) {
			raise_errno(env, replace ? "replace" : "put", ENOMEM,
					"no memory to copy the value");
			return JNI_FALSE;
		}
		(*env)->GetByteArrayRegion(env, value, (jsize)off, (jsize)len,
				buf);
	}
	jboolean ret = store(env, kind, handle, key, buf, (size_t)len, replace);
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
pin_key(JNIEnv *env, jint kind, jlong handle, jbyteArray jkey, cellar_pin *pin,
		unsigned *tier)
{
	void *h;
	const struct ops *o = target(env, kind, handle, &h);
	struct key k;
	if (o == NULL || key_get(env, jkey, &k))
		return -1;
	int ret = o->pin(h, k.ptr, k.len, pin, tier);
	int err = errno;
	key_free(&k);
	if (ret == 0)
		return 0;
	if (err == ENOENT)
		return 1;
	raise_engine(env, o->pin_fn, err);
	return -1;
}

JNIEXPORT jint JNICALL
Java_io_cellar_vmem_Native_abiVersion(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return cellar_abi_version();
}

/*
 * raise_locked -- a pool file held by another process or cache: a
 * PoolLockedException with the engine's message, which names the file
 * (internal)
 */
static void
raise_locked(JNIEnv *env, const char *fn)
{
	char text[MSG_MAX];
	char msg[MSG_MAX];
	snprintf(text, sizeof(text), "%s: %s (EBUSY: Device or resource busy)",
			fn, vmemcache_errormsg());
	utf_copy(msg, sizeof(msg), text);
	jstring jmsg = (*env)->NewStringUTF(env, msg);
	if (jmsg == NULL)
		return;
	jobject ex = (*env)->NewObject(env, G.pool_locked, G.pool_locked_init,
			(jint)EBUSY, jmsg);
	if (ex != NULL) {
		(*env)->Throw(env, (jthrowable)ex);
		(*env)->DeleteLocalRef(env, ex);
	}
	(*env)->DeleteLocalRef(env, jmsg);
}

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_open(JNIEnv *env, jclass cls, jint policy,
		jlong size, jlong extent, jbyteArray path, jint mode, jint journal,
		jbyteArray owner)
{
	(void)cls;
	if (size < 0 || extent < 0 || journal < 0) {
		raise_arg(env, "size, extent size and journal capacity must be 0 or more");
		return 0;
	}
	jbyte tag[CELLAR_OWNER_MAX];
	jsize tag_size = owner == NULL ? 0 : (*env)->GetArrayLength(env, owner);
	if (tag_size > CELLAR_OWNER_MAX) {
		raise_arg(env, "an owner tag has at most CELLAR_OWNER_MAX (32) bytes");
		return 0;
	}
	if (tag_size > 0)
		(*env)->GetByteArrayRegion(env, owner, 0, tag_size, tag);
	if (mode != io_cellar_vmem_Native_MODE_TEMPORARY &&
			mode != io_cellar_vmem_Native_MODE_PERSISTENT) {
		raise_arg(env, "unknown pool mode");
		return 0;
	}
	if (mode == io_cellar_vmem_Native_MODE_PERSISTENT && path == NULL) {
		raise_arg(env, "a persistent pool needs a path");
		return 0;
	}
	char *cpath = NULL;
	if (path != NULL) {
		jsize n = (*env)->GetArrayLength(env, path);
		cpath = malloc((size_t)n + 1);
		if (cpath == NULL) {
			raise_errno(env, "open", ENOMEM, "no memory to copy the path");
			return 0;
		}
		(*env)->GetByteArrayRegion(env, path, 0, n, (jbyte *)cpath);
		cpath[n] = '\0';
		if (memchr(cpath, '\0', (size_t)n) != NULL) {
			free(cpath);
			raise_arg(env, "path contains a NUL byte");
			return 0;
		}
	}

	VMEMcache *c = vmemcache_new();
	if (c == NULL) {
		int err = errno ? errno : ENOMEM;
		free(cpath);
		raise_engine(env, "vmemcache_new", err);
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
			raise_locked(env, fn);
		else
			raise_engine(env, fn, err);
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
	VMEMcache *c = ptr_of(env, handle, "cache");
	if (c != NULL)
		vmemcache_delete(c);
}

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_tierNew(JNIEnv *env, jclass cls, jlongArray caches,
		jint journal)
{
	(void)cls;
	if (journal < 0) {
		raise_arg(env, "journal capacity must be 0 or more");
		return 0;
	}
	if (caches == NULL) {
		raise_arg(env, "caches is null");
		return 0;
	}
	jsize n = (*env)->GetArrayLength(env, caches);
	if (n < 1 || n > CELLAR_TIER_MAX) {
		raise_arg(env, "a tier stack needs 1 to CELLAR_TIER_MAX caches");
		return 0;
	}
	jlong handles[CELLAR_TIER_MAX];
	VMEMcache *vc[CELLAR_TIER_MAX];
	(*env)->GetLongArrayRegion(env, caches, 0, n, handles);
	for (jsize i = 0; i < n; i++) {
		vc[i] = ptr_of(env, handles[i], "tier cache");
		if (vc[i] == NULL)
			return 0;
	}
	cellar_tier *t = cellar_tier_new(vc, (unsigned)n);
	if (t == NULL) {
		raise_engine(env, "cellar_tier_new", errno);
		return 0;
	}
	if (journal > 0 && cellar_tier_journal_enable(t, (size_t)journal)) {
		raise_engine(env, "cellar_tier_journal_enable", errno);
		cellar_tier_delete(t);
		return 0;
	}
	return (jlong)(intptr_t)t;
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_tierDelete(JNIEnv *env, jclass cls, jlong handle)
{
	(void)cls;
	cellar_tier *t = ptr_of(env, handle, "tier");
	if (t != NULL)
		cellar_tier_delete(t);
}

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_tierWriteDown(JNIEnv *env, jclass cls, jlong handle,
		jlong budget_ms)
{
	(void)cls;
	cellar_tier *t = ptr_of(env, handle, "tier");
	if (t == NULL)
		return 0;
	if (budget_ms < 0) {
		raise_arg(env, "the write-down budget must be 0 ms or more");
		return 0;
	}
	unsigned long long written = 0;
	if (cellar_tier_write_down(t, (unsigned long)budget_ms, &written) &&
			errno != ETIMEDOUT) {
		raise_engine(env, "cellar_tier_write_down", errno);
		return 0;
	}
	return (jlong)written;
}

JNIEXPORT jboolean JNICALL
Java_io_cellar_vmem_Native_put(JNIEnv *env, jclass cls, jint kind,
		jlong handle, jbyteArray key, jbyteArray value, jlong off, jlong len)
{
	(void)cls;
	return store_array(env, kind, handle, key, value, off, len, 0);
}

JNIEXPORT jboolean JNICALL
Java_io_cellar_vmem_Native_putDirect(JNIEnv *env, jclass cls, jint kind,
		jlong handle, jbyteArray key, jobject value, jlong pos, jlong len)
{
	(void)cls;
	const char *val = direct_range(env, value, pos, len, "value");
	if (val == NULL)
		return JNI_FALSE;
	return store(env, kind, handle, key, val, (size_t)len, 0);
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_setPutWait(JNIEnv *env, jclass cls, jlong handle,
		jlong millis)
{
	(void)cls;
	VMEMcache *c = ptr_of(env, handle, "cache");
	if (c == NULL)
		return;
	if (millis < 0) {
		raise_arg(env, "putWaitMillis must be 0 or more");
		return;
	}
	cellar_set_put_wait(c, (unsigned long)millis);
}

/* pieces of a gathered value on the stack up to this count */
#define GATHER_STACK 32

JNIEXPORT jboolean JNICALL
Java_io_cellar_vmem_Native_putGather(JNIEnv *env, jclass cls, jint kind,
		jlong handle, jbyteArray key, jlongArray addresses,
		jlongArray lengths)
{
	(void)cls;
	if (addresses == NULL || lengths == NULL) {
		raise_arg(env, "addresses and lengths must not be null");
		return JNI_FALSE;
	}
	jsize n = (*env)->GetArrayLength(env, addresses);
	if (n != (*env)->GetArrayLength(env, lengths)) {
		raise_arg(env, "addresses and lengths differ in length");
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
		raise_errno(env, "putGather", ENOMEM, "no memory for the pieces");
		goto out;
	}
	(*env)->GetLongArrayRegion(env, addresses, 0, n, a);
	(*env)->GetLongArrayRegion(env, lengths, 0, n, l);
	for (jsize i = 0; i < n; i++) {
		if (l[i] < 0 || (a[i] == 0 && l[i] > 0)) {
			raise_arg(env, "a piece has a negative length or a zero address");
			goto out;
		}
		iov[i].base = (const void *)(intptr_t)a[i];
		iov[i].len = (size_t)l[i];
	}
	void *h;
	const struct ops *o = target(env, kind, handle, &h);
	struct key k;
	if (o == NULL || key_get(env, key, &k))
		goto out;
	int r = o->putv(h, k.ptr, k.len, iov, (unsigned)n);
	int err = errno;
	key_free(&k);
	if (r == 0)
		ret = JNI_TRUE;
	else if (err != EEXIST)
		raise_engine(env, o->putv_fn, err);
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
Java_io_cellar_vmem_Native_replace(JNIEnv *env, jclass cls, jint kind,
		jlong handle, jbyteArray key, jbyteArray value, jlong off, jlong len)
{
	(void)cls;
	store_array(env, kind, handle, key, value, off, len, 1);
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_replaceDirect(JNIEnv *env, jclass cls, jint kind,
		jlong handle, jbyteArray key, jobject value, jlong pos, jlong len)
{
	(void)cls;
	const char *val = direct_range(env, value, pos, len, "value");
	if (val != NULL)
		store(env, kind, handle, key, val, (size_t)len, 1);
}

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_get(JNIEnv *env, jclass cls, jint kind,
		jlong handle, jbyteArray key, jbyteArray dst, jlong off, jlong len,
		jlong voff)
{
	(void)cls;
	if (!array_range_ok(env, dst, off, len, "dst"))
		return -1;
	if (voff < 0) {
		raise_arg(env, "valueOffset must be 0 or more");
		return -1;
	}
	cellar_pin pin;
	unsigned tier;
	if (pin_key(env, kind, handle, key, &pin, &tier))
		return -1;
	pin_to_array(env, &pin, (size_t)voff, dst, off, len);
	jlong size = (jlong)pin.size;
	cellar_pin_release(&pin);
	return (*env)->ExceptionCheck(env) ? -1 : size;
}

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_getDirect(JNIEnv *env, jclass cls, jint kind,
		jlong handle, jbyteArray jkey, jobject dst, jlong pos, jlong len,
		jlong voff)
{
	(void)cls;
	char *buf = direct_range(env, dst, pos, len, "dst");
	if (buf == NULL)
		return -1;
	if (voff < 0) {
		raise_arg(env, "valueOffset must be 0 or more");
		return -1;
	}
	void *h;
	const struct ops *o = target(env, kind, handle, &h);
	struct key k;
	if (o == NULL || key_get(env, jkey, &k))
		return -1;
	size_t vsize = 0;
	ssize_t ret = o->get(h, k.ptr, k.len, buf, (size_t)len, (size_t)voff,
			&vsize);
	int err = errno;
	key_free(&k);
	if (ret >= 0)
		return (jlong)vsize;
	if (err != ENOENT)
		raise_engine(env, o->get_fn, err);
	return -1;
}

JNIEXPORT jbyteArray JNICALL
Java_io_cellar_vmem_Native_getAll(JNIEnv *env, jclass cls, jint kind,
		jlong handle, jbyteArray key)
{
	(void)cls;
	cellar_pin pin;
	unsigned tier;
	if (pin_key(env, kind, handle, key, &pin, &tier))
		return NULL;
	if (pin.size > ARRAY_MAX) {
		char msg[200];
		snprintf(msg, sizeof(msg),
				"value of %zu bytes is larger than a byte[] can be (%zu); "
				"use pin(key) or get(key, ByteBuffer, offset)",
				pin.size, ARRAY_MAX);
		cellar_pin_release(&pin);
		raise_errno(env, "get", EOVERFLOW, msg);
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
			raise_engine(env, "cellar_pin_part", errno);
			return NULL;
		}
		count += (jsize)((plen + PIECE_MAX - 1) / PIECE_MAX);
	}
	jobjectArray arr = (*env)->NewObjectArray(env, count, G.byte_buffer, NULL);
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
Java_io_cellar_vmem_Native_pin(JNIEnv *env, jclass cls, jint kind,
		jlong handle, jbyteArray key, jlongArray out)
{
	(void)cls;
	if (out == NULL || (*env)->GetArrayLength(env, out) < PIN_OUT_FIELDS) {
		raise_arg(env, "pin needs an out array of 5 longs");
		return NULL;
	}
	cellar_pin *pin = calloc(1, sizeof(*pin));
	if (pin == NULL) {
		raise_errno(env, "pin", ENOMEM, "no memory for a pin");
		return NULL;
	}
	unsigned tier = 0;
	if (pin_key(env, kind, handle, key, pin, &tier)) {
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
	cellar_pin *pin = ptr_of(env, handle, "pin");
	if (pin == NULL)
		return;
	cellar_pin_release(pin);
	free(pin);
}

JNIEXPORT jlong JNICALL
Java_io_cellar_vmem_Native_valueSize(JNIEnv *env, jclass cls, jint kind,
		jlong handle, jbyteArray jkey, jintArray tier_out)
{
	(void)cls;
	if (tier_out != NULL && (*env)->GetArrayLength(env, tier_out) < 1) {
		raise_arg(env, "tierOut is empty");
		return -1;
	}
	void *h;
	const struct ops *o = target(env, kind, handle, &h);
	struct key k;
	if (o == NULL || key_get(env, jkey, &k))
		return -1;
	size_t vsize = 0;
	unsigned tier = 0;
	int ret = o->exists(h, k.ptr, k.len, &vsize, &tier);
	int err = errno;
	key_free(&k);
	if (ret < 0) {
		raise_engine(env, o->exists_fn, err);
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
Java_io_cellar_vmem_Native_evict(JNIEnv *env, jclass cls, jint kind,
		jlong handle, jbyteArray jkey)
{
	(void)cls;
	void *h;
	const struct ops *o = target(env, kind, handle, &h);
	struct key k;
	if (o == NULL || key_get(env, jkey, &k))
		return JNI_FALSE;
	int ret = o->evict(h, k.ptr, k.len);
	int err = errno;
	key_free(&k);
	if (ret == 0)
		return JNI_TRUE;
	if (err != ENOENT)
		raise_engine(env, o->evict_fn, err);
	return JNI_FALSE;
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
	if (target(env, kind, handle, &h) == NULL)
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
			raise_engine(env, "cellar_seal", errno);
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
	VMEMcache *c = ptr_of(env, handle, "cache");
	if (c == NULL)
		return JNI_FALSE;
	if (vmemcache_evict(c, NULL, 0) == 0)
		return JNI_TRUE;
	int err = errno;
	if (err != ESRCH)
		raise_engine(env, "vmemcache_evict", err);
	return JNI_FALSE;
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_stats(JNIEnv *env, jclass cls, jlong handle,
		jlongArray out)
{
	(void)cls;
	VMEMcache *c = ptr_of(env, handle, "cache");
	if (c == NULL)
		return;
	if (out == NULL || (*env)->GetArrayLength(env, out) != STATS_FIELDS) {
		raise_arg(env, "stats needs an out array of 14 longs");
		return;
	}
	struct cellar_stats s;
	if (cellar_stats_get(c, &s)) {
		raise_engine(env, "cellar_stats_get", errno);
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
	VMEMcache *c = ptr_of(env, handle, "cache");
	if (c == NULL)
		return;
	if (out == NULL || (*env)->GetArrayLength(env, out) != MEDIA_FIELDS) {
		raise_arg(env, "media needs an out array of 5 ints");
		return;
	}
	struct cellar_media m;
	if (cellar_media_get(c, &m)) {
		raise_engine(env, "cellar_media_get", errno);
		return;
	}
	jint v[MEDIA_FIELDS] = { m.dram, m.devdax, m.libpmem, m.is_pmem,
		m.map_sync };
	(*env)->SetIntArrayRegion(env, out, 0, MEDIA_FIELDS, v);
}

JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_tierStats(JNIEnv *env, jclass cls, jlong handle,
		jlongArray out)
{
	(void)cls;
	cellar_tier *t = ptr_of(env, handle, "tier");
	if (t == NULL)
		return;
	if (out == NULL ||
			(*env)->GetArrayLength(env, out) != TIER_STATS_FIELDS) {
		raise_arg(env, "tierStats needs an out array of 3 longs");
		return;
	}
	struct cellar_tier_stats s;
	if (cellar_tier_stats_get(t, &s)) {
		raise_engine(env, "cellar_tier_stats_get", errno);
		return;
	}
	jlong v[TIER_STATS_FIELDS] = { (jlong)s.promotions, (jlong)s.demotions,
		(jlong)s.dropped };
	(*env)->SetLongArrayRegion(env, out, 0, TIER_STATS_FIELDS, v);
}

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
		raise_errno(env, "keys", EOVERFLOW, "too many keys for an array");
		return NULL;
	}
	jobjectArray arr = (*env)->NewObjectArray(env, (jsize)l->count,
			G.byte_array, NULL);
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
Java_io_cellar_vmem_Native_keys(JNIEnv *env, jclass cls, jint kind,
		jlong handle)
{
	(void)cls;
	void *h;
	const struct ops *o = target(env, kind, handle, &h);
	if (o == NULL)
		return NULL;
	struct key_list l = {0};
	int ret = kind == io_cellar_vmem_Native_KIND_TIER ?
		cellar_tier_keys_list(h, gather, &l) :
		cellar_keys_list(h, gather, &l);
	jobjectArray arr = NULL;
	if (ret != 0)
		raise_engine(env, kind == io_cellar_vmem_Native_KIND_TIER ?
				"cellar_tier_keys_list" : "cellar_keys_list", errno);
	else if (l.err)
		raise_errno(env, "keys", l.err, "no memory to gather the keys");
	else
		arr = key_arrays(env, &l);
	free(l.buf);
	return arr;
}

JNIEXPORT jobjectArray JNICALL
Java_io_cellar_vmem_Native_drainEvicted(JNIEnv *env, jclass cls, jint kind,
		jlong handle, jint max, jbooleanArray overflow_out)
{
	(void)cls;
	if (max < 0 || overflow_out == NULL ||
			(*env)->GetArrayLength(env, overflow_out) < 1) {
		raise_arg(env, "drainEvicted needs max >= 0 and a boolean[1]");
		return NULL;
	}
	void *h;
	const struct ops *o = target(env, kind, handle, &h);
	if (o == NULL)
		return NULL;
	struct key_list l = {0};
	int over = 0;
	long n = kind == io_cellar_vmem_Native_KIND_TIER ?
		cellar_tier_journal_drain(h, (size_t)max, gather, &l, &over) :
		cellar_journal_drain(h, (size_t)max, gather, &l, &over);
	jobjectArray arr = NULL;
	if (n < 0) {
		raise_engine(env, "cellar_journal_drain", errno);
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

JNIEXPORT jobjectArray JNICALL
Java_io_cellar_vmem_Native_reattach(JNIEnv *env, jclass cls, jlong handle,
		jlongArray out)
{
	(void)cls;
	VMEMcache *c = ptr_of(env, handle, "cache");
	if (c == NULL)
		return NULL;
	if (out == NULL || (*env)->GetArrayLength(env, out) != REATTACH_FIELDS) {
		raise_arg(env, "reattach needs an out array of 5 longs");
		return NULL;
	}
	struct cellar_reattach *r = malloc(sizeof(*r));
	if (r == NULL) {
		raise_errno(env, "reattach", ENOMEM, "no memory for the report");
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
	arr = (*env)->NewObjectArray(env, 2, G.string, NULL);
	if (arr == NULL)
		goto out;
	const char *parts[2] = { r->path, r->message };
	for (jsize i = 0; i < 2; i++) {
		utf_copy(text, sizeof(text), parts[i]);
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

/* TEST ONLY: raise_errno() with a given code and text, for ErrorCodeTest */
JNIEXPORT void JNICALL
Java_io_cellar_vmem_Native_raiseForTest(JNIEnv *env, jclass cls, jint err,
		jstring detail)
{
	(void)cls;
	const char *d = detail ? (*env)->GetStringUTFChars(env, detail, NULL)
			: NULL;
	if (detail != NULL && d == NULL)
		return; /* OutOfMemoryError pending */
	raise_errno(env, "raiseForTest", err, d);
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
	jclass *classes[] = { &G.byte_buffer, &G.illegal_argument,
		&G.illegal_state, &G.cellar, &G.cache_full, &G.cache_io,
		&G.pool_locked, &G.byte_array, &G.string };
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (*classes[i] != NULL)
			(*env)->DeleteGlobalRef(env, *classes[i]);
		*classes[i] = NULL;
	}
	G.cellar_init = G.cache_full_init = G.cache_io_init = NULL;
	G.pool_locked_init = NULL;
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

	if (global_class(env, "java/nio/ByteBuffer", &G.byte_buffer) ||
			global_class(env, "java/lang/IllegalArgumentException",
					&G.illegal_argument) ||
			global_class(env, "java/lang/IllegalStateException",
					&G.illegal_state) ||
			global_class(env, "io/cellar/vmem/CellarException",
					&G.cellar) ||
			global_class(env, "io/cellar/vmem/CacheFullException",
					&G.cache_full) ||
			global_class(env, "io/cellar/vmem/CacheIOException",
					&G.cache_io) ||
			global_class(env, "io/cellar/vmem/PoolLockedException",
					&G.pool_locked) ||
			global_class(env, "[B", &G.byte_array) ||
			global_class(env, "java/lang/String", &G.string) ||
			exception_init(env, G.cellar, &G.cellar_init) ||
			exception_init(env, G.cache_full, &G.cache_full_init) ||
			exception_init(env, G.cache_io, &G.cache_io_init) ||
			exception_init(env, G.pool_locked, &G.pool_locked_init)) {
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
