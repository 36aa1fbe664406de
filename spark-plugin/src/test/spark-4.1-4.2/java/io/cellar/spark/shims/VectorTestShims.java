// SPDX-License-Identifier: Apache-2.0
// VectorTestShims -- Spark 4.1 and 4.2: a test marks a vector as a column missing from the file
package io.cellar.spark.shims;

import org.apache.spark.sql.execution.vectorized.WritableColumnVector;

/** What the reader of Spark 4.1 and 4.2 does to a requested column that the file lacks. */
public final class VectorTestShims {
  private VectorTestShims() {}

  /** Marks the vector as a column missing from the file: every row null. */
  public static void markMissing(WritableColumnVector v) {
    v.setMissing();
  }

  /** Whether this line's column vectors can be of {@code NullType}: yes on 4.1 and 4.2. */
  public static boolean nullTypeVectors() {
    return true;
  }
}
