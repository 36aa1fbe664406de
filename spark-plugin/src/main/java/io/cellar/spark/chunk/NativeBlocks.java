// SPDX-License-Identifier: Apache-2.0
// NativeBlocks -- the executor's build memory: large chunk buffers come from an arena kept mapped
package io.cellar.spark.chunk;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.spark.unsafe.Platform;

/**
 * Blocks of native memory for {@link OffHeapBuffer}s of {@value #MIN_BLOCK} bytes and more, in
 * power-of-two sizes, from one {@link BlockArena} per JVM (the build memory, {@code
 * spark.cellar.build.arena-bytes}) that is never handed back to the system.
 *
 * <p>Memory the allocator hands out fresh is memory the kernel has never given the process:
 * every 4 KiB page of it faults, and is zeroed, at its first store. Building a cold row group's
 * chunks writes a few megabytes per column and frees them, and on a VM the zeroing took most of a
 * cold build's CPU. Blocks of the arena are mapped once and reused for every chunk after, and
 * {@link #commitArena} maps them all ahead, beside the DRAM tier's prefault, so that not even the
 * executor's first scan zeroes pages on a task's time. A block the arena cannot give (larger than
 * {@value #MAX_BLOCK} bytes, or the arena is all in use) comes from the allocator and is freed
 * when handed back.
 */
public final class NativeBlocks {
  /** The smallest block: smaller buffers come from the allocator, which reuses them well. */
  static final long MIN_BLOCK = 64L << 10;
  /** The largest block the arena gives. */
  static final long MAX_BLOCK = 64L << 20;
  /** The arena's size unless {@link #configureArena} says otherwise. */
  public static final long DEFAULT_ARENA = 128L << 20;

  private static final Object LOCK = new Object();
  private static long arenaBytes = DEFAULT_ARENA;
  /** Made at the first block taken (address space only: pages are mapped as they are used). */
  private static volatile BlockArena arena;
  private static volatile boolean arenaMade;
  /** Bytes of blocks taken from the allocator because the arena could not give them. */
  private static final AtomicLong outside = new AtomicLong();

  private NativeBlocks() {}

  /**
   * Sets the arena's size, before it is made (the first chunk built); 0 for none. Returns
   * false, changing nothing, when the arena was made already with another size: it lives as long
   * as the JVM.
   */
  public static boolean configureArena(long bytes) {
    if (bytes != 0 && bytes < MIN_BLOCK) {
      throw new IllegalArgumentException("build arena of " + bytes + " B: 0 or at least "
          + MIN_BLOCK);
    }
    synchronized (LOCK) {
      if (arenaMade) {
        return arenaCapacity() == (bytes & -MIN_BLOCK);
      }
      arenaBytes = bytes;
      return true;
    }
  }

  private static BlockArena arena() {
    if (arenaMade) {
      return arena;
    }
    synchronized (LOCK) {
      if (!arenaMade) {
        arena = arenaBytes == 0 ? null : new BlockArena(arenaBytes, MIN_BLOCK, MAX_BLOCK);
        arenaMade = true;
      }
      return arena;
    }
  }

  /** The size of the block that holds {@code bytes}: a power of two, at least MIN_BLOCK. */
  static long blockSize(long bytes) {
    if (bytes <= MIN_BLOCK) {
      return MIN_BLOCK;
    }
    return Long.highestOneBit(bytes - 1) << 1;
  }

  /**
   * A block of {@code size} bytes, a size {@link #blockSize} returned: from the arena when it
   * has one free, else from the allocator.
   */
  static long take(long size) {
    BlockArena a = arena();
    if (a != null && size <= MAX_BLOCK) {
      long block = a.take(size);
      if (block != 0) {
        return block;
      }
    }
    outside.addAndGet(size);
    return Platform.allocateMemory(size);
  }

  /** Hands back a block {@link #take} returned, with its size. */
  static void give(long address, long size) {
    BlockArena a = arena;
    if (a != null && a.holds(address)) {
      a.give(address, size);
      return;
    }
    outside.addAndGet(-size);
    Platform.freeMemory(address);
  }

  /**
   * Maps the arena's free memory ahead of use, a top block at a time, stopping early when {@code
   * keepGoing} turns false; the bytes it mapped (0 without an arena).
   */
  public static long commitArena(BooleanSupplier keepGoing) {
    BlockArena a = arena();
    return a == null ? 0 : a.commit(keepGoing);
  }

  /** The arena's size (0: none, or not made yet). */
  public static long arenaCapacity() {
    BlockArena a = arena;
    return a == null ? 0 : a.capacity();
  }

  /** Bytes of the arena's blocks in chunk buffers now. */
  public static long arenaUsed() {
    BlockArena a = arena;
    return a == null ? 0 : a.used();
  }

  /** Bytes of chunk buffers the arena could not give, in use now. */
  public static long outsideUsed() {
    return outside.get();
  }
}
