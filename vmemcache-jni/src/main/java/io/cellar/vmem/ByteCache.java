// SPDX-License-Identifier: Apache-2.0
// ByteCache.java -- the data operations shared by a single cache and a tier stack
package io.cellar.vmem;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * A byte-keyed, byte-valued cache in native memory, implemented by {@link TierStack} (a single
 * cache is a stack of one {@link Tier}). Implementations are thread-safe: any number of threads may call any method at once,
 * {@link #close()} included (calls in flight finish first; later calls throw {@link
 * IllegalStateException}).
 *
 * <p>Keys are at least one byte long; a key never matches another that merely starts with it.
 * Values may be empty. Sizes are {@code long}: a value may be larger than 2 GiB, although {@code
 * byte[]} and {@link ByteBuffer} arguments bound what one call moves.
 */
public interface ByteCache extends AutoCloseable {
  /** What the copying {@code get} methods return on a miss. */
  long MISS = -1L;

  /**
   * Inserts a new entry.
   *
   * @param key the key, at least one byte
   * @param value the value, copied into the cache
   * @return true when inserted, false when the key was already present (nothing changes)
   * @throws IllegalArgumentException for a null or empty key or a null value
   * @throws CacheFullException when the value does not fit and nothing more can be evicted
   * @throws IllegalStateException when the cache is closed
   * @throws CellarException for any other engine error
   */
  boolean put(byte[] key, byte[] value);

  /**
   * Inserts a new entry from the bytes between the buffer's position and limit. The buffer's
   * position is left unchanged. A direct buffer is read in place; a heap buffer through its array,
   * or through one extra copy when it is read-only.
   *
   * @param key the key, at least one byte
   * @param value the value's bytes, position to limit
   * @return true when inserted, false when the key was already present (nothing changes)
   * @throws IllegalArgumentException for a null or empty key or a null value
   * @throws CacheFullException when the value does not fit and nothing more can be evicted
   * @throws IllegalStateException when the cache is closed
   * @throws CellarException for any other engine error
   */
  boolean put(byte[] key, ByteBuffer value);

  /**
   * Inserts a new entry whose value is the concatenation of pieces of native memory, copied into
   * the cache in one pass ({@code cellar_putv}). The caller guarantees that each address is
   * readable for its length during the call: this is a raw-memory API for callers that build
   * values off-heap.
   *
   * @param key the key, at least one byte
   * @param addresses native addresses of the pieces, in order
   * @param lengths the pieces' lengths, each 0 or more
   * @return true when inserted, false when the key was already present (nothing changes)
   * @throws IllegalArgumentException for a null or empty key, arrays of different lengths, a
   *     negative length or a zero address with a non-zero length
   * @throws CacheFullException when the value does not fit and nothing more can be evicted
   * @throws IllegalStateException when the cache is closed
   * @throws CellarException for any other engine error
   */
  boolean putGather(byte[] key, long[] addresses, long[] lengths);

  /**
   * Puts a value, replacing an existing one in one step: a concurrent reader sees the old or the
   * new value whole. The replaced value does not count as an eviction.
   *
   * @param key the key, at least one byte
   * @param value the new value
   * @throws IllegalArgumentException for a null or empty key or a null value
   * @throws CacheFullException when the value does not fit and nothing more can be evicted
   * @throws IllegalStateException when the cache is closed
   * @throws CellarException for any other engine error
   */
  void replace(byte[] key, byte[] value);

  /**
   * As {@link #replace(byte[], byte[])}, from the bytes between the buffer's position and limit
   * (the position is left unchanged; heap buffers as in {@link #put(byte[], ByteBuffer)}).
   *
   * @param key the key, at least one byte
   * @param value the new value's bytes, position to limit
   * @throws IllegalArgumentException for a null or empty key or a null value
   * @throws CacheFullException when the value does not fit and nothing more can be evicted
   * @throws IllegalStateException when the cache is closed
   * @throws CellarException for any other engine error
   */
  void replace(byte[] key, ByteBuffer value);

  /**
   * Copies value bytes, starting at {@code valueOffset}, into {@code dst} from its position, at
   * most {@code dst.remaining()} of them, and advances the position by the count copied (0 when
   * {@code valueOffset} is at or past the end). A hit marks the entry recently used. {@code dst}
   * may be direct (copied into in place) or a writable heap buffer.
   *
   * @param key the key, at least one byte
   * @param dst where the bytes go
   * @param valueOffset the first value byte to copy, 0 or more
   * @return the value's full size, or {@link #MISS}
   * @throws IllegalArgumentException for a null or empty key, a null or read-only {@code dst}, or a
   *     negative {@code valueOffset}
   * @throws IllegalStateException when the cache is closed
   * @throws CellarException for an engine error
   */
  long get(byte[] key, ByteBuffer dst, long valueOffset);

  /**
   * Copies value bytes, starting at {@code valueOffset}, into {@code dst[off, off + len)}, at most
   * {@code len} of them. A hit marks the entry recently used.
   *
   * @param key the key, at least one byte
   * @param dst where the bytes go
   * @param off first index of {@code dst} to write
   * @param len most bytes to copy
   * @param valueOffset the first value byte to copy, 0 or more
   * @return the value's full size (the count copied is {@code min(len, size - valueOffset)}, or 0
   *     past the end), or {@link #MISS}
   * @throws IllegalArgumentException for a null or empty key, a null {@code dst}, a range outside
   *     it, or a negative {@code valueOffset}
   * @throws IllegalStateException when the cache is closed
   * @throws CellarException for an engine error
   */
  long get(byte[] key, byte[] dst, int off, int len, long valueOffset);

  /**
   * The whole value in a new array.
   *
   * @param key the key, at least one byte
   * @return the value, or empty on a miss
   * @throws IllegalArgumentException for a null or empty key
   * @throws CellarException with {@link ErrorCode#EOVERFLOW} when the value is larger than an array
   *     can be ({@code Integer.MAX_VALUE - 8} bytes); use {@link #pin(byte[])} or a {@link
   *     ByteBuffer} {@code get} for such values
   * @throws IllegalStateException when the cache is closed
   */
  Optional<byte[]> get(byte[] key);

  /**
   * Pins an entry: its memory stays valid and unchanged until the pin is closed, even if the entry
   * is evicted meanwhile. Counts a hit and marks the entry used, like a get. Close every pin: a
   * cache closed while pins are open keeps its native memory until the last one closes.
   *
   * @param key the key, at least one byte
   * @return the pin, or empty on a miss
   * @throws IllegalArgumentException for a null or empty key
   * @throws IllegalStateException when the cache is closed
   * @throws CellarException for an engine error
   */
  Optional<Pin> pin(byte[] key);

  /**
   * Whether the key is present; changes no statistic and no LRU order.
   *
   * @param key the key, at least one byte
   * @return true when present
   * @throws IllegalArgumentException for a null or empty key
   * @throws IllegalStateException when the cache is closed
   * @throws CellarException for an engine error
   */
  boolean exists(byte[] key);

  /**
   * The value's size; changes no statistic and no LRU order.
   *
   * @param key the key, at least one byte
   * @return the size, or empty when the key is absent
   * @throws IllegalArgumentException for a null or empty key
   * @throws IllegalStateException when the cache is closed
   * @throws CellarException for an engine error
   */
  OptionalLong valueSize(byte[] key);

  /**
   * Removes the key's entry. A pinned entry's memory stays valid until its pins are closed.
   *
   * @param key the key, at least one byte
   * @return true when removed, false when absent
   * @throws IllegalArgumentException for a null or empty key
   * @throws IllegalStateException when the cache is closed
   * @throws CellarException for an engine error
   */
  boolean evict(byte[] key);

  /**
   * Calls {@code action} with every key the cache holds (a tier stack: each key once, whichever
   * tier holds it). The keys are gathered first and handed out after, so {@code action} may use
   * the cache; a key present for the whole call is listed, one put or evicted meanwhile may or may
   * not be. Each array is a fresh copy.
   *
   * @param action called once per key
   * @throws IllegalArgumentException when {@code action} is null
   * @throws IllegalStateException when the cache is closed
   * @throws CellarException for an engine error (ENOMEM)
   */
  void forEachKey(Consumer<byte[]> action);

  /**
   * Removes and returns up to {@code maxKeys} keys from the eviction journal, oldest first: keys
   * that left the cache (evicted from its bottom tier, or not demotable, or {@link #evict}; not
   * demotions or promotions between tiers; never {@link #replace}). Thread-safe; concurrent
   * drains get different keys.
   *
   * @param maxKeys most keys to return, at least 1
   * @return the keys and whether the journal overflowed since the previous drain
   * @throws IllegalArgumentException when {@code maxKeys} is less than 1
   * @throws IllegalStateException when the cache is closed or has no journal ({@link
   *     TierStack.Builder#evictionJournal})
   */
  EvictedKeys drainEvicted(int maxKeys);

  /**
   * What opening the persistent pool found: the report of the highest persistent tier.
   *
   * @return the report, or empty when no pool is persistent
   * @throws IllegalStateException when the cache is closed
   */
  Optional<ReattachReport> reattach();

  /**
   * Closes the cache: waits for calls in flight, then frees the native cache, or, while pins are
   * open, leaves that to the last pin's close. A persistent pool is then closed cleanly: its
   * contents made durable and its header marked clean. If pins are still open two seconds after
   * the call, the persistent pool is sealed as it is (clean, without the entries that left while
   * pinned) and a warning names the open pins; their close still frees the cache. Idempotent.
   */
  @Override
  void close();
}
