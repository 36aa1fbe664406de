// SPDX-License-Identifier: Apache-2.0
// RoundTripTest.java -- values of every size go in and come out unchanged, by every path
package io.cellar.vmem;

import static io.cellar.vmem.TestData.MiB;
import static io.cellar.vmem.TestData.bytes;
import static io.cellar.vmem.TestData.direct;
import static io.cellar.vmem.TestData.key;
import static io.cellar.vmem.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class RoundTripTest {
  private static final int[] SIZES = {0, 1, 255, 256, 257, 4096, (int) MiB, 3 * (int) MiB + 17};

  enum Medium {
    DRAM,
    FILE
  }

  @TempDir(factory = ShmTempDirFactory.class)
  Path dir;

  private TierStack open(Medium m, long size) {
    Tier b = m == Medium.DRAM ? TestData.dram(size) : TestData.dir(dir, size);
    return b.extentSize(256).open();
  }

  static Stream<Arguments> mediaAndSizes() {
    return Stream.of(Medium.values())
        .flatMap(m -> Arrays.stream(SIZES).mapToObj(s -> Arguments.of(m, s)));
  }

  @ParameterizedTest(name = "{0} {1} B")
  @MethodSource("mediaAndSizes")
  void byteArrayValueComesBackWhole(Medium m, int size) {
    byte[] v = value(size, size);
    try (TierStack cache = open(m, 16 * MiB)) {
      assertThat(cache.put(key("k"), v)).isTrue();
      assertThat(cache.get(key("k"))).hasValueSatisfying(got -> assertThat(got).isEqualTo(v));
      assertThat(cache.valueSize(key("k"))).hasValue(size);
      assertThat(cache.exists(key("k"))).isTrue();
    }
  }

  @ParameterizedTest(name = "{0} {1} B")
  @MethodSource("mediaAndSizes")
  void directBufferValueComesBackIntoDirectBuffer(Medium m, int size) {
    byte[] v = value(size, 7);
    try (TierStack cache = open(m, 16 * MiB)) {
      ByteBuffer src = direct(v);
      assertThat(cache.put(key("k"), src)).isTrue();
      assertThat(src.position()).as("put leaves the source position alone").isZero();

      ByteBuffer dst = ByteBuffer.allocateDirect(size + 10);
      dst.position(3);
      assertThat(cache.get(key("k"), dst, 0)).isEqualTo(size);
      assertThat(dst.position()).as("get advances by the bytes copied").isEqualTo(3 + size);
      dst.flip().position(3);
      assertThat(bytes(dst)).isEqualTo(v);
    }
  }

  @ParameterizedTest(name = "{0} {1} B")
  @MethodSource("mediaAndSizes")
  void byteArrayGetCopiesIntoTheGivenRange(Medium m, int size) {
    byte[] v = value(size, 3);
    try (TierStack cache = open(m, 16 * MiB)) {
      cache.put(key("k"), v);
      byte[] dst = new byte[size + 4];
      Arrays.fill(dst, (byte) 0x5a);
      assertThat(cache.get(key("k"), dst, 2, size, 0)).isEqualTo(size);
      assertThat(Arrays.copyOfRange(dst, 2, 2 + size)).isEqualTo(v);
      assertThat(dst[0]).isEqualTo((byte) 0x5a);
      assertThat(dst[size + 3]).isEqualTo((byte) 0x5a);
    }
  }

  @ParameterizedTest
  @EnumSource(Medium.class)
  void getFromAnOffsetCopiesTheRestOrAtMostTheRoom(Medium m) {
    byte[] v = value(10_000, 1);
    try (TierStack cache = open(m, 4 * MiB)) {
      cache.put(key("k"), v);

      ByteBuffer small = ByteBuffer.allocateDirect(100);
      assertThat(cache.get(key("k"), small, 9_000)).isEqualTo(10_000);
      assertThat(small.position()).isEqualTo(100);
      assertThat(bytes(small.flip())).isEqualTo(Arrays.copyOfRange(v, 9_000, 9_100));

      ByteBuffer tail = ByteBuffer.allocateDirect(5_000);
      assertThat(cache.get(key("k"), tail, 9_950)).isEqualTo(10_000);
      assertThat(tail.position()).isEqualTo(50);

      ByteBuffer past = ByteBuffer.allocateDirect(10);
      assertThat(cache.get(key("k"), past, 10_000)).isEqualTo(10_000);
      assertThat(past.position()).as("nothing to copy at the end").isZero();
      assertThat(cache.get(key("k"), past, Long.MAX_VALUE)).isEqualTo(10_000);

      byte[] arr = new byte[300];
      assertThat(cache.get(key("k"), arr, 0, 300, 4_000)).isEqualTo(10_000);
      assertThat(arr).isEqualTo(Arrays.copyOfRange(v, 4_000, 4_300));
    }
  }

  @Test
  void heapBuffersWorkForPutAndGet() {
    byte[] v = value(5_000, 2);
    try (TierStack cache = open(Medium.DRAM, 4 * MiB)) {
      ByteBuffer heap = ByteBuffer.allocate(6_000);
      heap.position(1_000);
      heap.put(v).flip().position(1_000);
      assertThat(cache.put(key("heap"), heap.slice())).isTrue();
      assertThat(cache.put(key("ro"), ByteBuffer.wrap(v).asReadOnlyBuffer())).isTrue();

      ByteBuffer dst = ByteBuffer.allocate(5_000);
      assertThat(cache.get(key("heap"), dst, 0)).isEqualTo(5_000);
      assertThat(dst.array()).isEqualTo(v);
      assertThat(cache.get(key("ro"))).hasValueSatisfying(b -> assertThat(b).isEqualTo(v));
    }
  }

  @ParameterizedTest
  @EnumSource(Medium.class)
  void missesAreEmptyResultsNotExceptions(Medium m) {
    try (TierStack cache = open(m, 2 * MiB)) {
      cache.put(key("present"), value(10, 0));
      ByteBuffer dst = ByteBuffer.allocateDirect(16);
      assertThat(cache.get(key("absent"), dst, 0)).isEqualTo(TierStack.MISS);
      assertThat(dst.position()).isZero();
      assertThat(cache.get(key("absent"), new byte[4], 0, 4, 0)).isEqualTo(ByteCache.MISS);
      assertThat(cache.get(key("absent"))).isEmpty();
      assertThat(cache.pin(key("absent"))).isEmpty();
      assertThat(cache.exists(key("absent"))).isFalse();
      assertThat(cache.valueSize(key("absent"))).isEmpty();
      assertThat(cache.evict(key("absent"))).isFalse();
      assertThat(cache.get(key("presen"))).as("a prefix of a key is another key").isEmpty();
      assertThat(cache.stats(0).misses()).isEqualTo(5);
    }
  }

  @Test
  void putOfAnExistingKeyReturnsFalseAndKeepsTheOldValue() {
    try (TierStack cache = open(Medium.DRAM, 2 * MiB)) {
      assertThat(cache.put(key("k"), value(100, 1))).isTrue();
      assertThat(cache.put(key("k"), value(200, 2))).isFalse();
      assertThat(cache.put(key("k"), direct(value(300, 3)))).isFalse();
      assertThat(cache.get(key("k")))
          .hasValueSatisfying(v -> assertThat(v).isEqualTo(value(100, 1)));
    }
  }

  @Test
  void replaceSwapsTheValueOfPresentAndAbsentKeys() {
    try (TierStack cache = open(Medium.DRAM, 2 * MiB)) {
      cache.put(key("k"), value(100, 1));
      cache.replace(key("k"), value(5_000, 2));
      cache.replace(key("new"), direct(value(70, 3)));
      assertThat(cache.get(key("k")))
          .hasValueSatisfying(v -> assertThat(v).isEqualTo(value(5_000, 2)));
      assertThat(cache.get(key("new")))
          .hasValueSatisfying(v -> assertThat(v).isEqualTo(value(70, 3)));
      CacheStats s = cache.stats(0);
      assertThat(s.replaces()).isEqualTo(2);
      assertThat(s.evictions()).as("a replaced value is not an eviction").isZero();
    }
  }

  @Test
  void evictRemovesOneKeyAndEvictLeastRecentlyUsedTheOldest() {
    try (TierStack cache = open(Medium.DRAM, 2 * MiB)) {
      for (int i = 0; i < 3; i++) {
        cache.put(key(i), value(1_000, i));
      }
      cache.get(key(0)); // key 1 is now the least recently used
      assertThat(cache.evict(key(2))).isTrue();
      assertThat(cache.evict(key(2))).isFalse();
      assertThat(cache.evictLeastRecentlyUsed(0)).isTrue();
      assertThat(cache.exists(key(1))).isFalse();
      assertThat(cache.exists(key(0))).isTrue();
      assertThat(cache.evictLeastRecentlyUsed(0)).isTrue();
      assertThat(cache.evictLeastRecentlyUsed(0)).as("empty cache").isFalse();
      CacheStats s = cache.stats(0);
      assertThat(s.entries()).isZero();
      assertThat(s.evictions()).isEqualTo(3);
      assertThat(s.poolUsed()).isZero();
    }
  }

  @Test
  void fullCacheUnderPolicyNoneThrowsCacheFullException() {
    try (TierStack cache =
        Tier.dram().size(MiB).extentSize(4096).policy(Policy.NONE).open()) {
      byte[] v = value(64 * 1024, 0);
      int stored = 0;
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 1_000; i++) {
                  cache.put(key(i), v);
                }
              })
          .isInstanceOf(CacheFullException.class)
          .hasMessageContaining("cellar_tier_put")
          .hasMessageContaining("(ENOSPC: No space left on device)")
          .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.ENOSPC));
      for (int i = 0; i < 1_000 && cache.exists(key(i)); i++) {
        stored++;
      }
      assertThat(stored).as("values stored before the cache was full").isBetween(1, 16);
      assertThat(cache.evictLeastRecentlyUsed(0)).as("policy NONE never evicts").isFalse();
    }
  }

  @Test
  void fullCacheUnderLruEvictsTheOldest() {
    try (TierStack cache = open(Medium.DRAM, MiB)) {
      byte[] v = value(64 * 1024, 0);
      for (int i = 0; i < 100; i++) {
        assertThat(cache.put(key(i), v)).isTrue();
      }
      assertThat(cache.exists(key(99))).isTrue();
      assertThat(cache.exists(key(0))).isFalse();
      assertThat(cache.stats(0).evictions()).isPositive();
    }
  }

  @Test
  void valueLargerThanThePoolThrowsCacheFullException() {
    try (TierStack cache = open(Medium.DRAM, MiB)) {
      assertThatThrownBy(() -> cache.put(key("big"), new byte[2 * (int) MiB]))
          .isInstanceOf(CacheFullException.class)
          .hasMessageContaining("ENOSPC");
    }
  }

  @Test
  void statsCountPutsGetsHitsAndMisses() {
    try (TierStack cache = open(Medium.DRAM, 2 * MiB)) {
      cache.put(key("a"), value(10, 0));
      cache.put(key("b"), value(10, 1));
      cache.get(key("a"));
      cache.get(key("a"), ByteBuffer.allocateDirect(4), 0);
      cache.get(key("zzz"));
      CacheStats s = cache.stats(0);
      assertThat(s.puts()).isEqualTo(2);
      assertThat(s.hits()).isEqualTo(2);
      assertThat(s.misses()).isEqualTo(1);
      assertThat(s.gets()).isEqualTo(s.hits() + s.misses());
      assertThat(s.entries()).isEqualTo(2);
      assertThat(s.poolUsed()).isPositive();
      assertThat(s.poolSize()).isPositive().isLessThanOrEqualTo(2 * MiB);
      assertThat(s.pinned()).isZero();
    }
  }

  @Test
  void mediaTellsDramFromFile() {
    try (TierStack d = open(Medium.DRAM, MiB);
        TierStack f = open(Medium.FILE, MiB)) {
      assertThat(d.media(0).dram()).isTrue();
      assertThat(f.media(0).dram()).isFalse();
      assertThat(f.media(0).devdax()).isFalse();
    }
  }

  @Test
  void keysMayBeLargerThanTheGlueStackBuffer() {
    byte[] big = value(100_000, 9);
    big[0] = 1;
    byte[] other = big.clone();
    other[99_999] ^= 1;
    try (TierStack cache = open(Medium.DRAM, 2 * MiB)) {
      cache.put(big, value(10, 1));
      assertThat(cache.get(big)).hasValueSatisfying(v -> assertThat(v).isEqualTo(value(10, 1)));
      assertThat(cache.exists(other)).isFalse();
    }
  }
}
