// SPDX-License-Identifier: Apache-2.0
// BuildHelpers -- the executor's threads that build column chunks beside the tasks
package io.cellar.spark.exec;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Daemon threads that take parts of {@link SharedWork} offered by the tasks: the appends of a
 * decoded batch to the chunks being built. A core that no task uses (a table of one row group
 * read by one task) then builds while the task decodes and its plan consumes the batch.
 *
 * <p>The queue is bounded and an offer never waits: a job that does not fit is left to its
 * owner, who runs its parts when it finishes the job, as it would without helpers. No memory is
 * held for the queue beyond the jobs themselves, whose data (the batch, the chunks being built)
 * the owning task holds anyway; {@link #buildingBytes} shows what that is.
 */
public final class BuildHelpers implements AutoCloseable {
  /** Jobs waiting for a helper, per helper thread. */
  private static final int QUEUE_PER_THREAD = 32;
  private final ThreadPoolExecutor pool;
  private final Counters counters = new Counters();
  /** Native bytes held by chunks being built, over every task of the executor. */
  public final AtomicLong buildingBytes = new AtomicLong();

  /** Parts of shared jobs run by helpers and by the tasks that owned them. */
  public static final class Counters {
    /** Parts run by a helper thread. */
    public final AtomicLong byHelpers = new AtomicLong();
    /** Parts run by the task that owned the job. */
    public final AtomicLong byOwners = new AtomicLong();
    /** Jobs offered when the queue was full (their parts all ran on the task). */
    public final AtomicLong refused = new AtomicLong();
  }

  /**
   * @param threads helper threads; 0 for none (every job runs on its task)
   */
  public BuildHelpers(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException("threads: " + threads);
    }
    if (threads == 0) {
      pool = null;
      return;
    }
    AtomicInteger n = new AtomicInteger();
    pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(QUEUE_PER_THREAD * threads), r -> {
          Thread t = new Thread(r, "cellar-build-" + n.getAndIncrement());
          t.setDaemon(true);
          return t;
        }, (r, p) -> counters.refused.incrementAndGet());
    pool.prestartAllCoreThreads();
  }

  /** Where the shared jobs' parts are counted. */
  public Counters counters() {
    return counters;
  }

  /** How many helper threads there are. */
  public int threads() {
    return pool == null ? 0 : pool.getCorePoolSize();
  }

  /**
   * Offers a job to the helpers; returns at once. Its owner must still call
   * {@link SharedWork#finish()} or {@link SharedWork#abandon()}.
   */
  public void offer(SharedWork w) {
    if (pool != null && w.parts() > 0 && !pool.isShutdown()) {
      pool.execute(w);
    }
  }

  /** Stops the helpers; jobs still queued are left to their owners. */
  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
