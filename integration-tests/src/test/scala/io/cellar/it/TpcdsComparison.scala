// SPDX-License-Identifier: Apache-2.0
// TpcdsComparison -- every TPC-DS query with Cellar off, on (cold) and on again (warm): same rows
package io.cellar.it

import java.nio.file.{Path, Paths}

import scala.collection.mutable
import scala.jdk.CollectionConverters._

import io.cellar.it.tpcds.{ResultRows, TpcdsData, TpcdsQueries}
import io.cellar.spark.exec.ExecutorCache
import org.apache.spark.sql.SparkSession
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

/**
 * Runs Spark's whole TPC-DS v1.4 query set three times in one local[2] session: with Cellar off,
 * then on with an empty cache (cold), then on again (warm), and requires every query to return
 * exactly Spark's rows in both Cellar passes (sorted canonical rows: doubles by their bits,
 * decimals with their scale). The warm pass must be served from the cache. Subclasses say how
 * the tables are stored ([[TpcdsSuite]]: Parquet) and may add passes after these.
 *
 * Data: TPC-DS at scale factor `cellar.tpcds.scale` (default 0.01), generated into
 * `cellar.tpcds.dir` (default target/tpcds-SCALE) and reused by later runs.
 */
abstract class TpcdsComparison extends AnyFunSuite with BeforeAndAfterAll {
  protected val scale: Double = sys.props.getOrElse("cellar.tpcds.scale", "0.01").toDouble
  protected val dataDir: Path = Paths.get(sys.props.getOrElse("cellar.tpcds.dir",
    s"target/tpcds-${TpcdsData.scaleName(scale)}"))
  /**
   * The queries the suite runs, as `cellar.tpcds.queries` says: `all` (the default), `every-N`
   * (every Nth query, and the io9 set), `every-N+K` (every Nth from the Kth, and the io9 set) or
   * `only-every-N+K` (the same without the io9 set); a subclass may read another property.
   */
  protected def queries: Seq[String] = picked("cellar.tpcds.queries", "all")

  /**
   * The queries a system property picks: `all`, `every-N` or `every-N+K` (and the io9 set), or
   * `only-every-N` / `only-every-N+K` (without it).
   */
  protected def picked(property: String, default: String): Seq[String] = {
    val all = TpcdsQueries.names().asScala.toSeq
    sys.props.getOrElse(property, default) match {
      case "all" => all
      case every if every.matches("(only-)?every-[1-9][0-9]*(\\+[0-9]+)?") =>
        val withIo9 = !every.startsWith("only-")
        val Array(n, k) = (every.replaceFirst("^(only-)?every-", "") +
          (if (every.contains("+")) "" else "+0")).split("\\+").map(_.toInt)
        require(k < n, s"$property: '$every'; the offset K of every-N+K must be below N")
        all.zipWithIndex.collect {
          case (q, i) if i % n == k || withIo9 && TpcdsQueries.IO9.contains(q) => q
        }
      case other => throw new IllegalArgumentException(s"$property: '$other'; one of all," +
        " every-N or every-N+K (every Nth query from the Kth, and the io9 set), only-every-N or" +
        " only-every-N+K (without the io9 set)")
    }
  }

  protected var spark: SparkSession = _
  /** Rows of each query with Cellar off. */
  protected val expected = mutable.LinkedHashMap[String, Seq[String]]()
  private var beforeCold: Counters = _
  private var afterCold: Counters = _

  /** The session, before it is made: [[TpcdsSession.builder]]'s by default. */
  protected def sessionBuilder(): SparkSession.Builder =
    TpcdsSession.builder(getClass.getSimpleName, dataDir.resolveSibling("spark-warehouse"), "1g")

  /** Creates the TPC-DS tables in the session, over the generated Parquet set in `dataDir`. */
  protected def registerTables(): Unit

  protected case class Counters(hits: Long, misses: Long, added: Long, notAdded: Long,
      fallbacks: Long) {
    def -(o: Counters): Counters = Counters(hits - o.hits, misses - o.misses, added - o.added,
      notAdded - o.notAdded, fallbacks - o.fallbacks)
    override def toString: String =
      s"hits $hits, misses $misses, added $added, not added $notAdded, fallbacks $fallbacks"
  }

  protected def counters(): Counters = {
    val c = ExecutorCache.get()
    Counters(c.hits.get, c.misses.get, c.added.get, c.notAdded.get, c.fallbacks.get)
  }

  override protected def beforeAll(): Unit = {
    super.beforeAll()
    ExecutorCache.shutdown()
    spark = sessionBuilder().getOrCreate()
    TpcdsData.generate(spark, dataDir, scale, System.out)
    registerTables()
  }

  override protected def afterAll(): Unit = {
    try {
      if (spark != null) spark.stop()
      SparkSession.clearActiveSession()
      SparkSession.clearDefaultSession()
      ExecutorCache.shutdown()
    } finally super.afterAll()
  }

  protected def run(query: String, cellar: Boolean): Seq[String] = {
    spark.conf.set("spark.cellar.enabled", cellar.toString)
    spark.sparkContext.setJobDescription(s"$query cellar=$cellar")
    ResultRows.canonical(spark.sql(TpcdsQueries.sql(query)).collectAsList()).asScala.toSeq
  }

  /** What differs between Spark's rows and Cellar's, for the failure message. */
  protected def diff(query: String, pass: String, want: Seq[String], got: Seq[String]): String = {
    val missing = want.diff(got)
    val extra = got.diff(want)
    s"$query: the $pass Cellar run differs from Spark (${want.size} rows expected, ${got.size}" +
      s" returned); missing ${missing.size}, e.g. ${missing.take(3).mkString("; ")}; extra" +
      s" ${extra.size}, e.g. ${extra.take(3).mkString("; ")}"
  }

  protected def poolReport(): String = ExecutorCache.get().cache() match {
    case null => s"no cache: ${ExecutorCache.get().unavailableReason()}"
    case t =>
      t.tierStats().asScala.zipWithIndex.map { case (s, i) =>
        s"tier $i: pool used ${s.poolUsed} B in ${s.entries} entries"
      }.mkString("; ")
  }

  test("the spark-sql test jar holds the 103 TPC-DS v1.4 queries") {
    val all = TpcdsQueries.names().asScala.toSeq
    assert(all.size == 103, all.mkString(" "))
    assert(all.take(3) == Seq("q1", "q2", "q3"))
  }

  test("every query runs with Cellar off") {
    val failed = mutable.ArrayBuffer[String]()
    for (q <- queries) {
      try expected(q) = run(q, cellar = false)
      catch { case e: Exception => failed += s"$q: $e" }
    }
    assert(failed.isEmpty, failed.mkString("\n"))
    info(s"${expected.size} queries, ${expected.values.map(_.size).sum} rows")
  }

  for (q <- queries) {
    test(s"cold: $q returns Spark's rows") {
      assume(expected.contains(q), s"$q did not run with Cellar off")
      if (beforeCold == null) beforeCold = counters()
      val got = run(q, cellar = true)
      assert(got == expected(q), diff(q, "cold", expected(q), got))
    }
  }

  test("the cold pass filled the cache") {
    assume(beforeCold != null)
    afterCold = counters()
    val d = afterCold - beforeCold
    info(s"cold pass: $d; ${poolReport()}")
    assert(d.added > 0, s"nothing was added to the cache: $d")
    assert(d.fallbacks == 0, s"scans fell back to Spark's reader: $d")
  }

  for (q <- queries) {
    test(s"warm: $q returns Spark's rows") {
      assume(expected.contains(q), s"$q did not run with Cellar off")
      val got = run(q, cellar = true)
      assert(got == expected(q), diff(q, "warm", expected(q), got))
    }
  }

  test("the warm pass was served from the cache") {
    assume(afterCold != null)
    val cold = afterCold - beforeCold
    val warm = counters() - afterCold
    info(s"warm pass: $warm; ${poolReport()}")
    assert(warm.hits > 0, s"no chunk came from the cache: $warm")
    assert(warm.misses <= (warm.hits + warm.misses) / 100,
      s"more than 1% of the warm pass's lookups missed: cold $cold, warm $warm")
    // a warm run may read a few row groups the cold one did not (runtime filters and adaptive
    // plans can differ between runs); those are decoded and added, at most 1% of its lookups
    assert(warm.added <= (warm.hits + warm.misses) / 100,
      s"the warm pass decoded and added more than 1% of its lookups: cold $cold, warm $warm")
    assert(warm.fallbacks == 0, s"scans fell back to Spark's reader: $warm")
  }
}
