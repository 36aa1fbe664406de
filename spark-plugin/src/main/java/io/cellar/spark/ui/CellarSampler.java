// SPDX-License-Identifier: Apache-2.0
// CellarSampler -- the driver's periodic sample of every executor's cache, for the Cellar page
package io.cellar.spark.ui;

import io.cellar.spark.control.Reports;
import io.cellar.spark.exec.CacheReport;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every interval, gathers the executors' reports (with their tables) and posts them as a {@link
 * CellarSampleEvent} on the application's listener bus, from which the status store and the
 * event log take it. Runs on one daemon thread of the driver.
 */
public final class CellarSampler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CellarSampler.class);

  private final ScheduledExecutorService thread;
  private final SparkContext sc;
  private final Consumer<SparkListenerEvent> post;
  private final long intervalMs;
  private boolean warned;

  private CellarSampler(SparkContext sc, Consumer<SparkListenerEvent> post, long intervalMs) {
    this.sc = sc;
    this.post = post;
    this.intervalMs = intervalMs;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cellar-ui-sampler");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts sampling every {@code intervalMs}, posting each sample with {@code post}. */
  public static CellarSampler start(SparkContext sc, Consumer<SparkListenerEvent> post,
      long intervalMs) {
    CellarSampler s = new CellarSampler(sc, post, intervalMs);
    s.thread.scheduleWithFixedDelay(() -> s.sample(Math.max(1000, intervalMs)), intervalMs,
        intervalMs, TimeUnit.MILLISECONDS);
    return s;
  }

  /**
   * Takes one sample now, waiting up to {@code timeoutMs} for the executors, and posts it unless
   * no cache answered: an empty sample (before the first cache opens, or while the application
   * stops and the executors close theirs) would replace the last figures on the page and in the
   * event log with nothing.
   */
  void sample(long timeoutMs) {
    try {
      long now = System.currentTimeMillis();
      List<CacheReport> reports = Reports.sample(sc, timeoutMs);
      if (!reports.isEmpty()) {
        post.accept(CellarSampleEvent.of(now, reports));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      if (!warned) {
        warned = true;
        LOG.warn("Cellar: sampling the caches for the Cellar page failed ({}); the page shows"
            + " the samples taken before", e.toString());
      }
    }
  }

  /** Takes a last sample, so that the event log ends with the final figures, and stops. */
  @Override
  public void close() {
    thread.shutdownNow();
    sample(Math.min(1000, intervalMs));
  }
}
