// SPDX-License-Identifier: Apache-2.0
// GeneratedColumn -- a column of a scan that the reader makes from row positions, not from data
package io.cellar.spark.read;

import java.io.IOException;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.vectorized.ColumnVector;

/**
 * A requested column whose values follow from each row's index in its file (Spark's row-index
 * metadata column, a table format's deleted-row marks), made as each batch is served and never
 * cached. The cached reader serves whole row groups in file order, so the rows of a batch are the
 * file rows {@code first .. first + rows - 1}.
 */
public interface GeneratedColumn extends Serializable {

  /** The column's values for one file split, in a vector reused across its batches. */
  Values open(PartitionedFile file, Configuration conf, int capacity) throws IOException;

  /** Values served in {@code vector}, made by {@code fill}; closing them runs {@code release}. */
  static Values of(ColumnVector vector, Filler fill, Runnable release) {
    return new Values() {
      @Override
      public ColumnVector vector() {
        return vector;
      }

      @Override
      public void fill(long first, int rows) {
        fill.fill(first, rows);
      }

      @Override
      public void close() {
        release.run();
      }
    };
  }

  /** Fills a vector for file rows {@code first .. first + rows - 1}. */
  @FunctionalInterface
  interface Filler {
    void fill(long first, int rows);
  }

  /** One split's vector of this column. */
  interface Values extends AutoCloseable {
    /** The vector served in the column's place; a {@code CellarColumnVector}. */
    ColumnVector vector();

    /** Fills the vector for file rows {@code first .. first + rows - 1}. */
    void fill(long first, int rows);

    @Override
    void close();
  }
}
