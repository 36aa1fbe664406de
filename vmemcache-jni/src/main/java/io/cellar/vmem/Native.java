// SPDX-License-Identifier: Apache-2.0
// Native.java -- every native method of Cellar; the glue is native/jni/jni_*.c
package io.cellar.vmem;

import java.nio.ByteBuffer;

/**
 * The native methods, one per glue entry point. Callers hold a {@link NativeCache}'s read lock and
 * have checked every argument; the glue checks them again and turns an engine error into a pending
 * exception (see {@link CellarException}).
 *
 * <p>Data calls take a {@code kind}: {@link #KIND_CACHE} for a {@code VMEMcache *} handle, {@link
 * #KIND_TIER} for a {@code cellar_tier *} handle. Sizes and offsets are {@code long}, as {@code
 * size_t} is in C.
 */
final class Native {
  /** The handle is a {@code VMEMcache *}. */
  static final int KIND_CACHE = 0;

  /** The handle is a {@code cellar_tier *}. */
  static final int KIND_TIER = 1;

  /** {@link #open}: a temporary file in a directory, or a device-DAX device. */
  static final int MODE_TEMPORARY = 0;

  /** {@link #open}: a persistent pool file ({@code cellar_add_persistent}). */
  static final int MODE_PERSISTENT = 1;

  /** Slots of the {@code out} array of {@link #reattach}. */
  static final int REATTACH_STATE = 0;

  static final int REATTACH_RECOVERED = 1;
  static final int REATTACH_DROPPED = 2;
  static final int REATTACH_BYTES = 3;
  static final int REATTACH_NANOS = 4;
  static final int REATTACH_OUT_LENGTH = 5;

  /** Slots of the {@code out} array of {@link #pin}. */
  static final int PIN_HANDLE = 0;

  static final int PIN_SIZE = 1;
  static final int PIN_TIER = 2;
  static final int PIN_PARTS = 3;
  static final int PIN_ADDRESS = 4;
  static final int PIN_OUT_LENGTH = 5;

  private Native() {}

  /** {@code cellar_abi_version()}: the ABI of the loaded library. */
  static native int abiVersion();

  /**
   * Makes a cache with a pool: {@code vmemcache_new}, the setters, then {@code vmemcache_add}
   * ({@link #MODE_TEMPORARY}) or {@code cellar_add_persistent} ({@link #MODE_PERSISTENT}) of
   * {@code path} or, when {@code path} is null, {@code cellar_add_dram}; then {@code
   * cellar_journal_enable} when {@code journal > 0}. A persistent pool file held by another
   * process or cache raises {@link PoolLockedException}.
   *
   * @param policy {@link Policy#nativeValue()}
   * @param size pool size, 0 for the engine's default
   * @param extentSize allocation unit, 0 for the engine's default
   * @param path the NUL-free bytes of the path, or null for a DRAM pool
   * @param mode {@link #MODE_TEMPORARY} or {@link #MODE_PERSISTENT}
   * @param journal eviction journal capacity, 0 for none
   * @param owner a persistent pool's owner tag ({@code cellar_set_owner}, at most 32 bytes), or
   *     null for none
   * @return the {@code VMEMcache *}
   */
  static native long open(
      int policy, long size, long extentSize, byte[] path, int mode, int journal, byte[] owner);

  /** {@code vmemcache_delete()}. */
  static native void delete(long cache);

  /** {@code cellar_set_put_wait}. */
  static native void setPutWait(long cache, long millis);

  /**
   * {@code cellar_tier_new()} over the given {@code VMEMcache *} handles, top first, then {@code
   * cellar_tier_journal_enable} when {@code journal > 0}.
   */
  static native long tierNew(long[] caches, int journal);

  /** {@code cellar_keys_list} / {@code cellar_tier_keys_list}: every key, once. */
  static native byte[][] keys(int kind, long handle);

  /**
   * {@code cellar_journal_drain} / {@code cellar_tier_journal_drain}: up to {@code max} keys,
   * oldest first; {@code overflowOut[0]} is whether keys were lost since the last drain.
   */
  static native byte[][] drainEvicted(int kind, long handle, int max, boolean[] overflowOut);

  /**
   * {@code cellar_reattach_get}: fills {@code out} ({@link #REATTACH_OUT_LENGTH} longs) and
   * returns {path, message}, or null when the cache's pool is not persistent.
   */
  static native String[] reattach(long cache, long[] out);

  /** {@code cellar_tier_delete()}; the caches stay. */
  static native void tierDelete(long tier);

  /**
   * {@code cellar_tier_write_down()}: the entries moved down within {@code budgetMillis}; running
   * out of time is not an error (the caller compares the time taken with the budget).
   */
  static native long tierWriteDown(long tier, long budgetMillis);

  /** Put from {@code value[off, off + len)}; false when the key exists. */
  static native boolean put(int kind, long handle, byte[] key, byte[] value, long off, long len);

  /** Put from a direct buffer's bytes {@code [pos, pos + len)}; false when the key exists. */
  static native boolean putDirect(
      int kind, long handle, byte[] key, ByteBuffer value, long pos, long len);

  /** Replace from {@code value[off, off + len)}. */
  /**
   * {@code cellar_putv} / {@code cellar_tier_putv}: a value gathered from native memory.
   *
   * @return false when the key exists
   */
  static native boolean putGather(
      int kind, long handle, byte[] key, long[] addresses, long[] lengths);

  static native void replace(int kind, long handle, byte[] key, byte[] value, long off, long len);

  /** Replace from a direct buffer's bytes {@code [pos, pos + len)}. */
  static native void replaceDirect(
      int kind, long handle, byte[] key, ByteBuffer value, long pos, long len);

  /**
   * Copies value bytes from {@code valueOffset} into {@code dst[off, off + len)}.
   *
   * @return the value's full size, or -1 on a miss
   */
  static native long get(
      int kind, long handle, byte[] key, byte[] dst, long off, long len, long valueOffset);

  /**
   * Copies value bytes from {@code valueOffset} into a direct buffer at {@code [pos, pos + len)}.
   *
   * @return the value's full size, or -1 on a miss
   */
  static native long getDirect(
      int kind, long handle, byte[] key, ByteBuffer dst, long pos, long len, long valueOffset);

  /** The whole value in a new array, or null on a miss; EOVERFLOW over {@code MAX_ARRAY}. */
  static native byte[] getAll(int kind, long handle, byte[] key);

  /**
   * Pins an entry. On a hit fills {@code out} ({@link #PIN_HANDLE}: the {@code cellar_pin *} to
   * give {@link #pinRelease}; {@link #PIN_SIZE}; {@link #PIN_TIER}; {@link #PIN_PARTS}: the
   * engine's piece count) and returns the value's pieces as writable direct buffers, in order (none
   * for an empty value; a piece over 1 GiB comes as several buffers).
   *
   * @return the pieces, or null on a miss
   */
  static native ByteBuffer[] pin(int kind, long handle, byte[] key, long[] out);

  /** {@code cellar_pin_release()} and frees the pin. */
  static native void pinRelease(long pin);

  /**
   * The value's size without touching statistics or LRU order.
   *
   * @param tierOut if not null, {@code tierOut[0]} receives the tier holding the entry
   * @return the size, or -1 when absent
   */
  static native long valueSize(int kind, long handle, byte[] key, int[] tierOut);

  /** Evicts the key; false when absent. */
  static native boolean evict(int kind, long handle, byte[] key);

  /** Evicts the least recently used entry of a cache; false when nothing can be evicted. */
  static native boolean evictLeastRecentlyUsed(long cache);

  /**
   * Seals the persistent pools of a cache or stack while pins may be out (cellar_seal): only pin
   * releases and delete may follow. Returns how many pools were sealed.
   */
  static native int seal(int kind, long handle);

  /** {@code cellar_stats_get()} into {@code out} ({@link CacheStats#FIELDS} longs). */
  static native void stats(long cache, long[] out);

  /** {@code cellar_media_get()} into {@code out} ({@link MediaInfo#FIELDS} ints). */
  static native void media(long cache, int[] out);

  /** {@code cellar_tier_stats_get()} into {@code out} ({@link TierStats#FIELDS} longs). */
  static native void tierStats(long tier, long[] out);

  /**
   * TEST ONLY: raises the exception the glue raises for {@code errno} with {@code detail} as the
   * engine's text, through the same helper every entry point uses. Lets a unit test drive every
   * {@link ErrorCode} through the real glue. Nothing else may call it.
   */
  static native void raiseForTest(int errno, String detail);
}
