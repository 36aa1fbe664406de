// SPDX-License-Identifier: Apache-2.0
// SharedWorkTest -- who runs the parts of a shared job, and what its owner waits for
package io.cellar.spark.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class SharedWorkTest {
  /** Parts that count their runs, and block on a helper thread until released. */
  private static final class Parts {
    final AtomicIntegerArray runs;
    final ConcurrentHashMap<Integer, String> thread = new ConcurrentHashMap<>();
    final CountDownLatch helperIn = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    Parts(int n) {
      runs = new AtomicIntegerArray(n);
    }

    void run(int i) {
      runs.incrementAndGet(i);
      String name = Thread.currentThread().getName();
      thread.put(i, name);
      if (name.startsWith("cellar-build-")) {
        helperIn.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  @Test
  void withoutHelpersTheOwnerRunsEveryPart() {
    try (BuildHelpers none = new BuildHelpers(0)) {
      Parts p = new Parts(5);
      SharedWork w = new SharedWork(5, p::run, none.counters());
      none.offer(w);
      assertThat(p.thread).isEmpty();
      w.finish();
      for (int i = 0; i < 5; i++) {
        assertThat(p.runs.get(i)).isEqualTo(1);
        assertThat(p.thread.get(i)).isEqualTo(Thread.currentThread().getName());
      }
      assertThat(none.counters().byOwners.get()).isEqualTo(5);
      assertThat(none.counters().byHelpers.get()).isZero();
    }
  }

  @Test
  void theOwnerRunsWhatNoHelperTookAndWaitsForWhatOneRuns() throws Exception {
    try (BuildHelpers one = new BuildHelpers(1)) {
      Parts p = new Parts(4);
      SharedWork w = new SharedWork(4, p::run, one.counters());
      one.offer(w);
      assertThat(p.helperIn.await(30, TimeUnit.SECONDS)).isTrue();
      // the helper holds part 0; the owner takes the other three and then waits for it
      CompletableFuture<Void> owner = CompletableFuture.runAsync(w::finish);
      while (p.thread.size() < 4) {
        Thread.onSpinWait();
      }
      assertThat(owner).isNotDone();
      p.release.countDown();
      owner.get(30, TimeUnit.SECONDS);
      assertThat(p.thread.get(0)).startsWith("cellar-build-");
      for (int i = 0; i < 4; i++) {
        assertThat(p.runs.get(i)).isEqualTo(1);
      }
      for (int i = 1; i < 4; i++) {
        assertThat(p.thread.get(i)).doesNotStartWith("cellar-build-");
      }
      assertThat(one.counters().byHelpers.get()).isEqualTo(1);
      assertThat(one.counters().byOwners.get()).isEqualTo(3);
    }
  }

  @Test
  void anAbandonedJobRunsNoMorePartsButWaitsForTheRunningOne() throws Exception {
    try (BuildHelpers one = new BuildHelpers(1)) {
      Parts p = new Parts(3);
      SharedWork w = new SharedWork(3, p::run, one.counters());
      one.offer(w);
      assertThat(p.helperIn.await(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Integer> owner = CompletableFuture.supplyAsync(w::abandon);
      Thread.sleep(50);
      assertThat(owner).isNotDone();
      p.release.countDown();
      assertThat(owner.get(30, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(p.runs.get(0)).isEqualTo(1);
      assertThat(p.runs.get(1)).isZero();
      assertThat(p.runs.get(2)).isZero();
      // a later finish has nothing left to do
      w.finish();
      assertThat(p.runs.get(1)).isZero();
    }
  }

  @Test
  void aFailingPartIsRecordedAndTheOthersStillRun() {
    try (BuildHelpers none = new BuildHelpers(0)) {
      AtomicIntegerArray runs = new AtomicIntegerArray(3);
      SharedWork w = new SharedWork(3, i -> {
        runs.incrementAndGet(i);
        if (i == 1) {
          throw new IllegalStateException("part 1 broke");
        }
      }, none.counters());
      w.finish();
      assertThat(w.failure(0)).isNull();
      assertThat(w.failure(1)).isInstanceOf(IllegalStateException.class)
          .hasMessage("part 1 broke");
      assertThat(w.failure(2)).isNull();
      assertThat(runs.get(0) + runs.get(1) + runs.get(2)).isEqualTo(3);
    }
  }

  @Test
  void aFullQueueRefusesTheOfferAndTheOwnerRunsTheJob() throws Exception {
    try (BuildHelpers one = new BuildHelpers(1)) {
      Parts blocker = new Parts(1);
      SharedWork first = new SharedWork(1, blocker::run, one.counters());
      one.offer(first);
      assertThat(blocker.helperIn.await(30, TimeUnit.SECONDS)).isTrue();
      // the helper is busy: 32 jobs fill its queue, the next is refused
      SharedWork[] queued = new SharedWork[33];
      AtomicIntegerArray runs = new AtomicIntegerArray(33);
      for (int j = 0; j < 33; j++) {
        int job = j;
        queued[j] = new SharedWork(1, i -> runs.incrementAndGet(job), one.counters());
        one.offer(queued[j]);
      }
      assertThat(one.counters().refused.get()).isEqualTo(1);
      for (SharedWork w : queued) {
        w.finish();
      }
      for (int j = 0; j < 33; j++) {
        assertThat(runs.get(j)).isEqualTo(1);
      }
      blocker.release.countDown();
      first.finish();
    }
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> new BuildHelpers(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SharedWork(-1, i -> { }, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
