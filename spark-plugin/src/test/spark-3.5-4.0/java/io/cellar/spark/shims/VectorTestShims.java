// SPDX-License-Identifier: Apache-2.0
// VectorTestShims -- Spark 3.5 and 4.0: a test marks a vector as a column missing from the file
package io.cellar.spark.shims;

import org.apache.spark.sql.execution.vectorized.WritableColumnVector;

/** What the reader of Spark 3.5 and 4.0 does to a requested column that the file lacks. */
public final class VectorTestShims {
  private VectorTestShims() {}

  /** Marks the vector as a column missing from the file: every row null. */
  public static void markMissing(WritableColumnVector v) {
    v.setAllNull();
  }

  /**
   * Whether this line's column vectors can be of {@code NullType}: 3.5 and 4.0 allocate none
   * (their readers read such a column by rows).
   */
  public static boolean nullTypeVectors() {
    return false;
  }
}
