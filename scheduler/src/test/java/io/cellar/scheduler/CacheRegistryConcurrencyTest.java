// SPDX-License-Identifier: Apache-2.0
// CacheRegistryConcurrencyTest -- trackers, reporter and planners at once end in the right view
package io.cellar.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CacheRegistryConcurrencyTest {
  private static final int EXECUTORS = 4;
  private static final int THREADS_PER_EXECUTOR = 2;
  private static final int FILES_PER_THREAD = 5;
  private static final int ROW_GROUPS = 8;
  private static final int OPS = 20_000;
  private static final long RG_BYTES = 1000;

  private static FileId file(int executor, int thread, int f) {
    return new FileId("e" + executor + "/t" + thread + "/f" + f, ROW_GROUPS * RG_BYTES + 8, 1L);
  }

  @Test
  void concurrentChunksReportsAndQueriesEndInTheExecutorsTrueState() throws Exception {
    CacheRegistry registry = new CacheRegistry();
    List<InventoryTracker> trackers = new ArrayList<>();
    for (int e = 0; e <= EXECUTORS; e++) {
      registry.executorAdded(Integer.toString(e), "h" + e);
      trackers.add(new InventoryTracker(Integer.toString(e), 50, 0));
    }
    // model[e][t][f][rg] = chunks the test cached; executor EXECUTORS is removed midway
    int[][][][] model = new int[EXECUTORS + 1][THREADS_PER_EXECUTOR][FILES_PER_THREAD][ROW_GROUPS];
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean done = new AtomicBoolean();
    CountDownLatch mutators = new CountDownLatch((EXECUTORS + 1) * THREADS_PER_EXECUTOR);
    List<Thread> threads = new ArrayList<>();
    for (int e = 0; e <= EXECUTORS; e++) {
      for (int t = 0; t < THREADS_PER_EXECUTOR; t++) {
        int ee = e;
        int tt = t;
        threads.add(new Thread(() -> {
          try {
            // halfway through, one thread of the last executor has the executor removed
            Runnable halfway = ee == EXECUTORS && tt == 0
                ? () -> registry.executorRemoved(Integer.toString(ee)) : () -> { };
            mutate(trackers.get(ee), ee, tt, model[ee][tt], new Random(31L * ee + tt), halfway);
          } catch (Throwable x) {
            failures.add(x);
          } finally {
            mutators.countDown();
          }
        }));
      }
    }
    threads.add(new Thread(() -> {
      try {
        while (!done.get()) {
          for (InventoryTracker tr : trackers) {
            tr.poll(System.nanoTime()).ifPresent(registry::apply);
          }
        }
      } catch (Throwable x) {
        failures.add(x);
      }
    }));
    for (int q = 0; q < 2; q++) {
      threads.add(new Thread(() -> query(registry, done, failures)));
    }
    threads.forEach(Thread::start);
    mutators.await();
    done.set(true);
    for (Thread th : threads) {
      th.join();
    }
    assertThat(failures).isEmpty();

    for (InventoryTracker tr : trackers) {
      while (tr.pendingChanges() > 0) {
        tr.poll(System.nanoTime()).ifPresent(registry::apply);
      }
    }
    long held = 0;
    for (int e = 0; e <= EXECUTORS; e++) {
      for (int t = 0; t < THREADS_PER_EXECUTOR; t++) {
        for (int f = 0; f < FILES_PER_THREAD; f++) {
          for (int rg = 0; rg < ROW_GROUPS; rg++) {
            boolean expected = e < EXECUTORS && model[e][t][f][rg] > 0;
            held += expected ? 1 : 0;
            List<String> got =
                registry.preferredExecutors(file(e, t, f), 4 + rg * RG_BYTES, RG_BYTES, 10);
            assertThat(got).as("e%d t%d f%d rg%d", e, t, f, rg)
                .isEqualTo(expected ? List.of(Integer.toString(e)) : List.of());
          }
        }
      }
    }
    assertThat(registry.rowGroupsHeld()).isEqualTo(held);
    assertThat(held).isPositive();
  }

  private static void mutate(
      InventoryTracker tracker, int e, int t, int[][] counts, Random random, Runnable halfway) {
    for (int i = 0; i < OPS; i++) {
      if (i == OPS / 2) {
        halfway.run();
      }
      int f = random.nextInt(FILES_PER_THREAD);
      int rg = random.nextInt(ROW_GROUPS);
      if (counts[f][rg] > 0 && random.nextInt(100) < 45) {
        counts[f][rg]--;
        tracker.chunkEvicted(file(e, t, f), rg);
      } else if (counts[f][rg] < 3) {
        counts[f][rg]++;
        tracker.chunkAdded(file(e, t, f), rg, 4 + rg * RG_BYTES, RG_BYTES);
      }
    }
  }

  private static void query(
      CacheRegistry registry, AtomicBoolean done, ConcurrentLinkedQueue<Throwable> failures) {
    try {
      Random random = new Random(7);
      List<SplitRef> splits = new ArrayList<>();
      while (!done.get()) {
        splits.clear();
        for (int i = 0; i < 64; i++) {
          int e = random.nextInt(EXECUTORS + 1);
          int t = random.nextInt(THREADS_PER_EXECUTOR);
          FileId f = file(e, t, random.nextInt(FILES_PER_THREAD));
          splits.add(new SplitRef(f, 0, f.length()));
        }
        for (List<String> p : registry.preferredExecutors(splits, 3)) {
          assertThat(p.size()).isLessThanOrEqualTo(1);
        }
      }
    } catch (Throwable x) {
      failures.add(x);
    }
  }
}
