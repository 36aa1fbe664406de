// SPDX-License-Identifier: Apache-2.0
// TierStackTest.java -- demotion on eviction, promotion on hit, one tier per entry, per-tier stats
package io.cellar.vmem;

import static io.cellar.vmem.TestData.MiB;
import static io.cellar.vmem.TestData.bytes;
import static io.cellar.vmem.TestData.key;
import static io.cellar.vmem.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TierStackTest {
  private static final int VALUE = 64 * 1024;

  @TempDir(factory = ShmTempDirFactory.class)
  Path dir;

  /** 1 MiB of DRAM over 4 MiB of file: the top holds at most 16 values of 64 KiB. */
  private TierStack dramOverFile() {
    return TierStack.of(
        TestData.dram(MiB).extentSize(4096), TestData.dir(dir, 4 * MiB).extentSize(4096));
  }

  private static long entries(List<CacheStats> stats) {
    return stats.stream().mapToLong(CacheStats::entries).sum();
  }

  @Test
  void entriesEvictedFromTheTopAreDemotedBelow() {
    try (TierStack stack = dramOverFile()) {
      for (int i = 0; i < 30; i++) {
        assertThat(stack.put(key(i), value(VALUE, i))).isTrue();
      }
      assertThat(stack.tierOf(key(29))).hasValue(0);
      assertThat(stack.tierOf(key(0))).as("the oldest went down").hasValue(1);
      assertThat(stack.movement().demotions()).isPositive();
      assertThat(stack.get(key(0)))
          .hasValueSatisfying(v -> assertThat(v).isEqualTo(value(VALUE, 0)));
    }
  }

  @Test
  void aHitBelowTheTopIsPromotedAndTheEntryLivesInOneTier() {
    try (TierStack stack = dramOverFile()) {
      for (int i = 0; i < 30; i++) {
        stack.put(key(i), value(VALUE, i));
      }
      assertThat(stack.tierOf(key(1))).hasValue(1);
      long promotions = stack.movement().promotions();

      ByteBuffer dst = ByteBuffer.allocateDirect(VALUE);
      assertThat(stack.get(key(1), dst, 0)).isEqualTo(VALUE);
      assertThat(bytes(dst.flip())).isEqualTo(value(VALUE, 1));
      assertThat(stack.tierOf(key(1))).hasValue(0);
      assertThat(stack.movement().promotions()).isEqualTo(promotions + 1);

      long present = 0;
      for (int i = 0; i < 30; i++) {
        if (stack.exists(key(i))) {
          present++;
        }
      }
      assertThat(entries(stack.tierStats())).as("no entry in two tiers").isEqualTo(present);
    }
  }

  @Test
  void aPinReportsTheTierThatServedIt() {
    try (TierStack stack = dramOverFile()) {
      for (int i = 0; i < 30; i++) {
        stack.put(key(i), value(VALUE, i));
      }
      assertThat(stack.tierOf(key(2))).hasValue(1);
      try (Pin pin = stack.pin(key(2)).orElseThrow()) {
        assertThat(pin.tier()).isEqualTo(1);
        assertThat(pin.size()).isEqualTo(VALUE);
        ByteBuffer all = ByteBuffer.allocate(VALUE);
        for (ByteBuffer piece : pin.buffers()) {
          all.put(piece);
        }
        assertThat(all.array()).isEqualTo(value(VALUE, 2));
      }
      try (Pin pin = stack.pin(key(29)).orElseThrow()) {
        assertThat(pin.tier()).isZero();
      }
    }
  }

  @Test
  void entriesEvictedFromTheBottomAreDroppedAndCounted() {
    try (TierStack stack = dramOverFile()) {
      for (int i = 0; i < 200; i++) {
        stack.put(key(i), value(VALUE, i));
      }
      TierStats moved = stack.movement();
      assertThat(moved.dropped()).isPositive();
      assertThat(stack.exists(key(0))).isFalse();
      assertThat(stack.exists(key(199))).isTrue();
      List<CacheStats> tiers = stack.tierStats();
      assertThat(tiers).hasSize(2);
      assertThat(tiers.get(0).entries()).isBetween(1L, 16L);
      assertThat(tiers.get(1).entries()).isPositive();
    }
  }

  @Test
  void putOfAKeyHeldInAnyTierReturnsFalse() {
    try (TierStack stack = dramOverFile()) {
      for (int i = 0; i < 30; i++) {
        stack.put(key(i), value(VALUE, i));
      }
      assertThat(stack.tierOf(key(0))).hasValue(1);
      assertThat(stack.put(key(0), value(10, 0))).isFalse();
      stack.replace(key(0), value(10, 1));
      assertThat(stack.tierOf(key(0))).hasValue(0);
      assertThat(stack.get(key(0))).hasValueSatisfying(v -> assertThat(v).isEqualTo(value(10, 1)));
    }
  }

  @Test
  void evictRemovesAKeyFromWhicheverTierHoldsIt() {
    try (TierStack stack = dramOverFile()) {
      for (int i = 0; i < 30; i++) {
        stack.put(key(i), value(VALUE, i));
      }
      assertThat(stack.evict(key(0))).isTrue();
      assertThat(stack.evict(key(29))).isTrue();
      assertThat(stack.evict(key(0))).isFalse();
      assertThat(stack.tierOf(key(0))).isEmpty();
      assertThat(stack.valueSize(key(5))).hasValue(VALUE);
      assertThat(stack.get(key("absent"), new byte[1], 0, 1, 0)).isEqualTo(ByteCache.MISS);
    }
  }

  @Test
  void theStackReportsItsTiersAndTheirMedia() {
    try (TierStack stack = dramOverFile()) {
      assertThat(stack.tierCount()).isEqualTo(2);
      assertThat(stack.media(0).dram()).isTrue();
      assertThat(stack.media(1).dram()).isFalse();
      assertThatThrownBy(() -> stack.media(2))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tier must be from 0 to 1, was 2");
    }
  }

  @Test
  void aDramTierIsCommittedInSlicesUpToItsSizeAndKeepsItsEntries() {
    try (TierStack stack = dramOverFile()) {
      byte[] v = value(VALUE, 7);
      stack.put(key("before"), v);
      long at = 0;
      int slices = 0;
      while (at < MiB) {
        long next;
        try {
          next = stack.prefault(0, at, 256 * 1024);
        } catch (CellarException e) {
          // a kernel before Linux 5.14 cannot commit ahead of use: say so, nothing else
          assertThat(e.code()).isEqualTo(ErrorCode.EOPNOTSUPP);
          return;
        }
        // each slice ends further on, at most a huge page past what was asked
        assertThat(next).isGreaterThan(at).isLessThanOrEqualTo(at + 256 * 1024 + 2 * MiB);
        at = next;
        slices++;
      }
      assertThat(at).isEqualTo(MiB);
      assertThat(slices).isPositive();
      assertThat(stack.prefault(0, MiB, MiB)).isEqualTo(MiB);
      assertThat(stack.prefault(0, 10 * MiB, 1)).isEqualTo(MiB);
      assertThat(stack.get(key("before")).orElseThrow()).isEqualTo(v);
      // a file tier is the file system's to commit
      assertThatThrownBy(() -> stack.prefault(1, 0, MiB))
          .isInstanceOf(CellarException.class)
          .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.EOPNOTSUPP))
          .hasMessageContaining("only a DRAM pool");
      assertThatThrownBy(() -> stack.prefault(0, -1, MiB))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("offset -1 and maxBytes 1048576 must not be negative");
      assertThatThrownBy(() -> stack.prefault(2, 0, MiB))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tier must be from 0 to 1, was 2");
    }
  }

  @Test
  void lowerCallerPriorityNicesTheCallingThreadAlone() throws Exception {
    int mine = niceOfThisThread();
    int[] seen = new int[3];
    Thread t = new Thread(() -> {
      try {
        seen[0] = niceOfThisThread();
        seen[1] = TierStack.lowerCallerPriority() ? 1 : 0;
        seen[2] = niceOfThisThread();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    t.start();
    t.join();
    assertThat(seen[1]).as("setpriority succeeded").isEqualTo(1);
    assertThat(seen[2]).isEqualTo(19).isGreaterThan(seen[0]);
    assertThat(niceOfThisThread()).isEqualTo(mine);
  }

  /** Field 19 of /proc/thread-self/stat: the calling thread's nice value. */
  private static int niceOfThisThread() throws java.io.IOException {
    String stat = java.nio.file.Files.readString(Path.of("/proc/thread-self/stat"));
    // the command name (field 2) may hold spaces: count fields after its closing parenthesis
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(f[19 - 3]);
  }

  @Test
  void aClosedStackRefusesCallsAndKeepsPinnedMemoryUntilRelease() {
    TierStack stack = dramOverFile();
    stack.put(key("k"), value(5000, 3));
    Pin pin = stack.pin(key("k")).orElseThrow();
    stack.close();
    stack.close();
    assertThatThrownBy(() -> stack.get(key("k")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cache is closed");
    assertThatThrownBy(stack::tierStats)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cache is closed");
    assertThat(bytes(pin.buffer())).isEqualTo(value(5000, 3));
    pin.close();
  }

  @Test
  void badTierListsAreRejected() {
    assertThatThrownBy(() -> TierStack.of(Collections.emptyList()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tiers must list 1 to 8 tiers, got 0");
    assertThatThrownBy(() -> TierStack.of(TestData.dram(MiB), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tier 1 is null");
    Tier[] nine = new Tier[9];
    java.util.Arrays.fill(nine, TestData.dram(MiB));
    assertThatThrownBy(() -> TierStack.of(nine))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tiers must list 1 to 8 tiers, got 9");
  }

  @Test
  void aTierThatCannotBeBuiltFailsTheStackWithItsCause() {
    assertThatThrownBy(
            () -> TierStack.of(TestData.dram(MiB), TestData.dir(dir.resolve("missing"), MiB)))
        .isInstanceOf(CacheIOException.class)
        .hasMessageStartingWith("vmemcache_add: ")
        .hasMessageContaining("ENOENT");
  }

  @Test
  void perTierCallsRejectATierOutsideTheStack() {
    try (TierStack stack = dramOverFile()) {
      for (int bad : new int[] {-1, 2, Integer.MAX_VALUE}) {
        String msg = "tier must be from 0 to 1, was " + bad;
        assertThatThrownBy(() -> stack.stats(bad)).hasMessage(msg);
        assertThatThrownBy(() -> stack.media(bad)).hasMessage(msg);
        assertThatThrownBy(() -> stack.evictLeastRecentlyUsed(bad))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(msg);
      }
      assertThat(stack.stats(1).entries()).isZero();
      assertThat(stack.media(1).dram()).isFalse();
    }
  }

  @Test
  void theGlueChecksTheTierIndexToo() {
    try (TierStack stack = dramOverFile()) {
      long h = stack.enter();
      try {
        String msg = "tier must be from 0 to 1, was 2";
        assertThatThrownBy(() -> Native.stats(h, 2, new long[CacheStats.FIELDS]))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(msg);
        assertThatThrownBy(() -> Native.media(h, -1, new int[MediaInfo.FIELDS]))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("tier must be from 0 to 1, was -1");
        assertThatThrownBy(() -> Native.reattach(h, 2, new long[Native.REATTACH_OUT_LENGTH]))
            .hasMessage(msg);
        assertThatThrownBy(() -> Native.evictLeastRecentlyUsed(h, 2)).hasMessage(msg);
        assertThatThrownBy(() -> Native.stats(0, 0, new long[CacheStats.FIELDS]))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("tier stack handle is 0");
      } finally {
        stack.exit();
      }
    }
  }

  @Test
  void aLockedPoolBelowDramFailsTheOpenAndFreesTheTierAbove() {
    Path file = dir.resolve("held.pool");
    try (TierStack holder = Tier.poolFile(file).size(2 * MiB).open()) {
      holder.put(key(1), value(100, 1));
      for (int attempt = 0; attempt < 3; attempt++) {
        assertThatThrownBy(
                () -> TierStack.of(TestData.dram(MiB), Tier.poolFile(file).size(2 * MiB),
                    TestData.dram(MiB)))
            .isInstanceOf(PoolLockedException.class)
            .hasMessageStartingWith("cellar_add_persistent: ")
            .hasMessageContaining(file.toString());
      }
    }
    // the failed opens left no hold on the file: it opens, with what the holder put
    try (TierStack stack = TierStack.of(TestData.dram(MiB), Tier.poolFile(file).size(2 * MiB))) {
      assertThat(stack.tierOf(key(1))).hasValue(1);
      assertThat(stack.reattach()).isPresent();
    }
  }
}
