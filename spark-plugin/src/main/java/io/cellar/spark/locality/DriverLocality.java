// SPDX-License-Identifier: Apache-2.0
// DriverLocality -- the driver half of cache-aware scheduling: the registry and split preferences
package io.cellar.spark.locality;

import io.cellar.scheduler.CacheRegistry;
import io.cellar.scheduler.InventoryDelta;
import io.cellar.scheduler.SplitRef;
import io.cellar.spark.conf.CellarConf;
import io.cellar.spark.exec.Inventory;
import io.cellar.spark.key.FileIds;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorExcluded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerExecutorUnexcluded;
import org.apache.spark.sql.execution.datasources.FilePartition;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the driver's {@link CacheRegistry} (fed by the executors' reports and by Spark's executor
 * events) and turns it into a scan split's preferred locations: the executors holding most of
 * the split's cached bytes, as {@code executor_<host>_<id>} (which Spark's scheduler treats as
 * process-local), ahead of the block hosts Spark found. One per driver JVM, made by the driver
 * plugin; without it (no plugin, local mode) scans keep Spark's locations.
 */
public final class DriverLocality {
  private static final Logger LOG = LoggerFactory.getLogger(DriverLocality.class);
  /** Spark's prefix of a process-local location (TaskLocation's executor tag). */
  static final String EXECUTOR_TAG = "executor_";
  private static volatile DriverLocality current;

  private final CacheRegistry registry = new CacheRegistry();
  private final int maxPreferred;
  private final boolean assignUncached;

  DriverLocality(int maxPreferred, boolean assignUncached) {
    this.maxPreferred = maxPreferred;
    this.assignUncached = assignUncached;
  }

  /**
   * Starts the driver's registry, unless locality is off. Runs in the driver plugin's init,
   * before Spark makes its task scheduler, so that Cellar's wait can still become Spark's.
   */
  public static DriverLocality start(SparkContext sc, Map<String, String> conf) {
    if (!CellarConf.LOCALITY_ENABLED.from(conf)) {
      LOG.info("Cellar: cache-aware scheduling is off ({}=false)",
          CellarConf.LOCALITY_ENABLED.key());
      return null;
    }
    DriverLocality d = new DriverLocality(CellarConf.LOCALITY_MAX_PREFERRED.from(conf),
        CellarConf.LOCALITY_ASSIGN_UNCACHED.from(conf));
    applyWait(CellarConf.LOCALITY_WAIT.from(conf));
    sc.addSparkListener(d.new ExecutorEvents());
    current = d;
    return d;
  }

  /**
   * Makes Cellar's wait Spark's process-local wait, unless the application chose Spark's own.
   * SparkEnv's configuration is the one the task scheduler reads when it is made.
   */
  static void applyWait(long waitMs) {
    SparkEnv env = SparkEnv.get();
    if (env == null) {
      return;
    }
    SparkConf c = env.conf();
    if (c.contains("spark.locality.wait.process") || c.contains("spark.locality.wait")) {
      LOG.info("Cellar: the application sets Spark's locality wait (spark.locality.wait.process"
          + " {}); {} is not applied", c.get("spark.locality.wait.process",
          c.get("spark.locality.wait", "3s")), CellarConf.LOCALITY_WAIT.key());
      return;
    }
    c.set("spark.locality.wait.process", waitMs + "ms");
    LOG.info("Cellar: tasks wait at most {} ms for the executor that caches their split"
        + " (spark.locality.wait.process, from {})", waitMs, CellarConf.LOCALITY_WAIT.key());
  }

  /** This driver's locality, or null when there is none. */
  public static DriverLocality current() {
    return current;
  }

  /** The registry (for tests and metrics). */
  public CacheRegistry registry() {
    return registry;
  }

  /** Handles an executor's message; the answer is an {@code ApplyResult} name. */
  public Object receive(Object message) {
    if (message instanceof InventoryDelta d) {
      return registry.apply(d).name();
    }
    throw new IllegalArgumentException("Cellar's driver plugin got an unknown message: "
        + (message == null ? "null" : message.getClass().getName()));
  }

  /** Stops answering for scans (the application is stopping). */
  public void stop() {
    if (current == this) {
      current = null;
    }
  }

  /**
   * The locations of a scan task: Cellar's preferred executors first, then Spark's own. Spark's
   * alone when this driver has no locality or fewer than two live executors. {@code etags} are
   * the ETags of the scan's listing (URL-encoded path to ETag).
   */
  public static List<String> locations(FilePartition p, List<String> spark,
      Map<String, String> etags) {
    DriverLocality d = current;
    if (d == null || p.files().length == 0) {
      return spark;
    }
    return d.preferred(p, spark, etags);
  }

  List<String> preferred(FilePartition p, List<String> spark, Map<String, String> etags) {
    if (registry.liveExecutors().size() < 2) {
      return spark;
    }
    List<SplitRef> group = new ArrayList<>(p.files().length);
    for (PartitionedFile f : p.files()) {
      group.add(new SplitRef(FileIds.of(f, etags), f.start(), f.length()));
    }
    List<String> ids = registry.preferredForGroup(group, maxPreferred);
    if (ids.isEmpty() && assignUncached) {
      Optional<String> a = registry.assign(group.get(0).key());
      ids = a.map(List::of).orElse(List.of());
    }
    if (ids.isEmpty()) {
      return spark;
    }
    Set<String> out = new LinkedHashSet<>();
    for (String id : ids) {
      String host = registry.hostOf(id);
      if (host != null) {
        out.add(EXECUTOR_TAG + host + "_" + id);
      }
    }
    out.addAll(spark);
    return new ArrayList<>(out);
  }

  /** Spark's executor events: who is alive, on which host. */
  private final class ExecutorEvents extends SparkListener {
    /** Hosts of executors seen, so that an executor excluded for a while can come back. */
    private final Map<String, String> hosts = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded e) {
      hosts.put(e.executorId(), e.executorInfo().executorHost());
      registry.executorAdded(e.executorId(), e.executorInfo().executorHost());
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
      hosts.remove(e.executorId());
      registry.executorRemoved(e.executorId());
      LOG.info("Cellar: executor {} removed ({}); its cached splits are no longer preferred",
          e.executorId(), e.reason());
    }

    @Override
    public void onExecutorExcluded(SparkListenerExecutorExcluded e) {
      // Spark offers it no tasks: preferring it would only make its splits wait
      registry.executorRemoved(e.executorId());
    }

    @Override
    public void onExecutorUnexcluded(SparkListenerExecutorUnexcluded e) {
      String host = hosts.get(e.executorId());
      if (host == null) {
        return;
      }
      // it starts from nothing in the registry, which answers its next delta with a request
      // for a full inventory
      registry.executorAdded(e.executorId(), host);
      LOG.info("Cellar: executor {} is no longer excluded; its cache is preferred again after"
          + " its next report", e.executorId());
    }
  }
}
