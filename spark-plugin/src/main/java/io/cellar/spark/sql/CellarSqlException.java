// SPDX-License-Identifier: Apache-2.0
// CellarSqlException -- a Cellar statement that cannot run as written; nothing was changed
package io.cellar.spark.sql;

/**
 * A CELLAR statement that is malformed or names something Cellar cannot act on (a table that is
 * not read through Parquet, Cellar switched off in the session, a cluster without Cellar's
 * plugin). Its message says what was wrong and what is allowed; the statement changed nothing.
 * Errors Spark itself raises while resolving a statement (an unknown table or column, a path
 * that holds no Parquet) reach the caller as Spark's own {@code AnalysisException}.
 */
public final class CellarSqlException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** An error with its message. */
  public CellarSqlException(String message) {
    super(message);
  }
}
