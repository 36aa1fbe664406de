// SPDX-License-Identifier: Apache-2.0
// Native.java -- every native method of Cellar; the glue is native/jni/jni_*.c
package io.cellar.vmem;

import java.nio.ByteBuffer;

/**
 * The native methods, one per glue entry point. Callers hold a {@link NativeCache}'s read lock and
 * have checked every argument; the glue checks them again and turns an engine error into a pending
 * exception (see {@link CellarException}).
 *
 * <p>Every cache handle is a {@code cellar_tier *}: a single cache is a stack of one tier. Per-tier
 * calls take the stack and a tier index (top is 0), which the glue checks against the stack's
 * tier count. Sizes and offsets are {@code long}, as {@code size_t} is in C.
 */
final class Native {
  /** A tier's pool mode: a temporary file in a directory, or a device-DAX device. */
  static final int MODE_TEMPORARY = 0;

  /** A tier's pool mode: a persistent pool file ({@code cellar_add_persistent}). */
  static final int MODE_PERSISTENT = 1;

  /** Slots of one tier's settings in the {@code settings} array of {@link #stackOpen}. */
  static final int TIER_POLICY = 0;

  static final int TIER_SIZE = 1;
  static final int TIER_EXTENT = 2;
  static final int TIER_MODE = 3;
  static final int TIER_PUT_WAIT = 4;
  static final int TIER_FIELDS = 5;

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
   * Opens a stack: for each tier, top first, {@code vmemcache_new}, the setters, then {@code
   * vmemcache_add} ({@link #MODE_TEMPORARY}) or {@code cellar_add_persistent} ({@link
   * #MODE_PERSISTENT}) of its path or, for a null path, {@code cellar_add_dram}, then {@code
   * cellar_set_put_wait}; then {@code cellar_tier_new} over them and {@code
   * cellar_tier_journal_enable} when {@code journal > 0}. On any failure frees what it built and
   * raises; a persistent pool file held by another process or cache raises {@link
   * PoolLockedException}.
   *
   * @param settings {@link #TIER_FIELDS} longs per tier: {@link Policy#nativeValue()}, pool size
   *     (0 for the engine's default), extent size (0 for the default), mode, put wait in ms (-1
   *     for the default)
   * @param paths per tier, the NUL-free bytes of the path, or null for a DRAM pool
   * @param owners per tier, a persistent pool's owner tag (at most 32 bytes), or null for none
   * @param journal eviction journal capacity of the stack, 0 for none
   * @return the {@code cellar_tier *}
   */
  static native long stackOpen(long[] settings, byte[][] paths, byte[][] owners, int journal);

  /** {@code cellar_tier_delete()}, then {@code vmemcache_delete()} of each tier, top first. */
  static native void stackDelete(long stack);

  /**
   * {@code cellar_tier_write_down()}: the entries moved down within {@code budgetMillis}; running
   * out of time is not an error (the caller compares the time taken with the budget).
   */
  static native long writeDown(long stack, long budgetMillis);

  /**
   * Seals the persistent pools of a stack while pins may be out (cellar_seal): only pin releases
   * and delete may follow. Returns how many pools were sealed.
   */
  static native int seal(long stack);

  /** {@code cellar_tier_stats_get()} into {@code out} ({@link TierStats#FIELDS} longs). */
  static native void movement(long stack, long[] out);

  /** {@code cellar_tier_keys_list}: every key, once. */
  static native byte[][] keys(long stack);

  /**
   * {@code cellar_tier_journal_drain}: up to {@code max} keys, oldest first; {@code
   * overflowOut[0]} is whether keys were lost since the last drain.
   */
  static native byte[][] drainEvicted(long stack, int max, boolean[] overflowOut);

  /** Put from {@code value[off, off + len)}; false when the key exists. */
  static native boolean put(long stack, byte[] key, byte[] value, long off, long len);

  /** Put from a direct buffer's bytes {@code [pos, pos + len)}; false when the key exists. */
  static native boolean putDirect(long stack, byte[] key, ByteBuffer value, long pos, long len);

  /**
   * {@code cellar_tier_putv}: a value gathered from native memory.
   *
   * @return false when the key exists
   */
  static native boolean putGather(long stack, byte[] key, long[] addresses, long[] lengths);

  /** Replace from {@code value[off, off + len)}. */
  static native void replace(long stack, byte[] key, byte[] value, long off, long len);

  /** Replace from a direct buffer's bytes {@code [pos, pos + len)}. */
  static native void replaceDirect(long stack, byte[] key, ByteBuffer value, long pos, long len);

  /**
   * Copies value bytes from {@code valueOffset} into {@code dst[off, off + len)}.
   *
   * @return the value's full size, or -1 on a miss
   */
  static native long get(
      long stack, byte[] key, byte[] dst, long off, long len, long valueOffset);

  /**
   * Copies value bytes from {@code valueOffset} into a direct buffer at {@code [pos, pos + len)}.
   *
   * @return the value's full size, or -1 on a miss
   */
  static native long getDirect(
      long stack, byte[] key, ByteBuffer dst, long pos, long len, long valueOffset);

  /** The whole value in a new array, or null on a miss; EOVERFLOW over {@code MAX_ARRAY}. */
  static native byte[] getAll(long stack, byte[] key);

  /**
   * Pins an entry. On a hit fills {@code out} ({@link #PIN_HANDLE}: the {@code cellar_pin *} to
   * give {@link #pinRelease}; {@link #PIN_SIZE}; {@link #PIN_TIER}; {@link #PIN_PARTS}: the
   * engine's piece count) and returns the value's pieces as writable direct buffers, in order (none
   * for an empty value; a piece over 1 GiB comes as several buffers).
   *
   * @return the pieces, or null on a miss
   */
  static native ByteBuffer[] pin(long stack, byte[] key, long[] out);

  /** {@code cellar_pin_release()} and frees the pin. */
  static native void pinRelease(long pin);

  /**
   * The value's size without touching statistics or LRU order.
   *
   * @param tierOut if not null, {@code tierOut[0]} receives the tier holding the entry
   * @return the size, or -1 when absent
   */
  static native long valueSize(long stack, byte[] key, int[] tierOut);

  /** Evicts the key from every tier; false when absent. */
  static native boolean evict(long stack, byte[] key);

  /** Evicts the least recently used entry of one tier; false when nothing can be evicted. */
  static native boolean evictLeastRecentlyUsed(long stack, int tier);

  /** {@code cellar_stats_get()} of one tier into {@code out} ({@link CacheStats#FIELDS} longs). */
  static native void stats(long stack, int tier, long[] out);

  /** {@code cellar_media_get()} of one tier into {@code out} ({@link MediaInfo#FIELDS} ints). */
  static native void media(long stack, int tier, int[] out);

  /** cellar_prefault on one tier: the offset after the committed range. */
  static native long prefault(long stack, int tier, long offset, long length);

  /** Lowers the calling thread to nice 19; false when the system refused. */
  static native boolean lowerThreadPriority();

  /**
   * {@code cellar_reattach_get} of one tier: fills {@code out} ({@link #REATTACH_OUT_LENGTH}
   * longs) and returns {path, message}, or null when the tier's pool is not persistent.
   */
  static native String[] reattach(long stack, int tier, long[] out);

  /**
   * TEST ONLY: raises the exception the glue raises for {@code errno} with {@code detail} as the
   * engine's text, through the same helper every entry point uses. Lets a unit test drive every
   * {@link ErrorCode} through the real glue. Nothing else may call it.
   */
  static native void raiseForTest(int errno, String detail);
}
