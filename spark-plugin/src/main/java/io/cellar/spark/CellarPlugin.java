// SPDX-License-Identifier: Apache-2.0
// CellarPlugin -- executor life cycle and metrics of Cellar's cache (spark.plugins)
package io.cellar.spark;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.cellar.scheduler.ApplyResult;
import io.cellar.spark.chunk.NativeBlocks;
import io.cellar.spark.conf.CellarConf;
import io.cellar.spark.control.DriverControl;
import io.cellar.spark.control.ExecutorControl;
import io.cellar.spark.exec.ExecutorCache;
import io.cellar.spark.locality.DriverLocality;
import io.cellar.spark.locality.ExecutorReporter;
import io.cellar.spark.ui.CellarSampler;
import io.cellar.vmem.CacheStats;
import io.cellar.vmem.TierStack;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.apache.spark.cellar.CellarUi;

/**
 * The optional half of Cellar ({@code spark.plugins=io.cellar.spark.CellarPlugin}): each executor
 * opens its cache when it starts (not at the first scan), publishes the cache's statistics in
 * Spark's metrics system (source {@code plugin.io.cellar.spark.CellarPlugin}) and closes the
 * cache cleanly when it stops. The driver checks the configuration at start.
 */
public final class CellarPlugin implements SparkPlugin {
  @Override
  public DriverPlugin driverPlugin() {
    return new DriverPlugin() {
      private DriverLocality locality;
      private final DriverControl control = new DriverControl();
      private CellarSampler sampler;

      @Override
      public Map<String, String> init(SparkContext sc, PluginContext ctx) {
        CellarExtensions.checkConfiguration(sc.getConf());
        Map<String, String> conf = CellarConf.settings(sc.getConf());
        locality = DriverLocality.start(sc, conf);
        control.start(sc);
        if (CellarConf.UI_ENABLED.from(conf)) {
          CellarUi.attach(sc);
          sampler = CellarSampler.start(sc, e -> CellarUi.post(sc, e),
              CellarConf.UI_SAMPLE_INTERVAL.from(conf));
        }
        return Map.of();
      }

      @Override
      public Object receive(Object message) {
        Object answer = control.receive(message);
        if (answer != null) {
          return answer;
        }
        if (locality == null) {
          // locality is off on the driver: executors stop asking after this answer
          return ApplyResult.UNKNOWN_EXECUTOR.name();
        }
        return locality.receive(message);
      }

      @Override
      public void shutdown() {
        if (sampler != null) {
          sampler.close();
        }
        control.stop();
        if (locality != null) {
          locality.stop();
        }
      }
    };
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      private ExecutorReporter reporter;
      private ExecutorControl control;

      @Override
      public void init(PluginContext ctx, Map<String, String> extraConf) {
        ExecutorCache cache = ExecutorCache.get();
        register(ctx.metricRegistry(), cache);
        if (!"driver".equals(ctx.executorID())) {
          // in local mode the driver is the only executor: no one to schedule around, and
          // CELLAR statements reach its cache directly
          reporter = ExecutorReporter.start(ctx, cache, CellarConf.settings(ctx.conf()));
          control = ExecutorControl.start(ctx, cache);
        }
      }

      @Override
      public void shutdown() {
        if (control != null) {
          control.close();
        }
        if (reporter != null) {
          reporter.close();
        }
        ExecutorCache.shutdown();
      }
    };
  }

  /** Gauges of the executor's cache: chunk counters and, per tier, the engine's statistics. */
  static void register(MetricRegistry r, ExecutorCache c) {
    r.register("chunks.hits", (Gauge<Long>) c.hits::get);
    r.register("chunks.misses", (Gauge<Long>) c.misses::get);
    r.register("chunks.added", (Gauge<Long>) c.added::get);
    r.register("chunks.notAdded", (Gauge<Long>) c.notAdded::get);
    r.register("chunks.rejected", (Gauge<Long>) c.rejected::get);
    r.register("fallbacks", (Gauge<Long>) c.fallbacks::get);
    r.register("build.bytes", (Gauge<Long>) c.builders().buildingBytes::get);
    r.register("build.pending.bytes", (Gauge<Long>) c.builders().pendingBytes::get);
    r.register("build.arena.bytes", (Gauge<Long>) NativeBlocks::arenaCapacity);
    r.register("build.arena.used.bytes", (Gauge<Long>) NativeBlocks::arenaUsed);
    r.register("build.outside.bytes", (Gauge<Long>) NativeBlocks::outsideUsed);
    r.register("build.batches.helpers", (Gauge<Long>) c.builders().counters().byHelpers::get);
    r.register("build.batches.tasks", (Gauge<Long>) c.builders().counters().byOwners::get);
    r.register("build.batches.overLimit", (Gauge<Long>) c.builders().counters().overLimit::get);
    r.register("build.refused", (Gauge<Long>) c.builders().counters().refused::get);
    r.register("available", (Gauge<Integer>) () -> c.available() ? 1 : 0);
    TierStack cache = c.cache();
    int tiers = cache == null ? 0 : cache.tierCount();
    for (int i = 0; i < tiers; i++) {
      int tier = i;
      tierGauge(r, cache, tier, "entries", CacheStats::entries);
      tierGauge(r, cache, tier, "poolUsed", CacheStats::poolUsed);
      tierGauge(r, cache, tier, "poolSize", CacheStats::poolSize);
      tierGauge(r, cache, tier, "hits", CacheStats::hits);
      tierGauge(r, cache, tier, "misses", CacheStats::misses);
      tierGauge(r, cache, tier, "evictions", CacheStats::evictions);
    }
  }

  private static void tierGauge(MetricRegistry r, TierStack cache, int tier, String name,
      ToLongFunction<CacheStats> f) {
    r.register("tier" + tier + "." + name, (Gauge<Long>) () -> {
      try {
        return f.applyAsLong(cache.stats(tier));
      } catch (IllegalStateException closed) {
        return 0L;
      }
    });
  }
}
