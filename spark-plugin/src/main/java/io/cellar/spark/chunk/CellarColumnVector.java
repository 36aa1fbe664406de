// SPDX-License-Identifier: Apache-2.0
// CellarColumnVector -- the one vector class Cellar's scans declare to Spark's code generator
package io.cellar.spark.chunk;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.vectorized.ColumnVector;

/**
 * The vector class that Cellar's Parquet scans declare for their data columns. Spark's generated
 * code casts each column to it, so every data column of a batch is one of its subclasses: a
 * chunk read in place from the cache, a wrapped vector of Spark's own reader (for what is not
 * cached), or generated row indexes.
 *
 * <p>The memory behind a vector belongs to the scan that made it, which frees or reuses it when it
 * moves past the batch, as Spark's reader does with its vectors. {@link #close()} and {@link
 * #closeIfFreeable()} therefore do nothing.
 */
public abstract class CellarColumnVector extends ColumnVector {
  protected CellarColumnVector(DataType type) {
    super(type);
  }

  @Override
  public void close() {}

  @Override
  public void closeIfFreeable() {}
}
