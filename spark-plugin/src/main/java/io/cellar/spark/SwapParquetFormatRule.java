// SPDX-License-Identifier: Apache-2.0
// SwapParquetFormatRule -- puts Cellar's Parquet format in the relations a query reads
package io.cellar.spark;

import io.cellar.spark.conf.CellarConf;
import io.cellar.spark.conf.PathFilter;
import java.util.ArrayList;
import java.util.List;
import io.cellar.spark.format.TableFormats;
import io.cellar.spark.read.ReadSettings;
import io.cellar.spark.shims.PlanShims;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import scala.Tuple2;
import scala.runtime.AbstractPartialFunction;

/**
 * An optimizer rule that replaces Spark's {@code ParquetFileFormat} by {@link
 * CellarParquetFileFormat} in every file relation of a plan, while {@code spark.cellar.enabled}
 * is true for the session. Only the exact Spark class is replaced: a format that extends it, such
 * as Delta's, is served by its table-format integration once the plan is physical (see {@link
 * CellarColumnarRule}), and relations of a table format's own metadata (Delta's log checkpoints)
 * are left alone. The rule is idempotent: it runs in fixed-point batches.
 *
 * <p>The swapped relation also carries the option {@value #MARKER}: Spark's {@code
 * ParquetFileFormat.equals} accepts any subclass, so without a second difference the old
 * relation would compare equal to the new one and Catalyst would keep the old plan.
 */
public final class SwapParquetFormatRule extends Rule<LogicalPlan> {
  /** The relation option that marks a relation read through Cellar. */
  public static final String MARKER = ReadSettings.MARKER;

  private final SparkSession session;

  public SwapParquetFormatRule(SparkSession session) {
    this.session = session;
  }

  /** Whether the relation's catalog table says {@code 'cellar.cache' = 'false'}. */
  private static boolean optedOut(LogicalRelation lr) {
    return lr.catalogTable().isDefined() && CellarConf.optsOut(
        lr.catalogTable().get().properties().get(CellarConf.TABLE_PROPERTY).getOrElse(() -> null));
  }

  /** Whether the session's include and exclude path patterns admit the relation's roots. */
  static boolean pathsAdmitted(SparkSession session, HadoopFsRelation fs) {
    PathFilter filter = PathFilter.of(k -> session.conf().get(k, null));
    List<String> roots = new ArrayList<>();
    fs.location().rootPaths().foreach(p -> roots.add(p.toString()));
    return filter.allows(roots);
  }

  @Override
  public LogicalPlan apply(LogicalPlan plan) {
    if (!CellarConf.ENABLED.from(k -> session.conf().get(k, null))) {
      return plan;
    }
    return plan.transformUp(new AbstractPartialFunction<LogicalPlan, LogicalPlan>() {
      @Override
      public boolean isDefinedAt(LogicalPlan p) {
        return p instanceof LogicalRelation lr
            && lr.relation() instanceof HadoopFsRelation fs
            && fs.fileFormat().getClass() == ParquetFileFormat.class
            && !TableFormats.isMetadata(fs)
            && !optedOut(lr)
            && pathsAdmitted(session, fs);
      }

      @Override
      public LogicalPlan apply(LogicalPlan p) {
        LogicalRelation lr = (LogicalRelation) p;
        HadoopFsRelation fs = (HadoopFsRelation) lr.relation();
        HadoopFsRelation cached = fs.copy(fs.location(), fs.partitionSchema(), fs.dataSchema(),
            fs.bucketSpec(), new CellarParquetFileFormat(),
            fs.options().$plus(new Tuple2<>(MARKER, "true")), fs.sparkSession());
        return PlanShims.withRelation(lr, cached);
      }
    });
  }
}
