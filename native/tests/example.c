/* SPDX-License-Identifier: Apache-2.0 */
/*
 * example.c -- the lifecycle of libvmemcache.h, as a libvmemcache program
 *
 * Uses only the compatible header and links with -lvmemcache, so it shows
 * that a program written for PMDK's libvmemcache 0.8.1 builds and runs
 * against Cellar unchanged. Usage: example [directory] (default /tmp).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libvmemcache.h>

#define STR_AND_LEN(s) (s), strlen(s)

static int failures;

/* on_miss -- fills the cache on a miss of "meow" */
static void
on_miss(VMEMcache *cache, const void *key, size_t key_size, void *arg)
{
	(void)arg;
	if (key_size == 4 && memcmp(key, "meow", 4) == 0)
		vmemcache_put(cache, STR_AND_LEN("meow"),
			STR_AND_LEN("Cthulhu fthagn"));
}

/* on_evict -- reports what leaves */
static void
on_evict(VMEMcache *cache, const void *key, size_t key_size, void *arg)
{
	(void)cache;
	(*(int *)arg)++;
	printf("evicted: %.*s\n", (int)key_size, (const char *)key);
}

/* expect -- prints the value of key and checks it */
static void
expect(VMEMcache *cache, const char *key, const char *want)
{
	char buf[128];
	size_t vsize = 0;
	ssize_t len = vmemcache_get(cache, STR_AND_LEN(key), buf, sizeof(buf),
		0, &vsize);
	if (len >= 0)
		printf("%s: %.*s\n", key, (int)len, buf);
	else
		printf("%s: (not found: %s)\n", key, vmemcache_errormsg());
	int ok = want == NULL ? (len == -1 && errno == ENOENT) :
		((size_t)len == strlen(want) && vsize == strlen(want) &&
		memcmp(buf, want, strlen(want)) == 0);
	if (!ok) {
		fprintf(stderr, "unexpected result for %s\n", key);
		failures++;
	}
}

int
main(int argc, char *argv[])
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	int evicted = 0;

	VMEMcache *cache = vmemcache_new();
	if (cache == NULL) {
		perror("vmemcache_new");
		return 1;
	}
	if (vmemcache_set_size(cache, VMEMCACHE_MIN_POOL) ||
	    vmemcache_set_extent_size(cache, VMEMCACHE_MIN_EXTENT) ||
	    vmemcache_set_eviction_policy(cache, VMEMCACHE_REPLACEMENT_LRU) ||
	    vmemcache_add(cache, dir)) {
		fprintf(stderr, "setup: %s\n", vmemcache_errormsg());
		vmemcache_delete(cache);
		return 1;
	}
	vmemcache_callback_on_miss(cache, on_miss, NULL);
	vmemcache_callback_on_evict(cache, on_evict, &evicted);

	expect(cache, "meow", "Cthulhu fthagn");	/* filled by on_miss */
	expect(cache, "woof", NULL);
	if (vmemcache_put(cache, STR_AND_LEN("woof"), STR_AND_LEN("Ia! Ia!")))
		failures++;
	expect(cache, "woof", "Ia! Ia!");
	if (vmemcache_put(cache, STR_AND_LEN("woof"), STR_AND_LEN("x")) != -1 ||
	    errno != EEXIST)
		failures++;

	size_t vsize = 0;
	if (vmemcache_exists(cache, STR_AND_LEN("meow"), &vsize) != 1 ||
	    vsize != strlen("Cthulhu fthagn"))
		failures++;
	if (vmemcache_evict(cache, STR_AND_LEN("meow")) || evicted != 1)
		failures++;
	if (vmemcache_evict(cache, NULL, 0) || evicted != 2)	/* woof */
		failures++;
	if (vmemcache_evict(cache, NULL, 0) != -1 || errno != ESRCH)
		failures++;

	unsigned long long puts = 0;
	if (vmemcache_get_stat(cache, VMEMCACHE_STAT_PUT, &puts,
			sizeof(puts)) || puts != 2)
		failures++;
	vmemcache_delete(cache);

	printf("%s\n", failures ? "FAILED" : "OK");
	return failures ? 1 : 0;
}
