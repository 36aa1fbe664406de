// SPDX-License-Identifier: Apache-2.0
// ConcurrencyTest.java -- many threads at once, close during calls, and use after close
package io.cellar.vmem;

import static io.cellar.vmem.TestData.MiB;
import static io.cellar.vmem.TestData.key;
import static io.cellar.vmem.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void stopThreads() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
  }

  /** A value whose bytes all equal one tag, so a torn or misplaced read shows. */
  private static byte[] tagged(int size, int tag) {
    byte[] v = new byte[size];
    Arrays.fill(v, (byte) tag);
    return v;
  }

  private static void assertWhole(byte[] v, int size) {
    assertThat(v).hasSize(size);
    for (byte b : v) {
      if (b != v[0]) {
        throw new AssertionError("torn value: bytes " + v[0] + " and " + b + " in one read");
      }
    }
  }

  @Test
  void threadsHammeringTheCacheWhileItClosesGetIllegalStateAndNeverCrash() throws Exception {
    TierStack cache = TestData.dram(4 * MiB).open();
    AtomicLong ops = new AtomicLong();
    List<Future<Throwable>> workers = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      int id = t;
      workers.add(
          pool.submit(
              () -> {
                ByteBuffer dst = ByteBuffer.allocateDirect(4096);
                for (long i = 0; i < 50_000_000L; i++) {
                  try {
                    byte[] k = key((int) (i % 64));
                    switch ((int) ((i + id) % 4)) {
                      case 0:
                        cache.put(k, value(1024, (int) i));
                        break;
                      case 1:
                        dst.clear();
                        cache.get(k, dst, 0);
                        break;
                      case 2:
                        cache.pin(k).ifPresent(Pin::close);
                        break;
                      default:
                        cache.evict(k);
                        break;
                    }
                    ops.incrementAndGet();
                  } catch (IllegalStateException e) {
                    return e;
                  }
                }
                return null;
              }));
    }
    await().atMost(PATIENCE).until(() -> ops.get() > 20_000);
    cache.close();
    for (Future<Throwable> w : workers) {
      assertThat(w.get(60, TimeUnit.SECONDS))
          .as("every worker stops on the closed cache")
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("cache is closed");
    }
  }

  @Test
  void everyCallAfterCloseThrowsCacheIsClosed() {
    TierStack cache = TestData.dram(MiB).open();
    cache.put(key("k"), value(10, 0));
    cache.close();
    cache.close();
    byte[] k = key("k");
    List<ThrowingCallable> calls =
        List.of(
            () -> cache.put(k, value(1, 0)),
            () -> cache.put(k, ByteBuffer.allocateDirect(1)),
            () -> cache.replace(k, value(1, 0)),
            () -> cache.replace(k, ByteBuffer.allocateDirect(1)),
            () -> cache.get(k, ByteBuffer.allocateDirect(1), 0),
            () -> cache.get(k, new byte[1], 0, 1, 0),
            () -> cache.get(k),
            () -> cache.pin(k),
            () -> cache.exists(k),
            () -> cache.valueSize(k),
            () -> cache.evict(k),
            () -> cache.evictLeastRecentlyUsed(0),
            () -> cache.stats(0),
            () -> cache.media(0),
            cache::tierStats,
            cache::movement,
            cache::reattach,
            () -> cache.writeDown(0),
            () -> cache.forEachKey(key -> {}));
    for (ThrowingCallable call : calls) {
      assertThatThrownBy(call)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("cache is closed");
    }
  }

  @Test
  void threadsPuttingGettingAndEvictingTheSameKeysAlwaysReadWholeValues() throws Exception {
    int size = 3000;
    try (TierStack cache = TestData.dram(MiB).extentSize(256).open()) {
      List<Future<Long>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int id = t;
        workers.add(
            pool.submit(
                () -> {
                  long hits = 0;
                  ByteBuffer dst = ByteBuffer.allocateDirect(size);
                  for (int i = 0; i < 20_000; i++) {
                    byte[] k = key(i % 16);
                    int tag = (i * 7 + id) % 127;
                    switch ((i + id) % 5) {
                      case 0:
                        cache.put(k, tagged(size, tag));
                        break;
                      case 1:
                        cache.replace(k, tagged(size, tag));
                        break;
                      case 2:
                        dst.clear();
                        if (cache.get(k, dst, 0) != TierStack.MISS) {
                          hits++;
                          assertWhole(TestData.bytes(dst.flip()), size);
                        }
                        break;
                      case 3:
                        try (Pin pin = cache.pin(k).orElse(null)) {
                          if (pin != null) {
                            hits++;
                            assertWhole(TestData.bytes(pin.buffer()), size);
                          }
                        }
                        break;
                      default:
                        cache.evict(k);
                        break;
                    }
                  }
                  return hits;
                }));
      }
      long hits = 0;
      for (Future<Long> w : workers) {
        hits += w.get(120, TimeUnit.SECONDS);
      }
      assertThat(hits).isPositive();
      CacheStats s = cache.stats(0);
      assertThat(s.pinned()).isZero();
      assertThat(s.gets()).isEqualTo(s.hits() + s.misses());
    }
  }

  @Test
  void closeWaitsForNothingWhenIdleAndIsIdempotentAcrossThreads() throws Exception {
    TierStack cache = TestData.dram(MiB).open();
    List<Future<?>> closers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      closers.add(pool.submit(cache::close));
    }
    for (Future<?> c : closers) {
      c.get(60, TimeUnit.SECONDS);
    }
    assertThat(cache.isClosed()).isTrue();
  }
}
