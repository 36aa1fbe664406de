// SPDX-License-Identifier: Apache-2.0
// ExecutorReporter -- sends an executor's cache inventory to the driver, as deltas, on one thread
package io.cellar.spark.locality;

import io.cellar.scheduler.ApplyResult;
import io.cellar.scheduler.ChunkRef;
import io.cellar.scheduler.InventoryDelta;
import io.cellar.scheduler.InventoryTracker;
import io.cellar.spark.conf.CellarConf;
import io.cellar.spark.exec.ExecutorCache;
import io.cellar.spark.exec.Inventory;
import io.cellar.vmem.ByteCache;
import io.cellar.vmem.EvictedKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.plugin.PluginContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor half of cache-aware scheduling. Task threads record added chunks in the tracker
 * (through {@link Inventory}); the cache's eviction journal records what left. One daemon thread,
 * every {@code spark.cellar.locality.report-interval}, drains the journal into the tracker and
 * asks the driver plugin to apply the next delta ({@code PluginContext.ask}, so that the driver's
 * answer can ask for a full inventory when it lost track, e.g. a report that arrived before
 * Spark announced the executor). A cache that already holds chunks when the executor starts (a
 * reattached persistent pool) is reported whole at once.
 */
public final class ExecutorReporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorReporter.class);
  /** Keys drained from the eviction journal per tick at most. */
  private static final int DRAIN_BATCH = 65_536;

  private final PluginContext ctx;
  private final ExecutorCache cache;
  private final InventoryTracker tracker;
  private final ScheduledExecutorService thread;
  private final long intervalMs;
  private boolean warned;

  private ExecutorReporter(PluginContext ctx, ExecutorCache cache, int maxEntries,
      long intervalMs) {
    this.ctx = ctx;
    this.cache = cache;
    this.intervalMs = intervalMs;
    this.tracker = new InventoryTracker(ctx.executorID(), maxEntries,
        TimeUnit.MILLISECONDS.toNanos(intervalMs));
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cellar-inventory-reporter");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts reporting the executor's cache, or returns null when locality is off or the cache is
   * unavailable.
   */
  public static ExecutorReporter start(PluginContext ctx, ExecutorCache cache,
      Map<String, String> conf) {
    if (!CellarConf.LOCALITY_ENABLED.from(conf) || !cache.available()) {
      return null;
    }
    ExecutorReporter r = new ExecutorReporter(ctx, cache,
        CellarConf.LOCALITY_REPORT_MAX_ENTRIES.from(conf),
        CellarConf.LOCALITY_REPORT_INTERVAL.from(conf));
    cache.inventory().attach(r.tracker);
    r.thread.execute(r::takeStock);
    r.thread.scheduleWithFixedDelay(r::tick, 0, r.intervalMs, TimeUnit.MILLISECONDS);
    return r;
  }

  /**
   * For a cache that starts with contents (a reattached persistent pool): once the cache has
   * evicted the chunks of changed files ({@link ExecutorCache#stocked()}), reports the rest as
   * this executor's full inventory. Runs on the reporter thread, so the executor starts at once.
   */
  private void takeStock() {
    try {
      cache.stocked().join();
      List<ChunkRef> held = listing();
      if (!held.isEmpty()) {
        tracker.resync(held);
        LOG.info("Cellar: reporting the {} chunks the cache started with to the driver",
            held.size());
      }
    } catch (IllegalStateException closed) {
      // the executor is stopping
    } catch (RuntimeException e) {
      LOG.warn("Cellar: taking stock of the cache's contents at start failed: {}", e.toString());
    }
  }

  /** The tracker the executor's cache feeds (for tests and metrics). */
  public InventoryTracker tracker() {
    return tracker;
  }

  /** One round: evictions into the tracker, then at most one delta to the driver. */
  void tick() {
    try {
      ByteCache c = cache.cache();
      EvictedKeys ev = c.drainEvicted(DRAIN_BATCH);
      for (byte[] k : ev.keys()) {
        cache.inventory().keyEvicted(k);
      }
      if (ev.overflowed()) {
        // the journal lost keys: the cache's own listing is the truth
        tracker.resync(listing());
      }
      Optional<InventoryDelta> d = tracker.poll(System.nanoTime());
      if (d.isPresent()) {
        Object reply = ctx.ask(d.get());
        if (reply instanceof String s && ApplyResult.valueOf(s).wantsFullInventory()) {
          tracker.requestFullInventory();
        }
      }
    } catch (IllegalStateException closed) {
      // the cache closed under us: the executor is stopping
    } catch (Exception e) {
      if (!warned) {
        warned = true;
        LOG.warn("Cellar: reporting the cache's contents to the driver failed ({}); tasks may"
            + " run away from their cached data until a report gets through", e.toString());
      }
      tracker.requestFullInventory();
    }
  }

  /** Every chunk the cache holds, from its key listing. */
  private List<ChunkRef> listing() {
    List<ChunkRef> out = new ArrayList<>();
    cache.cache().forEachKey(k -> {
      ChunkRef r = Inventory.chunkRef(k);
      if (r != null) {
        out.add(r);
      }
    });
    return out;
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
