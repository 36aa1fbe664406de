// SPDX-License-Identifier: Apache-2.0
// ParserShims (Spark 4.1 and 4.2) -- Cellar's statements in front of the session's parser
package io.cellar.spark.shims;

import org.apache.spark.sql.catalyst.parser.ParameterContext;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

/**
 * Spark 4.1's parser interface adds parameterized statements, which the wrapped parser must keep
 * handling (the interface's default would drop the parameters).
 */
public final class ParserShims {
  private ParserShims() {}

  /** Cellar's parser in front of {@code delegate}. */
  public static ParserInterface wrap(ParserInterface delegate) {
    return new CellarSqlParser4(delegate) {
      @Override
      public LogicalPlan parsePlanWithParameters(String sqlText, ParameterContext params)
          throws ParseException {
        LogicalPlan p = cellarPlan(sqlText);
        return p != null ? p : delegate.parsePlanWithParameters(sqlText, params);
      }
    };
  }
}
