// SPDX-License-Identifier: Apache-2.0
// BlockArena -- one run of native memory, handed out in power-of-two blocks by buddy splitting
package io.cellar.spark.chunk;

import java.util.BitSet;
import org.apache.spark.unsafe.Platform;

/**
 * One run of native memory, reserved once and never given back to the system, that hands out
 * blocks of power-of-two sizes from {@code minBlock} to {@code maxBlock} bytes by buddy
 * splitting: a block is taken from the smallest free block that holds it, halved until it fits,
 * and a block handed back merges with its free buddy again. The run is laid out as top blocks,
 * the largest first ({@code maxBlock} bytes each, then the remainder in decreasing powers of
 * two), so that each top block starts at a multiple of its size and no merge crosses one.
 *
 * <p>The memory is the process's from the first store into each page on: a block handed back
 * and taken again never faults. {@link #commit} makes every free page resident ahead of use.
 * Thread-safe: one lock, taken once per block (a chunk's buffer), never per value.
 */
final class BlockArena implements AutoCloseable {
  private static final long PAGE = 4096;

  private final long minBlock;
  private final long maxBlock;
  private final int minShift;
  /** Where the run starts, page-aligned, and the address the allocator returned for it. */
  private final long base;
  private long allocated;
  private final long capacity;
  /** Top blocks: where each starts, and its size (decreasing). */
  private final long[] topStart;
  private final long[] topSize;
  /** For each size class, the free blocks of that size, by index (offset / size). */
  private final BitSet[] free;
  private long used;

  /**
   * Reserves {@code bytes}, rounded down to a multiple of {@code minBlock}, of address space.
   *
   * @param minBlock the smallest block, a power of two of at least 4 KiB
   * @param maxBlock the largest block, a power of two of at least minBlock
   */
  BlockArena(long bytes, long minBlock, long maxBlock) {
    if (Long.bitCount(minBlock) != 1 || Long.bitCount(maxBlock) != 1 || minBlock < PAGE
        || maxBlock < minBlock || bytes < minBlock) {
      throw new IllegalArgumentException("arena of " + bytes + " B, blocks of " + minBlock + ".."
          + maxBlock + " B");
    }
    this.minBlock = minBlock;
    this.maxBlock = maxBlock;
    this.minShift = Long.numberOfTrailingZeros(minBlock);
    this.capacity = bytes & -minBlock;
    int classes = Long.numberOfTrailingZeros(maxBlock) - minShift + 1;
    free = new BitSet[classes];
    for (int c = 0; c < classes; c++) {
      free[c] = new BitSet();
    }
    int tops = (int) (capacity / maxBlock) + Long.bitCount(capacity % maxBlock);
    topStart = new long[tops];
    topSize = new long[tops];
    long at = 0;
    for (int i = 0; i < tops; i++) {
      long size = at + maxBlock <= capacity ? maxBlock : Long.highestOneBit(capacity - at);
      topStart[i] = at;
      topSize[i] = size;
      free[classOf(size)].set((int) (at / size));
      at += size;
    }
    allocated = Platform.allocateMemory(capacity + PAGE);
    base = (allocated + PAGE - 1) & -PAGE;
  }

  /** The arena's bytes. */
  long capacity() {
    return capacity;
  }

  /** The bytes of the blocks handed out now. */
  synchronized long used() {
    return used;
  }

  /** Whether {@code address} is in a block of this arena. */
  boolean holds(long address) {
    return address >= base && address < base + capacity;
  }

  private int classOf(long size) {
    return Long.numberOfTrailingZeros(size) - minShift;
  }

  /**
   * A free block of {@code size} bytes, a power of two from minBlock to maxBlock; 0 when no free
   * block that large is left.
   */
  synchronized long take(long size) {
    checkSize(size);
    int want = classOf(size);
    for (int c = want; c < free.length; c++) {
      int i = free[c].nextSetBit(0);
      if (i < 0) {
        continue;
      }
      free[c].clear(i);
      // halve down to the size asked, leaving each right half free
      for (; c > want; c--) {
        i <<= 1;
        free[c - 1].set(i + 1);
      }
      used += size;
      return base + ((long) i << (want + minShift));
    }
    return 0;
  }

  /** Hands back a block {@link #take} returned, of the size it was taken with. */
  synchronized void give(long address, long size) {
    checkSize(size);
    long offset = address - base;
    int c = classOf(size);
    long top = topSizeAt(offset);
    if (!holds(address) || size > top || (offset & (size - 1)) != 0) {
      throw new IllegalArgumentException("not a block of this arena: " + address + ", " + size
          + " B");
    }
    int i = (int) (offset >>> (c + minShift));
    if (freeWithin(offset, c, top)) {
      throw new IllegalStateException("block handed back twice: " + address + ", " + size + " B");
    }
    used -= size;
    // merge with the buddy while it is free, up to the top block's size
    for (long s = size; s < top && free[c].get(i ^ 1); s <<= 1, c++) {
      free[c].clear(i ^ 1);
      i >>>= 1;
    }
    free[c].set(i);
  }

  private void checkSize(long size) {
    if (Long.bitCount(size) != 1 || size < minBlock || size > maxBlock) {
      throw new IllegalArgumentException("a block of " + size + " B: a power of two from "
          + minBlock + " to " + maxBlock);
    }
  }

  /** Whether the block at offset of class c, or a block holding it, is free. */
  private boolean freeWithin(long offset, int c, long top) {
    for (long s = 1L << (c + minShift); s <= top; s <<= 1, c++) {
      if (free[c].get((int) (offset / s))) {
        return true;
      }
    }
    return false;
  }

  private long topSizeAt(long offset) {
    for (int t = topStart.length - 1; t >= 0; t--) {
      if (offset >= topStart[t]) {
        return topSize[t];
      }
    }
    return 0;
  }

  /**
   * Makes the free blocks' pages resident, one top block at a time, by a store into each page;
   * blocks in use are left alone (a builder writes them anyway). Stops early when {@code
   * keepGoing} says so.
   *
   * @return the bytes committed
   */
  long commit(java.util.function.BooleanSupplier keepGoing) {
    long done = 0;
    for (int t = 0; t < topStart.length && keepGoing.getAsBoolean(); t++) {
      long block = takeTop(t);
      if (block == 0) {
        continue;
      }
      try {
        for (long p = 0; p < topSize[t]; p += PAGE) {
          Platform.putByte(null, block + p, (byte) 0);
        }
        done += topSize[t];
      } finally {
        give(block, topSize[t]);
      }
    }
    return done;
  }

  /** Top block t when it is wholly free, taken; else 0. */
  private synchronized long takeTop(int t) {
    int c = classOf(topSize[t]);
    int i = (int) (topStart[t] / topSize[t]);
    if (!free[c].get(i)) {
      return 0;
    }
    free[c].clear(i);
    used += topSize[t];
    return base + topStart[t];
  }

  /** Frees the memory; only when no block is in use (tests: the shared arena lives forever). */
  @Override
  public synchronized void close() {
    if (used != 0) {
      throw new IllegalStateException(used + " B of the arena are still in use");
    }
    if (allocated != 0) {
      Platform.freeMemory(allocated);
      allocated = 0;
    }
  }
}
