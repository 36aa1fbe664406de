// SPDX-License-Identifier: Apache-2.0
// S3Suite -- Parquet on an S3-compatible store (S3Proxy on loopback) through S3A, with Cellar
package io.cellar.it

import java.net.URI
import java.nio.file.{Files, Path, Paths}
import java.nio.file.attribute.FileTime

import scala.collection.mutable
import scala.jdk.CollectionConverters._

import io.cellar.it.s3.{S3Latency, S3Loopback, S3Requests}
import io.cellar.it.s3.S3Requests.Kind
import io.cellar.it.tpcds.{ResultRows, TpcdsData, TpcdsQueries}
import io.cellar.spark.exec.ExecutorCache
import io.cellar.spark.key.{ChunkKey, ListedEtags}
import org.apache.hadoop.fs.{FileSystem, Path => HPath}
import org.apache.spark.sql.{DataFrame, SparkSession}
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

/**
 * Spark reads `s3a://` paths from S3Proxy, started on 127.0.0.1 by this suite and stopped by PID
 * at its end, with Cellar off, cold and warm: TPC-DS queries return the same rows; a fully
 * cached scan sends no GET or HEAD for its data files; and an object overwritten within the
 * same second by content of the same length (same path, length and Last-Modified, new ETag)
 * returns its new rows, cold and warm.
 */
class S3Suite extends AnyFunSuite with BeforeAndAfterAll {
  private val scale = sys.props.getOrElse("cellar.tpcds.scale", "0.01").toDouble
  private val dataDir: Path = Paths.get(sys.props.getOrElse("cellar.tpcds.dir",
    s"target/tpcds-${TpcdsData.scaleName(scale)}")).toAbsolutePath
  /** io9 and a few more scan-heavy queries. */
  private val queries = Seq("q3", "q7", "q19", "q26", "q27", "q32", "q42", "q48", "q52", "q53",
    "q55", "q68", "q76", "q96")

  private var work: Path = _
  private var s3: S3Loopback = _
  private var spark: SparkSession = _

  override protected def beforeAll(): Unit = {
    super.beforeAll()
    ExecutorCache.shutdown()
    work = Files.createTempDirectory(Paths.get("target").toAbsolutePath, "s3-suite-")
    s3 = S3Loopback.start(work.resolve("s3"), "cellar", S3Latency.NONE, System.out)
    val b = TpcdsSession.builder(getClass.getSimpleName, work.resolve("warehouse"), "512m")
    s3.sparkConf().asScala.foreach { case (k, v) => b.config(k, v) }
    spark = b.getOrCreate()
    TpcdsData.generate(spark, dataDir, scale, System.out)
    TpcdsData.register(spark,
      s3.upload(dataDir, "tpcds", TpcdsData.tables(), System.out))
  }

  override protected def afterAll(): Unit = {
    try {
      if (spark != null) spark.stop()
      SparkSession.clearActiveSession()
      SparkSession.clearDefaultSession()
      ExecutorCache.shutdown()
      if (s3 != null) s3.close()
      if (work != null) io.cellar.it.bench.TpcdsBench.deleteTree(work)
    } finally super.afterAll()
  }

  private case class Counters(hits: Long, misses: Long, added: Long, fallbacks: Long) {
    def -(o: Counters): Counters =
      Counters(hits - o.hits, misses - o.misses, added - o.added, fallbacks - o.fallbacks)
  }

  private def counters(): Counters = {
    val c = ExecutorCache.get()
    Counters(c.hits.get, c.misses.get, c.added.get, c.fallbacks.get)
  }

  /** Whether two row lists are equal (a plain Boolean, so that a failure prints no rows). */
  private def same(a: Seq[String], b: Seq[String]): Boolean = a == b

  private def rows(df: => DataFrame, cellar: Boolean): Seq[String] = {
    spark.conf.set("spark.cellar.enabled", cellar.toString)
    ResultRows.canonical(df.collectAsList()).asScala.toSeq
  }

  /** Runs `body`; returns its result, the requests it sent and Cellar's counters' change. */
  private def measured[T](body: => T): (T, S3Requests.Snapshot, Counters) = {
    val r0 = S3Requests.snapshot()
    val c0 = counters()
    val t = body
    (t, S3Requests.snapshot().minus(r0), counters() - c0)
  }

  test("TPC-DS queries on s3a:// return Spark's rows with Cellar off, cold and warm") {
    ExecutorCache.shutdown()
    val expected = mutable.LinkedHashMap[String, Seq[String]]()
    for (q <- queries) expected(q) = rows(spark.sql(TpcdsQueries.sql(q)), cellar = false)
    for (pass <- Seq("cold", "warm", "warm again")) {
      val (_, requests, c) = measured {
        for (q <- queries) {
          val got = rows(spark.sql(TpcdsQueries.sql(q)), cellar = true)
          assert(same(got, expected(q)), s"$q ($pass) differs from Spark without Cellar")
        }
      }
      info(s"$pass: $c; requests $requests")
      assert(c.fallbacks == 0, s"$pass: scans fell back to Spark's reader: $c")
      assert(requests.dataFiles(Kind.HEAD) == 0, s"$pass: Cellar looked files up: $requests")
      if (pass == "cold") assert(c.added > 0, s"the cold pass cached nothing: $c")
      else {
        // a pass may read a chunk no earlier pass completed (a stage that adaptive execution
        // ran differently, a LIMIT that stopped inside a row group): a few misses; a pass
        // without one fetches no data
        assert(c.hits > 0 && c.misses <= (c.hits + c.misses) / 100, s"$pass missed: $c")
        if (c.misses == 0) {
          assert(requests.dataFiles(Kind.GET) == 0, s"$pass fetched cached data: $requests")
        }
      }
    }
    // every chunk of an s3a:// file is keyed with the ETag its listing returned
    val keys = mutable.ArrayBuffer[ChunkKey]()
    ExecutorCache.get().cache().forEachKey(k => keys += ChunkKey.decode(k))
    assert(keys.nonEmpty)
    assert(keys.forall(k => k.file().path().startsWith("s3a://cellar/tpcds/")), keys.take(3))
    assert(keys.forall(_.file().etag().matches("\"?[0-9a-f]{32}\"?")), keys.take(3))
    assert(ListedEtags.tasksRegistered() == 0, "a task's ETags outlived it")
  }

  test("a fully cached scan sends no GET or HEAD for its data files; a cold one no HEAD") {
    ExecutorCache.shutdown()
    def scan = spark.sql("SELECT ss_store_sk, count(*), sum(ss_net_paid), max(ss_quantity)" +
      " FROM store_sales GROUP BY ss_store_sk")
    val isStoreSales: java.util.function.Predicate[String] =
      k => k.startsWith("cellar/tpcds/store_sales/") && k.endsWith(".parquet")
    val files = FileSystem.get(URI.create("s3a://cellar/"), s3.configuration())
      .listStatus(new HPath("s3a://cellar/tpcds/store_sales")).count(_.getPath.getName
      .endsWith(".parquet"))
    val (want, vanilla, _) = measured(rows(scan, cellar = false))
    val (cold, coldReq, coldC) = measured(rows(scan, cellar = true))
    val (warm, warmReq, warmC) = measured(rows(scan, cellar = true))
    info(s"$files data files; GET/HEAD of them: vanilla ${vanilla.count(Kind.GET, isStoreSales)}" +
      s"/${vanilla.count(Kind.HEAD, isStoreSales)}, Cellar cold " +
      s"${coldReq.count(Kind.GET, isStoreSales)}/${coldReq.count(Kind.HEAD, isStoreSales)}, " +
      s"warm ${warmReq.count(Kind.GET, isStoreSales)}/${warmReq.count(Kind.HEAD, isStoreSales)}")
    assert(same(cold, want) && same(warm, want), "Cellar's rows differ from Spark's")
    // Spark looks each file up (HEAD) and reads it (GETs); Cellar's cold read reads as much
    // without the lookups, since the listing already gave length and modification time
    assert(vanilla.count(Kind.HEAD, isStoreSales) >= files)
    assert(vanilla.count(Kind.GET, isStoreSales) >= files)
    assert(coldReq.count(Kind.HEAD, isStoreSales) == 0, coldReq)
    assert(coldReq.count(Kind.GET, isStoreSales) >= files, coldReq)
    assert(coldReq.count(Kind.GET, isStoreSales) <= vanilla.count(Kind.GET, isStoreSales),
      s"Cellar's cold read sent more GETs than Spark's: $coldReq against $vanilla")
    assert(coldC.added > 0 && coldC.fallbacks == 0, coldC)
    assert(warmReq.count(Kind.GET, isStoreSales) == 0, warmReq)
    assert(warmReq.count(Kind.HEAD, isStoreSales) == 0, warmReq)
    assert(warmC.hits > 0 && warmC.misses == 0, warmC)
  }

  test("an object overwritten within its second by content of the same length reads anew") {
    val local = work.resolve("overwrite")
    // the same schema and row count, fixed-width values, no compression or dictionary: the
    // two files differ in content but not in length
    def write(factor: Long, dir: Path): Path = {
      spark.range(0, 2000, 1, 1).selectExpr("id", s"id * $factor AS v")
        .write.option("compression", "none").option("parquet.enable.dictionary", "false")
        .parquet(dir.toString)
      Files.list(dir).iterator().asScala.find(_.getFileName.toString.endsWith(".parquet")).get
    }
    val a = write(3, local.resolve("a"))
    // a varint in the footer can make a file a byte longer or shorter: take the first other
    // factor whose file has exactly A's length
    val (factorB, b) = (5L to 40L).iterator
      .map(f => (f, write(f, local.resolve(s"b$f"))))
      .find { case (_, p) => Files.size(p) == Files.size(a) }
      .getOrElse(fail("no second version of the same length"))

    val key = "overwrite/t/part-0.parquet"
    val obj = new HPath(s"s3a://cellar/$key")
    val fs = FileSystem.newInstance(URI.create("s3a://cellar/"), s3.configuration())
    try {
      fs.copyFromLocalFile(new HPath(a.toUri), obj)
      def read = spark.read.parquet("s3a://cellar/overwrite/t").selectExpr("id", "v")
      val expectA = rows(spark.range(0, 2000).selectExpr("id", "id * 3 AS v"), cellar = false)
      assert(same(rows(read, cellar = false), expectA), "Spark reads the first version")
      ExecutorCache.shutdown()
      val (coldA, _, c1) = measured(rows(read, cellar = true))
      val (warmA, _, c2) = measured(rows(read, cellar = true))
      assert(same(coldA, expectA) && same(warmA, expectA), "Cellar reads the first version")
      assert(c1.added > 0 && c2.hits > 0 && c2.misses == 0, s"$c1 / $c2")

      val before = fs.getFileStatus(obj)
      fs.copyFromLocalFile(new HPath(b.toUri), obj)
      // what an overwrite within the same second looks like: S3's Last-Modified has whole
      // seconds, so both versions carry the same one
      Files.setLastModifiedTime(s3.objectFile(key), FileTime.fromMillis(before.getModificationTime))
      val after = fs.getFileStatus(obj)
      assert(after.getLen == before.getLen, "same length")
      assert(after.getModificationTime == before.getModificationTime, "same Last-Modified")
      assert(ListedEtags.of(after) != ListedEtags.of(before) && ListedEtags.of(after).nonEmpty,
        s"the ETag must change: ${ListedEtags.of(before)} -> ${ListedEtags.of(after)}")

      val expectB =
        rows(spark.range(0, 2000).selectExpr("id", s"id * $factorB AS v"), cellar = false)
      assert(same(rows(read, cellar = false), expectB), "Spark reads the new content")
      val (coldB, _, c3) = measured(rows(read, cellar = true))
      val (warmB, _, c4) = measured(rows(read, cellar = true))
      assert(same(coldB, expectB), "the first read after the overwrite returned the old rows")
      assert(same(warmB, expectB), "the cached read after the overwrite returned the old rows")
      assert(c3.misses > 0 && c3.added > 0, s"the new version was not read anew: $c3")
      assert(c4.hits > 0 && c4.misses == 0, s"the new version was not cached: $c4")
    } finally fs.close()
  }
}
