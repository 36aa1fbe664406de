// SPDX-License-Identifier: Apache-2.0
// ParserShims (Spark 4.0) -- Cellar's statements in front of the session's parser
package io.cellar.spark.shims;

import org.apache.spark.sql.catalyst.parser.ParserInterface;

/** Spark 4.0's parser interface has what every Spark 4 line's has ({@link CellarSqlParser4}). */
public final class ParserShims {
  private ParserShims() {}

  /** Cellar's parser in front of {@code delegate}. */
  public static ParserInterface wrap(ParserInterface delegate) {
    return new CellarSqlParser4(delegate) { };
  }
}
