// SPDX-License-Identifier: Apache-2.0
// PlanShims -- Spark 3.5: plan nodes whose fields differ between Spark lines
package io.cellar.spark.shims;

import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;

/** Copies of Spark's case classes whose field lists differ between Spark lines (3.5). */
public final class PlanShims {
  private PlanShims() {}

  /** The same logical relation reading another file relation (3.5: four fields, no stream). */
  public static LogicalRelation withRelation(LogicalRelation lr, HadoopFsRelation relation) {
    return lr.copy(relation, lr.output(), lr.catalogTable(), lr.isStreaming());
  }
}
