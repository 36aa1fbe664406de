// SPDX-License-Identifier: Apache-2.0
// CellarPlanSuite -- the physical plan keeps its shape, reuse, pruning and codegen with Cellar
package io.cellar.spark

import org.apache.spark.sql.DataFrame
import org.apache.spark.sql.execution.{FileSourceScanExec, SparkPlan}
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanHelper

class CellarPlanSuite extends CellarSuiteBase with AdaptiveSparkPlanHelper {
  override protected def sessionConf: Map[String, String] = Map(
    "spark.sql.warehouse.dir" -> java.nio.file.Files.createTempDirectory("cellar-wh-").toString,
    "spark.sql.autoBroadcastJoinThreshold" -> "-1")

  override protected def beforeAll(): Unit = {
    super.beforeAll()
    val s = spark
    import s.implicits._
    (0 until 20000).map(i => (i % 50, i, i * 0.5, s"n${i % 7}"))
      .toDF("p", "k", "v", "name")
      .write.partitionBy("p").parquet(workDir.resolve("fact").toString)
    (0 until 50).map(i => (i, s"d$i", i % 5)).toDF("p", "label", "grp")
      .write.parquet(workDir.resolve("dim").toString)
    spark.read.parquet(workDir.resolve("fact").toString).createOrReplaceTempView("fact")
    spark.read.parquet(workDir.resolve("dim").toString).createOrReplaceTempView("dim")
    (0 until 5000).map(i => (i % 100, i)).toDF("b", "x")
      .write.bucketBy(8, "b").sortBy("b").saveAsTable("bucketed_a")
    (0 until 5000).map(i => (i % 100, -i)).toDF("b", "y")
      .write.bucketBy(8, "b").sortBy("b").saveAsTable("bucketed_b")
  }

  /** The executed plan (final adaptive plan, subqueries included) as a list of operator names. */
  private def shape(df: DataFrame): Seq[String] = {
    df.collect()
    collectWithSubqueries(df.queryExecution.executedPlan) { case p: SparkPlan => p }
      .map {
        case _: CachedParquetScanExec => "FileSourceScanExec"
        case p => p.getClass.getSimpleName
      }
  }

  private def cachedScans(df: DataFrame): Int = {
    df.collect()
    collectWithSubqueries(df.queryExecution.executedPlan) { case c: CachedParquetScanExec => c }
      .size
  }

  private def vanillaScans(df: DataFrame): Int =
    collectWithSubqueries(df.queryExecution.executedPlan) { case f: FileSourceScanExec => f }.size

  private val queries = Seq(
    "exchange reuse" ->
      """with t as (select p, sum(v) s from fact group by p)
        |select a.p, a.s, b.s from t a join t b on a.p = b.p""".stripMargin,
    "subquery reuse" ->
      """select k from fact where v > (select avg(v) from fact)
        |and k < (select avg(v) from fact)""".stripMargin,
    "dynamic partition pruning" ->
      "select f.k, d.label from fact f join dim d on f.p = d.p where d.grp = 3",
    "bucketed join" ->
      "select a.b, count(*) from bucketed_a a join bucketed_b b on a.b = b.b group by a.b",
    "aggregation with codegen" ->
      "select name, count(*), sum(v), max(k) from fact where p < 10 group by name")

  for ((name, sql) <- queries) {
    test(s"$name: the same operators with and without Cellar") {
      val off = withCellar(on = false)(shape(spark.sql(sql)))
      val on = withCellar(on = true)(shape(spark.sql(sql)))
      assert(on == off)
      assert(withCellar(on = true)(cachedScans(spark.sql(sql))) > 0, "no scan went through Cellar")
      assert(withCellar(on = false)(cachedScans(spark.sql(sql))) == 0)
      checkSame(spark.sql(sql))
    }
  }

  test("reuse survives: exchanges and subqueries are reused as often as without Cellar") {
    def reused(df: DataFrame): (Int, Int) = {
      val s = shape(df)
      (s.count(_ == "ReusedExchangeExec"), s.count(_ == "ReusedSubqueryExec"))
    }
    for ((_, sql) <- queries.take(2)) {
      val off = withCellar(on = false)(reused(spark.sql(sql)))
      val on = withCellar(on = true)(reused(spark.sql(sql)))
      assert(on == off)
    }
    assert(withCellar(on = true)(reused(spark.sql(queries.head._2)))._1 > 0)
  }

  test("dynamic partition pruning still prunes partitions") {
    val sql = queries(2)._2
    val plan = withCellar(on = true) {
      val df = spark.sql(sql)
      df.collect()
      df.queryExecution.executedPlan.toString
    }
    assert(plan.contains("dynamicpruning"), plan)
  }

  test("the scan node carries Cellar's SQL metrics") {
    val df = withCellar(on = true)(spark.sql("select sum(v) from fact where p = 7"))
    withCellar(on = true)(df.collect())
    val scan = collectWithSubqueries(df.queryExecution.executedPlan) {
      case c: CachedParquetScanExec => c
    }.head
    val m = scan.metrics
    assert(m("cellarChunksFromTop").value + m("cellarChunksAdded").value > 0, m.toString)
    val again = withCellar(on = true)(spark.sql("select sum(v) from fact where p = 7"))
    withCellar(on = true)(again.collect())
    val warm = collectWithSubqueries(again.queryExecution.executedPlan) {
      case c: CachedParquetScanExec => c
    }.head.metrics
    assert(warm("cellarChunksFromTop").value > 0)
    assert(warm("cellarChunksAdded").value == 0)
    assert(warm("cellarBytesFromCache").value > 0)
  }

  test("with spark.cellar.enabled=false scans are Spark's own") {
    val df = withCellar(on = false)(spark.sql(queries.last._2))
    withCellar(on = false)(df.collect())
    assert(vanillaScans(df) > 0)
    assert(!df.queryExecution.optimizedPlan.toString.contains("CellarParquet"))
  }
}
