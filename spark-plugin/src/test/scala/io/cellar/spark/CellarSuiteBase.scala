// SPDX-License-Identifier: Apache-2.0
// CellarSuiteBase -- a local Spark session with Cellar, and exact comparison of query results
package io.cellar.spark

import java.nio.file.{Files, Path}
import java.util.Comparator

import io.cellar.spark.exec.ExecutorCache
import org.apache.spark.sql.{DataFrame, Row, SparkSession}
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

/** One shared local[2] session per suite, UI off, driver on loopback, Cellar switched on. */
trait CellarSuiteBase extends AnyFunSuite with BeforeAndAfterAll {
  protected var spark: SparkSession = _
  protected var workDir: Path = _

  /** Extra settings of the suite's session. */
  protected def sessionConf: Map[String, String] = Map.empty

  override protected def beforeAll(): Unit = {
    super.beforeAll()
    workDir = Files.createTempDirectory("cellar-suite-")
    ExecutorCache.shutdown()
    val b = SparkSession.builder()
      .master("local[2]")
      .appName(getClass.getSimpleName)
      .config("spark.ui.enabled", "false")
      .config("spark.driver.host", "127.0.0.1")
      .config("spark.driver.bindAddress", "127.0.0.1")
      .config("spark.sql.shuffle.partitions", "4")
      .config("spark.sql.extensions", classOf[CellarExtensions].getName)
      .config("spark.cellar.tiers", "dram:256m")
      .config("spark.cellar.test.strict.enabled", "true")
      // Spark 4's defaults, which 3.5 lacks (its EXCEPTION refuses the suites' ancient dates)
      .config("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
      .config("spark.sql.parquet.int96RebaseModeInWrite", "CORRECTED")
    sessionConf.foreach { case (k, v) => b.config(k, v) }
    spark = b.getOrCreate()
  }

  override protected def afterAll(): Unit = {
    try {
      if (spark != null) spark.stop()
      SparkSession.clearActiveSession()
      SparkSession.clearDefaultSession()
      ExecutorCache.shutdown()
      deleteTree(workDir)
    } finally super.afterAll()
  }

  protected def deleteTree(p: Path): Unit = if (p != null && Files.exists(p)) {
    val s = Files.walk(p)
    try s.sorted(Comparator.reverseOrder[Path]()).forEach(f => Files.deleteIfExists(f))
    finally s.close()
  }

  protected def cache: ExecutorCache = ExecutorCache.get()

  /** Runs f with spark.cellar.enabled set as given for the session. */
  protected def withCellar[T](on: Boolean)(f: => T): T = {
    val old = spark.conf.getOption("spark.cellar.enabled")
    spark.conf.set("spark.cellar.enabled", on.toString)
    try f finally old match {
      case Some(v) => spark.conf.set("spark.cellar.enabled", v)
      case None => spark.conf.unset("spark.cellar.enabled")
    }
  }

  /** A row's values in a form where every distinct value prints distinctly (-0.0, NaN, bytes). */
  protected def canon(v: Any): String = v match {
    case null => "null"
    case b: Array[Byte] => b.map(x => f"$x%02x").mkString("0x", "", "")
    case d: Double => s"d${java.lang.Double.doubleToRawLongBits(d)}"
    case f: Float => s"f${java.lang.Float.floatToRawIntBits(f)}"
    case r: Row => r.toSeq.map(canon).mkString("{", ",", "}")
    case m: scala.collection.Map[_, _] =>
      m.toSeq.map { case (k, x) => canon(k) + "->" + canon(x) }.sorted.mkString("M(", ",", ")")
    case s: scala.collection.Seq[_] => s.map(canon).mkString("[", ",", "]")
    case t: java.sql.Timestamp => s"ts${t.getTime}.${t.getNanos}"
    case other => s"${other.getClass.getSimpleName}:$other"
  }

  /** Sorted canonical rows of a query. */
  protected def rows(df: => DataFrame): Seq[String] = df.collect().toSeq.map(canon).sorted

  /**
   * Runs the query without Cellar, then with it twice (cold, warm), and requires identical
   * results; returns the rows.
   */
  protected def checkSame(query: => DataFrame): Seq[String] = {
    val expected = withCellar(on = false)(rows(query))
    val cold = withCellar(on = true)(rows(query))
    val warm = withCellar(on = true)(rows(query))
    assert(cold == expected, "cold Cellar run differs from Spark")
    assert(warm == expected, "warm Cellar run differs from Spark")
    expected
  }
}
