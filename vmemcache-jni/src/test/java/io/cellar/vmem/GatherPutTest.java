// SPDX-License-Identifier: Apache-2.0
// GatherPutTest.java -- values gathered from native memory, and pins read by address
package io.cellar.vmem;

import static io.cellar.vmem.TestData.MiB;
import static io.cellar.vmem.TestData.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Unsafe;

class GatherPutTest {
  private static final Unsafe UNSAFE = unsafe();

  @TempDir(factory = ShmTempDirFactory.class)
  Path dir;

  private final long[] pieces = new long[3];
  private final long[] lengths = {5, 0, 70_000};

  private static Unsafe unsafe() {
    try {
      Field f = Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (Unsafe) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** Native pieces holding 0, 1, 2, ... across all of them; returns their concatenation. */
  private byte[] fillPieces() {
    int total = 0;
    for (long l : lengths) {
      total += (int) l;
    }
    byte[] all = new byte[total];
    int n = 0;
    for (int i = 0; i < pieces.length; i++) {
      pieces[i] = UNSAFE.allocateMemory(Math.max(1, lengths[i]));
      for (int j = 0; j < lengths[i]; j++, n++) {
        all[n] = (byte) (n * 7 + 3);
        UNSAFE.putByte(pieces[i] + j, all[n]);
      }
    }
    return all;
  }

  @AfterEach
  void free() {
    for (long p : pieces) {
      if (p != 0) {
        UNSAFE.freeMemory(p);
      }
    }
  }

  @Test
  void gatheredPiecesBecomeOneValueReadableByAddress() {
    byte[] expected = fillPieces();
    try (TierStack cache = TestData.dir(dir, 4 * MiB).open()) {
      assertThat(cache.putGather(key("g"), pieces, lengths)).isTrue();
      assertThat(cache.putGather(key("g"), pieces, lengths)).isFalse();
      assertThat(cache.get(key("g"))).hasValue(expected);
      try (Pin pin = cache.pin(key("g")).orElseThrow()) {
        long at = pin.address();
        assertThat(at).isNotZero();
        byte[] read = new byte[expected.length];
        for (int i = 0; i < read.length; i++) {
          read[i] = UNSAFE.getByte(at + i);
        }
        assertThat(read).isEqualTo(expected);
      }
    }
  }

  @Test
  void aTierStackGathersIntoItsTopTier() {
    byte[] expected = fillPieces();
    try (TierStack stack = TierStack.of(TestData.dram(2 * MiB), TestData.dir(dir, 4 * MiB))) {
      assertThat(stack.putGather(key("t"), pieces, lengths)).isTrue();
      try (Pin pin = stack.pin(key("t")).orElseThrow()) {
        assertThat(pin.tier()).isZero();
        assertThat(pin.size()).isEqualTo(expected.length);
      }
      assertThat(stack.get(key("t"))).hasValue(expected);
    }
  }

  @Test
  void badPiecesAreRejectedAndTheCacheStaysUsable() {
    fillPieces();
    try (TierStack cache = TestData.dram(MiB).open()) {
      assertThatThrownBy(() -> cache.putGather(key("x"), pieces, new long[] {1}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("same length");
      assertThatThrownBy(() -> cache.putGather(key("x"), pieces, new long[] {1, -1, 1}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("negative length");
      assertThatThrownBy(
              () -> cache.putGather(key("x"), new long[] {0, 0, 0}, new long[] {0, 4, 0}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("zero address");
      assertThat(cache.putGather(key("ok"), pieces, lengths)).isTrue();
      assertThat(cache.stats(0).entries()).isEqualTo(1);
    }
  }
}
