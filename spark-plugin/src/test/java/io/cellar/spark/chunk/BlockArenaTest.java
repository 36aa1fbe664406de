// SPDX-License-Identifier: Apache-2.0
// BlockArenaTest -- buddy blocks never overlap, merge back whole, and survive a commit untouched
package io.cellar.spark.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.unsafe.Platform;
import org.junit.jupiter.api.Test;

class BlockArenaTest {
  private static final long MIN = 64L << 10;
  private static final long MAX = 1L << 20;

  @Test
  void smallBlocksFillTheArenaExactlyAndMergeBackIntoTopBlocks() {
    try (BlockArena a = new BlockArena(4 * MAX, MIN, MAX)) {
      int n = (int) (4 * MAX / MIN);
      List<Long> blocks = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        long b = a.take(MIN);
        assertThat(b).isNotZero();
        blocks.add(b);
      }
      assertThat(a.used()).isEqualTo(4 * MAX);
      assertThat(a.take(MIN)).isZero();
      // every block distinct, aligned to its size within the arena, inside it
      assertThat(blocks).doesNotHaveDuplicates();
      long low = blocks.stream().mapToLong(Long::longValue).min().getAsLong();
      for (long b : blocks) {
        assertThat(a.holds(b)).isTrue();
        assertThat((b - low) % MIN).isZero();
      }
      // handed back in a shuffled order, they merge into the four top blocks again
      java.util.Collections.shuffle(blocks, new java.util.Random(7));
      for (long b : blocks) {
        a.give(b, MIN);
      }
      assertThat(a.used()).isZero();
      long[] tops = new long[4];
      for (int i = 0; i < 4; i++) {
        tops[i] = a.take(MAX);
        assertThat(tops[i]).isNotZero();
      }
      assertThat(a.take(MIN)).isZero();
      for (long t : tops) {
        a.give(t, MAX);
      }
    }
  }

  @Test
  void anArenaOfNoPowerOfTwoIsTopBlocksLargestFirstAndNoMergeCrossesOne() {
    // 1 MiB + 256 KiB + 64 KiB (+ 1 byte, dropped)
    try (BlockArena a = new BlockArena(MAX + 4 * MIN + MIN + 1, MIN, MAX)) {
      assertThat(a.capacity()).isEqualTo(MAX + 5 * MIN);
      long big = a.take(MAX);
      long quarter = a.take(4 * MIN);
      long small = a.take(MIN);
      assertThat(quarter - big).isEqualTo(MAX);
      assertThat(small - quarter).isEqualTo(4 * MIN);
      assertThat(a.take(MIN)).isZero();
      a.give(quarter, 4 * MIN);
      a.give(small, MIN);
      // the 64 KiB top block did not merge with the 256 KiB one into a block that is not there
      assertThat(a.take(8 * MIN)).isZero();
      assertThat(a.take(4 * MIN)).isEqualTo(quarter);
      assertThat(a.take(MIN)).isEqualTo(small);
      a.give(small, MIN);
      a.give(quarter, 4 * MIN);
      a.give(big, MAX);
    }
  }

  @Test
  void randomTakesAndGivesNeverHandOutTheSameBytesTwice() {
    SplittableRandom r = new SplittableRandom(42);
    try (BlockArena a = new BlockArena(3 * MAX, MIN, MAX)) {
      List<long[]> held = new ArrayList<>();
      for (int step = 0; step < 4000; step++) {
        if (!held.isEmpty() && (r.nextInt(3) == 0 || a.used() > 2 * MAX)) {
          long[] h = held.remove(r.nextInt(held.size()));
          assertStamped(h);
          a.give(h[0], h[1]);
          continue;
        }
        long size = MIN << r.nextInt(5);
        long b = a.take(size);
        if (b == 0) {
          continue;
        }
        long stamp = r.nextLong();
        for (long p = 0; p < size; p += 8) {
          Platform.putLong(null, b + p, stamp ^ p);
        }
        held.add(new long[] {b, size, stamp});
      }
      long inUse = 0;
      for (long[] h : held) {
        assertStamped(h);
        inUse += h[1];
      }
      assertThat(a.used()).isEqualTo(inUse);
      for (long[] h : held) {
        a.give(h[0], h[1]);
      }
      assertThat(a.used()).isZero();
      long whole = a.take(MAX);
      assertThat(whole).isNotZero();
      a.give(whole, MAX);
    }
  }

  private static void assertStamped(long[] h) {
    for (long p = 0; p < h[1]; p += 8) {
      if (Platform.getLong(null, h[0] + p) != (h[2] ^ p)) {
        throw new AssertionError("block at " + h[0] + " of " + h[1] + " B overwritten at " + p);
      }
    }
  }

  @Test
  void committingMapsTheFreeBlocksAndLeavesTheOnesInUseAsTheyAre() {
    try (BlockArena a = new BlockArena(2 * MAX, MIN, MAX)) {
      long b = a.take(MIN);
      Platform.setMemory(b, (byte) 0x5a, MIN);
      // one top block is partly in use: only the other, wholly free, is committed
      assertThat(a.commit(() -> true)).isEqualTo(MAX);
      for (long p = 0; p < MIN; p++) {
        assertThat(Platform.getByte(null, b + p)).isEqualTo((byte) 0x5a);
      }
      assertThat(a.used()).isEqualTo(MIN);
      assertThat(a.commit(() -> false)).isZero();
      a.give(b, MIN);
      assertThat(a.commit(() -> true)).isEqualTo(2 * MAX);
      assertThat(a.used()).isZero();
    }
  }

  @Test
  void aBlockHandedBackTwiceOrFromElsewhereIsRefused() {
    try (BlockArena a = new BlockArena(MAX, MIN, MAX)) {
      long b = a.take(MIN);
      long other = a.take(MIN);
      a.give(b, MIN);
      assertThatThrownBy(() -> a.give(b, MIN)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("twice");
      assertThatThrownBy(() -> a.give(b + 8, MIN)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> a.give(b - MAX, MIN)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> a.give(b, 2 * MAX)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> a.give(other, 3 * MIN))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
      assertThatThrownBy(() -> a.take(MIN / 2)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> a.take(2 * MAX)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(a::close).isInstanceOf(IllegalStateException.class);
      a.give(other, MIN);
      // merged into the whole top block by now, and still known as handed back
      assertThatThrownBy(() -> a.give(other, MIN)).isInstanceOf(IllegalStateException.class);
    }
    assertThatThrownBy(() -> new BlockArena(MIN - 1, MIN, MAX))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BlockArena(MAX, 3 * MIN, MAX))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
