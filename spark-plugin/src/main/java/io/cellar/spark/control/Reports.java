// SPDX-License-Identifier: Apache-2.0
// Reports -- every executor's CacheReport, in local mode and on a cluster alike
package io.cellar.spark.control;

import io.cellar.spark.exec.CacheReport;
import io.cellar.spark.exec.ExecutorCache;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Gathers the executors' reports: this JVM's cache in local mode, the plugin's channel else. */
public final class Reports {
  private static final Logger LOG = LoggerFactory.getLogger(Reports.class);

  private Reports() {}

  /**
   * The report of every executor's cache, ordered by executor id.
   *
   * @param sc the application
   * @param clear drop the chunks of {@code files} (all when null) first
   * @param files URL-encoded file paths, or null for every file
   * @param tables count chunks and bytes per table too
   * @param timeoutMillis how long to wait for executors on a cluster
   * @throws IllegalStateException on a cluster without Cellar's plugin
   * @throws InterruptedException when interrupted while waiting
   */
  public static List<CacheReport> gather(SparkContext sc, boolean clear, List<String> files,
      boolean tables, long timeoutMillis) throws InterruptedException {
    if (sc.isLocal()) {
      return List.of(CacheReport.of("driver", ExecutorCache.get(), clear,
          files == null ? null : new HashSet<>(files), tables));
    }
    return ask(sc, clear, files, tables, timeoutMillis);
  }

  /**
   * A look at the caches that are open, with their tables, changing nothing: in local mode this
   * JVM's cache only if it is open (a sample must not open one, nor reopen the one the local
   * executor closed while the application stops), on a cluster the executors that answer.
   *
   * @return the reports, empty when no cache is open or no executor answered
   * @throws IllegalStateException on a cluster without Cellar's plugin
   * @throws InterruptedException when interrupted while waiting
   */
  public static List<CacheReport> sample(SparkContext sc, long timeoutMillis)
      throws InterruptedException {
    if (sc.isLocal()) {
      ExecutorCache open = ExecutorCache.ifOpen();
      return open == null ? List.of() : List.of(CacheReport.of("driver", open, false, null, true));
    }
    return ask(sc, false, null, true, timeoutMillis);
  }

  private static List<CacheReport> ask(SparkContext sc, boolean clear, List<String> files,
      boolean tables, long timeoutMillis) throws InterruptedException {
    DriverControl control = DriverControl.current();
    if (control == null) {
      throw new IllegalStateException("Cellar reaches a cluster's executors through its plugin:"
          + " add spark.plugins=io.cellar.spark.CellarPlugin");
    }
    Map<String, CacheReport> got = control.ask(clear, files, tables, timeoutMillis);
    List<String> missing = new ArrayList<>(control.liveExecutors());
    missing.removeAll(got.keySet());
    if (!missing.isEmpty()) {
      LOG.warn("Cellar: executors {} did not answer within {} ms", missing, timeoutMillis);
    }
    return new ArrayList<>(new TreeMap<>(got).values());
  }
}
