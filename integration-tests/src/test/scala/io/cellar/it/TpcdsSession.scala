// SPDX-License-Identifier: Apache-2.0
// TpcdsSession -- the local session the TPC-DS suites compare Spark's and Cellar's rows in
package io.cellar.it

import java.nio.file.Path

import io.cellar.spark.CellarExtensions
import org.apache.spark.sql.SparkSession

/** The suites' session: local[2] on loopback, Cellar loaded but off until a query turns it on. */
object TpcdsSession {
  /** A builder with the suites' settings and a DRAM tier of `dram`; the caller may add more. */
  def builder(app: String, warehouse: Path, dram: String): SparkSession.Builder =
    SparkSession.builder()
      .master("local[2]")
      .appName(app)
      .config("spark.ui.enabled", "false")
      .config("spark.driver.host", "127.0.0.1")
      .config("spark.driver.bindAddress", "127.0.0.1")
      .config("spark.sql.warehouse.dir", warehouse.toString)
      .config("spark.sql.shuffle.partitions", "4")
      // at small scale factors q90 divides by a count of 0: NULL without ANSI mode (as in
      // dsqgen's answers and Spark's TPCDSQueryTestSuite), an error with it (Spark 4's default)
      .config("spark.sql.ansi.enabled", "false")
      // the passes run the same plans, with and without Cellar: Spark's cache of compiled
      // classes (100 by default, fewer than one pass generates) keeps them from pass to pass
      // instead of compiling each pass anew (read once, when the JVM first generates code)
      .config("spark.sql.codegen.cache.maxEntries", "2000")
      .config("spark.sql.extensions", classOf[CellarExtensions].getName)
      .config("spark.cellar.tiers", s"dram:$dram")
      .config("spark.cellar.test.strict.enabled", "true")
      .config("spark.cellar.enabled", "false")
}
