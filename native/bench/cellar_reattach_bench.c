/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cellar_reattach_bench.c -- how long reattaching a persistent pool takes
 *
 * A child process fills a persistent pool file with column-chunk-sized
 * values (64 KiB to 4 MiB) and closes it cleanly; the parent then measures
 * (a) the reattach after that clean close (headers only, values checked
 * lazily). A second child reattaches, replaces a few chunks and is killed
 * with SIGKILL; the parent measures (b) the reattach after that unclean
 * stop (the extents the head map flags; values are checked at their first read).
 *
 *   cellar_reattach_bench [--size-gib N | --size-mib N] [--dir DIR]
 *                         [--extent BYTES]
 *
 * Default: 2 GiB in /dev/shm (else /tmp), 4 KiB extents. For the figures
 * in README.md: --size-gib 10 on a disk or DAX file system with room.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cellar.h"
#include "bench_util.h"
#include "libvmemcache.h"

#define MIB ((size_t)1 << 20)
#define KIB ((size_t)1 << 10)
#define CHUNK_MIN (64 * KIB)
#define CHUNK_MAX (4 * MIB)

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "cellar_reattach_bench: %s: %s (%s)\n", what,
			strerror(errno), vmemcache_errormsg());
	exit(1);
}

static VMEMcache *
open_pool(const char *path, size_t size, size_t extent)
{
	VMEMcache *c = vmemcache_new();
	if (c == NULL || vmemcache_set_size(c, size) ||
			vmemcache_set_extent_size(c, extent) ||
			cellar_add_persistent(c, path))
		die("open");
	return c;
}

/* chunk -- puts (or replaces) chunk i of a size drawn from the seed */
static int
chunk(VMEMcache *c, const char *data, unsigned i, uint64_t *s, int replace)
{
	char key[32];
	int klen = snprintf(key, sizeof(key), "chunk-%08u", i);
	size_t len = CHUNK_MIN + (size_t)(rnd(s) % (CHUNK_MAX - CHUNK_MIN));
	const char *v = data + rnd(s) % (CHUNK_MAX);
	return replace ? cellar_replace(c, key, (size_t)klen, v, len) :
		vmemcache_put(c, key, (size_t)klen, v, len);
}

/* filler -- fills the pool to about 95% and closes it cleanly */
static void __attribute__((noreturn))
filler(const char *path, size_t size, size_t extent, const char *data)
{
	VMEMcache *c = open_pool(path, size, extent);
	uint64_t s = 0x9E3779B97F4A7C15ull;
	struct cellar_stats st;
	unsigned i = 0;
	do {
		if (chunk(c, data, i++, &s, 0))
			die("put");
		cellar_stats_get(c, &st);
	} while (st.pool_used < st.pool_size / 100 * 95 && st.evictions == 0);
	vmemcache_delete(c);
	_exit(0);
}

/* writer -- reattaches, replaces chunks, says so, then waits to be killed */
static void __attribute__((noreturn))
writer(const char *path, size_t size, size_t extent, const char *data, int fd)
{
	VMEMcache *c = open_pool(path, size, extent);
	uint64_t s = 12345;
	for (unsigned i = 0; i < 16; i++)
		if (chunk(c, data, (unsigned)(rnd(&s) % 64), &s, 1))
			die("replace");
	if (write(fd, "x", 1) != 1)
		die("write");
	for (;;)
		pause();
}

/* measure -- reattaches and prints one line of figures */
static void
measure(const char *label, const char *path, size_t size, size_t extent,
		enum cellar_pool_state want)
{
	double t0 = now();
	VMEMcache *c = open_pool(path, size, extent);
	double t = now() - t0;
	struct cellar_reattach r;
	if (cellar_reattach_get(c, &r))
		die("report");
	if (r.state != want) {
		fprintf(stderr, "%s: state %d, expected %d: %s\n", label,
				(int)r.state, (int)want, r.message);
		exit(1);
	}
	double gb = (double)r.bytes_recovered / 1e9;
	printf("| %s | %llu | %.2f | %llu | %.3f | %.1f |\n", label,
			r.entries_recovered, gb, r.entries_dropped, t * 1e3,
			gb / t);
	double c0 = now();
	vmemcache_delete(c);
	printf("| clean close after it | | | | %.3f | |\n", (now() - c0) * 1e3);
}

int
main(int argc, char *argv[])
{
	size_t size = 2048 * MIB, extent = 4096;
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--size-gib") == 0 && i + 1 < argc)
			size = (size_t)strtoull(argv[++i], NULL, 10) * 1024 * MIB;
		else if (strcmp(argv[i], "--size-mib") == 0 && i + 1 < argc)
			size = (size_t)strtoull(argv[++i], NULL, 10) * MIB;
		else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--extent") == 0 && i + 1 < argc)
			extent = (size_t)strtoull(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: %s [--size-gib N | --size-mib N] "
				"[--dir DIR] [--extent BYTES]\n", argv[0]);
			return 2;
		}
	}
	if (size < 16 * MIB) {
		fprintf(stderr, "the pool must be 16 MiB or more\n");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/cellar-reattach-bench-%d.pool", dir,
			(int)getpid());
	char *data = malloc(2 * CHUNK_MAX);
	if (data == NULL)
		die("malloc");
	uint64_t s = 7;
	for (size_t i = 0; i + 8 <= 2 * CHUNK_MAX; i += 8) {
		uint64_t v = rnd(&s);
		memcpy(data + i, &v, 8);
	}

	double t0 = now();
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		filler(path, size, extent, data);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		die("the filling child failed");
	printf("pool %s: %zu MiB, extent %zu B, values %zu KiB to %zu MiB, "
		"filled in %.1f s\n\n", path, size / MIB, extent, CHUNK_MIN / KIB,
		CHUNK_MAX / MIB, now() - t0);
	printf("| reattach | entries | GB | dropped | ms | GB/s |\n");
	printf("|---|---|---|---|---|---|\n");
	measure("after a clean close", path, size, extent, CELLAR_POOL_CLEAN);

	int fds[2];
	if (pipe(fds))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		writer(path, size, extent, data, fds[1]);
	char b;
	if (read(fds[0], &b, 1) != 1)
		die("the writing child failed");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	measure("after kill -9 (head map scanned)", path, size, extent,
			CELLAR_POOL_RECOVERED);
	unlink(path);
	free(data);
	return 0;
}
