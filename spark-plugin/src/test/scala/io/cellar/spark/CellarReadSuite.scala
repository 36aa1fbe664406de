// SPDX-License-Identifier: Apache-2.0
// CellarReadSuite -- what a cached scan reads: partial hits, pruning, layouts, staleness, threads
package io.cellar.spark

import java.util.concurrent.Executors

import scala.concurrent.{Await, ExecutionContext, Future}
import scala.concurrent.duration._

import org.apache.spark.sql.Row
import org.apache.spark.sql.functions._
import org.apache.spark.sql.types.{LongType, StringType, StructType}

class CellarReadSuite extends CellarSuiteBase {
  /** Counters of the executor cache (local mode: this JVM's) taken around f. */
  private def delta(f: => Unit): (Long, Long, Long) = {
    val (h, m, a) = (cache.hits.get(), cache.misses.get(), cache.added.get())
    f
    (cache.hits.get() - h, cache.misses.get() - m, cache.added.get() - a)
  }

  private def path(name: String): String = workDir.resolve(name).toString

  /** One file, sorted by key, of `groups` row groups of about `perGroup` rows. */
  private def sortedFile(name: String, rows: Int): String = {
    val s = spark
    import s.implicits._
    (0 until rows).map(i => (i, i * 2L, s"v$i", i % 3))
      .toDF("key", "a", "b", "c")
      .coalesce(1).sortWithinPartitions("key")
      .write.option("parquet.block.size", "32768").parquet(path(name))
    path(name)
  }

  private def rowGroups(p: String): Int = {
    import org.apache.hadoop.fs.{Path => HPath}
    import org.apache.parquet.hadoop.ParquetFileReader
    import org.apache.parquet.hadoop.util.HadoopInputFile
    val conf = spark.sparkContext.hadoopConfiguration
    val fs = new HPath(p).getFileSystem(conf)
    fs.listStatus(new HPath(p)).filter(_.getPath.getName.endsWith(".parquet")).map { st =>
      val r = ParquetFileReader.open(HadoopInputFile.fromStatus(st, conf))
      try r.getRowGroups.size finally r.close()
    }.sum
  }

  test("a partial hit decodes only the missing columns") {
    val p = sortedFile("partial", 40000)
    val groups = rowGroups(p)
    assert(groups > 2, s"only $groups row groups")
    val (_, m1, a1) = delta(withCellar(on = true)(
      spark.read.parquet(p).select("key", "a").collect()))
    assert(m1 == 2 * groups && a1 == 2 * groups)
    val (h2, m2, a2) = delta(withCellar(on = true)(
      spark.read.parquet(p).select("key", "a", "b").collect()))
    assert(h2 == 2 * groups, "cached columns were not served from the cache")
    assert(m2 == groups && a2 == groups, "more than the missing column was decoded")
    checkSame(spark.read.parquet(p).select("key", "a", "b"))
  }

  test("row groups skipped by statistics are never fetched") {
    val p = sortedFile("skipping", 40000)
    val groups = rowGroups(p)
    withCellar(on = true)(spark.read.parquet(p).select("key", "b").collect())
    val (h, m, _) = delta(withCellar(on = true)(
      spark.read.parquet(p).where("key = 12345").select("key", "b").collect()))
    assert(h + m == 2, s"fetched ${h + m} chunks of $groups row groups for one matching group")
    checkSame(spark.read.parquet(p).where("key between 100 and 20000").select("key", "b"))
  }

  test("partitioned tables with partition pruning, and partition columns") {
    val s = spark
    import s.implicits._
    (0 until 10000).map(i => (i, i % 4, s"x$i")).toDF("id", "part", "t")
      .write.partitionBy("part").parquet(path("parts"))
    checkSame(spark.read.parquet(path("parts")))
    checkSame(spark.read.parquet(path("parts")).where("part = 2").select("t", "part"))
    val (h, m, _) = delta(withCellar(on = true)(
      spark.read.parquet(path("parts")).where("part = 2").select("id").collect()))
    val (hAll, mAll, _) = delta(withCellar(on = true)(
      spark.read.parquet(path("parts")).select("id").collect()))
    assert(h + m < hAll + mAll, "partition pruning fetched as much as a full scan")
  }

  test("schema evolution: columns missing in some files read as null") {
    val s = spark
    import s.implicits._
    (0 until 500).map(i => (i, s"a$i")).toDF("id", "a").write.parquet(path("evo/v=1"))
    (0 until 500).map(i => (i, s"a$i", i * 3L)).toDF("id", "a", "extra")
      .write.parquet(path("evo/v=2"))
    checkSame(spark.read.option("mergeSchema", "true").parquet(path("evo")))
  }

  test("case-insensitive column names") {
    val s = spark
    import s.implicits._
    (0 until 1000).map(i => (i, s"m$i")).toDF("MixedCase", "Other").write.parquet(path("case"))
    checkSame(spark.read.parquet(path("case")).select("mixedcase", "OTHER"))
    checkSame(spark.read.parquet(path("case")).where("MIXEDCASE > 500"))
  }

  test("many files per task and files split across tasks") {
    val s = spark
    import s.implicits._
    (0 until 30000).map(i => (i, s"row$i", i * 1.25)).toDF("id", "s", "d")
      .repartition(12).write.parquet(path("many"))
    spark.conf.set("spark.sql.files.maxPartitionBytes", "10m")
    try checkSame(spark.read.parquet(path("many")))
    finally spark.conf.unset("spark.sql.files.maxPartitionBytes")
    val p = sortedFile("split", 60000)
    spark.conf.set("spark.sql.files.maxPartitionBytes", "64k")
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    try {
      assert(spark.read.parquet(p).rdd.getNumPartitions > 1, "the file was not split")
      val all = checkSame(spark.read.parquet(p))
      assert(all.size == 60000)
    } finally {
      spark.conf.unset("spark.sql.files.maxPartitionBytes")
      spark.conf.unset("spark.sql.files.openCostInBytes")
    }
  }

  test("chunks are built beside the task: every batch staged once, nothing held after") {
    val s = spark
    import s.implicits._
    // one row group of 200,000 rows, read in 200 batches of 1,000
    (0 until 200000).map(i => (i, i * 3L, s"s${i % 977}", i % 7)).toDF("key", "a", "b", "c")
      .coalesce(1).write.parquet(path("beside"))
    assert(rowGroups(path("beside")) == 1)
    val counters = cache.builders().counters()
    assert(cache.builders().threads() == 1)
    val (byHelpers, byTasks) = (counters.byHelpers.get(), counters.byOwners.get())
    spark.conf.set("spark.sql.parquet.columnarReaderBatchSize", "1000")
    try {
      val (_, m, a) = delta(withCellar(on = true)(
        spark.read.parquet(path("beside")).where("c <> 3").collect()))
      assert(m == 4 && a == 4, s"$m misses and $a chunks added for 4 columns")
      // each batch of the three fixed-width columns was staged and appended once, by a helper
      // or the task; the dictionary-encoded strings of b are appended by the task (a Parquet
      // dictionary of byte arrays cannot be read from two threads)
      val jobs = counters.byHelpers.get() - byHelpers + counters.byOwners.get() - byTasks
      assert(jobs == 3 * 200, s"$jobs staged appends for 200 batches of 3 columns")
      // the task decodes on while a helper appends: the helper took some
      assert(counters.byHelpers.get() > byHelpers, "no batch was appended by the helper")
      assert(cache.builders().buildingBytes.get() == 0, "bytes still held after the scan")
      assert(cache.builders().pendingBytes.get() == 0, "staged bytes still held after the scan")
      checkSame(spark.read.parquet(path("beside")).where("c <> 3"))
    } finally spark.conf.unset("spark.sql.parquet.columnarReaderBatchSize")
  }

  test("a file rewritten under the same path returns the new rows") {
    val s = spark
    import s.implicits._
    (0 until 2000).map(i => (i, s"old$i")).toDF("id", "t").coalesce(1).write.parquet(path("rw"))
    val before = withCellar(on = true)(spark.read.parquet(path("rw")).collect())
    assert(before.forall(_.getString(1).startsWith("old")))
    (0 until 2000).map(i => (i, s"new$i")).toDF("id", "t").coalesce(1)
      .write.mode("overwrite").parquet(path("rw"))
    val after = withCellar(on = true)(spark.read.parquet(path("rw")).collect())
    assert(after.length == 2000 && after.forall(_.getString(1).startsWith("new")))
  }

  test("concurrent queries in one application read the same tables correctly") {
    val s = spark
    import s.implicits._
    (0 until 20000).map(i => (i % 97, i, s"c$i")).toDF("g", "v", "t")
      .repartition(6).write.parquet(path("conc"))
    def q = spark.read.parquet(path("conc")).groupBy("g")
      .agg(sum("v"), count("t"), max("t"))
    val expected = withCellar(on = false)(rows(q))
    val pool = Executors.newFixedThreadPool(4)
    implicit val ec: ExecutionContext = ExecutionContext.fromExecutor(pool)
    try {
      val results = Await.result(Future.sequence((0 until 8).map(_ => Future(rows(q)))), 5.minutes)
      results.foreach(r => assert(r == expected))
    } finally pool.shutdown()
  }

  test("a column type without a chunk layout is read by Spark's reader, the others cached") {
    assume(spark.catalog.functionExists("parse_json"), "this Spark line has no VARIANT type")
    spark.sql("""select id, parse_json(concat('{"a":', cast(id as string), '}')) v,
      |cast(id as string) s from range(3000)""".stripMargin)
      .write.parquet(path("variant"))
    checkSame(spark.read.parquet(path("variant")))
    val (h, _, _) = delta(withCellar(on = true)(
      spark.read.parquet(path("variant")).selectExpr("id", "s", "v").collect()))
    assert(h > 0, "the columns with a layout were not served from the cache")
  }

  test("a user-defined type is read by Spark's reader, the other columns cached") {
    val schema = new StructType()
      .add("id", LongType).add("p", new TestPointUdt).add("s", StringType)
    val rows = (0 until 3000).map(i => Row(i.toLong, TestPoint(i * 0.5, -i.toDouble), s"s$i"))
    spark.createDataFrame(spark.sparkContext.parallelize(rows, 2), schema)
      .write.parquet(path("udt"))
    val expected = checkSame(spark.read.parquet(path("udt")))
    assert(expected.size == 3000 && expected.exists(_.contains("1499.5")), expected.take(3))
    val (h, _, _) = delta(withCellar(on = true)(
      spark.read.parquet(path("udt")).selectExpr("id", "s", "p").collect()))
    assert(h > 0, "the columns with a layout were not served from the cache")
  }
}
