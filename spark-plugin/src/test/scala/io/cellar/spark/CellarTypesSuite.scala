// SPDX-License-Identifier: Apache-2.0
// CellarTypesSuite -- every type of Spark's vectorized Parquet reader, cached and uncached alike
package io.cellar.spark

import java.math.{BigDecimal => JBigDecimal}
import java.sql.{Date, Timestamp}
import java.time.LocalDateTime

import scala.jdk.CollectionConverters._

import org.apache.spark.sql.Row
import org.apache.spark.sql.types._

class CellarTypesSuite extends CellarSuiteBase {
  private val n = 3000

  private val schema = StructType(Seq(
    StructField("id", IntegerType, nullable = false),
    StructField("b", BooleanType),
    StructField("y", ByteType),
    StructField("s", ShortType),
    StructField("i", IntegerType),
    StructField("l", LongType),
    StructField("f", FloatType),
    StructField("d", DoubleType),
    StructField("dec5", DecimalType(5, 2)),
    StructField("dec15", DecimalType(15, 4)),
    StructField("dec30", DecimalType(30, 8)),
    StructField("str", StringType),
    StructField("lowcard", StringType),
    StructField("bin", BinaryType),
    StructField("date", DateType),
    StructField("ts", TimestampType),
    StructField("ntz", TimestampNTZType),
    StructField("st", StructType(Seq(StructField("a", IntegerType), StructField("t", StringType)))),
    StructField("arr", ArrayType(LongType)),
    StructField("arrs", ArrayType(StructType(Seq(StructField("k", StringType),
      StructField("v", DoubleType))))),
    StructField("m", MapType(StringType, IntegerType)),
    StructField("nested", ArrayType(ArrayType(IntegerType)))))

  private def special(i: Int): Double = i % 7 match {
    case 0 => Double.NaN
    case 1 => -0.0
    case 2 => Double.PositiveInfinity
    case 3 => Double.NegativeInfinity
    case _ => i * 1.5
  }

  private def row(i: Int): Row = {
    def orNull[T](v: T): Any = if (i % 11 == 5) null else v
    Row(
      i,
      orNull(i % 2 == 0),
      orNull((i % 256 - 128).toByte),
      orNull((i * 7 % 65536 - 32768).toShort),
      orNull(if (i % 13 == 0) Int.MinValue else i * 31),
      orNull(if (i % 17 == 0) Long.MaxValue else i.toLong * 1000003L),
      orNull(special(i).toFloat),
      orNull(special(i)),
      orNull(new JBigDecimal(i % 1000).movePointLeft(2)),
      orNull(new JBigDecimal(i.toLong * 987654L).movePointLeft(4)),
      orNull(new JBigDecimal(s"${i}123456789012345678").movePointLeft(8)),
      orNull(if (i % 5 == 0) "" else s"value-$i-ünïcödé"),
      orNull(Seq("red", "green", "blue")(i % 3)),
      orNull(if (i % 4 == 0) Array.emptyByteArray else Array.tabulate(i % 9)(j => (j * i).toByte)),
      orNull(Date.valueOf(s"${1850 + i % 200}-0${1 + i % 9}-1${i % 9}")),
      orNull(Timestamp.valueOf(s"${1880 + i % 150}-0${1 + i % 9}-1${i % 9} 1${i % 10}:2${i % 10}:00.${100000 + i}")),
      orNull(LocalDateTime.of(1890 + i % 130, 1 + i % 12, 1 + i % 28, i % 24, i % 60, i % 60, i * 1000)),
      orNull(Row(if (i % 3 == 0) null else i, s"s$i")),
      orNull(Seq.tabulate(i % 4)(j => j.toLong * i)),
      orNull(Seq.tabulate(i % 3)(j => Row(s"k$j", special(i + j)))),
      orNull(Map(s"a$i" -> i, "b" -> (if (i % 2 == 0) null else -i)).asInstanceOf[Map[String, Any]]),
      orNull(Seq(Seq(i, i + 1), Seq.empty[Int], if (i % 2 == 0) null else Seq(i))))
  }

  private def write(dir: String, conf: Map[String, String]): String = {
    val path = workDir.resolve(dir).toString
    val old = conf.keys.map(k => k -> spark.conf.getOption(k)).toMap
    conf.foreach { case (k, v) => spark.conf.set(k, v) }
    try {
      spark.createDataFrame((0 until n).map(row).asJava, schema)
        .repartition(2)
        .write
        .option("parquet.block.size", "65536")
        .option("parquet.page.size", "8192")
        .parquet(path)
    } finally old.foreach {
      case (k, Some(v)) => spark.conf.set(k, v)
      case (k, None) => spark.conf.unset(k)
    }
    path
  }

  private val layouts = Seq(
    "default" -> Map.empty[String, String],
    "int96-legacy" -> Map(
      "spark.sql.parquet.outputTimestampType" -> "INT96",
      "spark.sql.parquet.int96RebaseModeInWrite" -> "LEGACY",
      "spark.sql.parquet.datetimeRebaseModeInWrite" -> "LEGACY"),
    "millis-corrected" -> Map(
      "spark.sql.parquet.outputTimestampType" -> "TIMESTAMP_MILLIS",
      "spark.sql.parquet.datetimeRebaseModeInWrite" -> "CORRECTED"),
    "legacy-decimals" -> Map("spark.sql.parquet.writeLegacyFormat" -> "true"))

  for ((name, conf) <- layouts) {
    test(s"every type reads the same cached and uncached ($name)") {
      val path = write(s"types-$name", conf)
      val all = checkSame(spark.read.parquet(path))
      assert(all.size == n)
      // projections and a filter read the same too
      checkSame(spark.read.parquet(path).select("id", "dec30", "st", "m").where("id % 3 = 1"))
    }
  }

  test("legacy rebase on read returns what Spark returns") {
    val path = write("types-rebase", Map(
      "spark.sql.parquet.datetimeRebaseModeInWrite" -> "LEGACY",
      "spark.sql.parquet.outputTimestampType" -> "TIMESTAMP_MICROS"))
    for (mode <- Seq("LEGACY", "CORRECTED")) {
      spark.conf.set("spark.sql.parquet.datetimeRebaseModeInRead", mode)
      try checkSame(spark.read.parquet(path).select("id", "date", "ts"))
      finally spark.conf.unset("spark.sql.parquet.datetimeRebaseModeInRead")
    }
  }

  test("a warm scan is served from the cache") {
    val path = write("types-warm", Map.empty)
    withCellar(on = true)(spark.read.parquet(path).collect())
    val hits = cache.hits.get()
    val added = cache.added.get()
    withCellar(on = true)(spark.read.parquet(path).collect())
    assert(cache.added.get() == added, "a warm scan added chunks")
    assert(cache.hits.get() - hits >= schema.length, "a warm scan was not served from the cache")
  }
}
