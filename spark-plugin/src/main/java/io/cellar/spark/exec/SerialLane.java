// SPDX-License-Identifier: Apache-2.0
// SerialLane -- one owner's jobs, run in order by the build helpers or by the owner itself
package io.cellar.spark.exec;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The jobs of one owner (a task's reader), run one at a time and in the order submitted, by
 * whichever thread gets to them: a helper of {@link BuildHelpers}, or the owner when it needs
 * them done ({@link #runAll()}). The owner never waits for a queue or an idle helper: it waits
 * only for the one job a helper may be running, then runs what is left itself.
 *
 * <p>Only the owner's thread submits, runs all and discards.
 */
public final class SerialLane {
  /** Jobs a helper runs before it lets other lanes' turns come (it offers itself again). */
  private static final int TURN = 16;
  private final BuildHelpers helpers;
  private final ArrayDeque<Job> queue = new ArrayDeque<>();
  /** Whether a helper has this lane in its queue or is serving it. */
  private boolean scheduled;
  /** Whether a job is running (on a helper or on the owner). */
  private boolean running;
  /** Whether the owner runs or discards the queue: helpers start no job of it meanwhile. */
  private boolean ownerHas;

  /** A job of the lane. */
  public interface Job {
    /** Does the work; must not throw. */
    void run();

    /** Releases what the job holds when it will never run. */
    void discard();
  }

  /** Jobs queued before an idle lane is offered to the helpers. */
  private final int offerAt;

  /** A lane offered to the helpers at its first job. */
  public SerialLane(BuildHelpers helpers) {
    this(helpers, 1);
  }

  /**
   * @param helpers the helpers that serve the lane
   * @param offerAt how many jobs must be queued before a lane no helper serves is offered to
   *     them: waking a helper costs the owner a few microseconds, so an owner that submits many
   *     small jobs wakes one for several at once (fewer than that at the end are the owner's)
   */
  public SerialLane(BuildHelpers helpers, int offerAt) {
    if (offerAt < 1) {
      throw new IllegalArgumentException("offerAt must be at least 1, was " + offerAt);
    }
    this.helpers = helpers;
    this.offerAt = offerAt;
  }

  /**
   * Queues a job behind the lane's others, and asks a helper to serve the lane once enough are
   * queued.
   */
  public void submit(Job j) {
    boolean offer;
    synchronized (this) {
      queue.add(j);
      offer = !scheduled && queue.size() >= offerAt;
      scheduled |= offer;
    }
    if (offer && !helpers.offer(this::serve)) {
      synchronized (this) {
        scheduled = false;
      }
    }
  }

  /** Jobs submitted and not yet started. */
  public synchronized int queued() {
    return queue.size();
  }

  /** A helper's turn: runs the lane's jobs until none is left, or for a turn. */
  private void serve() {
    for (int done = 0; ; done++) {
      Job j;
      synchronized (this) {
        if (running || ownerHas || queue.isEmpty()) {
          scheduled = false;
          return;
        }
        if (done == TURN) {
          break;
        }
        j = queue.poll();
        running = true;
      }
      runOne(j, helpers.counters().byHelpers);
    }
    // still scheduled: back to the end of the helpers' queue, behind other lanes
    if (!helpers.offer(this::serve)) {
      synchronized (this) {
        scheduled = false;
      }
    }
  }

  /**
   * The owner's side: waits for a job a helper is running, then runs every queued job itself, in
   * order. Once it returns, every job submitted so far has run, and what they wrote is visible.
   */
  public void runAll() {
    synchronized (this) {
      if (queue.isEmpty() && !running) {
        return;
      }
      ownerHas = true;
    }
    try {
      while (true) {
        Job j;
        synchronized (this) {
          awaitIdle();
          j = queue.poll();
          if (j == null) {
            return;
          }
          running = true;
        }
        runOne(j, helpers.counters().byOwners);
      }
    } finally {
      synchronized (this) {
        ownerHas = false;
      }
    }
  }

  /**
   * The owner gives up its queued jobs: none of them runs. Waits for a job a helper is running,
   * so that the owner may free what the jobs use once this returns.
   */
  public void discardAll() {
    synchronized (this) {
      ownerHas = true;
      try {
        awaitIdle();
        for (Job j = queue.poll(); j != null; j = queue.poll()) {
          j.discard();
        }
      } finally {
        ownerHas = false;
      }
    }
  }

  private void runOne(Job j, AtomicLong ran) {
    try {
      j.run();
      ran.incrementAndGet();
    } finally {
      synchronized (this) {
        running = false;
        notifyAll();
      }
    }
  }

  /** Waits, holding the monitor, until no job runs; an interrupt is kept for later. */
  private void awaitIdle() {
    boolean interrupted = false;
    while (running) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
