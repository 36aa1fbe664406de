// SPDX-License-Identifier: Apache-2.0
// PinTest.java -- pinned reads: contents, read-only views, and memory that outlives evictions
package io.cellar.vmem;

import static io.cellar.vmem.TestData.MiB;
import static io.cellar.vmem.TestData.bytes;
import static io.cellar.vmem.TestData.key;
import static io.cellar.vmem.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PinTest {
  @TempDir(factory = ShmTempDirFactory.class)
  Path dir;

  @ParameterizedTest(name = "{0} B")
  @ValueSource(ints = {1, 255, 256, 257, 4096, 1 << 20})
  void pinShowsTheValueInOneReadOnlyBufferOfAFreshCache(int size) {
    byte[] v = value(size, size);
    try (TierStack cache = TestData.dir(dir, 4 * MiB).open()) {
      cache.put(key("k"), v);
      try (Pin pin = cache.pin(key("k")).orElseThrow()) {
        assertThat(pin.size()).isEqualTo(size);
        assertThat(pin.contiguous()).isTrue();
        assertThat(pin.tier()).isZero();
        ByteBuffer b = pin.buffer();
        assertThat(b.isReadOnly()).isTrue();
        assertThat(b.isDirect()).isTrue();
        assertThat(b.position()).isZero();
        assertThat(b.remaining()).isEqualTo(size);
        assertThat(bytes(b)).isEqualTo(v);
        assertThatThrownBy(() -> b.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
        assertThat(pin.buffers()).hasSize(1);
        assertThat(cache.stats(0).pinned()).isEqualTo(1);
      }
      assertThat(cache.stats(0).pinned()).isZero();
    }
  }

  @Test
  void pinOfAnEmptyValueHasNoPiecesAndAnEmptyBuffer() {
    try (TierStack cache = TestData.dram(MiB).open()) {
      cache.put(key("empty"), new byte[0]);
      try (Pin pin = cache.pin(key("empty")).orElseThrow()) {
        assertThat(pin.size()).isZero();
        assertThat(pin.contiguous()).isTrue();
        assertThat(pin.buffer().remaining()).isZero();
        assertThat(pin.buffers()).isEmpty();
      }
    }
  }

  @Test
  void piecesOfAPinAddUpToTheValueInOrder() {
    byte[] v = value(300_000, 4);
    try (TierStack cache = TestData.dram(2 * MiB).extentSize(256).open()) {
      cache.put(key("k"), v);
      try (Pin pin = cache.pin(key("k")).orElseThrow()) {
        ByteBuffer all = ByteBuffer.allocate(v.length);
        for (ByteBuffer piece : pin.buffers()) {
          assertThat(piece.isReadOnly()).isTrue();
          all.put(piece);
        }
        assertThat(all.array()).isEqualTo(v);
      }
    }
  }

  @Test
  void evictingAPinnedKeyKeepsItsBytesUntilTheRelease() {
    byte[] v = value(64 * 1024, 1);
    try (TierStack cache = TestData.dram(MiB).extentSize(4096).open()) {
      cache.put(key("pinned"), v);
      Pin pin = cache.pin(key("pinned")).orElseThrow();
      ByteBuffer view = pin.buffer();
      assertThat(cache.evict(key("pinned"))).isTrue();
      assertThat(cache.exists(key("pinned"))).isFalse();
      // churn the pool: without the pin the freed extents would be reused here
      for (int i = 0; i < 64; i++) {
        cache.put(key(i), value(64 * 1024, 100 + i));
      }
      assertThat(bytes(view)).isEqualTo(v);
      pin.close();
      assertThat(cache.stats(0).pinned()).isZero();
    }
  }

  @Test
  void replacingAPinnedValueLeavesThePinOnTheOldBytes() {
    try (TierStack cache = TestData.dram(MiB).open()) {
      cache.put(key("k"), value(1000, 1));
      try (Pin pin = cache.pin(key("k")).orElseThrow()) {
        cache.replace(key("k"), value(1000, 2));
        assertThat(bytes(pin.buffer())).isEqualTo(value(1000, 1));
        assertThat(cache.get(key("k")))
            .hasValueSatisfying(b -> assertThat(b).isEqualTo(value(1000, 2)));
      }
    }
  }

  @Test
  void closingAPinTwiceIsHarmlessAndItsAccessorsThenThrow() {
    try (TierStack cache = TestData.dram(MiB).open()) {
      cache.put(key("k"), value(10, 1));
      Pin pin = cache.pin(key("k")).orElseThrow();
      pin.close();
      pin.close();
      assertThatThrownBy(pin::buffer)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("pin is closed");
      assertThatThrownBy(pin::buffers)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("pin is closed");
      assertThat(cache.stats(0).pinned()).isZero();
    }
  }

  @Test
  void closingTheCacheWithPinsOpenKeepsPinnedMemoryUntilTheLastRelease() {
    byte[] v1 = value(100_000, 1);
    byte[] v2 = value(50_000, 2);
    TierStack cache = TestData.dir(dir, 2 * MiB).open();
    cache.put(key("a"), v1);
    cache.put(key("b"), v2);
    Pin a = cache.pin(key("a")).orElseThrow();
    Pin b = cache.pin(key("b")).orElseThrow();
    cache.close();
    assertThat(cache.isClosed()).isTrue();
    assertThatThrownBy(() -> cache.pin(key("a")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cache is closed");
    assertThat(bytes(a.buffer())).isEqualTo(v1);
    a.close();
    assertThat(bytes(b.buffer())).as("still mapped while b is open").isEqualTo(v2);
    b.close();
  }

  @Test
  void getAndPinSeeTheSameBytes() {
    byte[] v = value(10_000, 5);
    try (TierStack cache = TestData.dram(MiB).open()) {
      cache.put(key("k"), v);
      try (Pin pin = cache.pin(key("k")).orElseThrow()) {
        ByteBuffer copy = ByteBuffer.allocateDirect(v.length);
        cache.get(key("k"), copy, 0);
        assertThat(bytes(copy.flip())).isEqualTo(bytes(pin.buffer()));
      }
    }
  }

  @Test
  void aPinnedBufferCanBePutIntoAnotherCacheWithoutCopyingFirst() {
    byte[] v = value(20_000, 6);
    try (TierStack from = TestData.dram(MiB).open();
        TierStack to = TestData.dram(MiB).open()) {
      from.put(key("k"), v);
      try (Pin pin = from.pin(key("k")).orElseThrow()) {
        assertThat(to.put(key("k"), pin.buffer())).isTrue();
      }
      assertThat(to.get(key("k"))).hasValueSatisfying(b -> assertThat(b).isEqualTo(v));
    }
  }
}
