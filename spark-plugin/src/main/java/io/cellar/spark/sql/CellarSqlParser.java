// SPDX-License-Identifier: Apache-2.0
// CellarSqlParser -- Spark's parser with Cellar's statements in front of it
package io.cellar.spark.sql;

import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * The session parser Cellar installs through {@code injectParser}: a statement that starts with
 * the word {@code CELLAR} becomes a {@link CellarCommand}; everything else goes to the parser it
 * wraps (Spark's, or another extension's), unchanged. The methods a Spark line adds to the parser
 * interface are delegated by that line's subclass ({@code io.cellar.spark.shims.ParserShims}).
 */
public abstract class CellarSqlParser implements ParserInterface {
  /** The parser this one wraps. */
  protected final ParserInterface delegate;

  protected CellarSqlParser(ParserInterface delegate) {
    this.delegate = delegate;
  }

  /** The plan of a CELLAR statement, or null when the text is not one. */
  protected static LogicalPlan cellarPlan(String sqlText) {
    CellarStatement st = CellarStatement.parse(sqlText);
    return st == null ? null : new CellarCommand(st);
  }

  @Override
  public LogicalPlan parsePlan(String sqlText) throws ParseException {
    LogicalPlan p = cellarPlan(sqlText);
    return p != null ? p : delegate.parsePlan(sqlText);
  }

  @Override
  public Expression parseExpression(String sqlText) throws ParseException {
    return delegate.parseExpression(sqlText);
  }

  @Override
  public TableIdentifier parseTableIdentifier(String sqlText) throws ParseException {
    return delegate.parseTableIdentifier(sqlText);
  }

  @Override
  public FunctionIdentifier parseFunctionIdentifier(String sqlText) throws ParseException {
    return delegate.parseFunctionIdentifier(sqlText);
  }

  @Override
  public scala.collection.immutable.Seq<String> parseMultipartIdentifier(String sqlText)
      throws ParseException {
    // Scala 2.12 declares a scala.collection.Seq, 2.13 an immutable one: a List is both
    return delegate.parseMultipartIdentifier(sqlText).toList();
  }

  @Override
  public LogicalPlan parseQuery(String sqlText) throws ParseException {
    return delegate.parseQuery(sqlText);
  }

  @Override
  public StructType parseTableSchema(String sqlText) throws ParseException {
    return delegate.parseTableSchema(sqlText);
  }

  @Override
  public DataType parseDataType(String sqlText) throws ParseException {
    return delegate.parseDataType(sqlText);
  }
}
