// SPDX-License-Identifier: Apache-2.0
// CellarCommands -- what CELLAR WARM, CLEAR and STATUS do, and the rows they return
package io.cellar.spark.sql;

import io.cellar.spark.conf.CellarConf;
import io.cellar.spark.control.Reports;
import io.cellar.spark.exec.CacheReport;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.Iterator;

/**
 * Runs Cellar's statements. WARM reads the named columns of the target's row groups (those the
 * predicate keeps) through a cached scan, which places its tasks as the locality registry does,
 * so the chunks land where later scans will look for them. CLEAR and STATUS reach the cache of
 * this JVM in local mode, and every executor through Cellar's plugin on a cluster.
 */
public final class CellarCommands {
  /** How long CLEAR and STATUS wait for the executors' answers. */
  static final long ANSWER_TIMEOUT_MILLIS = 30_000;

  private CellarCommands() {}

  /** The rows a statement returns. */
  public static StructType schema(CellarStatement st) {
    StructType s = new StructType();
    switch (st.kind()) {
      case WARM:
        return s.add("target", DataTypes.StringType, false)
            .add("chunks_added", DataTypes.LongType, false)
            .add("chunks_already_cached", DataTypes.LongType, false)
            .add("bytes_added", DataTypes.LongType, false)
            .add("seconds", DataTypes.DoubleType, false);
      case CLEAR:
        return s.add("executor", DataTypes.StringType, false)
            .add("chunks_dropped", DataTypes.LongType, false)
            .add("bytes_dropped", DataTypes.LongType, false);
      default:
        if (st.target() != null) {
          return s.add("executor", DataTypes.StringType, false)
              .add("target", DataTypes.StringType, false)
              .add("files", DataTypes.LongType, false)
              .add("row_groups", DataTypes.LongType, false)
              .add("chunks", DataTypes.LongType, false)
              .add("bytes", DataTypes.LongType, false);
        }
        return s.add("executor", DataTypes.StringType, false)
            .add("tier", DataTypes.IntegerType, false)
            .add("medium", DataTypes.StringType, false)
            .add("entries", DataTypes.LongType, false)
            .add("bytes_used", DataTypes.LongType, false)
            .add("bytes_size", DataTypes.LongType, false)
            .add("hits", DataTypes.LongType, false)
            .add("misses", DataTypes.LongType, false)
            .add("hit_ratio", DataTypes.DoubleType, true)
            .add("evictions", DataTypes.LongType, false)
            .add("promotions", DataTypes.LongType, false)
            .add("demotions", DataTypes.LongType, false);
    }
  }

  /** Runs a statement; its rows match {@link #schema}. */
  public static List<Row> run(SparkSession spark, CellarStatement st) {
    requireEnabled(spark);
    switch (st.kind()) {
      case WARM:
        return List.of(warm(spark, st));
      case CLEAR: {
        List<String> files = st.target() == null ? null : files(spark, st.target());
        List<Row> rows = new ArrayList<>();
        for (CacheReport r : reports(spark, true, files)) {
          rows.add(RowFactory.create(r.executor, r.droppedChunks, r.droppedBytes));
        }
        return rows;
      }
      default:
        return status(spark, st);
    }
  }

  private static void requireEnabled(SparkSession spark) {
    if (!CellarConf.ENABLED.from(k -> spark.conf().get(k, null))) {
      throw new CellarSqlException("Cellar is switched off in this session ("
          + CellarConf.ENABLED.key() + "=false): set it to true to run CELLAR statements");
    }
  }

  /** The target as a Dataset: a catalog table, or Parquet files at a path. */
  private static Dataset<Row> source(SparkSession spark, CellarStatement.Target t) {
    return t.table() != null ? spark.table(t.table()) : spark.read().parquet(t.path());
  }

  /** The target's files, as chunk keys name them (URL-encoded paths). */
  private static List<String> files(SparkSession spark, CellarStatement.Target t) {
    List<String> out = new ArrayList<>();
    for (String f : source(spark, t).inputFiles()) {
      out.add(new org.apache.hadoop.fs.Path(f).toUri().toString());
    }
    return out;
  }

  private static Row warm(SparkSession spark, CellarStatement st) {
    Dataset<Row> df = source(spark, st.target());
    if (st.where() != null) {
      df = df.where(st.where());
    }
    if (!st.columns().isEmpty()) {
      df = df.select(st.columns().stream().map(functions::col).toArray(Column[]::new));
    }
    List<SparkPlan> scans = new ArrayList<>();
    collectScans(df.queryExecution().executedPlan(), scans);
    if (scans.isEmpty()) {
      throw new CellarSqlException("Cellar: " + st.target() + " is not read through Cellar's"
          + " cache (not Parquet or Delta Lake, excluded from caching, or read by another"
          + " format's reader); CELLAR WARM has nothing to fill");
    }
    long t0 = System.nanoTime();
    df.queryExecution().toRdd().toJavaRDD().foreach(
        (VoidFunction<InternalRow>) row -> { });
    double seconds = (System.nanoTime() - t0) / 1e9;
    // the plan ran as it was: its scans' metrics are this run's
    scans.clear();
    collectScans(df.queryExecution().executedPlan(), scans);
    long added = 0;
    long cached = 0;
    long bytes = 0;
    for (SparkPlan s : scans) {
      added += metric(s, "cellarChunksAdded");
      cached += metric(s, "cellarChunksFromTop") + metric(s, "cellarChunksFromLower");
      bytes += metric(s, "cellarBytesAdded");
    }
    return RowFactory.create(st.target().toString(), added, cached, bytes, seconds);
  }

  private static long metric(SparkPlan p, String name) {
    return ((SQLMetric) p.metrics().apply(name)).value();
  }

  /**
   * The scans of a physical plan that Cellar serves (those that carry its metrics), looking
   * through adaptive execution.
   */
  private static void collectScans(SparkPlan p, List<SparkPlan> out) {
    if (p instanceof AdaptiveSparkPlanExec a) {
      collectScans(a.executedPlan(), out);
      return;
    }
    if (p instanceof QueryStageExec q) {
      collectScans(q.plan(), out);
      return;
    }
    if (p.metrics().contains("cellarChunksAdded")) {
      out.add(p);
      return;
    }
    Iterator<SparkPlan> it = p.children().iterator();
    while (it.hasNext()) {
      collectScans(it.next(), out);
    }
  }

  private static List<Row> status(SparkSession spark, CellarStatement st) {
    List<String> files = st.target() == null ? null : files(spark, st.target());
    List<Row> rows = new ArrayList<>();
    for (CacheReport r : reports(spark, false, files)) {
      if (st.target() != null) {
        rows.add(RowFactory.create(r.executor, st.target().toString(), r.files, r.rowGroups,
            r.chunks, r.bytes));
        continue;
      }
      for (int i = 0; i < r.tiers.size(); i++) {
        CacheReport.Tier t = r.tiers.get(i);
        long reads = t.hits + t.misses;
        rows.add(RowFactory.create(r.executor, i, t.medium, t.entries, t.used, t.size, t.hits,
            t.misses, reads == 0 ? null : (double) t.hits / reads, t.evictions, t.promotions,
            t.demotions));
      }
    }
    return rows;
  }

  /** Every executor's report (see {@link Reports#gather}), as a statement's error when not. */
  private static List<CacheReport> reports(SparkSession spark, boolean clear,
      List<String> files) {
    try {
      return Reports.gather(spark.sparkContext(), clear, files, false, ANSWER_TIMEOUT_MILLIS);
    } catch (IllegalStateException e) {
      throw new CellarSqlException("Cellar: CELLAR CLEAR and STATUS need Cellar's plugin on a"
          + " cluster: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CellarSqlException("Cellar: interrupted while waiting for the executors");
    }
  }
}
