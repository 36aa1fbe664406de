// SPDX-License-Identifier: Apache-2.0
// NativeBlocksTest -- large chunk buffers reuse handed-back blocks, keep their bytes as they grow
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
  void aHandedBackBlockIsTheNextOneTakenAndLargeOnesAreFreed() {
    long size = 1L << 20;
    long a = NativeBlocks.take(size);
    long keptBefore = NativeBlocks.kept();
    NativeBlocks.give(a, size);
    assertThat(NativeBlocks.kept()).isEqualTo(keptBefore + size);
    assertThat(NativeBlocks.take(size)).isEqualTo(a);
    assertThat(NativeBlocks.kept()).isEqualTo(keptBefore);
    NativeBlocks.give(a, size);

    long huge = 2 * NativeBlocks.MAX_BLOCK;
    long h = NativeBlocks.take(huge);
    long kept = NativeBlocks.kept();
    NativeBlocks.give(h, huge);
    assertThat(NativeBlocks.kept()).isEqualTo(kept);
  }

  @Test
  void keptBytesStayWithinTheBound() {
    long size = NativeBlocks.MAX_BLOCK;
    int n = (int) (NativeBlocks.MAX_KEPT / size) + 2;
    long[] blocks = new long[n];
    for (int i = 0; i < n; i++) {
      blocks[i] = NativeBlocks.take(size);
    }
    for (long b : blocks) {
      NativeBlocks.give(b, size);
    }
    assertThat(NativeBlocks.kept()).isLessThanOrEqualTo(NativeBlocks.MAX_KEPT);
    for (int i = 0; i < n; i++) {
      blocks[i] = NativeBlocks.take(size);
    }
    for (long b : blocks) {
      Platform.freeMemory(b);
    }
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
    long first = filled(longs, 31);
    long kept = NativeBlocks.kept();
    assertThat(kept).isGreaterThanOrEqualTo(NativeBlocks.blockSize(8L * longs));
    // the same growth takes the same blocks back, the largest last: the one the first used
    assertThat(filled(longs, 7)).isEqualTo(first);
    assertThat(NativeBlocks.kept()).isEqualTo(kept);
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
