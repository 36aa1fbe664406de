// SPDX-License-Identifier: Apache-2.0
// CellarColumnarRule -- shows scans read through Cellar as CachedParquetScan nodes
package io.cellar.spark;

import io.cellar.spark.conf.CellarConf;
import io.cellar.spark.format.TableFormats;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.execution.ColumnarRule;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.FileFormat;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import scala.runtime.AbstractPartialFunction;

/**
 * Before Spark inserts its columnar transitions, replaces each FileSourceScanExec whose relation
 * reads through {@link CellarParquetFileFormat} by its {@link CachedParquetScanExec} sibling, which
 * carries Cellar's SQL metrics. Runs after exchange planning, dynamic pruning and bucketing
 * decisions, and before reuse is decided on canonical forms, so the plan keeps its shape.
 *
 * <p>A scan of a table format's own Parquet subclass (Delta Lake's) is planned by that format's
 * rules, which must see their own class; it is switched to the format's integration here, once
 * its planning is over, when Cellar is enabled for the session (see {@link TableFormats}).
 */
public final class CellarColumnarRule extends ColumnarRule {
  private final SparkSession session;

  public CellarColumnarRule(SparkSession session) {
    this.session = session;
  }

  @Override
  public Rule<SparkPlan> preColumnarTransitions() {
    return new Rule<SparkPlan>() {
      @Override
      public SparkPlan apply(SparkPlan plan) {
        boolean node = CellarConf.SCAN_NODE.from(k -> session.conf().get(k, null));
        boolean enabled = CellarConf.ENABLED.from(k -> session.conf().get(k, null));
        return plan.transformUp(new AbstractPartialFunction<SparkPlan, SparkPlan>() {
          @Override
          public boolean isDefinedAt(SparkPlan p) {
            return p instanceof FileSourceScanExec;
          }

          @Override
          public SparkPlan apply(SparkPlan p) {
            FileSourceScanExec s = (FileSourceScanExec) p;
            HadoopFsRelation r = cachedRelation(s, node, enabled);
            if (r == null) {
              return s;
            }
            CachedParquetScanExec c = CachedParquetScanExec.of(s, r);
            return node ? c : c.delegate();
          }
        });
      }
    };
  }

  /**
   * The relation a scan reads through Cellar: its own when Cellar's optimizer rule put Cellar's
   * format in (and the scan node is to be shown), a copy with a table format's cached format
   * when the session has Cellar on; null to leave the scan alone.
   */
  private static HadoopFsRelation cachedRelation(FileSourceScanExec s, boolean node,
      boolean enabled) {
    HadoopFsRelation r = s.relation();
    if (r.fileFormat() instanceof CellarParquetFileFormat) {
      return node ? r : null;
    }
    FileFormat f = enabled && SwapParquetFormatRule.pathsAdmitted(r.sparkSession(), r)
        ? TableFormats.cachedFormat(r) : null;
    return f == null ? null : r.copy(r.location(), r.partitionSchema(), r.dataSchema(),
        r.bucketSpec(), f, r.options(), r.sparkSession());
  }
}
