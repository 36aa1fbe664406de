/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_persist.c -- persistent pools: clean reattach byte for byte,
 * unclean recovery, corruption of values, entry headers and the pool
 * header, crafted fragment chains, truncated and foreign files, files and
 * directories that are not ours, bounded set-aside copies, locking between
 * caches and processes, directory pools, owners, and a tier stack over a
 * persistent pool
 */
#include <dirent.h>
#include <sys/wait.h>

#include "internal.h"
#include "persist.h"
#include "ut_pool.h"

#define MIB ((size_t)1 << 20)
#define KIB ((size_t)1 << 10)
#define NK 2200

static char path[PATH_MAX];

/* the model: each key's value is ut_fill(len, key * 1000 + version) */
struct model {
	size_t len[NK];
	unsigned ver[NK];
	unsigned char present[NK];
};

static void
put_model(VMEMcache *c, struct model *m, uint32_t k, size_t len, int replace)
{
	char *v = ut_malloc(len);
	unsigned ver = m->ver[k] + 1;
	ut_fill(v, len, (uint64_t)k * 1000 + ver);
	if (replace)
		UT_OK(cellar_replace(c, &k, sizeof(k), v, len));
	else
		UT_OK(vmemcache_put(c, &k, sizeof(k), v, len));
	m->len[k] = len;
	m->ver[k] = ver;
	free(v);
}

/* check_model -- every present key byte for byte, absent keys absent */
static void
check_model(VMEMcache *c, struct model *m)
{
	unsigned long long n = 0;
	for (uint32_t k = 0; k < NK; k++) {
		if (!m->present[k]) {
			UT_ASSERTeq(vmemcache_exists(c, &k, sizeof(k), NULL), 0);
			continue;
		}
		n++;
		char *want = ut_malloc(m->len[k]);
		char *got = ut_malloc(m->len[k] + 1);
		ut_fill(want, m->len[k], (uint64_t)k * 1000 + m->ver[k]);
		size_t vs = 0;
		ssize_t r = vmemcache_get(c, &k, sizeof(k), got, m->len[k] + 1,
				0, &vs);
		UT_ASSERTm(r == (ssize_t)m->len[k], "key %u: %zd of %zu", k, r,
				m->len[k]);
		UT_ASSERTeq(vs, m->len[k]);
		UT_ASSERTm(memcmp(want, got, m->len[k]) == 0, "key %u differs", k);
		free(want);
		free(got);
	}
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), n);
	UT_OK(heap_check(&c->heap));
}

/* sync_present -- the model learns which keys the cache evicted */
static void
sync_present(VMEMcache *c, struct model *m)
{
	for (uint32_t k = 0; k < NK; k++)
		m->present[k] = vmemcache_exists(c, &k, sizeof(k), NULL) == 1;
}

/*
 * test_clean_reattach -- many entries, chained values, evictions and
 * replaces before a clean close all come back exactly
 */
static void
test_clean_reattach(void)
{
	snprintf(path, sizeof(path), "%s/clean.pool", ut_tmpdir());
	struct model *m = calloc(1, sizeof(*m));
	UT_ASSERT(m != NULL);
	uint64_t r = 42;
	VMEMcache *c = utp_open(path, 4 * MIB, 256);
	UT_ASSERT(c != NULL);
	struct cellar_reattach rep = utp_report(c);
	UT_ASSERTeq(rep.state, CELLAR_POOL_NEW);
	UT_ASSERT(strcmp(rep.path, path) == 0);
	for (uint32_t k = 0; k < 2000; k++)
		put_model(c, m, k, (size_t)ut_rand_range(&r, 0, 3000), 0);
	for (uint32_t k = 0; k < 2000; k += 2)
		vmemcache_evict(c, &k, sizeof(k));
	for (uint32_t k = 2000; k < NK; k++)
		put_model(c, m, k, (size_t)ut_rand_range(&r, 2 * KIB, 12 * KIB), 0);
	sync_present(c, m);
	for (uint32_t k = 2100; k < NK; k += 3)
		if (m->present[k])
			put_model(c, m, k, (size_t)ut_rand_range(&r, 1, 5000), 1);
	sync_present(c, m);
	struct cellar_stats before;
	UT_OK(cellar_stats_get(c, &before));
	UT_ASSERT(before.put_fragments > 0);
	UT_ASSERTm(before.entries > 300, "%llu entries", before.entries);
	check_model(c, m);
	vmemcache_delete(c);

	for (int round = 0; round < 2; round++) {
		c = utp_open(path, 4 * MIB, 256);
		UT_ASSERT(c != NULL);
		rep = utp_report(c);
		UT_ASSERTeq(rep.state, CELLAR_POOL_CLEAN);
		UT_ASSERTeq(rep.entries_recovered, before.entries);
		UT_ASSERTeq(rep.entries_dropped, 0);
		struct cellar_stats after;
		UT_OK(cellar_stats_get(c, &after));
		UT_ASSERTeq(after.entries, before.entries);
		UT_ASSERTeq(after.pool_used, before.pool_used);
		UT_ASSERTeq(after.pool_size, before.pool_size);
		check_model(c, m);
		UT_OK(cellar_stats_get(c, &after));
		UT_ASSERTeq(after.corrupt, 0);
		/* the pool keeps working: more puts, evictions, replaces */
		for (uint32_t k = 0; k < 300; k++)
			put_model(c, m, (uint32_t)ut_rand_range(&r, 0, NK - 1),
					(size_t)ut_rand_range(&r, 0, 9000), 1);
		sync_present(c, m);
		check_model(c, m);
		UT_OK(cellar_stats_get(c, &before));
		vmemcache_delete(c);
	}
	free(m);
}

/* child_fill -- a child that puts keys 0..n-1 and dies without a close */
static void
child_fill(uint32_t n, size_t len)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		VMEMcache *c = utp_open(path, 4 * MIB, 256);
		if (c == NULL)
			_exit(2);
		char *v = malloc(len);
		for (uint32_t k = 0; k < n; k++) {
			ut_fill(v, len, k);
			if (vmemcache_put(c, &k, sizeof(k), v, len))
				_exit(3);
		}
		_exit(0); /* no vmemcache_delete: an unclean stop */
	}
	int st;
	UT_ASSERTeq(waitpid(pid, &st, 0), pid);
	UT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* test_unclean -- a pool left open by a dead process is recovered whole */
static void
test_unclean(void)
{
	snprintf(path, sizeof(path), "%s/unclean.pool", ut_tmpdir());
	child_fill(50, 5000);
	VMEMcache *c = utp_open(path, 0, 0);
	UT_ASSERT(c != NULL);
	struct cellar_reattach rep = utp_report(c);
	UT_ASSERTeq(rep.state, CELLAR_POOL_RECOVERED);
	UT_ASSERTeq(rep.entries_recovered, 50);
	UT_ASSERTeq(rep.bytes_recovered, 50 * 5000);
	for (uint32_t k = 0; k < 50; k++)
		UT_ASSERT(utp_key_ok(c, k, 5000));
	UT_OK(heap_check(&c->heap));
	vmemcache_delete(c);
	unlink(path);
}

/* value_offset -- file offset of byte `at` of key k's value */
static size_t
value_offset(uint32_t k, size_t at)
{
	size_t size;
	unsigned char *a = utp_map(path, &size);
	size_t off = utp_find(a, size, 256, &k, sizeof(k));
	UT_ASSERT(off != 0);
	munmap(a, size);
	return off + (size_t)entry_hdr_size(sizeof(k)) + at;
}

/*
 * test_corrupt_value -- a flipped value bit: after a clean close or an
 * unclean stop alike, the entry comes back and its first read drops it
 */
static void
test_corrupt_value(void)
{
	for (int clean = 0; clean < 2; clean++) {
		snprintf(path, sizeof(path), "%s/value%d.pool", ut_tmpdir(), clean);
		if (clean) {
			VMEMcache *c = utp_open(path, 4 * MIB, 256);
			UT_ASSERT(c != NULL);
			char v[3000];
			for (uint32_t k = 0; k < 20; k++) {
				ut_fill(v, sizeof(v), k);
				UT_OK(vmemcache_put(c, &k, sizeof(k), v, sizeof(v)));
			}
			vmemcache_delete(c);
		} else {
			child_fill(20, 3000);
		}
		utp_flip(path, value_offset(7, 1234), 3);
		VMEMcache *c = utp_open(path, 0, 0);
		UT_ASSERT(c != NULL);
		struct cellar_reattach rep = utp_report(c);
		char buf[3000];
		UT_ASSERTeq(rep.state, clean ? CELLAR_POOL_CLEAN :
				CELLAR_POOL_RECOVERED);
		UT_ASSERTeq(rep.entries_recovered, 20);
		cellar_pin pin;
		UT_ERR(cellar_pin_get(c, &(uint32_t){7}, sizeof(uint32_t), &pin),
				ENOENT);
		struct cellar_stats st;
		UT_OK(cellar_stats_get(c, &st));
		UT_ASSERTeq(st.corrupt, 1);
		UT_ASSERTeq(st.entries, 19);
		UT_ERR(vmemcache_get(c, &(uint32_t){7}, sizeof(uint32_t), buf,
				sizeof(buf), 0, NULL), ENOENT);
		for (uint32_t k = 0; k < 20; k++)
			if (k != 7)
				UT_ASSERT(utp_key_ok(c, k, 3000));
		UT_OK(heap_check(&c->heap));
		vmemcache_delete(c);
		/* the dropped entry stays gone */
		c = utp_open(path, 0, 0);
		UT_ASSERT(c != NULL);
		UT_ASSERTeq(utp_report(c).state, CELLAR_POOL_CLEAN);
		UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 19);
		vmemcache_delete(c);
	}
}

/*
 * closed_pool -- a 4 MiB pool of 256 B extents at `path` (under the temp
 * dir as `name`) holding keys 0..n-1 of ut_fill(len, k), closed cleanly
 */
static void
closed_pool(const char *name, uint32_t n, size_t len)
{
	snprintf(path, sizeof(path), "%s/%s", ut_tmpdir(), name);
	VMEMcache *c = utp_open(path, 4 * MIB, 256);
	UT_ASSERT(c != NULL);
	char *v = ut_malloc(len);
	for (uint32_t k = 0; k < n; k++) {
		ut_fill(v, len, k);
		UT_OK(vmemcache_put(c, &k, sizeof(k), v, len));
	}
	free(v);
	vmemcache_delete(c);
}

/* test_corrupt_entry_header -- a flipped key bit drops that entry */
static void
test_corrupt_entry_header(void)
{
	char v[700];
	closed_pool("hdr.pool", 20, sizeof(v));
	size_t size;
	unsigned char *a = utp_map(path, &size);
	size_t off3 = utp_find(a, size, 256, &(uint32_t){3}, sizeof(uint32_t));
	size_t off4 = utp_find(a, size, 256, &(uint32_t){4}, sizeof(uint32_t));
	munmap(a, size);
	UT_ASSERT(off3 && off4);
	utp_flip(path, off3 + sizeof(struct entry_hdr), 0);  /* key 3 -> 2 */
	utp_flip(path, off4 + offsetof(struct entry_hdr, value_size), 6);
	VMEMcache *c = utp_open(path, 0, 0);
	UT_ASSERT(c != NULL);
	struct cellar_reattach rep = utp_report(c);
	UT_ASSERTeq(rep.state, CELLAR_POOL_CLEAN);
	UT_ASSERTeq(rep.entries_recovered, 18);
	UT_ASSERTeq(rep.entries_dropped, 2);
	UT_ASSERTeq(vmemcache_exists(c, &(uint32_t){3}, sizeof(uint32_t), NULL), 0);
	UT_ASSERTeq(vmemcache_exists(c, &(uint32_t){4}, sizeof(uint32_t), NULL), 0);
	for (uint32_t k = 0; k < 20; k++)
		if (k != 3 && k != 4)
			UT_ASSERT(utp_key_ok(c, k, sizeof(v)));
	UT_OK(heap_check(&c->heap));
	vmemcache_delete(c);
}

/*
 * test_overlapping_fragments -- an entry whose chain points back into its
 * own extents, with every checksum valid, is dropped on reattach, and the
 * heap never holds an extent twice
 */
static void
test_overlapping_fragments(void)
{
	closed_pool("overlap.pool", 20, 600);

	size_t size;
	unsigned char *a = utp_map(path, &size);
	const struct pool_hdr *ph = (const struct pool_hdr *)a;
	struct persist ps = {.seed = ph->uuid};
	uint32_t key = 7;
	size_t off = utp_find(a, size, 256, &key, sizeof(key));
	UT_ASSERT(off != 0);
	struct entry_hdr *h = (struct entry_hdr *)(a + off);
	UT_ASSERTeq(h->units, 3);
	UT_ASSERTeq(h->next, FRAG_NONE);
	uint64_t unit = (off - ph->heap_offset) / ph->extent_size;
	/* two extents of its own, then a "fragment" that is its second one */
	h->units = 2;
	h->next = unit + 1;
	h->value_size = 2 * 256 - h->hdr_size + 100;
	h->hdr_checksum = ps_hdr_checksum(&ps, h, h + 1);
	struct frag_hdr *f = (struct frag_hdr *)(a + off + 256);
	f->magic = FRAG_MAGIC;
	f->units = 1;
	f->next = FRAG_NONE;
	f->seq = h->seq;
	f->check = ps_frag_check(&ps, f);
	munmap(a, size);

	VMEMcache *c = utp_open(path, 0, 0);
	UT_ASSERT(c != NULL);
	struct cellar_reattach rep = utp_report(c);
	UT_ASSERTeq(rep.state, CELLAR_POOL_CLEAN);
	UT_ASSERTeq(rep.entries_recovered, 19);
	UT_ASSERTeq(rep.entries_dropped, 1);
	UT_ASSERTeq(vmemcache_exists(c, &key, sizeof(key), NULL), 0);
	UT_OK(heap_check(&c->heap));
	/* fill the pool to the brim: a doubly held extent would collide */
	char big[3000];
	for (uint32_t k = 100; k < 1400; k++) {
		ut_fill(big, sizeof(big), k);
		UT_OK(vmemcache_put(c, &k, sizeof(k), big, sizeof(big)));
	}
	for (uint32_t k = 1300; k < 1400; k++)
		UT_ASSERT(utp_key_ok(c, k, sizeof(big)));
	UT_OK(heap_check(&c->heap));
	vmemcache_delete(c);
}

/* count_bad -- files in the temp dir whose name has ".bad-" */
static unsigned
count_bad(const char *stem)
{
	DIR *d = opendir(ut_tmpdir());
	UT_ASSERT(d != NULL);
	unsigned n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, stem, strlen(stem)) == 0 &&
				strstr(de->d_name, ".bad-") != NULL)
			n++;
	closedir(d);
	return n;
}

/* expect_recreated -- the file is set aside, a new empty pool made */
static void
expect_recreated(const char *stem, const char *why)
{
	unsigned bad = count_bad(stem);
	VMEMcache *c = utp_open(path, 2 * MIB, 256);
	UT_ASSERT(c != NULL);
	struct cellar_reattach rep = utp_report(c);
	UT_ASSERTeq(rep.state, CELLAR_POOL_RECREATED);
	UT_ASSERTm(strstr(rep.message, "set aside") != NULL, "%s", rep.message);
	UT_ASSERTm(strstr(rep.message, why) != NULL, "'%s' lacks '%s'",
			rep.message, why);
	UT_ASSERTeq(rep.entries_recovered, 0);
	UT_ASSERTeq(count_bad(stem), bad + 1);
	UT_ASSERT_EMPTY(c);
	UT_OK(vmemcache_put(c, "k", 1, "v", 1));
	vmemcache_delete(c);
	c = utp_open(path, 2 * MIB, 256);
	UT_ASSERT(c != NULL);
	UT_ASSERTeq(utp_report(c).state, CELLAR_POOL_CLEAN);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_ENTRIES), 1);
	vmemcache_delete(c);
}

/* make_pool -- a closed pool with 10 entries at `path` */
static void
make_pool(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", ut_tmpdir(), name);
	VMEMcache *c = utp_open(path, 2 * MIB, 256);
	UT_ASSERT(c != NULL);
	for (uint32_t k = 0; k < 10; k++)
		UT_OK(vmemcache_put(c, &k, sizeof(k), "value", 5));
	vmemcache_delete(c);
}

/*
 * test_bad_files -- a flipped pool-header bit, a truncated file, another
 * format version, garbage, a tiny file: each set aside, a new pool made
 */
static void
test_bad_files(void)
{
	make_pool("phdr.pool");
	utp_flip(path, offsetof(struct pool_hdr, heap_units), 1);
	expect_recreated("phdr.pool", "checksum");

	make_pool("trunc.pool");
	UT_OK(truncate(path, (off_t)MIB));
	expect_recreated("trunc.pool", "the file has");

	make_pool("version.pool");
	size_t size;
	unsigned char *a = utp_map(path, &size);
	uint32_t v1 = 1;
	memcpy(a + offsetof(struct pool_hdr, version), &v1, sizeof(v1));
	munmap(a, size);
	expect_recreated("version.pool", "format version 1");

	snprintf(path, sizeof(path), "%s/garbage.pool", ut_tmpdir());
	FILE *f = fopen(path, "w");
	UT_ASSERT(f != NULL);
	uint64_t r = 7;
	for (size_t i = 0; i < 2 * MIB / 8; i++) {
		uint64_t w = ut_rand(&r);
		fwrite(&w, sizeof(w), 1, f);
	}
	fclose(f);
	expect_recreated("garbage.pool", "not a Cellar pool");

	snprintf(path, sizeof(path), "%s/tiny.pool", ut_tmpdir());
	f = fopen(path, "w");
	UT_ASSERT(f != NULL);
	fputs("tiny", f);
	fclose(f);
	expect_recreated("tiny.pool", "too small");
}

/* write_file -- a file at dir/name holding text, with mode */
static void
write_file(char *out, const char *name, const char *text, mode_t mode)
{
	snprintf(out, PATH_MAX, "%s/%s", ut_tmpdir(), name);
	FILE *f = fopen(out, "w");
	UT_ASSERT(f != NULL);
	fputs(text, f);
	fclose(f);
	UT_OK(chmod(out, mode)); /* past the umask */
}

/* expect_refused -- adding path fails with err and a message holding why */
static void
expect_refused(const char *p, int err, const char *why)
{
	VMEMcache *c = vmemcache_new();
	UT_ASSERT(c != NULL);
	UT_ERR(cellar_add_persistent(c, p), err);
	UT_ASSERTm(strstr(vmemcache_errormsg(), why) != NULL &&
			strstr(vmemcache_errormsg(), p) != NULL,
			"'%s' lacks '%s' or the path", vmemcache_errormsg(), why);
	vmemcache_delete(c);
}

/* file_holds -- whether the file at p holds exactly text */
static int
file_holds(const char *p, const char *text)
{
	char buf[64] = {0};
	FILE *f = fopen(p, "r");
	UT_ASSERT(f != NULL);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	return n == strlen(text) && memcmp(buf, text, n) == 0;
}

/*
 * test_adopt_only_ours -- a pool file or directory that another user can
 * write, or that belongs to another user, is refused with a message; a
 * symbolic link is never followed (its target keeps its bytes); a new pool
 * file is 0600 whatever the umask
 */
static void
test_adopt_only_ours(void)
{
	char target[PATH_MAX], link[PATH_MAX], p[PATH_MAX];

	write_file(p, "open.pool", "", 0666);
	expect_refused(p, EPERM, "writable by all users (mode 0666)");
	write_file(p, "group.pool", "", 0620);
	expect_refused(p, EPERM, "writable by its group");

	write_file(target, "precious", "keep me", 0600);
	snprintf(link, sizeof(link), "%s/link.pool", ut_tmpdir());
	UT_OK(symlink(target, link));
	expect_refused(link, ELOOP, "symbolic link");
	UT_ASSERT(file_holds(target, "keep me"));

	/* a directory pool: the directory is checked; a link inside is passed over */
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/shared-dir", ut_tmpdir());
	UT_OK(mkdir(dir, 0700));
	UT_OK(chmod(dir, 0777));
	expect_refused(dir, EPERM, "pool directory");
	UT_OK(chmod(dir, 0700));
	snprintf(link, sizeof(link), "%s/shared-dir/cellar-0.pool", ut_tmpdir());
	UT_OK(symlink(target, link));
	mode_t old = umask(0);
	VMEMcache *c = utp_open(dir, 2 * MIB, 256);
	umask(old);
	UT_ASSERT(c != NULL);
	struct cellar_reattach rep = utp_report(c);
	UT_ASSERTm(strstr(rep.path, "cellar-1.pool") != NULL, "%s", rep.path);
	UT_OK(vmemcache_put(c, "k", 1, "v", 1));
	vmemcache_delete(c);
	UT_ASSERT(file_holds(target, "keep me"));
	struct stat st;
	UT_OK(stat(rep.path, &st));
	UT_ASSERTeq(st.st_mode & 07777, 0600);

	/* another user's file: only root can make one */
	if (geteuid() == 0) {
		write_file(p, "theirs.pool", "", 0600);
		UT_OK(chown(p, 65534, 65534));
		expect_refused(p, EPERM, "belongs to uid 65534");
		UT_OK(chown(dir, 65534, 65534));
		expect_refused(dir, EPERM, "belongs to uid 65534");
		UT_OK(chown(dir, 0, 0));
	}
}

/*
 * test_set_aside_bounded -- of a file's set-aside copies only the newest
 * three stay; other files beside them are left alone
 */
static void
test_set_aside_bounded(void)
{
	char p[PATH_MAX];
	for (int i = 0; i < 4; i++) {
		char name[64];
		snprintf(name, sizeof(name), "old.pool.bad-%d-42", 1000 + i);
		write_file(p, name, "old", 0600);
	}
	write_file(p, "old.pool.bad-notes", "mine", 0600);
	write_file(p, "other.pool.bad-1000-42", "other", 0600);
	make_pool("old.pool");
	utp_flip(path, offsetof(struct pool_hdr, heap_units), 1);
	VMEMcache *c = utp_open(path, 2 * MIB, 256);
	UT_ASSERT(c != NULL);
	UT_ASSERTeq(utp_report(c).state, CELLAR_POOL_RECREATED);
	vmemcache_delete(c);
	/* the new copy and the two newest old ones; the odd names untouched */
	UT_ASSERTeq(count_bad("old.pool"), 3 + 1);
	snprintf(p, sizeof(p), "%s/old.pool.bad-1003-42", ut_tmpdir());
	UT_ASSERT(access(p, F_OK) == 0);
	snprintf(p, sizeof(p), "%s/old.pool.bad-1002-42", ut_tmpdir());
	UT_ASSERT(access(p, F_OK) == 0);
	snprintf(p, sizeof(p), "%s/old.pool.bad-1001-42", ut_tmpdir());
	UT_ASSERT(access(p, F_OK) != 0);
	snprintf(p, sizeof(p), "%s/old.pool.bad-notes", ut_tmpdir());
	UT_ASSERT(file_holds(p, "mine"));
	UT_ASSERTeq(count_bad("other.pool"), 1);
}

/* test_args -- bad arguments are errors, never crashes */
static void
test_args(void)
{
	UT_ERR(cellar_add_persistent(NULL, "/tmp"), EINVAL);
	VMEMcache *c = vmemcache_new();
	UT_ERR(cellar_add_persistent(c, NULL), EINVAL);
	UT_ERR(cellar_add_persistent(c, "/dev/null"), EINVAL);
	UT_ERR(cellar_add_persistent(c, "/nonexistent-dir/x/p.pool"), ENOENT);
	struct cellar_reattach rep;
	UT_ERR(cellar_reattach_get(c, &rep), EINVAL);
	UT_ERR(cellar_reattach_get(c, NULL), EINVAL);
	UT_OK(cellar_add_dram(c));
	UT_ERR(cellar_add_persistent(c, ut_tmpdir()), EBUSY);
	UT_ERR(cellar_reattach_get(c, &rep), EINVAL);
	vmemcache_delete(c);
}

/* test_size_kept -- an existing pool keeps its size and extent */
static void
test_size_kept(void)
{
	snprintf(path, sizeof(path), "%s/size.pool", ut_tmpdir());
	VMEMcache *c = utp_open(path, 3 * MIB, 512);
	UT_ASSERT(c != NULL);
	UT_OK(vmemcache_put(c, "a", 1, "b", 1));
	vmemcache_delete(c);
	c = utp_open(path, 8 * MIB, 256);
	UT_ASSERT(c != NULL);
	/* a byte of head map per extent (format.h) */
	UT_ASSERTeq(ut_pool_size(c),
			(3 * MIB - POOL_HDR_SIZE) / (512 + 1) * 512);
	UT_ASSERTeq(ut_stat(c, VMEMCACHE_STAT_POOL_SIZE_USED), 512);
	vmemcache_delete(c);
}

/* test_lock_in_process -- one cache per file, also within one process */
static void
test_lock_in_process(void)
{
	snprintf(path, sizeof(path), "%s/lock.pool", ut_tmpdir());
	VMEMcache *a = utp_open(path, 2 * MIB, 256);
	UT_ASSERT(a != NULL);
	VMEMcache *b = utp_open(path, 2 * MIB, 256);
	UT_ASSERT(b == NULL);
	UT_ASSERTeq(errno, EBUSY);
	UT_ASSERT(strstr(vmemcache_errormsg(), path) != NULL);
	vmemcache_delete(a);
	b = utp_open(path, 2 * MIB, 256);
	UT_ASSERT(b != NULL);
	vmemcache_delete(b);

	/* a directory: each cache its own file; a reopen prefers contents */
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/dir", ut_tmpdir());
	UT_OK(mkdir(dir, 0700));
	a = utp_open(dir, 2 * MIB, 256);
	b = utp_open(dir, 2 * MIB, 256);
	UT_ASSERT(a != NULL && b != NULL);
	struct cellar_reattach ra = utp_report(a), rb = utp_report(b);
	UT_ASSERT(strcmp(ra.path, rb.path) != 0);
	UT_ASSERT(strstr(ra.path, "/cellar-0.pool") != NULL);
	UT_ASSERT(strstr(rb.path, "/cellar-1.pool") != NULL);
	UT_OK(vmemcache_put(b, "x", 1, "y", 1));
	vmemcache_delete(a);
	vmemcache_delete(b);
	VMEMcache *c = utp_open(dir, 2 * MIB, 256);
	UT_ASSERT(c != NULL);
	struct cellar_reattach rc = utp_report(c);
	UT_ASSERT(strcmp(rc.path, rb.path) == 0);
	UT_ASSERTeq(rc.state, CELLAR_POOL_CLEAN);
	UT_ASSERTeq(rc.entries_recovered, 1);
	vmemcache_delete(c);
}

/*
 * race -- two processes open `where` at once and hold it; returns how many
 * succeeded, with their paths in p0/p1
 */
static int
race(const char *where, char p[2][PATH_MAX])
{
	int fds[2][2];
	pid_t pid[2];
	for (int i = 0; i < 2; i++) {
		UT_OK(pipe(fds[i]));
		pid[i] = fork();
		UT_ASSERT(pid[i] >= 0);
		if (pid[i] == 0) {
			close(fds[i][0]);
			VMEMcache *c = utp_open(where, 2 * MIB, 256);
			char out[PATH_MAX] = "";
			if (c != NULL)
				snprintf(out, sizeof(out), "%s", utp_report(c).path);
			else if (errno != EBUSY)
				_exit(2);
			if (write(fds[i][1], out, sizeof(out)) != (ssize_t)sizeof(out))
				_exit(3);
			ut_sleep_ms(300);
			_exit(c != NULL ? 0 : 1);
		}
		close(fds[i][1]);
	}
	int ok = 0;
	for (int i = 0; i < 2; i++) {
		UT_ASSERTeq(read(fds[i][0], p[i], PATH_MAX), PATH_MAX);
		close(fds[i][0]);
		int st;
		UT_ASSERTeq(waitpid(pid[i], &st, 0), pid[i]);
		UT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) <= 1);
		ok += WEXITSTATUS(st) == 0;
	}
	return ok;
}

/* test_lock_processes -- racing processes: one file each or one winner */
static void
test_lock_processes(void)
{
	char p[2][PATH_MAX];
	snprintf(path, sizeof(path), "%s/race.pool", ut_tmpdir());
	for (int i = 0; i < 3; i++)
		UT_ASSERTeq(race(path, p), 1);
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/racedir", ut_tmpdir());
	UT_OK(mkdir(dir, 0700));
	UT_ASSERTeq(race(dir, p), 2);
	UT_ASSERT(strcmp(p[0], p[1]) != 0);
}

/* owned_open -- a cache with owner tag `who` (NULL: none) over where */
static VMEMcache *
owned_open(const char *where, const char *who)
{
	return utp_open_owned(where, 2 * MIB, 0, who);
}

/* owned_entries -- (re)opens where as `who`; the pool's file and entries */
static unsigned long long
owned_entries(const char *where, const char *who, char *file)
{
	VMEMcache *c = owned_open(where, who);
	UT_ASSERT(c != NULL);
	struct cellar_reattach r = utp_report(c);
	snprintf(file, PATH_MAX, "%s", r.path);
	vmemcache_delete(c);
	return r.entries_recovered;
}

/*
 * test_owner -- a pool is reattached only by its owner: in a directory
 * another owner (no tag is an owner too) makes a pool beside it and
 * leaves it untouched; an explicit file of another owner is refused with
 * EACCES and left as it is; a damaged header belongs to nobody
 */
static void
test_owner(void)
{
	char dir[PATH_MAX], file[PATH_MAX], other[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/owners", ut_tmpdir());
	UT_OK(mkdir(dir, 0700));

	VMEMcache *c = owned_open(dir, "alice");
	UT_ASSERT(c != NULL);
	UT_OK(vmemcache_put(c, "k", 1, "alice's", 7));
	snprintf(file, sizeof(file), "%s", utp_report(c).path);
	vmemcache_delete(c);

	/* bob and the untagged owner each make their own, later reattach it */
	UT_ASSERTeq(owned_entries(dir, "bob", other), 0);
	UT_ASSERT(strstr(other, "/cellar-1.pool") != NULL);
	c = owned_open(dir, "bob");
	UT_ASSERT(c != NULL);
	UT_ASSERTeq(vmemcache_exists(c, "k", 1, NULL), 0);
	UT_OK(vmemcache_put(c, "k", 1, "bob's", 5));
	vmemcache_delete(c);
	UT_ASSERTeq(owned_entries(dir, NULL, other), 0);
	UT_ASSERT(strstr(other, "/cellar-2.pool") != NULL);

	/* alice gets her own pool back, whole */
	char back[PATH_MAX];
	UT_ASSERTeq(owned_entries(dir, "alice", back), 1);
	UT_ASSERT(strcmp(back, file) == 0);
	c = owned_open(dir, "alice");
	UT_ASSERT(c != NULL);
	char got[16] = {0};
	UT_ASSERTeq(vmemcache_get(c, "k", 1, got, sizeof(got), 0, NULL), 7);
	UT_ASSERT(memcmp(got, "alice's", 7) == 0);
	vmemcache_delete(c);
	c = owned_open(dir, "bob");
	UT_ASSERT(c != NULL);
	UT_ASSERTeq(vmemcache_get(c, "k", 1, got, sizeof(got), 0, NULL), 5);
	UT_ASSERT(memcmp(got, "bob's", 5) == 0);
	vmemcache_delete(c);

	/* an explicit file: refused, byte for byte as it was */
	size_t size;
	unsigned char *map = utp_map(file, &size);
	unsigned char *before = ut_malloc(size);
	memcpy(before, map, size);
	munmap(map, size);
	UT_ASSERT(owned_open(file, "mallory") == NULL);
	UT_ASSERTeq(errno, EACCES);
	UT_ASSERTm(strstr(vmemcache_errormsg(), "another owner") != NULL &&
			strstr(vmemcache_errormsg(), file) != NULL,
			"%s", vmemcache_errormsg());
	map = utp_map(file, &size);
	UT_ASSERT(memcmp(before, map, size) == 0);
	munmap(map, size);
	free(before);

	/* a tag is zero padded: "alice" and "alice\0" are one owner */
	c = vmemcache_new();
	UT_ASSERT(c != NULL);
	UT_OK(cellar_set_owner(c, "alice\0", 6));
	UT_OK(cellar_add_persistent(c, file));
	UT_ASSERTeq(utp_report(c).entries_recovered, 1);
	vmemcache_delete(c);

	/* a damaged header names nobody: set aside by whoever opens it */
	utp_flip(file, offsetof(struct pool_hdr, owner), 1);
	c = owned_open(file, "mallory");
	UT_ASSERT(c != NULL);
	UT_ASSERTeq(utp_report(c).state, CELLAR_POOL_RECREATED);
	vmemcache_delete(c);

	/* bad arguments */
	UT_ERR(cellar_set_owner(NULL, "a", 1), EINVAL);
	c = vmemcache_new();
	UT_ERR(cellar_set_owner(c, NULL, 1), EINVAL);
	UT_ERR(cellar_set_owner(c, dir, CELLAR_OWNER_MAX + 1), EINVAL);
	UT_OK(cellar_set_owner(c, NULL, 0));
	UT_OK(cellar_add_dram(c));
	UT_ERR(cellar_set_owner(c, "a", 1), EALREADY);
	vmemcache_delete(c);
}

static int
count_key(const void *key, size_t key_size, void *arg)
{
	(void) key;
	(void) key_size;
	(*(unsigned *)arg)++;
	return 0;
}

/*
 * test_tier -- a DRAM tier over a persistent pool: what was demoted comes
 * back after a restart; a hit below copies the value up and the pool keeps
 * its copy, so the hot set survives the next restart too; an eviction of
 * the kept copy while the top holds the key does not report it gone
 */
static void
test_tier(void)
{
	snprintf(path, sizeof(path), "%s/tier.pool", ut_tmpdir());
	unsigned char below[100] = {0};
	for (int round = 0; round < 3; round++) {
		VMEMcache *top = ut_cache_new(MIB, 4096, VMEMCACHE_REPLACEMENT_LRU, 1);
		VMEMcache *bot = utp_open(path, 4 * MIB, 4096);
		UT_ASSERT(bot != NULL);
		VMEMcache *cs[2] = {top, bot};
		cellar_tier *t = cellar_tier_new(cs, 2);
		UT_ASSERT(t != NULL);
		UT_OK(cellar_tier_journal_enable(t, 64));
		char *v = ut_malloc(60 * KIB), *got = ut_malloc(60 * KIB);
		if (round == 0) {
			UT_ASSERTeq(utp_report(bot).state, CELLAR_POOL_NEW);
			for (uint32_t k = 0; k < 60; k++) {
				ut_fill(v, 60 * KIB, k);
				UT_OK(cellar_tier_put(t, &k, sizeof(k), v, 60 * KIB));
			}
			unsigned n = 0;
			for (uint32_t k = 0; k < 60; k++)
				n += below[k] = vmemcache_exists(bot, &k,
						sizeof(k), NULL) == 1;
			UT_ASSERT(n > 20);
		} else {
			UT_ASSERTeq(utp_report(bot).state, CELLAR_POOL_CLEAN);
			uint32_t last = 0;
			for (uint32_t k = 0; k < 60; k++) {
				if (!below[k])
					continue;
				ut_fill(v, 60 * KIB, k);
				unsigned idx = 9;
				UT_ASSERT(cellar_tier_get(t, &k, sizeof(k), got,
						60 * KIB, 0, NULL, &idx) ==
						(ssize_t)(60 * KIB));
				UT_ASSERTeq(idx, 1);
				UT_ASSERT(memcmp(v, got, 60 * KIB) == 0);
				/* copied up, and kept below */
				UT_ASSERTeq(vmemcache_exists(top, &k, sizeof(k),
						NULL), 1);
				UT_ASSERTeq(vmemcache_exists(bot, &k, sizeof(k),
						NULL), 1);
				last = k;
			}
			struct cellar_tier_stats ts;
			UT_OK(cellar_tier_stats_get(t, &ts));
			UT_ASSERT(ts.promotions > 20);
			UT_ASSERTeq(ts.dropped, 0);
			if (round == 2) {
				/* the kept copy goes; the key is still on top */
				UT_OK(vmemcache_evict(bot, &last, sizeof(last)));
				UT_ASSERTeq(vmemcache_exists(top, &last,
						sizeof(last), NULL), 1);
				below[last] = 0;
			}
			int over = 0;
			unsigned left = 0;
			UT_ASSERTeq(cellar_tier_journal_drain(t, 64, count_key,
					&left, &over), 0);
			UT_ASSERTeq(left, 0);
			UT_OK(cellar_tier_stats_get(t, &ts));
			UT_ASSERTeq(ts.dropped, 0);
		}
		free(v);
		free(got);
		cellar_tier_delete(t);
		vmemcache_delete(top);
		vmemcache_delete(bot);
	}
}

/* wd_stack -- a DRAM tier of top_size over the persistent pool at path */
static cellar_tier *
wd_stack(VMEMcache *cs[2], size_t top_size, size_t bot_size)
{
	cs[0] = ut_cache_new(top_size, 4096, VMEMCACHE_REPLACEMENT_LRU, 1);
	cs[1] = utp_open(path, bot_size, 4096);
	UT_ASSERT(cs[1] != NULL);
	cellar_tier *t = cellar_tier_new(cs, 2);
	UT_ASSERT(t != NULL);
	return t;
}

static void
wd_close(cellar_tier *t, VMEMcache *cs[2])
{
	cellar_tier_delete(t);
	vmemcache_delete(cs[0]);
	vmemcache_delete(cs[1]);
}

/*
 * test_write_down -- a clean stop writes the DRAM tier down: a restart
 * finds every entry; where the pool cannot hold them all it keeps the
 * hottest; a kept copy is not written twice; a budget of 0 times out
 */
static void
test_write_down(void)
{
	snprintf(path, sizeof(path), "%s/down.pool", ut_tmpdir());
	VMEMcache *cs[2];
	char *v = ut_malloc(60 * KIB), *got = ut_malloc(60 * KIB);

	/* 12 values fit on top: without a write-down they would be lost */
	cellar_tier *t = wd_stack(cs, MIB, 4 * MIB);
	for (uint32_t k = 0; k < 12; k++) {
		ut_fill(v, 60 * KIB, k);
		UT_OK(cellar_tier_put(t, &k, sizeof(k), v, 60 * KIB));
	}
	UT_ASSERTeq(ut_stat(cs[1], VMEMCACHE_STAT_ENTRIES), 0);
	unsigned long long written = 0;
	UT_OK(cellar_tier_write_down(t, 10000, &written));
	UT_ASSERTeq(written, 12);
	UT_ASSERTeq(ut_stat(cs[0], VMEMCACHE_STAT_ENTRIES), 0);
	/* the stack stays usable; a second write-down finds nothing */
	UT_ASSERT(cellar_tier_get(t, "\0\0\0\0", 4, got, 60 * KIB, 0, NULL,
			NULL) == (ssize_t)(60 * KIB));
	UT_OK(cellar_tier_write_down(t, 10000, &written));
	UT_ASSERTeq(written, 1); /* the promoted key, kept below: no write */
	wd_close(t, cs);

	t = wd_stack(cs, MIB, 4 * MIB);
	UT_ASSERTeq(utp_report(cs[1]).entries_recovered, 12);
	for (uint32_t k = 0; k < 12; k++) {
		ut_fill(v, 60 * KIB, k);
		unsigned idx = 9;
		UT_ASSERT(cellar_tier_get(t, &k, sizeof(k), got, 60 * KIB, 0,
				NULL, &idx) == (ssize_t)(60 * KIB));
		UT_ASSERTeq(idx, 1);
		UT_ASSERT(memcmp(v, got, 60 * KIB) == 0);
	}
	UT_ERR(cellar_tier_write_down(t, 0, &written), ETIMEDOUT);
	UT_ASSERTeq(written, 0);
	UT_ERR(cellar_tier_write_down(NULL, 1, NULL), EINVAL);
	wd_close(t, cs);
	unlink(path);

	/*
	 * a pool smaller than the top: the most recently used survive. Keys
	 * 0..23 go on top, then 0..11 are read again, so 12..23 are the
	 * coldest and go down first, and 0..11 win the pool's room (about
	 * 15 values)
	 */
	t = wd_stack(cs, 2 * MIB, MIB);
	for (uint32_t k = 0; k < 24; k++) {
		ut_fill(v, 60 * KIB, k);
		UT_OK(cellar_tier_put(t, &k, sizeof(k), v, 60 * KIB));
	}
	UT_ASSERTeq(ut_stat(cs[0], VMEMCACHE_STAT_ENTRIES), 24);
	for (uint32_t k = 0; k < 12; k++)
		UT_ASSERT(cellar_tier_get(t, &k, sizeof(k), got, 60 * KIB, 0,
				NULL, NULL) == (ssize_t)(60 * KIB));
	UT_OK(cellar_tier_write_down(t, 10000, &written));
	unsigned kept = (unsigned)ut_stat(cs[1], VMEMCACHE_STAT_ENTRIES);
	UT_ASSERTm(kept >= 12 && kept < 24, "%u kept", kept);
	for (uint32_t k = 0; k < 12; k++)
		UT_ASSERTm(vmemcache_exists(cs[1], &k, sizeof(k), NULL) == 1,
				"hot key %u was not kept", k);
	wd_close(t, cs);
	free(v);
	free(got);
}

int
main(void)
{
	ut_start("test_persist");
	test_args();
	test_clean_reattach();
	test_unclean();
	test_corrupt_value();
	test_corrupt_entry_header();
	test_overlapping_fragments();
	test_bad_files();
	test_adopt_only_ours();
	test_set_aside_bounded();
	test_size_kept();
	test_lock_in_process();
	test_lock_processes();
	test_owner();
	test_tier();
	test_write_down();
	return ut_done();
}
