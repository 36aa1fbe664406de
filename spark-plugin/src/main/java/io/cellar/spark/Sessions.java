// SPDX-License-Identifier: Apache-2.0
// Sessions -- a session's SQL settings, reached the same way on every Spark line
package io.cellar.spark;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.internal.SQLConf;

/**
 * The SQL configuration of a session. {@code SparkSession.sessionState()} is public to Java on
 * every Spark line (a concrete method on 3.5, an abstract one of the API class that the classic
 * session implements on 4.x), while Scala code outside Spark's packages cannot always reach it.
 */
public final class Sessions {
  private Sessions() {}

  /** The session's SQL configuration. */
  public static SQLConf conf(SparkSession session) {
    return session.sessionState().conf();
  }
}
