// SPDX-License-Identifier: Apache-2.0
// OffHeapBuffer -- a growable run of native memory a chunk is written into
package io.cellar.spark.chunk;

import org.apache.spark.unsafe.Platform;

/** A growable block of native memory. Not thread-safe; {@link #close()} frees it. */
final class OffHeapBuffer implements AutoCloseable {
  private long address;
  private long capacity;
  private long size;
  /** The size the buffer is expected to reach (0: unknown); its first large block is that size. */
  private long expected;

  long address() {
    return address;
  }

  long size() {
    return size;
  }

  /**
   * Sizes the buffer's first block for {@code bytes} when it is known ahead (a column's values of a
   * row group of known rows): the buffer then does not grow block by block, copying what it holds
   * and touching new memory at each step.
   */
  void expect(long bytes) {
    expected = Math.max(0, bytes);
  }

  /** Makes room for {@code more} bytes after the current end; returns where they start. */
  long reserve(long more) {
    long need = size + more;
    if (need > capacity) {
      grow(need);
    }
    long at = address + size;
    size = need;
    return at;
  }

  /**
   * Moves to a block of at least {@code need} bytes: from the allocator while small, from {@link
   * NativeBlocks} (already mapped memory, when a finished chunk handed one back) once large.
   */
  private void grow(long need) {
    long cap = need <= expected
        ? ChunkFormat.align8(expected)
        : Math.max(ChunkFormat.align8(need), Math.max(64, capacity * 2));
    if (cap < NativeBlocks.MIN_BLOCK) {
      address =
          address == 0 ? Platform.allocateMemory(cap) : Platform.reallocateMemory(address, size, cap);
      capacity = cap;
      return;
    }
    cap = NativeBlocks.blockSize(cap);
    long block = NativeBlocks.take(cap);
    if (address != 0) {
      Platform.copyMemory(null, address, null, block, size);
      release();
    }
    address = block;
    capacity = cap;
  }

  /** Frees the block, or hands it back to {@link NativeBlocks}. */
  private void release() {
    if (capacity >= NativeBlocks.MIN_BLOCK) {
      NativeBlocks.give(address, capacity);
    } else {
      Platform.freeMemory(address);
    }
  }

  void putByte(byte v) {
    Platform.putByte(null, reserve(1), v);
  }

  void putInt(int v) {
    Platform.putInt(null, reserve(4), v);
  }

  void putLong(long v) {
    Platform.putLong(null, reserve(8), v);
  }

  void putBytes(byte[] src) {
    Platform.copyMemory(src, Platform.BYTE_ARRAY_OFFSET, null, reserve(src.length), src.length);
  }

  void copyFrom(long src, long len) {
    if (len > 0) {
      Platform.copyMemory(null, src, null, reserve(len), len);
    }
  }

  void fill(byte v, long len) {
    if (len > 0) {
      Platform.setMemory(reserve(len), v, len);
    }
  }

  /** Pads with zeros to a multiple of 8 bytes. */
  void pad8() {
    fill((byte) 0, ChunkFormat.align8(size) - size);
  }

  /** Drops the bytes past newSize; a size at or above the current one changes nothing. */
  void truncate(long newSize) {
    if (newSize >= 0 && newSize < size) {
      size = newSize;
    }
  }

  void clear() {
    size = 0;
  }

  @Override
  public void close() {
    if (address != 0) {
      release();
      address = 0;
      capacity = 0;
      size = 0;
    }
  }
}
