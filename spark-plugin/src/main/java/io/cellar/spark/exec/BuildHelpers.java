// SPDX-License-Identifier: Apache-2.0
// BuildHelpers -- the executor's threads that build column chunks beside the tasks
package io.cellar.spark.exec;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Daemon threads that serve the tasks' {@link SerialLane}s: the appends of decoded batches, staged
 * by the task, to the chunks being built. The task goes on decoding the next batch meanwhile, so
 * a core that no task uses (a table of one row group read by one task) builds while the task
 * decodes.
 *
 * <p>An offer never waits: the helpers' queue is bounded, and a lane it refuses is left to its
 * owner, which runs its jobs when it needs them done, as it would without helpers. The batches
 * staged and not yet appended hold {@link #pendingBytes}; a task stages no more while that is
 * over {@link #pendingLimit()}, and builds on its own thread instead. {@link #buildingBytes}
 * is what the chunks being built hold.
 */
public final class BuildHelpers implements AutoCloseable {
  /** Lanes waiting for a helper, per helper thread (a lane per column of each task's scan). */
  private static final int QUEUE_PER_THREAD = 256;
  private final ThreadPoolExecutor pool;
  private final Counters counters = new Counters();
  private final long pendingLimit;
  /** Native bytes held by chunks being built, over every task of the executor. */
  public final AtomicLong buildingBytes = new AtomicLong();
  /** Native bytes of batches staged for the helpers and not yet appended. */
  public final AtomicLong pendingBytes = new AtomicLong();

  /** Jobs of the lanes, by who ran them. */
  public static final class Counters {
    /** Jobs run by a helper thread. */
    public final AtomicLong byHelpers = new AtomicLong();
    /** Jobs run by the task that submitted them. */
    public final AtomicLong byOwners = new AtomicLong();
    /** Offers the full queue refused (the lane's jobs then ran on its task). */
    public final AtomicLong refused = new AtomicLong();
    /** Batches a task built itself because the staged bytes were over the limit. */
    public final AtomicLong overLimit = new AtomicLong();
  }

  /**
   * @param threads helper threads; 0 for none (every job runs on its task)
   * @param pendingLimit the staged bytes over which tasks stop staging (0: never stage)
   */
  public BuildHelpers(int threads, long pendingLimit) {
    if (threads < 0 || pendingLimit < 0) {
      throw new IllegalArgumentException("threads: " + threads + ", pending limit: "
          + pendingLimit);
    }
    this.pendingLimit = pendingLimit;
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
        }, new ThreadPoolExecutor.AbortPolicy());
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

  /** The staged bytes over which tasks build on their own threads. */
  public long pendingLimit() {
    return pendingLimit;
  }

  /** Whether a task may stage a batch for the helpers now. */
  public boolean stagingOpen() {
    return pool != null && pendingBytes.get() < pendingLimit;
  }

  /**
   * Offers work to the helpers; returns at once.
   *
   * @return whether a helper will run it (false: no helpers, or their queue is full)
   */
  boolean offer(Runnable r) {
    if (pool == null || pool.isShutdown()) {
      return false;
    }
    try {
      pool.execute(r);
      return true;
    } catch (RejectedExecutionException full) {
      counters.refused.incrementAndGet();
      return false;
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
