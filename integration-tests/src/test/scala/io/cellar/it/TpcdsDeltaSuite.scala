// SPDX-License-Identifier: Apache-2.0
// TpcdsDeltaSuite -- TPC-DS over Delta Lake tables, Cellar off, cold and warm; again after a DELETE
package io.cellar.it

import java.nio.file.Path

import scala.jdk.CollectionConverters._

import io.cellar.it.bench.TpcdsBench
import io.cellar.it.tpcds.{TpcdsData, TpcdsDelta, TpcdsQueries}
import io.cellar.spark.CellarExtensions
import org.apache.spark.sql.SparkSession

/**
 * [[TpcdsComparison]] over Delta Lake tables written from the generated Parquet, file for file
 * ([[TpcdsDelta]]), on a line with Delta on its class path (Spark 4.1). After the three passes,
 * deletion vectors are turned on for `store_sales` and a `DELETE` with Cellar on marks rows of
 * files whose every chunk is cached; then every query that reads `store_sales` runs with Cellar
 * off and on, and must return the same rows: the cached chunks stay, the new vectors take effect.
 *
 * The Delta tables are written anew into `target/tpcds-SCALE-delta-suite` on every run (the
 * `DELETE` changes them).
 */
class TpcdsDeltaSuite extends TpcdsComparison {
  /**
   * `cellar.tpcds.delta.queries`: `all`, or `every-N` (every Nth query and the io9 set; the
   * default is every-10, with io9 about a fifth of the set: a Delta query at this scale spends
   * most of its time in Delta's planning, so the whole set takes about 11 minutes on 2 cores).
   */
  override protected lazy val queries: Seq[String] =
    picked("cellar.tpcds.delta.queries", "every-10")
  private val deltaDir: Path = dataDir.resolveSibling(s"${dataDir.getFileName}-delta-suite")
  private val deleted = "ss_quantity > 80"
  /** The queries that read store_sales. */
  private val storeSalesQueries: Seq[String] = queries.filter(q =>
    TpcdsQueries.tablesOf(TpcdsQueries.sql(q), TpcdsData.tables()).contains("store_sales"))
  private val afterDelete = scala.collection.mutable.LinkedHashMap[String, Seq[String]]()
  private var beforeOn: Counters = _

  override protected def sessionBuilder(): SparkSession.Builder = {
    require(TpcdsDelta.available(),
      "Delta Lake is not on this Spark line's class path; the suite runs on Spark 4.1")
    TpcdsDelta.configure(super.sessionBuilder(), classOf[CellarExtensions].getName)
      // Delta keeps each snapshot's file list in 50 partitions by default: 50 tasks per scan's
      // file skipping, most of the time of a tiny table's query in local[2]
      .config("spark.databricks.delta.snapshotPartitions", "2")
  }

  override protected def registerTables(): Unit = {
    TpcdsBench.deleteTree(deltaDir)
    TpcdsDelta.write(spark, dataDir, deltaDir, scale, System.out)
    TpcdsDelta.register(spark, deltaDir.toAbsolutePath.toString)
  }

  private def count(sql: String): Long = {
    spark.conf.set("spark.cellar.enabled", "false")
    spark.sql(sql).collect()(0).getLong(0)
  }

  test("a DELETE with deletion vectors marks rows of cached store_sales files") {
    assume(expected.nonEmpty, "the off pass did not run")
    val before = count("SELECT count(*) FROM store_sales")
    val matching = count(s"SELECT count(*) FROM store_sales WHERE $deleted")
    assert(matching > 0 && matching < before, s"$matching of $before rows match $deleted")
    spark.sql("ALTER TABLE store_sales SET TBLPROPERTIES ('delta.enableDeletionVectors' = true)")
    // with Cellar on: the DELETE's own scan (row indexes of the matching rows) reads the cache
    spark.conf.set("spark.cellar.enabled", "true")
    spark.sql(s"DELETE FROM store_sales WHERE $deleted")
    val metrics = spark.sql("DESCRIBE HISTORY store_sales LIMIT 1").select("operationMetrics")
      .collect()(0).getMap[String, String](0)
    info(s"DELETE: $metrics")
    assert(metrics.get("numDeletionVectorsAdded").exists(_.toLong > 0), metrics)
    assert(metrics.get("numRemovedFiles").forall(_.toLong == 0),
      s"the DELETE rewrote files instead of adding deletion vectors: $metrics")
    assert(count("SELECT count(*) FROM store_sales") == before - matching)
    assert(count(s"SELECT count(*) FROM store_sales WHERE $deleted") == 0)
  }

  test("after the DELETE: the store_sales queries with Cellar off") {
    assume(spark.sql("DESCRIBE HISTORY store_sales LIMIT 1").collect()(0)
      .getAs[String]("operation") == "DELETE", "the DELETE did not run")
    assert(storeSalesQueries.size >= queries.size / 3, storeSalesQueries.mkString(" "))
    for (q <- storeSalesQueries) afterDelete(q) = run(q, cellar = false)
    val changed = storeSalesQueries.count(q => expected.get(q).exists(_ != afterDelete(q)))
    info(s"${storeSalesQueries.size} queries read store_sales; the DELETE changed the rows of" +
      s" $changed")
    assert(changed > 0, "no query's rows changed: the DELETE did not reach the queries")
  }

  for (q <- storeSalesQueries) {
    test(s"after the DELETE: $q returns Delta's rows from the cache") {
      assume(afterDelete.contains(q), s"$q did not run with Cellar off after the DELETE")
      if (beforeOn == null) beforeOn = counters()
      val got = run(q, cellar = true)
      assert(got == afterDelete(q), diff(q, "after-DELETE", afterDelete(q), got))
    }
  }

  test("after the DELETE, the cached chunks were served") {
    assume(beforeOn != null)
    val d = counters() - beforeOn
    info(s"after the DELETE: $d; ${poolReport()}")
    assert(d.hits > 0, s"no chunk came from the cache: $d")
    // the data files did not change: their chunks stay valid; deletion vectors are read anew
    assert(d.misses <= (d.hits + d.misses) / 100, s"more than 1% of the lookups missed: $d")
    assert(d.fallbacks == 0, s"scans fell back to Delta's reader: $d")
  }
}
