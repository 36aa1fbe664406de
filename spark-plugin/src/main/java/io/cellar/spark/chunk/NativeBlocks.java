// SPDX-License-Identifier: Apache-2.0
// NativeBlocks -- large blocks of native memory that chunk builders hand back for the next chunk
package io.cellar.spark.chunk;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.unsafe.Platform;

/**
 * Blocks of native memory for {@link OffHeapBuffer}s of {@value #MIN_BLOCK} bytes and more, in
 * power-of-two sizes, kept for reuse when a chunk is done. A new block from the allocator is
 * memory the kernel has never handed to the process: every 4 KiB page of it faults, and is zeroed,
 * at its first store. Building a cold row group's chunks wrote a few megabytes into fresh memory
 * per column and freed it, so the cold read paid those faults again for every chunk; a reused
 * block is already mapped and mostly in the CPU caches.
 *
 * <p>At most {@value #MAX_KEPT} bytes are kept, shared by every thread; a block handed back above
 * that is freed, as is every block above {@value #MAX_BLOCK} bytes.
 */
final class NativeBlocks {
  /** The smallest block kept: smaller buffers come from the allocator, which reuses them well. */
  static final long MIN_BLOCK = 64L << 10;
  /** The largest block kept. */
  static final long MAX_BLOCK = 64L << 20;
  /** Bytes kept for reuse at most. */
  static final long MAX_KEPT = 128L << 20;

  private static final int CLASSES =
      Long.numberOfTrailingZeros(MAX_BLOCK) - Long.numberOfTrailingZeros(MIN_BLOCK) + 1;
  @SuppressWarnings("unchecked")
  private static final ConcurrentLinkedDeque<Long>[] FREE = new ConcurrentLinkedDeque[CLASSES];
  private static final AtomicLong KEPT = new AtomicLong();

  static {
    for (int i = 0; i < CLASSES; i++) {
      FREE[i] = new ConcurrentLinkedDeque<>();
    }
  }

  private NativeBlocks() {}

  /** The size of the block that holds {@code bytes}: a power of two, at least MIN_BLOCK. */
  static long blockSize(long bytes) {
    if (bytes <= MIN_BLOCK) {
      return MIN_BLOCK;
    }
    return Long.highestOneBit(bytes - 1) << 1;
  }

  private static int classOf(long size) {
    return Long.numberOfTrailingZeros(size) - Long.numberOfTrailingZeros(MIN_BLOCK);
  }

  /**
   * A block of {@code size} bytes, a size {@link #blockSize} returned: a kept one when there is
   * one, else a new one.
   */
  static long take(long size) {
    if (size <= MAX_BLOCK) {
      Long kept = FREE[classOf(size)].pollFirst();
      if (kept != null) {
        KEPT.addAndGet(-size);
        return kept;
      }
    }
    return Platform.allocateMemory(size);
  }

  /** Hands back a block {@link #take} returned; it is kept, or freed when enough are kept. */
  static void give(long address, long size) {
    if (size <= MAX_BLOCK && KEPT.addAndGet(size) <= MAX_KEPT) {
      // the most recently used block goes first: its pages are the likeliest in the CPU caches
      FREE[classOf(size)].offerFirst(address);
      return;
    }
    if (size <= MAX_BLOCK) {
      KEPT.addAndGet(-size);
    }
    Platform.freeMemory(address);
  }

  /** Bytes kept for reuse now. */
  static long kept() {
    return KEPT.get();
  }
}
