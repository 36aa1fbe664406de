// SPDX-License-Identifier: Apache-2.0
// PersistentPoolTest.java -- persistent pools: reopen, reports, tiers, one cache per file
package io.cellar.vmem;

import static io.cellar.vmem.TestData.MiB;
import static io.cellar.vmem.TestData.key;
import static io.cellar.vmem.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistentPoolTest {
  @TempDir(factory = ShmTempDirFactory.class)
  Path dir;

  private Tier persistent() {
    return Tier.directory(dir).persistent().size(8 * MiB).extentSize(256);
  }

  @Test
  void closeAndReopenReturnsTheSameValues() {
    Path file;
    try (TierStack cache = persistent().open()) {
      ReattachReport r = cache.reattach().orElseThrow();
      assertThat(r.state()).isEqualTo(ReattachReport.State.NEW);
      assertThat(r.poolFile()).isEqualTo(dir.resolve("cellar-0.pool"));
      file = r.poolFile();
      for (int i = 0; i < 200; i++) {
        assertThat(cache.put(key(i), value(1000 + i * 97, i))).isTrue();
      }
      cache.evict(key(5));
      cache.replace(key(6), value(77, 600));
    }
    assertThat(file).exists();
    try (TierStack cache = persistent().open()) {
      ReattachReport r = cache.reattach().orElseThrow();
      assertThat(r.poolFile()).isEqualTo(file);
      assertThat(r.state()).isEqualTo(ReattachReport.State.CLEAN);
      assertThat(r.entriesRecovered()).isEqualTo(199);
      assertThat(r.entriesDropped()).isZero();
      assertThat(r.elapsedNanos()).isPositive();
      assertThat(r.message()).contains("clean close");
      assertThat(cache.stats(0).entries()).isEqualTo(199);
      assertThat(cache.exists(key(5))).isFalse();
      assertThat(cache.get(key(6))).hasValueSatisfying(v -> assertThat(v).isEqualTo(value(77, 600)));
      long bytes = 77;
      for (int i = 0; i < 200; i++) {
        if (i == 5 || i == 6) {
          continue;
        }
        byte[] want = value(1000 + i * 97, i);
        bytes += want.length;
        assertThat(cache.get(key(i))).as("key %d", i).hasValueSatisfying(v -> assertThat(v).isEqualTo(want));
      }
      assertThat(r.bytesRecovered()).isEqualTo(bytes);
    }
  }

  @Test
  void closeWithAPinStillOpenSealsThePoolCleanAfterABoundedWait() throws IOException {
    Path copy = dir.resolve("copy.pool");
    TierStack cache = persistent().open();
    Path file = cache.reattach().orElseThrow().poolFile();
    for (int i = 0; i < 50; i++) {
      cache.put(key(i), value(700, i));
    }
    Pin gone = cache.pin(key(3)).orElseThrow();
    Pin kept = cache.pin(key(4)).orElseThrow();
    assertThat(cache.evict(key(3))).isTrue();
    long start = System.nanoTime();
    cache.close();
    long waitedMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(waitedMillis).isGreaterThanOrEqualTo(NativeCache.PIN_WAIT_AT_CLOSE_MILLIS);
    // the pins still read their values
    assertThat(pinned(gone)).isEqualTo(value(700, 3));
    assertThat(pinned(kept)).isEqualTo(value(700, 4));
    // the process dies now, pins open: the file is clean, without the entry evicted while pinned
    Files.copy(file, copy);
    try (TierStack reopened =
        Tier.poolFile(copy).size(8 * MiB).extentSize(256).open()) {
      ReattachReport r = reopened.reattach().orElseThrow();
      assertThat(r.state()).isEqualTo(ReattachReport.State.CLEAN);
      assertThat(r.entriesRecovered()).isEqualTo(49);
      assertThat(reopened.exists(key(3))).isFalse();
      assertThat(reopened.get(key(4))).hasValueSatisfying(v -> assertThat(v).isEqualTo(value(700, 4)));
    }
    // or it lives on: the last pin's close frees the cache and closes the pool cleanly again
    gone.close();
    kept.close();
    try (TierStack reopened = persistent().open()) {
      ReattachReport r = reopened.reattach().orElseThrow();
      assertThat(r.state()).isEqualTo(ReattachReport.State.CLEAN);
      assertThat(r.entriesRecovered()).isEqualTo(49);
    }
  }

  @Test
  void closeWithAPinThatClosesWhileItWaitsEndsWithTheFullCleanClose() throws Exception {
    TierStack cache = persistent().open();
    cache.put(key(1), value(700, 1));
    Pin pin = cache.pin(key(1)).orElseThrow();
    Thread closer =
        new Thread(
            () -> {
              try {
                Thread.sleep(100);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              pin.close();
            });
    closer.start();
    cache.close();
    closer.join();
    try (TierStack reopened = persistent().open()) {
      assertThat(reopened.reattach().orElseThrow().state())
          .isEqualTo(ReattachReport.State.CLEAN);
      assertThat(reopened.get(key(1))).isPresent();
    }
  }

  private static byte[] pinned(Pin pin) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ByteBuffer b : pin.buffers()) {
      out.writeBytes(TestData.bytes(b));
    }
    return out.toByteArray();
  }

  /** 1 MiB of DRAM over an 8 MiB persistent pool in the test's directory. */
  private TierStack dramOverPool() {
    return TierStack.of(
        TestData.dram(MiB).extentSize(4096),
        Tier.directory(dir).persistent().size(8 * MiB).extentSize(4096));
  }

  @Test
  void aTierStackOverAPersistentPoolFindsItsDemotedEntriesAfterReopen() {
    int size = 64 * 1024;
    int below = 0;
    try (TierStack stack = TierStack.builder()
        .tier(TestData.dram(MiB).extentSize(4096))
        .tier(Tier.directory(dir).persistent().size(8 * MiB).extentSize(4096))
        .writeDownOnClose(0)
        .build()) {
      assertThat(stack.reattach().orElseThrow().state()).isEqualTo(ReattachReport.State.NEW);
      for (int i = 0; i < 60; i++) {
        stack.put(key(i), value(size, i));
      }
      for (int i = 0; i < 60; i++) {
        if (stack.tierOf(key(i)).orElse(-1) == 1) {
          below++;
        }
      }
    }
    assertThat(below).isGreaterThan(20);
    try (TierStack stack = dramOverPool()) {
      ReattachReport r = stack.reattach().orElseThrow();
      assertThat(r.state()).isEqualTo(ReattachReport.State.CLEAN);
      assertThat(r.entriesRecovered()).isEqualTo(below);
      int found = 0;
      for (int i = 0; i < 60; i++) {
        if (stack.tierOf(key(i)).orElse(-1) == 1) {
          int k = i;
          assertThat(stack.get(key(i))).hasValueSatisfying(v -> assertThat(v).isEqualTo(value(size, k)));
          found++;
        }
      }
      assertThat(found).isEqualTo(below);
    }
  }

  @Test
  void closeWritesTheUpperTierDownSoARestartFindsTheWholeSet() {
    int size = 64 * 1024;
    try (TierStack stack = dramOverPool()) {
      for (int i = 0; i < 60; i++) {
        stack.put(key(i), value(size, i));
      }
      assertThat(stack.tierStats().stream().mapToLong(CacheStats::entries).sum()).isEqualTo(60);
      long onTop = java.util.stream.IntStream.range(0, 60)
          .filter(i -> stack.tierOf(key(i)).orElse(-1) == 0).count();
      assertThat(onTop).isGreaterThan(5);
    }
    try (TierStack stack = dramOverPool()) {
      ReattachReport r = stack.reattach().orElseThrow();
      assertThat(r.state()).isEqualTo(ReattachReport.State.CLEAN);
      assertThat(r.entriesRecovered()).isEqualTo(60);
      for (int i = 0; i < 60; i++) {
        int k = i;
        assertThat(stack.get(key(i))).as("key %d", i)
            .hasValueSatisfying(v -> assertThat(v).isEqualTo(value(size, k)));
      }
      // an explicit write-down empties the top and leaves the stack usable
      assertThat(stack.writeDown(10_000)).isPositive();
      assertThat(stack.tierOf(key(3))).hasValue(1);
      assertThatThrownBy(() -> stack.writeDown(-1)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> TierStack.builder().writeDownOnClose(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void twoCachesOnOneDirectoryTakeDifferentFiles() {
    try (TierStack a = persistent().open();
        TierStack b = persistent().open()) {
      Path fa = a.reattach().orElseThrow().poolFile();
      Path fb = b.reattach().orElseThrow().poolFile();
      assertThat(fa).isNotEqualTo(fb);
      assertThat(fa.getParent()).isEqualTo(dir);
      assertThat(fb.getFileName().toString()).isEqualTo("cellar-1.pool");
    }
  }

  @Test
  void eachOwnerReattachesOnlyItsOwnPool() throws IOException {
    byte[] alice = "alice".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] bob = new byte[Tier.MAX_OWNER_BYTES];
    java.util.Arrays.fill(bob, (byte) 7);
    Path aliceFile;
    try (TierStack a = persistent().owner(alice).open()) {
      aliceFile = a.reattach().orElseThrow().poolFile();
      a.put(key(1), value(100, 1));
    }
    try (TierStack b = persistent().owner(bob).open()) {
      ReattachReport r = b.reattach().orElseThrow();
      assertThat(r.state()).isEqualTo(ReattachReport.State.NEW);
      assertThat(r.poolFile()).isNotEqualTo(aliceFile);
      assertThat(b.exists(key(1))).isFalse();
      b.put(key(1), value(100, 2));
    }
    try (TierStack a = persistent().owner(alice).open()) {
      ReattachReport r = a.reattach().orElseThrow();
      assertThat(r.poolFile()).isEqualTo(aliceFile);
      assertThat(r.entriesRecovered()).isEqualTo(1);
      assertThat(a.get(key(1))).hasValueSatisfying(v -> assertThat(v).isEqualTo(value(100, 1)));
    }
    byte[] before = Files.readAllBytes(aliceFile);
    assertThatThrownBy(() -> Tier.poolFile(aliceFile).owner(bob).open())
        .isInstanceOf(CacheIOException.class)
        .hasMessageContaining("another owner")
        .hasMessageContaining(aliceFile.toString())
        .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.EACCES));
    assertThat(Files.readAllBytes(aliceFile)).isEqualTo(before);
    assertThatThrownBy(() -> persistent().owner(new byte[Tier.MAX_OWNER_BYTES + 1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 32 bytes");
    assertThatThrownBy(() -> persistent().owner(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aLockedPoolFileIsRefusedWithItsName() {
    Path file = dir.resolve("one.pool");
    try (TierStack a = Tier.poolFile(file).size(2 * MiB).open()) {
      assertThatThrownBy(() -> Tier.poolFile(file).size(2 * MiB).open())
          .isInstanceOf(PoolLockedException.class)
          .isInstanceOf(CacheIOException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("locked")
          .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.EBUSY));
      a.put(key(1), value(10, 1));
    }
    try (TierStack b = Tier.poolFile(file).size(2 * MiB).open()) {
      assertThat(b.reattach().orElseThrow().state()).isEqualTo(ReattachReport.State.CLEAN);
      assertThat(b.get(key(1))).hasValueSatisfying(v -> assertThat(v).isEqualTo(value(10, 1)));
    }
  }

  @Test
  void aForeignFileIsSetAsideAndRecreated() throws IOException {
    Path file = dir.resolve("foreign.pool");
    Files.write(file, value(3 * (int) MiB, 9));
    try (TierStack cache = Tier.poolFile(file).size(2 * MiB).open()) {
      ReattachReport r = cache.reattach().orElseThrow();
      assertThat(r.state()).isEqualTo(ReattachReport.State.RECREATED);
      assertThat(r.message()).contains("set aside").contains("not a Cellar pool");
      assertThat(cache.stats(0).entries()).isZero();
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith("foreign.pool.bad-")))
          .hasSize(1);
    }
  }

  @Test
  void temporaryPoolsHaveNoReportAndPersistenceNeedsAFilePool() {
    try (TierStack cache = TestData.dir(dir, MiB).open()) {
      assertThat(cache.reattach()).isEmpty();
    }
    try (TierStack cache = TestData.dram(MiB).open()) {
      assertThat(cache.reattach()).isEmpty();
    }
    assertThatThrownBy(() -> TestData.dram(MiB).persistent().open())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("persistent() needs directory(Path)");
    assertThatThrownBy(() -> Tier.poolFile(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a directory");
  }
}
