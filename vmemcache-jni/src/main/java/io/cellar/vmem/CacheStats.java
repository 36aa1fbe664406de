// SPDX-License-Identifier: Apache-2.0
// CacheStats.java -- all counters of one cache, read at once (struct cellar_stats)
package io.cellar.vmem;

/**
 * All counters of one cache, read at once; mirrors the engine's {@code struct cellar_stats}.
 *
 * @param puts successful puts
 * @param gets gets, always {@code hits + misses}
 * @param hits gets and pins that found their key
 * @param misses gets and pins that did not
 * @param evictions entries evicted, by the replacement policy or by key
 * @param entries entries in the cache now
 * @param dramUsed DRAM bytes of the engine's index and bookkeeping
 * @param poolUsed pool bytes holding values
 * @param heapEntries free pieces of the pool
 * @param poolSize bytes the pool can give values
 * @param replaces successful replaces
 * @param pinned pins held now
 * @param putFragments puts that had to split a value into several pieces
 * @param corrupt entries of a reattached persistent pool dropped because their value failed its
 *     checksum at the first read
 */
public record CacheStats(
    long puts,
    long gets,
    long hits,
    long misses,
    long evictions,
    long entries,
    long dramUsed,
    long poolUsed,
    long heapEntries,
    long poolSize,
    long replaces,
    long pinned,
    long putFragments,
    long corrupt) {

  /** Number of counters, the length of the array the glue fills. */
  static final int FIELDS = 14;

  static CacheStats of(long[] v) {
    return new CacheStats(
        v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12],
        v[13]);
  }
}
