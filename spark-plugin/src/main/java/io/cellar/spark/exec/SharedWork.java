// SPDX-License-Identifier: Apache-2.0
// SharedWork -- parts of one job that a helper thread may take, and the owner finishes
package io.cellar.spark.exec;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A job of independent parts, shared between the thread that owns it and the helpers of a
 * {@link BuildHelpers}: whoever claims a part first runs it. The owner offers the job, goes on
 * with its own work, and calls {@link #finish()} when it needs the parts done: it runs the
 * parts no helper has claimed, and waits only for those a helper is running. So the owner never
 * waits on a queue or an idle helper, and a job nobody helps with costs what running it inline
 * costs.
 *
 * <p>A part that throws is recorded, not rethrown; {@link #failure(int)} tells the owner after
 * {@link #finish()} or {@link #abandon()}.
 */
public final class SharedWork implements Runnable {
  /** Spins before the owner parks: a helper's part is short, and a park costs a wake-up. */
  private static final int SPINS = 2_000;
  private final int parts;
  private final IntConsumer part;
  private final AtomicInteger claimed = new AtomicInteger();
  private final AtomicInteger done = new AtomicInteger();
  private final Throwable[] failures;
  private final BuildHelpers.Counters counters;
  private volatile Thread waiter;
  private boolean finished;

  /**
   * @param parts how many parts, numbered from 0
   * @param part runs part i; called at most once per part, on any thread
   * @param counters where the parts run by each side are counted, or null
   */
  public SharedWork(int parts, IntConsumer part, BuildHelpers.Counters counters) {
    if (parts < 0) {
      throw new IllegalArgumentException("parts: " + parts);
    }
    this.parts = parts;
    this.part = part;
    this.failures = new Throwable[parts];
    this.counters = counters;
  }

  /** A helper's side: runs parts until none is left to claim. */
  @Override
  public void run() {
    runParts(true, counters == null ? null : counters.byHelpers);
  }

  /**
   * The owner's side: runs every part not yet claimed, then waits for those helpers are running.
   * Once it returns, every part is done and what they wrote is visible to the caller.
   */
  public void finish() {
    if (finished) {
      return;
    }
    runParts(true, counters == null ? null : counters.byOwners);
    awaitDone();
    finished = true;
  }

  /**
   * The owner gives up on the job: parts not yet claimed never run; those a helper is running are
   * waited for, so the owner may free what the parts use once this returns.
   *
   * @return how many parts did not run
   */
  public int abandon() {
    if (finished) {
      return 0;
    }
    int skipped = runParts(false, null);
    awaitDone();
    finished = true;
    return skipped;
  }

  /** What part i threw, or null (valid after {@link #finish()} or {@link #abandon()}). */
  public Throwable failure(int i) {
    return failures[i];
  }

  /** How many parts the job has. */
  public int parts() {
    return parts;
  }

  /**
   * Claims parts until none is left; runs them when asked, counting each in ran before it is
   * done. Returns how many it claimed.
   */
  private int runParts(boolean run, AtomicLong ran) {
    int n = 0;
    for (int i = claimed.getAndIncrement(); i < parts; i = claimed.getAndIncrement()) {
      if (run) {
        try {
          part.accept(i);
        } catch (Throwable t) {
          failures[i] = t;
        }
        if (ran != null) {
          ran.incrementAndGet();
        }
      }
      n++;
      if (done.incrementAndGet() == parts) {
        Thread w = waiter;
        if (w != null) {
          LockSupport.unpark(w);
        }
      }
    }
    return n;
  }

  private void awaitDone() {
    for (int spin = 0; done.get() < parts && spin < SPINS; spin++) {
      Thread.onSpinWait();
    }
    if (done.get() < parts) {
      waiter = Thread.currentThread();
      boolean interrupted = false;
      while (done.get() < parts) {
        LockSupport.park(this);
        interrupted |= Thread.interrupted();
      }
      waiter = null;
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
