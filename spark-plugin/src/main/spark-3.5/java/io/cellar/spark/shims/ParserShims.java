// SPDX-License-Identifier: Apache-2.0
// ParserShims (Spark 3.5) -- Cellar's statements in front of the session's parser
package io.cellar.spark.shims;

import io.cellar.spark.sql.CellarSqlParser;
import org.apache.spark.sql.catalyst.parser.ParserInterface;

/** Spark 3.5's parser interface has nothing beyond what {@link CellarSqlParser} delegates. */
public final class ParserShims {
  private ParserShims() {}

  /** Cellar's parser in front of {@code delegate}. */
  public static ParserInterface wrap(ParserInterface delegate) {
    return new CellarSqlParser(delegate) { };
  }
}
