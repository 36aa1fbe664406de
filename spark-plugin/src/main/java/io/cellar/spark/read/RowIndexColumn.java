// SPDX-License-Identifier: Apache-2.0
// RowIndexColumn -- the row-index column: each row's index in its file
package io.cellar.spark.read;

import io.cellar.spark.chunk.RowIndexVector;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.execution.datasources.PartitionedFile;

/**
 * Each row's index in its file: Spark's row-index metadata column, and any table format's column
 * of the same meaning.
 */
public final class RowIndexColumn implements GeneratedColumn {
  private static final long serialVersionUID = 1L;

  @Override
  public Values open(PartitionedFile file, Configuration conf, int capacity) {
    RowIndexVector v = new RowIndexVector();
    return GeneratedColumn.of(v, (first, rows) -> v.startAt(first), v::close);
  }
}
