// SPDX-License-Identifier: Apache-2.0
// ExecutorControl -- an executor's end of the control channel: polls the driver, answers
package io.cellar.spark.control;

import io.cellar.spark.control.ControlMessages.Answer;
import io.cellar.spark.control.ControlMessages.Poll;
import io.cellar.spark.control.ControlMessages.Request;
import io.cellar.spark.exec.CacheReport;
import io.cellar.spark.exec.ExecutorCache;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.plugin.PluginContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the driver every {@link #POLL_MILLIS} for CELLAR requests and answers each with a report
 * of this executor's cache, on one daemon thread.
 */
public final class ExecutorControl implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorControl.class);
  static final long POLL_MILLIS = 200;

  private final ScheduledExecutorService thread;
  private final PluginContext ctx;
  private final ExecutorCache cache;
  private boolean warned;

  private ExecutorControl(PluginContext ctx, ExecutorCache cache) {
    this.ctx = ctx;
    this.cache = cache;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cellar-control");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts polling for this executor. */
  public static ExecutorControl start(PluginContext ctx, ExecutorCache cache) {
    ExecutorControl c = new ExecutorControl(ctx, cache);
    c.thread.scheduleWithFixedDelay(c::tick, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
    return c;
  }

  private void tick() {
    try {
      Object reply = ctx.ask(new Poll(ctx.executorID()));
      if (!(reply instanceof List<?> requests)) {
        return;
      }
      for (Object o : requests) {
        Request r = Request.decode((String[]) o);
        CacheReport report = CacheReport.of(ctx.executorID(), cache, r.clear,
            r.paths == null ? null : new HashSet<>(r.paths), r.tables);
        ctx.ask(new Answer(r.id, report));
      }
    } catch (Exception e) {
      if (!warned) {
        warned = true;
        LOG.warn("Cellar: polling the driver for CELLAR statements failed ({}); this executor"
            + " may miss CLEAR and STATUS until it gets through", e.toString());
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
