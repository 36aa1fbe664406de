// SPDX-License-Identifier: Apache-2.0
// CellarSqlParser4 -- Cellar's parser with what every Spark 4 line's parser interface adds
package io.cellar.spark.shims;

import io.cellar.spark.sql.CellarSqlParser;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.types.StructType;

/** Spark 4's parser interface adds routine parameters, delegated as they are. */
abstract class CellarSqlParser4 extends CellarSqlParser {
  CellarSqlParser4(ParserInterface delegate) {
    super(delegate);
  }

  @Override
  public StructType parseRoutineParam(String sqlText) throws ParseException {
    return delegate.parseRoutineParam(sqlText);
  }
}
