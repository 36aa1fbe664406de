// SPDX-License-Identifier: Apache-2.0
// CellarCommandsSuite -- CELLAR WARM, CLEAR and STATUS in a local session, with the plugin's gauges
package io.cellar.spark.sql

import scala.jdk.CollectionConverters._

import com.codahale.metrics.Gauge
import io.cellar.spark.{CellarSuiteBase, SharedShim}
import org.apache.spark.SparkEnv
import org.apache.spark.sql.{AnalysisException, DataFrame, Row}
import org.apache.spark.sql.execution.SparkPlan
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec

@SharedShim
class CellarCommandsSuite extends CellarSuiteBase {
  override protected def sessionConf: Map[String, String] =
    Map("spark.plugins" -> "io.cellar.spark.CellarPlugin")

  private lazy val data: String = {
    val p = workDir.resolve("events").toString
    spark.range(0, 200000, 1, 4)
      .selectExpr("id AS a", "id % 97 AS b", "CONCAT('s', CAST(id % 13 AS STRING)) AS c")
      .write.option("parquet.block.size", "65536").parquet(p)
    p
  }

  private def sql(s: String): Seq[Row] = spark.sql(s).collect().toSeq

  /** Chunks a query took from the cache and chunks it decoded, from its scans' metrics. */
  private def served(df: DataFrame): (Long, Long) = {
    df.collect()
    def scans(p: SparkPlan): Seq[SparkPlan] = p match {
      case a: AdaptiveSparkPlanExec => scans(a.executedPlan)
      case s if s.metrics.contains("cellarChunksAdded") => Seq(s)
      case o => o.children.flatMap(scans)
    }
    val m = scans(df.queryExecution.executedPlan).map(_.metrics)
    (m.map(x => x("cellarChunksFromTop").value + x("cellarChunksFromLower").value).sum,
      m.map(x => x("cellarChunksAdded").value).sum)
  }

  private def entries(): Long = sql("CELLAR STATUS").map(_.getAs[Long]("entries")).sum

  test("CELLAR WARM fills the cache, so the query's first run is served whole") {
    sql("CELLAR CLEAR ALL")
    val warm = sql(s"CELLAR WARM parquet.`$data` COLUMNS (a, c) WHERE a >= 150000")
    assert(warm.size == 1)
    val w = warm.head
    assert(w.getAs[String]("target") == s"parquet.`$data`")
    assert(w.getAs[Long]("chunks_added") > 0 && w.getAs[Long]("bytes_added") > 0, w)
    assert(w.getAs[Double]("seconds") >= 0)
    // row groups the predicate skips are not read, so not cached
    val (hits, added) = served(spark.read.parquet(data).where("a >= 150000").select("a", "c"))
    assert(hits > 0 && added == 0, s"hits $hits, added $added")
    checkSame(spark.read.parquet(data).where("a >= 150000").select("a", "c"))
    val again = sql(s"CELLAR WARM parquet.`$data` COLUMNS (a, c) WHERE a >= 150000").head
    assert(again.getAs[Long]("chunks_added") == 0 && again.getAs[Long]("chunks_already_cached")
      == w.getAs[Long]("chunks_added"), again)
  }

  test("CELLAR STATUS per tier equals the plugin's gauges; per table counts files and chunks") {
    sql("CELLAR CLEAR ALL")
    sql(s"CELLAR WARM parquet.`$data`")
    val rows = sql("CELLAR STATUS")
    assert(rows.size == 1 && rows.head.getAs[String]("executor") == "driver")
    val r = rows.head
    val source = SparkEnv.get.metricsSystem.getSourcesByName("plugin.io.cellar.spark.CellarPlugin")
    assert(source.nonEmpty, "the plugin's metrics source is not registered")
    val gauges = source.head.metricRegistry.getGauges.asScala
    def gauge(n: String): Long = gauges.collectFirst {
      case (k, g) if k.endsWith("tier0." + n) => g.asInstanceOf[Gauge[Long]].getValue
    }.getOrElse(fail(s"no gauge tier0.$n in ${gauges.keys}"))
    assert(r.getAs[Long]("entries") == gauge("entries"))
    assert(r.getAs[Long]("bytes_used") == gauge("poolUsed"))
    assert(r.getAs[Long]("bytes_size") == gauge("poolSize"))
    assert(r.getAs[Long]("hits") == gauge("hits") && r.getAs[Long]("misses") == gauge("misses"))
    assert(r.getAs[Long]("evictions") == gauge("evictions"))
    assert(r.getAs[String]("medium") == "dram:268435456")

    val t = sql(s"CELLAR STATUS parquet.`$data`").head
    val files = spark.read.parquet(data).inputFiles.length
    assert(t.getAs[Long]("files") == files, t)
    assert(t.getAs[Long]("chunks") == 3 * t.getAs[Long]("row_groups") && t.getAs[Long]("bytes") > 0,
      t)
    assert(t.getAs[Long]("chunks") == r.getAs[Long]("entries"))
  }

  test("CELLAR CLEAR drops a target's chunks or all of them; the next query decodes anew") {
    sql("CELLAR CLEAR ALL")
    val other = workDir.resolve("other").toString
    spark.range(0, 1000).selectExpr("id AS x").write.parquet(other)
    sql(s"CELLAR WARM parquet.`$data` COLUMNS (b)")
    sql(s"CELLAR WARM '$other'")
    val before = entries()
    val dropped = sql(s"CELLAR CLEAR parquet.`$data`")
    assert(dropped.size == 1 && dropped.head.getAs[Long]("chunks_dropped") > 0)
    assert(entries() == before - dropped.head.getAs[Long]("chunks_dropped"))
    assert(sql(s"CELLAR STATUS parquet.`$data`").head.getAs[Long]("chunks") == 0)
    assert(sql(s"CELLAR STATUS '$other'").head.getAs[Long]("chunks") > 0)
    val (hits, added) = served(spark.read.parquet(data).select("b"))
    assert(hits == 0 && added > 0)
    sql("CELLAR CLEAR ALL")
    assert(entries() == 0)
  }

  test("a catalog table can be named, and the commands work through spark.sql with arguments") {
    spark.read.parquet(data).write.saveAsTable("cellar_events")
    try {
      sql("CELLAR CLEAR ALL")
      val w = sql("cellar warm default.cellar_events columns (`a`);").head
      assert(w.getAs[Long]("chunks_added") > 0 && w.getAs[String]("target") ==
        "default.cellar_events")
      assert(sql("CELLAR STATUS cellar_events").head.getAs[Long]("chunks") ==
        w.getAs[Long]("chunks_added"))
      // every other statement goes to Spark's parser, parameters included
      assert(spark.sql("SELECT :x + 1 AS y", Map[String, Any]("x" -> 41)).head.getInt(0) == 42)
      assert(sql("SELECT count(*) FROM cellar_events").head.getLong(0) == 200000)
    } finally spark.sql("DROP TABLE IF EXISTS cellar_events")
  }

  test("bad input is an error that changes nothing") {
    sql("CELLAR CLEAR ALL")
    sql(s"CELLAR WARM parquet.`$data` COLUMNS (a)")
    val before = entries()
    intercept[AnalysisException](sql("CELLAR WARM no_such_table"))
    intercept[AnalysisException](sql(s"CELLAR WARM parquet.`$data` COLUMNS (nope)"))
    intercept[AnalysisException](sql(s"CELLAR WARM parquet.`$data` WHERE nope > 1"))
    val csv = workDir.resolve("csv").toString
    spark.range(10).write.csv(csv)
    intercept[Exception](sql(s"CELLAR WARM parquet.`$csv`"))
    val e = intercept[CellarSqlException](sql("CELLAR WARM"))
    assert(e.getMessage.contains("expected a table name") && e.getMessage.contains("Usage"))
    intercept[CellarSqlException](sql("CELLAR FLUSH t"))
    intercept[CellarSqlException](sql(s"CELLAR STATUS parquet.`$data` extra"))
    withCellar(on = false) {
      val off = intercept[CellarSqlException](sql("CELLAR CLEAR ALL"))
      assert(off.getMessage.contains("spark.cellar.enabled=false"))
    }
    assert(entries() == before)
  }
}
