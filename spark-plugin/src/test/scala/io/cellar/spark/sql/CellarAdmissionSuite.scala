// SPDX-License-Identifier: Apache-2.0
// CellarAdmissionSuite -- per-table and per-path control: what is excluded reads as vanilla
package io.cellar.spark.sql

import io.cellar.spark.{CellarSuiteBase, LineNeutral}
import org.apache.spark.sql.DataFrame
import org.apache.spark.sql.execution.SparkPlan
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec

@LineNeutral
class CellarAdmissionSuite extends CellarSuiteBase {
  private def write(name: String): String = {
    val p = workDir.resolve(name).toString
    spark.range(0, 5000, 1, 2).selectExpr("id AS a", "id % 7 AS b").write.parquet(p)
    p
  }

  private def cachedScans(df: DataFrame): Int = {
    def scans(p: SparkPlan): Seq[SparkPlan] = p match {
      case a: AdaptiveSparkPlanExec => scans(a.executedPlan)
      case s if s.metrics.contains("cellarChunksAdded") => Seq(s)
      case o => o.children.flatMap(scans)
    }
    scans(df.queryExecution.executedPlan).size
  }

  /** Runs a query with the settings; whether Cellar read it, after checking vanilla's rows. */
  private def cached(settings: (String, String)*)(df: => DataFrame): Boolean = {
    settings.foreach { case (k, v) => spark.conf.set(k, v) }
    try {
      val added = cache.added.get()
      checkSame(df)
      val read = cachedScans(df) > 0
      assert(read || cache.added.get() == added, "a scan Cellar does not read added chunks")
      read
    } finally settings.foreach { case (k, _) => spark.conf.unset(k) }
  }

  test("include and exclude path patterns decide which paths are cached") {
    val raw = write("lake/raw/events")
    val gold = write("lake/gold/events")
    val lake = workDir.resolve("lake").toString
    assert(cached()(spark.read.parquet(raw)))
    // a pattern matches a parent directory, with or without the scheme
    assert(!cached("spark.cellar.cache.exclude-paths" -> s"$lake/raw")(spark.read.parquet(raw)))
    assert(cached("spark.cellar.cache.exclude-paths" -> s"$lake/raw")(spark.read.parquet(gold)))
    assert(!cached("spark.cellar.cache.exclude-paths" -> s"file:$lake/r?w")(
      spark.read.parquet(raw)))
    assert(!cached("spark.cellar.cache.include-paths" -> s"$lake/gold")(spark.read.parquet(raw)))
    assert(cached("spark.cellar.cache.include-paths" -> s"$lake/{gold,silver}")(
      spark.read.parquet(gold)))
    // exclusion wins
    assert(!cached("spark.cellar.cache.include-paths" -> s"$lake/*",
      "spark.cellar.cache.exclude-paths" -> s"$lake/gold")(spark.read.parquet(gold)))
  }

  test("a table with 'cellar.cache' = 'false' reads exactly as vanilla until it opts in") {
    val p = write("table-data")
    spark.sql(s"CREATE TABLE opted USING parquet LOCATION '$p' TBLPROPERTIES ('cellar.cache' = 'false')")
    try {
      assert(!cached()(spark.table("opted").where("b = 3")))
      spark.sql("ALTER TABLE opted SET TBLPROPERTIES ('cellar.cache' = 'true')")
      assert(cached()(spark.table("opted").where("b = 3")))
    } finally spark.sql("DROP TABLE IF EXISTS opted")
  }
}
