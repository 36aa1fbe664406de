// SPDX-License-Identifier: Apache-2.0
// CellarFaultsSuite -- a cache that cannot be used never fails a query
package io.cellar.spark

import java.io.File
import java.nio.file.Files

import scala.jdk.CollectionConverters._

import io.cellar.spark.chunk.NativeBlocks
import io.cellar.spark.exec.ExecutorCache
import org.apache.spark.SparkContext
import org.apache.spark.sql.SparkSession
import org.scalatest.funsuite.AnyFunSuite

/** Each test makes its own session: tier settings are read when the cache starts. */
@LineNeutral
class CellarFaultsSuite extends AnyFunSuite {
  private def withSession[T](conf: Map[String, String])(f: SparkSession => T): T = {
    ExecutorCache.shutdown()
    val b = SparkSession.builder().master("local[2]").appName("faults")
      .config("spark.ui.enabled", "false")
      .config("spark.driver.host", "127.0.0.1")
      .config("spark.driver.bindAddress", "127.0.0.1")
      .config("spark.sql.extensions", classOf[CellarExtensions].getName)
    conf.foreach { case (k, v) => b.config(k, v) }
    val spark = b.getOrCreate()
    try f(spark) finally {
      spark.stop()
      SparkSession.clearActiveSession()
      SparkSession.clearDefaultSession()
      ExecutorCache.shutdown()
    }
  }

  private def sampleData(spark: SparkSession, repeat: Int = 3): String = {
    val dir = Files.createTempDirectory("cellar-faults-").resolve("t").toString
    val s = spark
    import s.implicits._
    (0 until 20000).map(i => (i, s"value-$i" * repeat, i * 0.5)).toDF("id", "s", "d")
      .repartition(3).write.parquet(dir)
    dir
  }

  private def sameWithAndWithout(spark: SparkSession, dir: String): Unit = {
    def q = spark.read.parquet(dir).selectExpr("sum(id)", "count(s)", "max(s)", "sum(d)")
    spark.conf.set("spark.cellar.enabled", "false")
    val expected = q.collect().toSeq
    spark.conf.set("spark.cellar.enabled", "true")
    assert(q.collect().toSeq == expected)
    assert(q.collect().toSeq == expected)
  }

  test("a tier path that does not exist: queries run uncached, with the reason") {
    withSession(Map("spark.cellar.tiers" -> "pmem:/nonexistent/cellar-pool:64m")) { spark =>
      sameWithAndWithout(spark, sampleData(spark))
      val c = ExecutorCache.get()
      assert(!c.available())
      assert(c.unavailableReason().contains("/nonexistent/cellar-pool"))
      assert(c.fallbacks.get() > 0)
    }
  }

  test("a broken lower tier is left out and the others still cache") {
    withSession(Map("spark.cellar.tiers" -> "dram:64m,file:/nonexistent/x:64m")) { spark =>
      sameWithAndWithout(spark, sampleData(spark))
      val c = ExecutorCache.get()
      assert(c.available())
      assert(c.tiers().size == 1)
      assert(c.hits.get() > 0)
    }
  }

  test("a full pool: chunks that do not fit are not cached, queries still succeed") {
    withSession(Map("spark.cellar.tiers" -> "dram:1m", "spark.cellar.pool.put-wait" -> "0ms")) {
      spark =>
        // each file's string chunk (about 6700 rows of 300 bytes) is larger than the pool
        sameWithAndWithout(spark, sampleData(spark, repeat = 30))
        val c = ExecutorCache.get()
        assert(c.notAdded.get() > 0)
        assert(c.added.get() > 0, "the small chunks should still be cached")
    }
  }

  test("cached chunks that fail their checks are dropped, read from the file and cached again") {
    withSession(Map("spark.cellar.tiers" -> "dram:64m")) { spark =>
      val dir = sampleData(spark)
      sameWithAndWithout(spark, dir)
      val c = ExecutorCache.get()
      // every cached chunk's root claims one more null than it has rows: a vector over it would
      // read null flags that are not there
      val keys = new java.util.ArrayList[Array[Byte]]()
      c.cache().forEachKey(k => keys.add(k))
      var corrupted = 0
      keys.asScala.foreach { k =>
        val v = c.cache().get(k).get()
        val b = java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        if (v.length >= 32 && b.getInt(0) == io.cellar.spark.chunk.ChunkFormat.MAGIC) {
          val root = b.getLong(24).toInt
          b.putInt(root + 12, b.getInt(root + 8) + 1)
          c.cache().replace(k, v)
          corrupted += 1
        }
      }
      assert(corrupted >= 9, s"expected the chunks of 3 columns of 3 files, found $corrupted")
      val (rejected, added, hits) = (c.rejected.get(), c.added.get(), c.hits.get())
      // the first run meets every bad chunk, drops it and caches the row group anew
      sameWithAndWithout(spark, dir)
      assert(c.rejected.get() - rejected == corrupted)
      assert(c.added.get() - added == corrupted, "the bad chunks were not cached again")
      val (rejected2, added2) = (c.rejected.get(), c.added.get())
      sameWithAndWithout(spark, dir)
      assert(c.rejected.get() == rejected2 && c.added.get() == added2)
      assert(c.hits.get() > hits)
    }
  }

  test("a file pool on /dev/shm under DRAM caches and serves") {
    val dir = Files.createTempDirectory("cellar-pool-")
    withSession(Map("spark.cellar.tiers" -> s"dram:2m,file:$dir:64m")) { spark =>
      sameWithAndWithout(spark, sampleData(spark))
      assert(ExecutorCache.get().tiers().size == 2)
      assert(ExecutorCache.get().hits.get() > 0)
    }
  }

  test("with spark.plugins the cache opens at executor start and publishes its statistics") {
    withSession(Map("spark.plugins" -> classOf[CellarPlugin].getName,
      "spark.cellar.tiers" -> "dram:64m")) { spark =>
      // the executor plugin opened the cache before any scan
      val c = ExecutorCache.get()
      assert(c.available())
      assert(c.hits.get() == 0 && c.added.get() == 0)
      sameWithAndWithout(spark, sampleData(spark))
      val registry = new com.codahale.metrics.MetricRegistry()
      CellarPlugin.register(registry, c)
      val gauges = registry.getGauges.asScala
      def value(name: String): Long = gauges(name).getValue.asInstanceOf[Number].longValue
      assert(value("available") == 1)
      assert(value("chunks.added") == c.added.get() && value("chunks.added") > 0)
      assert(value("chunks.hits") > 0)
      assert(value("tier0.entries") == value("chunks.added"))
      assert(value("tier0.poolUsed") > 0 && value("tier0.poolSize") >= value("tier0.poolUsed"))
      // the cold scans' batches were staged and appended, by a helper or the task; none is held
      assert(value("build.batches.helpers") + value("build.batches.tasks") > 0)
      assert(value("build.bytes") == 0 && value("build.pending.bytes") == 0)
      // the prefault made the build arena (once per JVM) and committed it; no buffer is held
      c.prefaulted().get(1, java.util.concurrent.TimeUnit.MINUTES)
      assert(value("build.arena.bytes") == NativeBlocks.DEFAULT_ARENA)
      assert(value("build.arena.used.bytes") == 0 && value("build.outside.bytes") == 0)
    }
  }

  test("invalid settings fail the session at start, naming key, value and what is allowed") {
    ExecutorCache.shutdown()
    val e = intercept[IllegalArgumentException] {
      SparkSession.builder().master("local[1]").appName("bad-conf")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.extensions", classOf[CellarExtensions].getName)
        .config("spark.cellar.pool.extent-size", "12")
        .config("spark.cellar.tiers", "dram:2g,dram:1g")
        .getOrCreate()
    }
    try {
      assert(e.getMessage.contains("spark.cellar.pool.extent-size=12"), e.getMessage)
      assert(e.getMessage.contains("allowed is a size from 256 to 64m"), e.getMessage)
      assert(e.getMessage.contains("spark.cellar.tiers=dram:2g,dram:1g"), e.getMessage)
    } finally {
      SparkContext.getOrCreate().stop()
      SparkSession.clearActiveSession()
      SparkSession.clearDefaultSession()
    }
  }

  test("a native library that cannot load: queries run uncached (separate JVM)") {
    val java = new File(System.getProperty("java.home"), "bin/java").getPath
    val flags = Option(System.getProperty("cellar.test.jvm.flags")).getOrElse("")
      .split(" ").filter(_.nonEmpty).toSeq
    val cmd = Seq(java) ++ flags ++ Seq("-Dcellar.native.dir=/nonexistent-native",
      "-cp", System.getProperty("java.class.path"), "io.cellar.spark.UncachedProbe")
    val pb = new ProcessBuilder(cmd.asJava).redirectErrorStream(true)
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1")
    val p = pb.start()
    val out = new String(p.getInputStream.readAllBytes())
    assert(p.waitFor() == 0, out)
    assert(out.contains("PROBE same=true available=false"), out)
    assert(out.contains("/nonexistent-native"), out)
  }
}

/** Runs a query with Cellar in a JVM whose native library cannot load; prints the outcome. */
object UncachedProbe {
  def main(args: Array[String]): Unit = {
    val spark = SparkSession.builder().master("local[1]").appName("probe")
      .config("spark.ui.enabled", "false")
      .config("spark.driver.host", "127.0.0.1")
      .config("spark.driver.bindAddress", "127.0.0.1")
      .config("spark.sql.extensions", classOf[CellarExtensions].getName)
      .getOrCreate()
    try {
      val dir = Files.createTempDirectory("cellar-probe-").resolve("t").toString
      spark.range(5000).selectExpr("id", "cast(id as string) s").write.parquet(dir)
      spark.conf.set("spark.cellar.enabled", "false")
      val expected = spark.read.parquet(dir).selectExpr("sum(id)", "max(s)").collect().toSeq
      spark.conf.set("spark.cellar.enabled", "true")
      val got = spark.read.parquet(dir).selectExpr("sum(id)", "max(s)").collect().toSeq
      val c = ExecutorCache.get()
      println(s"PROBE same=${got == expected} available=${c.available()}")
      println(s"PROBE reason=${c.unavailableReason()}")
    } finally spark.stop()
  }
}
