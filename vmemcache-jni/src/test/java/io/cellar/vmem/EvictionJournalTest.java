// SPDX-License-Identifier: Apache-2.0
// EvictionJournalTest.java -- key listings and eviction journals of caches and tier stacks
package io.cellar.vmem;

import static io.cellar.vmem.TestData.MiB;
import static io.cellar.vmem.TestData.key;
import static io.cellar.vmem.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvictionJournalTest {
  private static final int VALUE = 64 * 1024;

  @TempDir(factory = ShmTempDirFactory.class)
  Path dir;

  private static Set<String> names(List<byte[]> keys) {
    Set<String> out = new HashSet<>();
    for (byte[] k : keys) {
      assertThat(out.add(new String(k, StandardCharsets.UTF_8))).as("listed once").isTrue();
    }
    return out;
  }

  private static Set<String> listed(ByteCache cache) {
    List<byte[]> keys = new ArrayList<>();
    cache.forEachKey(keys::add);
    return names(keys);
  }

  private static Set<String> drainAll(ByteCache cache) {
    List<byte[]> keys = new ArrayList<>();
    EvictedKeys batch;
    do {
      batch = cache.drainEvicted(5);
      assertThat(batch.overflowed()).isFalse();
      keys.addAll(batch.keys());
    } while (!batch.keys().isEmpty());
    return names(keys);
  }

  private static String name(int i) {
    return new String(key(i), StandardCharsets.UTF_8);
  }

  @Test
  void forEachKeyListsWhatWasPut() {
    try (TierStack cache = TestData.dram(4 * MiB).open()) {
      Set<String> put = new HashSet<>();
      for (int i = 0; i < 300; i++) {
        cache.put(key(i), value(100, i));
        put.add(name(i));
      }
      assertThat(listed(cache)).isEqualTo(put);
      cache.evict(key(7));
      put.remove(name(7));
      assertThat(listed(cache)).isEqualTo(put);
    }
  }

  @Test
  void lruEvictionsAndEvictsAreJournaledButReplacesAreNot() {
    try (TierStack cache = TestData.journaled(TestData.dram(MiB).extentSize(4096), 1000)) {
      for (int i = 0; i < 40; i++) {
        cache.put(key(i), value(VALUE, i));
      }
      cache.replace(key(39), value(10, 1));
      cache.evict(key(38));
      Set<String> gone = drainAll(cache);
      assertThat(gone).contains(name(0), name(38)).doesNotContain(name(39));
      Set<String> present = listed(cache);
      for (int i = 0; i < 40; i++) {
        assertThat(gone.contains(name(i))).as("key %d", i).isNotEqualTo(present.contains(name(i)));
      }
      assertThat((long) gone.size()).isEqualTo(cache.stats(0).evictions());
      assertThat(cache.drainEvicted(10).keys()).isEmpty();
    }
  }

  @Test
  void aFullJournalReportsOverflowOnce() {
    try (TierStack cache = TestData.journaled(TestData.dram(MiB), 3)) {
      for (int i = 0; i < 10; i++) {
        cache.put(key(i), value(10, i));
      }
      for (int i = 0; i < 6; i++) {
        cache.evict(key(i));
      }
      EvictedKeys first = cache.drainEvicted(100);
      assertThat(first.overflowed()).isTrue();
      assertThat(names(first.keys())).containsExactlyInAnyOrder(name(0), name(1), name(2));
      EvictedKeys second = cache.drainEvicted(100);
      assertThat(second.overflowed()).isFalse();
      assertThat(second.keys()).isEmpty();
    }
  }

  @Test
  void aTierStackJournalsWhatLeavesTheStackNotDemotions() {
    try (TierStack stack =
        TierStack.builder()
            .tier(TestData.dram(MiB).extentSize(4096))
            .tier(TestData.dir(dir, 4 * MiB).extentSize(4096))
            .evictionJournal(10_000)
            .build()) {
      for (int i = 0; i < 30; i++) {
        stack.put(key(i), value(VALUE, i));
      }
      assertThat(stack.movement().demotions()).isPositive();
      assertThat(stack.movement().dropped()).isZero();
      assertThat(stack.drainEvicted(100).keys()).as("demotions are not evictions").isEmpty();
      assertThat(listed(stack)).hasSize(30);

      for (int i = 30; i < 200; i++) {
        stack.put(key(i), value(VALUE, i));
      }
      long dropped = stack.movement().dropped();
      assertThat(dropped).isPositive();
      Set<String> gone = drainAll(stack);
      assertThat((long) gone.size()).isEqualTo(dropped);
      assertThat(gone).contains(name(0));
      Set<String> present = listed(stack);
      for (int i = 0; i < 200; i++) {
        assertThat(gone.contains(name(i))).as("key %d", i).isNotEqualTo(present.contains(name(i)));
      }
      stack.evict(key(199));
      assertThat(names(stack.drainEvicted(10).keys())).containsExactly(name(199));
    }
  }

  @Test
  void drainWithoutAJournalAndBadArgumentsAreRejected() {
    try (TierStack cache = TestData.dram(MiB).open()) {
      assertThatThrownBy(() -> cache.drainEvicted(1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("no eviction journal");
      assertThatThrownBy(() -> cache.forEachKey(null))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> TierStack.builder().evictionJournal(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("evictionJournal capacity must be 1 or more, was 0");
    try (TierStack cache = TestData.journaled(TestData.dram(MiB), 5)) {
      assertThatThrownBy(() -> cache.drainEvicted(0))
          .isInstanceOf(IllegalArgumentException.class);
      cache.close();
      assertThatThrownBy(() -> cache.drainEvicted(1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("cache is closed");
    }
  }
}
