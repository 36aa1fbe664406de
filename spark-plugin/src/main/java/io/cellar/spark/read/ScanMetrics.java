// SPDX-License-Identifier: Apache-2.0
// ScanMetrics -- the SQL metrics a cached scan reports in the Spark UI
package io.cellar.spark.read;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.metric.SQLMetrics;

/**
 * SQL metrics of one cached scan. Made on the driver with the scan node; the executors add to
 * them as the read function runs.
 */
public final class ScanMetrics implements Serializable {
  private static final long serialVersionUID = 1L;

  final SQLMetric chunksFromTop;
  final SQLMetric chunksFromLower;
  final SQLMetric chunksAdded;
  final SQLMetric bytesFromCache;
  final SQLMetric bytesAdded;
  final SQLMetric chunksUncacheable;
  final SQLMetric fallbacks;

  public ScanMetrics(SparkContext sc) {
    chunksFromTop = SQLMetrics.createMetric(sc, "chunks from cache (top tier)");
    chunksFromLower = SQLMetrics.createMetric(sc, "chunks from cache (lower tiers)");
    chunksAdded = SQLMetrics.createMetric(sc, "chunks decoded and added");
    bytesFromCache = SQLMetrics.createSizeMetric(sc, "bytes from cache", -1L);
    bytesAdded = SQLMetrics.createSizeMetric(sc, "bytes added to cache", -1L);
    chunksUncacheable = SQLMetrics.createMetric(sc, "chunks read uncached");
    fallbacks = SQLMetrics.createMetric(sc, "files read without the cache");
  }

  /** The metrics by the names the scan node shows them under. */
  public Map<String, SQLMetric> byName() {
    Map<String, SQLMetric> m = new LinkedHashMap<>();
    m.put("cellarChunksFromTop", chunksFromTop);
    m.put("cellarChunksFromLower", chunksFromLower);
    m.put("cellarChunksAdded", chunksAdded);
    m.put("cellarBytesFromCache", bytesFromCache);
    m.put("cellarBytesAdded", bytesAdded);
    m.put("cellarChunksUncached", chunksUncacheable);
    m.put("cellarFallbacks", fallbacks);
    return m;
  }
}
