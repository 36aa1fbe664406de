// SPDX-License-Identifier: Apache-2.0
// VectorTestShims -- Spark 4.0: a test marks a vector as a column missing from the file
package io.cellar.spark.shims;

import org.apache.spark.sql.execution.vectorized.WritableColumnVector;

/** What Spark 4.0's reader does to a requested column that the file lacks. */
public final class VectorTestShims {
  private VectorTestShims() {}

  /** Marks the vector as a column missing from the file: every row null. */
  public static void markMissing(WritableColumnVector v) {
    v.setAllNull();
  }

  /**
   * Whether this line's column vectors can be of {@code NullType}: Spark 4.0 allocates none (its
   * reader reads such a column by rows).
   */
  public static boolean nullTypeVectors() {
    return false;
  }
}
