/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cellar.h -- what Cellar's engine adds to the libvmemcache API
 *
 * DRAM pools, persistent file pools, pinned zero-copy reads, atomic
 * replace, removal without the eviction callback, statistics in one call,
 * media facts, key listings, eviction journals and tier stacks.
 * Every function here follows libvmemcache's error convention: -1 (or NULL)
 * with errno set and vmemcache_errormsg() describing the error.
 */
#ifndef CELLAR_H
#define CELLAR_H 1

#include <limits.h>
#include <stdint.h>

#include "libvmemcache.h"

#ifdef __cplusplus
extern "C" {
#endif

/* bumped whenever a signature or a struct below changes */
#define CELLAR_ABI_VERSION 4

/* cellar_abi_version -- CELLAR_ABI_VERSION of the library actually loaded */
int cellar_abi_version(void);

/* cellar_errno_name -- "ENOSPC" for ENOSPC, ...; "E?" for an unknown code */
const char *cellar_errno_name(int err);

/*
 * cellar_add_dram -- gives the cache a pool in anonymous memory of the size
 * set by vmemcache_set_size() (VMEMCACHE_MIN_POOL when none was set): the
 * DRAM tier, with no file at all. Errors as vmemcache_add(), plus ENOMEM.
 */
int cellar_add_dram(VMEMcache *cache);

/*
 * cellar_add_persistent -- gives the cache a pool file that survives the
 * process, instead of vmemcache_add(). Lifecycle: vmemcache_new, setters,
 * cellar_add_persistent, use, vmemcache_delete (a clean close: every value
 * and the header are made durable, msync or libpmem on DAX, and the pool is
 * marked clean). Later processes reattach it.
 *
 * `path` is either
 * - an existing directory shared by several processes: the cache takes the
 *   first file `<dir>/cellar-<n>.pool` it can lock, preferring one with
 *   contents (so a restarted process takes over its predecessor's file),
 *   else creates the lowest free name; or
 * - one file (created when absent; its directory must exist), which fails
 *   with EBUSY when another process or another cache holds it.
 * A file is held by one cache at a time through flock(2) on its own open
 * file description, so a second cache of the same process is refused too.
 *
 * An existing pool keeps its size and extent size (the configured ones only
 * size a new file). A pool file that cannot be reattached (another format
 * version, a bad or truncated header, garbage) is renamed to
 * `<file>.bad-<seconds>-<pid>` and a new one is made; the report says so.
 *
 * Reattach cost (cellar_reattach_get gives the figures):
 * - after a clean close: every entry header, its key and its fragment chain
 *   are checked (header checksum, bounds, overlaps) and the scan jumps over
 *   entries and free runs, so the time grows with the number of entries,
 *   not the bytes. Values are checked lazily: the first get or pin of an
 *   entry hashes its value once (one extra read of it); an entry whose
 *   value fails is dropped (counted in cellar_stats.corrupt, on_evict runs)
 *   and the read is a miss.
 * - after an unclean stop (kill -9, crash): the pool's head map (a byte per
 *   extent at the end of the file, set by a put before the entry's magic
 *   and cleared by a free) is read, and only the extents it flags are
 *   examined, so the time again grows with the entries (plus one byte per
 *   extent), not the bytes; of overlapping entries or two of one key the
 *   newest (higher sequence number) wins. Values are checked lazily, as
 *   after a clean close. A torn entry is never returned. An entry whose
 *   map byte a power loss kept from the medium is lost, never wrong.
 * Checksum: cks64, a four-lane multiply-rotate hash in the style of
 * xxHash64 seeded with the pool's random id, folded to 32 bits; puts into
 * a persistent pool hash the value while copying it.
 * LRU order after a reattach is the order the entries were written.
 *
 * Errors: as vmemcache_add(), plus EBUSY (the file is locked), EINVAL (a
 * device, or a path that is neither a directory nor a regular file), and
 * any errno of open, flock, fallocate, mmap or rename.
 */
int cellar_add_persistent(VMEMcache *cache, const char *path);

/* replacement policies of cellar_set_policy */
enum cellar_policy {
	CELLAR_POLICY_NONE,   /* never evicts (VMEMCACHE_REPLACEMENT_NONE) */
	CELLAR_POLICY_LRU,    /* least recently used (VMEMCACHE_REPLACEMENT_LRU) */
	CELLAR_POLICY_S3FIFO, /* scan-resistant S3-FIFO */
	CELLAR_POLICY_COUNT
};

/*
 * cellar_set_policy -- the replacement policy, one of vmemcache's (NONE,
 * LRU: vmemcache_set_eviction_policy sets those too, and LRU is the
 * default) or CELLAR_POLICY_S3FIFO, in the spirit of S3-FIFO (Yang et al.,
 * SOSP 2023):
 * - a new entry joins a small probationary FIFO of a tenth of the bytes;
 * - a hit raises the entry's 2-bit use count, without a lock or the LRU's
 *   ring (reads stay lock-free and cost one relaxed store);
 * - at the small FIFO's head an entry that was hit moves to the main FIFO,
 *   one that was not is evicted and its key's hash kept in a ghost table
 *   (twice the entries, a slot per hash), so that if it is put again soon
 *   it goes straight to the main FIFO;
 * - the main FIFO is a CLOCK: a used entry at its head goes round again
 *   with one use less, an unused one is evicted.
 * A scan whose entries are read once passes through the small FIFO and
 * leaves the main FIFO, the entries read again and again, in place. A
 * reattached persistent pool's entries start in the small FIFO. Call before
 * the pool is added. Errors: EINVAL (NULL cache, unknown policy), EALREADY
 * (the cache already has its pool).
 */
int cellar_set_policy(VMEMcache *cache, enum cellar_policy policy);

/* the longest owner tag of cellar_set_owner */
#define CELLAR_OWNER_MAX 32

/*
 * cellar_set_owner -- tags the persistent pool this cache makes with
 * `size` bytes (at most CELLAR_OWNER_MAX; zero padded, so a shorter tag
 * equals its padded form) naming who owns it, for example a digest of the
 * principal whose data it caches. The default is no tag (all zero). Call
 * before cellar_add_persistent.
 *
 * A new pool records the tag in its header (under the header checksum).
 * In a pool directory, cellar_add_persistent passes over every file whose
 * intact header names another owner, so each owner reattaches only its own
 * pools and another owner makes a pool of its own beside them (space for
 * both must be there). An explicit pool file of another owner fails with
 * EACCES and is left untouched. A file whose header is damaged belongs to
 * nobody and is set aside as usual.
 *
 * Errors: EINVAL (NULL cache, NULL owner with a size, size too large),
 * EALREADY (the cache already has its pool).
 */
int cellar_set_owner(VMEMcache *cache, const void *owner, size_t size);

/* how a persistent pool was attached */
enum cellar_pool_state {
	CELLAR_POOL_NEW,        /* a new, empty file */
	CELLAR_POOL_CLEAN,      /* reattached after a clean close */
	CELLAR_POOL_RECOVERED,  /* reattached after an unclean stop */
	CELLAR_POOL_RECREATED,  /* the old file was set aside; a new one made */
	CELLAR_POOL_STATE_COUNT
};

/* what cellar_add_persistent found and did */
struct cellar_reattach {
	char path[PATH_MAX];                 /* the pool file */
	enum cellar_pool_state state;
	unsigned long long entries_recovered;
	unsigned long long entries_dropped;  /* headers found but rejected */
	unsigned long long bytes_recovered;  /* value bytes of those recovered */
	unsigned long long elapsed_ns;       /* open + reattach time */
	char message[512];                   /* why a file was set aside, ... */
};

/*
 * cellar_reattach_get -- fills *out; EINVAL for NULL arguments or a cache
 * without a persistent pool. Thread-safe (the report never changes).
 */
int cellar_reattach_get(VMEMcache *cache, struct cellar_reattach *out);

/*
 * cellar_seal -- makes a persistent pool clean now, for a caller that must
 * stop while pins are still out (vmemcache_delete needs every pin
 * released). Entries that left the cache while pinned are cleared from the
 * pool first, so none comes back at the next reattach; the pool is made
 * durable and its header marked clean. Afterwards only pin releases and
 * vmemcache_delete may follow (puts fail with EROFS); vmemcache_delete
 * still does the full clean close. The next reattach is clean, but steps
 * through free space an extent at a time. 0 for a cache whose pool does
 * not persist; EINVAL for NULL.
 */
int cellar_seal(VMEMcache *cache);

/*
 * cellar_replace -- puts `value` under `key`, replacing an existing value in
 * one step: a concurrent reader sees either the old or the new value whole.
 * The replaced entry does not count as evicted and on_evict does not run for
 * it. If the key is being evicted, the replace waits until its on_evict
 * returns. Errors as vmemcache_put() except EEXIST, plus EBUSY when called
 * from the on_evict callback of the very key it replaces.
 */
int cellar_replace(VMEMcache *cache, const void *key, size_t key_size,
		const void *value, size_t value_size);

/* one piece of a value given in pieces */
struct cellar_iov {
	const void *base;
	size_t len;
};

/*
 * cellar_putv -- as vmemcache_put(), with the value given as `iovcnt` pieces
 * that are stored one after the other, so that a value built in several
 * buffers reaches the pool in one copy. EINVAL for a NULL iov with a
 * non-zero count or a NULL base with a non-zero length.
 */
int cellar_putv(VMEMcache *cache, const void *key, size_t key_size,
		const struct cellar_iov *iov, unsigned iovcnt);

/*
 * cellar_remove -- removes the entry of `key` without running on_evict and
 * without counting an eviction (used by tiers to promote). ENOENT if absent.
 */
int cellar_remove(VMEMcache *cache, const void *key, size_t key_size);

/*
 * A pinned entry. Fields are read-only for the caller; `addr`/`size` of part
 * 0 are copied here for the common single-piece case.
 */
typedef struct cellar_pin {
	const void *addr;   /* first piece of the value (NULL if size is 0) */
	size_t first_len;   /* bytes of the value in the first piece */
	size_t size;        /* the value's full size */
	unsigned nparts;    /* pieces; 1 when the value is contiguous */
	void *priv_entry;   /* engine's own; do not touch */
	VMEMcache *priv_cache;
} cellar_pin;

/*
 * cellar_pin_get -- pins the entry of `key`: its memory stays valid and
 * unchanged until cellar_pin_release(), even if it is evicted meanwhile.
 * The space of an evicted pinned entry is reused only after the release:
 * LRU eviction passes over entries that readers hold (among the 32 least
 * recently used) when it can, and a put that needs such space waits for the
 * release, up to the put wait (cellar_set_put_wait), without blocking other
 * readers. Counts a hit and marks the entry used, like a get; a miss counts
 * a miss and fails with ENOENT (on_miss is not called).
 * The memory is the pool's: the caller must not write to it.
 */
int cellar_pin_get(VMEMcache *cache, const void *key, size_t key_size,
		cellar_pin *pin);

/*
 * cellar_set_put_wait -- how long (milliseconds) a put may wait for readers
 * and pins of evicted entries to release the space it needs before failing
 * with ENOSPC; default 1000. May be called at any time.
 */
int cellar_set_put_wait(VMEMcache *cache, unsigned long ms);

/*
 * cellar_pin_part -- the idx-th piece of a pinned value, in order; EINVAL
 * when idx >= nparts.
 */
int cellar_pin_part(const cellar_pin *pin, unsigned idx, const void **addr,
		size_t *len);

/* cellar_pin_release -- ends a pin; a released or zeroed pin is ignored */
void cellar_pin_release(cellar_pin *pin);

/* all counters of one cache, read at once */
struct cellar_stats {
	unsigned long long puts, gets, hits, misses, evictions;
	unsigned long long entries;        /* in the index now */
	unsigned long long dram_used;      /* as VMEMCACHE_STAT_DRAM_SIZE_USED */
	unsigned long long pool_used;      /* as VMEMCACHE_STAT_POOL_SIZE_USED */
	unsigned long long heap_entries;   /* free pieces of the pool */
	unsigned long long pool_size;      /* bytes the pool can give values */
	unsigned long long replaces;       /* successful cellar_replace calls */
	unsigned long long pinned;         /* pins held now */
	unsigned long long put_fragments;  /* puts that had to split a value */
	unsigned long long corrupt;        /* reattached entries that failed a lazy check */
};

/* cellar_stats_get -- fills *out; EINVAL for NULL arguments */
int cellar_stats_get(VMEMcache *cache, struct cellar_stats *out);

/* facts about the pool's medium */
struct cellar_media {
	int dram;           /* anonymous memory pool */
	int devdax;         /* device-DAX character device */
	int libpmem;        /* libpmem was found and loaded at run time */
	int is_pmem;        /* pmem_is_pmem() said yes: user-space flushing */
	int map_sync;       /* mapped with MAP_SYNC */
};

/* cellar_media_get -- fills *out; EINVAL before add or for NULL arguments */
int cellar_media_get(VMEMcache *cache, struct cellar_media *out);

/*
 * cellar_prefault -- commits the memory of a DRAM pool (one made with
 * cellar_add_dram) ahead of the puts that will fill it, so that a put copies
 * into memory already there instead of faulting it in, and asks for
 * transparent huge pages as it goes (the pool is not advised so at creation:
 * a fault in an advised range may wait for the kernel to compact memory).
 * Commits at most `len` bytes from byte `offset` of the pool (puts fill the
 * pool from its start), ending on a 2 MiB boundary, and leaves every byte as
 * it is: safe while other threads use the cache. Call it from a thread of
 * its own, in slices, to spread the cost. Returns the offset after the
 * committed range, the pool's size once offset reaches it; -1 with errno
 * EINVAL for a NULL cache or one without a pool, ENOTSUP for a pool that is
 * not DRAM or a kernel that cannot commit memory ahead of use (before Linux
 * 5.14), or the error of the commit (ENOMEM).
 */
long long cellar_prefault(VMEMcache *cache, size_t offset, size_t len);

/*
 * A key handed to a caller's function; the bytes are valid during the call
 * only. For listings a non-zero return stops the listing.
 */
typedef int cellar_key_fn(const void *key, size_t key_size, void *arg);

/*
 * cellar_keys_list -- calls fn on the key of every entry. Thread-safe with
 * every other call: a key present for the whole listing is listed once; a
 * key put or evicted meanwhile may or may not be. fn runs with no engine
 * lock held (keys are copied out one index shard at a time), so it may call
 * the cache. Returns 0 (also when fn stopped it); EINVAL for NULL arguments
 * or a cache without a pool, ENOMEM.
 */
int cellar_keys_list(VMEMcache *cache, cellar_key_fn *fn, void *arg);

/* most keys an eviction journal may hold */
#define CELLAR_JOURNAL_MAX ((size_t)1 << 26)

/*
 * cellar_journal_enable -- from now on, every key that leaves the cache
 * (LRU eviction, vmemcache_evict, a failed lazy check; not cellar_remove or
 * cellar_replace) is appended to a queue of `capacity` keys. A key that
 * finds the queue full is not kept and the journal records an overflow.
 * Enable it before the cache is shared, or accept that evictions racing
 * the call may be missed. A cache in a tier stack should not have one (it
 * would list demotions): use cellar_tier_journal_enable. EINVAL for a NULL
 * cache or a capacity of 0 or over CELLAR_JOURNAL_MAX; EALREADY when
 * enabled before; ENOMEM.
 */
int cellar_journal_enable(VMEMcache *cache, size_t capacity);

/*
 * cellar_journal_drain -- removes up to max_keys keys, oldest first, calls
 * fn (may be NULL) on each with no lock held, sets *overflowed to whether
 * keys were lost since the last drain (and clears that): the caller must
 * then resync from cellar_keys_list. Returns the number of keys, or -1:
 * EINVAL for NULL arguments or a cache without a journal, ENOMEM.
 * Thread-safe; concurrent drains each get different keys.
 */
long cellar_journal_drain(VMEMcache *cache, size_t max_keys,
		cellar_key_fn *fn, void *arg, int *overflowed);

/*
 * Tier stacks: caches top to bottom (e.g. a DRAM pool over a file pool).
 * An entry evicted from a tier is demoted into the next one; a hit in a
 * lower tier is promoted to the top: every hit in an LRU tier, a repeated
 * hit in an S3-FIFO tier (a second read since the entry was queued there or
 * last promoted; a single read is served from the lower tier in place). A persistent tier keeps its copy of
 * what it promotes (so a hot value survives a stop, and its later demotion
 * writes nothing); any other tier lets it go, so there an entry lives in
 * one tier. The stack does not own its caches: delete the stack first, then
 * the caches. It installs its own on_evict on every cache; do not change
 * them while the stack exists. All calls are thread-safe.
 */
typedef struct cellar_tier cellar_tier;

#define CELLAR_TIER_MAX 8

/*
 * cellar_tier_new -- a stack of `n` (1..CELLAR_TIER_MAX) distinct caches
 * that already have pools. EINVAL otherwise; NULL with errno set.
 */
cellar_tier *cellar_tier_new(VMEMcache *const *caches, unsigned n);

/* cellar_tier_delete -- frees the stack (not its caches); NULL is ignored */
void cellar_tier_delete(cellar_tier *tier);

/*
 * cellar_tier_callback_on_evict -- called when an entry leaves the stack:
 * evicted from the bottom tier or not demotable, with the cache it left and
 * its key. Entries removed by cellar_tier_evict() or replaced do not count.
 */
void cellar_tier_callback_on_evict(cellar_tier *tier,
		vmemcache_on_evict *evict, void *arg);

/*
 * cellar_tier_put -- puts into the top tier; EEXIST if any tier has the key;
 * ENOSPC if the value fits in no tier (it goes into the highest that can hold
 * it).
 */
int cellar_tier_put(cellar_tier *tier, const void *key, size_t key_size,
		const void *value, size_t value_size);

/* cellar_tier_putv -- cellar_tier_put() of a value given in pieces */
int cellar_tier_putv(cellar_tier *tier, const void *key, size_t key_size,
		const struct cellar_iov *iov, unsigned iovcnt);

/*
 * cellar_tier_replace -- removes the key from every tier, then puts the new
 * value into the highest tier that can hold it (a concurrent reader may miss
 * the key in between; it never sees the old value after the call returns)
 */
int cellar_tier_replace(cellar_tier *tier, const void *key, size_t key_size,
		const void *value, size_t value_size);

/*
 * cellar_tier_get -- as vmemcache_get() over the stack; *tier_idx (if not
 * NULL) is the tier that held the entry when it was found. A hit below the
 * top is promoted when the top can hold the value: it leaves a tier that is
 * not persistent first, so a concurrent reader may miss it for that
 * moment, and a newer value put meanwhile wins over the promoted one.
 */
ssize_t cellar_tier_get(cellar_tier *tier, const void *key, size_t key_size,
		void *vbuf, size_t vbufsize, size_t offset, size_t *vsize,
		unsigned *tier_idx);

/* cellar_tier_pin_get -- as cellar_pin_get() over the stack, with promotion */
int cellar_tier_pin_get(cellar_tier *tier, const void *key, size_t key_size,
		cellar_pin *pin, unsigned *tier_idx);

/* cellar_tier_exists -- 1 (setting *vsize and *tier_idx) when present, 0 when not */
int cellar_tier_exists(cellar_tier *tier, const void *key, size_t key_size,
		size_t *vsize, unsigned *tier_idx);

/* cellar_tier_evict -- removes the key from whichever tier holds it */
int cellar_tier_evict(cellar_tier *tier, const void *key, size_t key_size);

/*
 * cellar_tier_keys_list -- as cellar_keys_list() over the stack: each key
 * once, whichever tier holds it (tiers are listed top to bottom into one
 * set, so a key demoted during the listing is not lost nor doubled).
 */
int cellar_tier_keys_list(cellar_tier *tier, cellar_key_fn *fn, void *arg);

/*
 * cellar_tier_journal_enable -- as cellar_journal_enable() for keys that
 * leave the whole stack: evicted from the bottom tier or not demotable,
 * dropped by a failed promotion, or removed by cellar_tier_evict().
 * Demotion, promotion and cellar_tier_replace do not count.
 */
int cellar_tier_journal_enable(cellar_tier *tier, size_t capacity);

/* cellar_tier_journal_drain -- as cellar_journal_drain() for a stack */
long cellar_tier_journal_drain(cellar_tier *tier, size_t max_keys,
		cellar_key_fn *fn, void *arg, int *overflowed);

/*
 * cellar_tier_write_down -- before a clean stop: empties every tier above a
 * persistent one into the tier below it, least recently used first (the
 * demotion of an eviction), so that the persistent tier holds the whole
 * stack's contents when its cache is deleted and a restarted process finds
 * its hot set too. The hottest entries are written last and so come back
 * as the most recent. Where the persistent tier cannot hold everything,
 * its own least recently used entries make room, as in any demotion. An
 * entry a persistent tier already keeps (it served the hit that promoted
 * it) is not written again. Takes at most about budget_ms; *written (if
 * not NULL) gets the number of entries moved down. The stack stays usable,
 * with its upper tiers empty.
 *
 * Errors: EINVAL (NULL stack), ETIMEDOUT (the budget ran out; what was
 * written stays written), and any error of an eviction.
 */
int cellar_tier_write_down(cellar_tier *tier, unsigned long budget_ms,
		unsigned long long *written);

/* per-stack movement counters */
struct cellar_tier_stats {
	unsigned long long promotions;   /* hits below the top copied up */
	unsigned long long demotions;    /* evictions moved one tier down */
	unsigned long long dropped;      /* evictions that left the stack */
};

/* cellar_tier_count -- number of tiers */
unsigned cellar_tier_count(const cellar_tier *tier);

/* cellar_tier_cache -- the idx-th cache, top is 0; NULL if out of range */
VMEMcache *cellar_tier_cache(const cellar_tier *tier, unsigned idx);

/* cellar_tier_stats_get -- fills the stack's movement counters */
int cellar_tier_stats_get(cellar_tier *tier, struct cellar_tier_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* CELLAR_H */
