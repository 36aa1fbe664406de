// SPDX-License-Identifier: Apache-2.0
// CellarColumnarRule -- shows scans read through Cellar as CachedParquetScan nodes
package io.cellar.spark;

import io.cellar.spark.conf.CellarConf;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.execution.ColumnarRule;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import scala.runtime.AbstractPartialFunction;

/**
 * Before Spark inserts its columnar transitions, replaces each FileSourceScanExec whose relation
 * reads through {@link CellarParquetFileFormat} by its {@link CachedParquetScanExec} sibling, which
 * carries Cellar's SQL metrics. Runs after exchange planning, dynamic pruning and bucketing
 * decisions, and before reuse is decided on canonical forms, so the plan keeps its shape.
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
        if (!CellarConf.SCAN_NODE.from(k -> session.conf().get(k, null))) {
          return plan;
        }
        return plan.transformUp(new AbstractPartialFunction<SparkPlan, SparkPlan>() {
          @Override
          public boolean isDefinedAt(SparkPlan p) {
            return p instanceof FileSourceScanExec s
                && s.relation().fileFormat() instanceof CellarParquetFileFormat;
          }

          @Override
          public SparkPlan apply(SparkPlan p) {
            return CachedParquetScanExec.of((FileSourceScanExec) p);
          }
        });
      }
    };
  }
}
