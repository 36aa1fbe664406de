// SPDX-License-Identifier: Apache-2.0
// NativeBlocksTest -- large chunk buffers come from the build arena, keep their bytes as they grow
package io.cellar.spark.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.unsafe.Platform;
import org.junit.jupiter.api.Test;

class NativeBlocksTest {
  @Test
  void blockSizesArePowersOfTwoFromTheSmallestKept() {
    assertThat(NativeBlocks.blockSize(1)).isEqualTo(NativeBlocks.MIN_BLOCK);
    assertThat(NativeBlocks.blockSize(NativeBlocks.MIN_BLOCK)).isEqualTo(NativeBlocks.MIN_BLOCK);
    assertThat(NativeBlocks.blockSize(NativeBlocks.MIN_BLOCK + 1))
        .isEqualTo(2 * NativeBlocks.MIN_BLOCK);
    assertThat(NativeBlocks.blockSize(3L << 20)).isEqualTo(4L << 20);
    assertThat(NativeBlocks.blockSize(4L << 20)).isEqualTo(4L << 20);
  }

  @Test
  void aHandedBackBlockIsTheNextOneTakenAndHugeOnesComeFromTheAllocator() {
    long size = 1L << 20;
    long used = NativeBlocks.arenaUsed();
    long a = NativeBlocks.take(size);
    assertThat(NativeBlocks.arenaUsed()).isEqualTo(used + size);
    NativeBlocks.give(a, size);
    assertThat(NativeBlocks.arenaUsed()).isEqualTo(used);
    assertThat(NativeBlocks.take(size)).isEqualTo(a);
    NativeBlocks.give(a, size);

    long huge = 2 * NativeBlocks.MAX_BLOCK;
    long outside = NativeBlocks.outsideUsed();
    long h = NativeBlocks.take(huge);
    assertThat(NativeBlocks.outsideUsed()).isEqualTo(outside + huge);
    assertThat(NativeBlocks.arenaUsed()).isEqualTo(used);
    Platform.putLong(null, h + huge - 8, 1L);
    NativeBlocks.give(h, huge);
    assertThat(NativeBlocks.outsideUsed()).isEqualTo(outside);
  }

  @Test
  void whenTheArenaIsAllInUseBlocksComeFromTheAllocatorAndAreFreedAfter() {
    long size = NativeBlocks.MAX_BLOCK;
    // no test keeps a block past its end
    long used = NativeBlocks.arenaUsed();
    assertThat(used).isZero();
    long outside = NativeBlocks.outsideUsed();
    long first = NativeBlocks.take(size);
    assertThat(NativeBlocks.arenaCapacity()).isEqualTo(NativeBlocks.DEFAULT_ARENA);
    int n = (int) (NativeBlocks.arenaCapacity() / size) + 1;
    long[] blocks = new long[n];
    blocks[0] = first;
    for (int i = 1; i < n; i++) {
      blocks[i] = NativeBlocks.take(size);
    }
    assertThat(NativeBlocks.arenaUsed()).isEqualTo(NativeBlocks.arenaCapacity());
    assertThat(NativeBlocks.outsideUsed()).isEqualTo(outside + size);
    for (long b : blocks) {
      Platform.putLong(null, b, b);
    }
    for (long b : blocks) {
      assertThat(Platform.getLong(null, b)).isEqualTo(b);
      NativeBlocks.give(b, size);
    }
    assertThat(NativeBlocks.arenaUsed()).isEqualTo(used);
    assertThat(NativeBlocks.outsideUsed()).isEqualTo(outside);
  }

  @Test
  void aBufferThatKnowsItsSizeTakesOneBlockAndNeverMoves() {
    int longs = (int) (5 * NativeBlocks.MIN_BLOCK / 8) + 3;
    OffHeapBuffer b = new OffHeapBuffer();
    b.expect(8L * longs);
    b.putLong(0);
    long first = b.address();
    for (int i = 1; i < longs; i++) {
      b.putLong(i * 3L);
      assertThat(b.address()).isEqualTo(first);
    }
    for (int i = 0; i < longs; i++) {
      assertThat(Platform.getLong(null, b.address() + 8L * i)).isEqualTo(i * 3L);
    }
    // past what it expected it grows as any buffer does, keeping its bytes
    b.putLong(-1L);
    assertThat(Platform.getLong(null, b.address() + 8L * (longs - 1))).isEqualTo((longs - 1) * 3L);
    assertThat(Platform.getLong(null, b.address() + 8L * longs)).isEqualTo(-1L);
    b.close();
  }

  @Test
  void aBufferKeepsItsBytesAsItGrowsAndTheNextBufferReusesItsBlock() {
    int longs = (int) (3 * NativeBlocks.MIN_BLOCK / 8);
    long used = NativeBlocks.arenaUsed();
    long first = filled(longs, 31);
    assertThat(NativeBlocks.arenaUsed()).isEqualTo(used);
    // the same growth takes the same blocks back: the arena is as it was before the first
    assertThat(filled(longs, 7)).isEqualTo(first);
    assertThat(NativeBlocks.arenaUsed()).isEqualTo(used);
  }

  /** Fills a buffer with longs i * k past the smallest block, checks them, closes it. */
  private static long filled(int longs, long k) {
    OffHeapBuffer b = new OffHeapBuffer();
    for (int i = 0; i < longs; i++) {
      b.putLong(i * k);
    }
    assertThat(b.size()).isEqualTo(8L * longs);
    for (int i = 0; i < longs; i++) {
      assertThat(Platform.getLong(null, b.address() + 8L * i)).isEqualTo(i * k);
    }
    long address = b.address();
    b.close();
    return address;
  }
}
