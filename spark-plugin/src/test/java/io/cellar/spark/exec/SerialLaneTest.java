// SPDX-License-Identifier: Apache-2.0
// SerialLaneTest -- a lane's jobs run once each, in order, one at a time, by helper or owner
package io.cellar.spark.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialLaneTest {
  /** A job that records its number and thread, optionally held until released. */
  private static final class Job implements SerialLane.Job {
    final int n;
    final List<Integer> ran;
    final List<String> threads;
    final AtomicInteger inside;
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release;
    boolean discarded;

    Job(int n, List<Integer> ran, List<String> threads, AtomicInteger inside) {
      this.n = n;
      this.ran = ran;
      this.threads = threads;
      this.inside = inside;
    }

    @Override
    public void run() {
      if (inside.incrementAndGet() != 1) {
        ran.add(-1); // two jobs of the lane at once
      }
      started.countDown();
      if (release != null) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      ran.add(n);
      threads.add(Thread.currentThread().getName());
      inside.decrementAndGet();
    }

    @Override
    public void discard() {
      discarded = true;
    }
  }

  private final List<Integer> ran = new CopyOnWriteArrayList<>();
  private final List<String> threads = new CopyOnWriteArrayList<>();
  private final AtomicInteger inside = new AtomicInteger();

  private Job job(int n) {
    return new Job(n, ran, threads, inside);
  }

  @Test
  void withoutHelpersTheOwnerRunsEveryJobInOrder() {
    try (BuildHelpers none = new BuildHelpers(0, 1 << 20)) {
      SerialLane lane = new SerialLane(none);
      for (int i = 0; i < 5; i++) {
        lane.submit(job(i));
      }
      assertThat(ran).isEmpty();
      assertThat(lane.queued()).isEqualTo(5);
      lane.runAll();
      assertThat(ran).containsExactly(0, 1, 2, 3, 4);
      assertThat(threads).allMatch(t -> t.equals(Thread.currentThread().getName()));
      assertThat(none.counters().byOwners.get()).isEqualTo(5);
      assertThat(none.stagingOpen()).isFalse();
    }
  }

  @Test
  void theOwnerWaitsForTheRunningJobThenRunsTheRestInOrder() throws Exception {
    try (BuildHelpers one = new BuildHelpers(1, 1 << 20)) {
      SerialLane lane = new SerialLane(one);
      Job first = job(0);
      first.release = new CountDownLatch(1);
      lane.submit(first);
      assertThat(first.started.await(30, TimeUnit.SECONDS)).isTrue();
      for (int i = 1; i < 40; i++) {
        lane.submit(job(i));
      }
      CompletableFuture<Void> owner = CompletableFuture.runAsync(lane::runAll);
      Thread.sleep(50);
      // the helper holds job 0; nothing else may start before it ends
      assertThat(owner).isNotDone();
      assertThat(ran).isEmpty();
      first.release.countDown();
      owner.get(30, TimeUnit.SECONDS);
      assertThat(ran).hasSize(40);
      for (int i = 0; i < 40; i++) {
        assertThat(ran.get(i)).isEqualTo(i);
      }
      assertThat(threads.get(0)).startsWith("cellar-build-");
      assertThat(lane.queued()).isZero();
      assertThat(one.counters().byHelpers.get() + one.counters().byOwners.get()).isEqualTo(40);
    }
  }

  @Test
  void helpersServeTheLaneWhileTheOwnerGoesOn() throws Exception {
    try (BuildHelpers one = new BuildHelpers(1, 1 << 20)) {
      SerialLane lane = new SerialLane(one);
      Job last = null;
      for (int i = 0; i < 100; i++) {
        last = job(i);
        lane.submit(last);
      }
      // nobody asks: a helper runs them all, turn after turn
      assertThat(last.started.await(30, TimeUnit.SECONDS)).isTrue();
      lane.runAll();
      assertThat(ran).hasSize(100);
      for (int i = 0; i < 100; i++) {
        assertThat(ran.get(i)).isEqualTo(i);
      }
      assertThat(one.counters().byHelpers.get()).isPositive();
    }
  }

  @Test
  void aLaneThatWakesHelpersForSeveralJobsLeavesFewerToItsOwner() throws Exception {
    try (BuildHelpers one = new BuildHelpers(1, 1 << 20)) {
      SerialLane lane = new SerialLane(one, 4);
      for (int i = 0; i < 3; i++) {
        lane.submit(job(i));
      }
      Thread.sleep(50);
      // three queued: no helper was asked
      assertThat(ran).isEmpty();
      assertThat(lane.queued()).isEqualTo(3);
      Job fourth = job(3);
      lane.submit(fourth);
      assertThat(fourth.started.await(30, TimeUnit.SECONDS)).isTrue();
      lane.submit(job(4));
      lane.runAll();
      assertThat(ran).containsExactly(0, 1, 2, 3, 4);
      assertThat(threads.subList(0, 4)).allMatch(t -> t.startsWith("cellar-build-"));
      assertThat(one.counters().byHelpers.get()).isGreaterThanOrEqualTo(4);
    }
    assertThatThrownBy(() -> new SerialLane(null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("offerAt must be at least 1, was 0");
  }

  @Test
  void discardedJobsNeverRunAndTheRunningOneIsWaitedFor() throws Exception {
    try (BuildHelpers one = new BuildHelpers(1, 1 << 20)) {
      SerialLane lane = new SerialLane(one);
      Job first = job(0);
      first.release = new CountDownLatch(1);
      Job second = job(1);
      Job third = job(2);
      lane.submit(first);
      assertThat(first.started.await(30, TimeUnit.SECONDS)).isTrue();
      lane.submit(second);
      lane.submit(third);
      CompletableFuture<Void> owner = CompletableFuture.runAsync(lane::discardAll);
      Thread.sleep(50);
      assertThat(owner).isNotDone();
      first.release.countDown();
      owner.get(30, TimeUnit.SECONDS);
      assertThat(ran).containsExactly(0);
      assertThat(second.discarded && third.discarded).isTrue();
      assertThat(first.discarded).isFalse();
      lane.runAll();
      assertThat(ran).containsExactly(0);
    }
  }

  @Test
  void aFullHelperQueueLeavesTheLaneToItsOwner() throws Exception {
    try (BuildHelpers one = new BuildHelpers(1, 1 << 20)) {
      // one lane holds the helper, 256 more fill its queue
      SerialLane busy = new SerialLane(one);
      Job blocker = new Job(-2, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(),
          new AtomicInteger());
      blocker.release = new CountDownLatch(1);
      busy.submit(blocker);
      assertThat(blocker.started.await(30, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 256; i++) {
        new SerialLane(one).submit(new Job(100 + i, new CopyOnWriteArrayList<>(),
            new CopyOnWriteArrayList<>(), new AtomicInteger()));
      }
      SerialLane mine = new SerialLane(one);
      mine.submit(job(0));
      assertThat(one.counters().refused.get()).isEqualTo(1);
      mine.submit(job(1));
      mine.runAll();
      assertThat(ran).containsExactly(0, 1);
      blocker.release.countDown();
      busy.runAll();
    }
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> new BuildHelpers(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BuildHelpers(1, -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
