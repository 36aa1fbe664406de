// SPDX-License-Identifier: Apache-2.0
// CellarDeltaSuite -- Delta tables read through Cellar return exactly Delta's rows
package io.cellar.spark.delta

import io.cellar.spark.{CachedParquetScanExec, CellarExtensions, CellarSuiteBase}
import io.cellar.spark.exec.ExecutorCache
import io.cellar.spark.key.ChunkKey
import org.apache.spark.sql.DataFrame
import org.apache.spark.sql.delta.DeltaLog
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanHelper

/**
 * Delta Lake tables with each of Delta's read features, and after each of its writes: every read
 * with Cellar off, cold and warm returns the same rows, the cached runs read through Cellar's
 * Delta format, and the warm run is served from the cache.
 */
@DeltaFeatures
class CellarDeltaSuite extends CellarSuiteBase with AdaptiveSparkPlanHelper {
  override protected def sessionConf: Map[String, String] = Map(
    "spark.sql.extensions" ->
      s"io.delta.sql.DeltaSparkSessionExtension,${classOf[CellarExtensions].getName}",
    "spark.sql.catalog.spark_catalog" -> "org.apache.spark.sql.delta.catalog.DeltaCatalog",
    "spark.sql.warehouse.dir" -> workDir.resolve("warehouse").toString,
    "spark.databricks.delta.snapshotPartitions" -> "2",
    "spark.databricks.delta.retentionDurationCheck.enabled" -> "false",
    // VACUUM lists a table's files in this many tasks (Spark's default: 10,000, which took
    // the DML test 115 s in local[2], 40 s with 2, for its two tables' VACUUMs)
    "spark.sql.sources.parallelPartitionDiscovery.parallelism" -> "2",
    // several row groups per file, so that row indexes cross row groups
    "parquet.block.size" -> "16384")

  private case class Counters(hits: Long, added: Long, fallbacks: Long)

  private def counters(): Counters = {
    val c = ExecutorCache.get()
    Counters(c.hits.get, c.added.get, c.fallbacks.get)
  }

  /** The scans of an executed query that read a Delta table through Cellar. */
  private def deltaScans(df: DataFrame): Seq[CachedParquetScanExec] =
    collectWithSubqueries(df.queryExecution.executedPlan) {
      case c: CachedParquetScanExec if c.relation.fileFormat.isInstanceOf[CellarDeltaFormat] => c
    }

  /** Sorted rows of a query, and the Delta scans that ran it. */
  private def run(sql: String): (Seq[String], Seq[CachedParquetScanExec]) = {
    val df = spark.sql(sql)
    (rows(df), deltaScans(df))
  }

  /**
   * Runs a query with Cellar off, cold and warm; requires identical rows, Cellar's Delta scan in
   * the cached runs, and a warm run served from the cache without decoding. `inPlan` false: the
   * scans run in plans of their own (Delta's change-data-feed relation builds its rows from
   * inner queries), so only the cache's counters show them.
   */
  private def same(sql: String, inPlan: Boolean = true): Seq[String] = {
    val (expected, offScans) = withCellar(on = false)(run(sql))
    assert(offScans.isEmpty, "Cellar read a Delta table while it was off")
    val (cold, coldScans) = withCellar(on = true)(run(sql))
    assert(!inPlan || coldScans.nonEmpty, s"no Delta scan read through Cellar: $sql")
    val before = counters()
    val (warm, _) = withCellar(on = true)(run(sql))
    val d = counters()
    assert(cold == expected, s"cold Cellar rows differ from Delta's: $sql")
    assert(warm == expected, s"warm Cellar rows differ from Delta's: $sql")
    assert(d.hits > before.hits, s"the warm run of $sql took nothing from the cache")
    assert(d.added == before.added, s"the warm run of $sql decoded and added chunks")
    assert(d.fallbacks == before.fallbacks, s"$sql fell back to Delta's reader")
    expected
  }

  /** The data files a table's current version reads. */
  private def files(table: String): Set[String] =
    spark.sql(s"SELECT input_file_name() FROM $table").collect().map(_.getString(0)).toSet

  test("a partitioned table: projections, filters, partition pruning, Delta's file skipping") {
    spark.sql("""CREATE TABLE plain (id BIGINT, name STRING, amount DECIMAL(12,2), day DATE,
      p INT) USING delta PARTITIONED BY (p)""")
    // four files per partition, with disjoint id ranges, so that Delta's statistics skip files
    spark.range(0, 20000).selectExpr("id", "concat('n', id % 13) AS name",
      "CAST(id * 1.25 AS DECIMAL(12,2)) AS amount",
      "date_add(DATE'2024-01-01', CAST(id % 300 AS INT)) AS day", "CAST(id % 4 AS INT) AS p")
      .repartitionByRange(4, org.apache.spark.sql.functions.col("id"))
      .write.format("delta").mode("append").saveAsTable("plain")
    same("SELECT * FROM plain")
    same("SELECT p, count(*), sum(amount), max(day) FROM plain GROUP BY p")
    same("SELECT id, name FROM plain WHERE p = 2 AND name = 'n3'")

    // Delta chooses the files: Cellar reads exactly those
    val q = "SELECT id FROM plain WHERE id BETWEEN 100 AND 200"
    same(q)
    def filesRead(on: Boolean): Long = withCellar(on) {
      val df = spark.sql(q)
      df.collect()
      collectWithSubqueries(df.queryExecution.executedPlan) {
        case s: org.apache.spark.sql.execution.FileSourceScanLike => s.metrics("numFiles").value
      }.sum
    }
    val off = filesRead(on = false)
    assert(off > 0 && off < files("plain").size, s"Delta's statistics skipped nothing: $off")
    assert(filesRead(on = true) == off)
  }

  /**
   * Creates `table` and its twin `table_off` alike and fills both with the same rows; a write
   * is then run by [[write]] on both, through Cellar on `table` only.
   */
  private def twins(table: String, ddl: String, data: => DataFrame): Unit = {
    for (t <- Seq(table, s"${table}_off")) {
      spark.sql(ddl.replace("$T", t))
      data.write.format("delta").mode("append").saveAsTable(t)
    }
  }

  /**
   * Runs a write (`$T` stands for the table) on `table` with Cellar on, so that the write's
   * own scans read through the cache (deletion vectors and touched files come from Cellar's row
   * indexes), and on its twin with Cellar off; both must then hold the same rows.
   */
  private def write(table: String, sql: String): Unit = {
    withCellar(on = true)(spark.sql(sql.replace("$T", table)).collect())
    withCellar(on = false)(spark.sql(sql.replace("$T", s"${table}_off")).collect())
    val cellar = withCellar(on = false)(rows(spark.sql(s"SELECT * FROM $table")))
    val delta = withCellar(on = false)(rows(spark.sql(s"SELECT * FROM ${table}_off")))
    assert(cellar == delta, s"the write through Cellar left other rows: $sql")
  }

  test("deletion vectors: a new vector on a fully cached file takes effect at once") {
    twins("dv", """CREATE TABLE $T (id BIGINT, v STRING) USING delta
      TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')""",
      spark.range(0, 30000).selectExpr("id", "concat('v', id) AS v").coalesce(1))
    same("SELECT * FROM dv")
    val before = files("dv")
    write("dv", "DELETE FROM $T WHERE id % 10 = 0")
    assert(files("dv") == before, "the DELETE rewrote the file instead of adding a vector")
    assert(same("SELECT * FROM dv").size == 27000)

    // every chunk of the file is cached: the next deletion must still show, from cached chunks
    write("dv", "DELETE FROM $T WHERE id < 1000")
    val expected = withCellar(on = false)(rows(spark.sql("SELECT * FROM dv")))
    val c0 = counters()
    val got = withCellar(on = true)(rows(spark.sql("SELECT * FROM dv")))
    val c1 = counters()
    assert(got == expected)
    assert(got.size == 26100)
    assert(c1.hits > c0.hits && c1.added == c0.added, "the read after the DELETE was not cached")
    same("SELECT count(*), sum(id) FROM dv WHERE v LIKE 'v1%'")
    same("SELECT id, _metadata.row_index FROM dv WHERE id % 997 = 1")
    // splits inside the file: row indexes and deletion marks of row groups read by other tasks
    spark.conf.set("spark.sql.files.maxPartitionBytes", "65536")
    try {
      same("SELECT * FROM dv")
      write("dv", "DELETE FROM $T WHERE id % 7 = 3")
      same("SELECT id, v, _metadata.row_index FROM dv")
    } finally spark.conf.unset("spark.sql.files.maxPartitionBytes")
  }

  test("DELETE without deletion vectors rewrites files; UPDATE, MERGE, OPTIMIZE, RESTORE") {
    twins("dml", """CREATE TABLE $T (id BIGINT, v BIGINT, s STRING) USING delta
      TBLPROPERTIES ('delta.enableDeletionVectors' = 'false')""",
      spark.range(0, 20000).selectExpr("id", "id * 3 AS v", "concat('s', id % 17) AS s")
        .repartition(3))
    val q = "SELECT * FROM dml"
    same(q)
    val v0 = files("dml")
    write("dml", "DELETE FROM $T WHERE s = 's3'")
    assert(files("dml") != v0, "the DELETE kept its files")
    same(q)
    write("dml", "UPDATE $T SET v = -v WHERE id % 5 = 1")
    same(q)
    spark.range(15000, 25000).selectExpr("id", "id AS v", "'merged' AS s")
      .createOrReplaceTempView("src")
    write("dml", """MERGE INTO $T t USING src ON t.id = src.id
      WHEN MATCHED AND t.id % 2 = 0 THEN UPDATE SET v = src.v, s = src.s
      WHEN MATCHED THEN DELETE
      WHEN NOT MATCHED THEN INSERT *""")
    same(q)
    write("dml", "OPTIMIZE $T")
    assert(files("dml").size == 1)
    same(q)
    write("dml", "RESTORE TABLE $T TO VERSION AS OF 1")
    same(q)
    // the version before the RESTORE: its files are no longer the table's
    val old = spark.sql("DESCRIBE HISTORY dml").where("operation = 'RESTORE'")
      .select("version").collect().head.getLong(0) - 1
    val optimized = withCellar(on = true)(rows(spark.sql(s"SELECT * FROM dml VERSION AS OF $old")))
    val oldFiles = withCellar(on = false)(spark.sql(
      s"SELECT input_file_name() FROM dml VERSION AS OF $old").collect().map(_.getString(0)).toSet)
    write("dml", "VACUUM $T RETAIN 0 HOURS")
    val history = spark.sql("DESCRIBE HISTORY dml").select("version", "operation").collect()
    assert(oldFiles.exists(f => !new java.io.File(new java.net.URI(f)).exists()),
      s"VACUUM kept the files of version $old ($oldFiles); history ${history.mkString(" ")}")
    same(q)
    same("SELECT s, count(*), sum(v) FROM dml GROUP BY s")

    // that version's files, cached above, are vacuumed: reading it fails as in Delta
    assert(optimized.nonEmpty)
    def missing(on: Boolean): Throwable = withCellar(on) {
      intercept[Exception](spark.sql(s"SELECT * FROM dml VERSION AS OF $old").collect())
    }
    for (e <- Seq(missing(on = false), missing(on = true))) {
      assert(Iterator.iterate(e)(_.getCause).takeWhile(_ != null)
        .exists(_.isInstanceOf[java.io.FileNotFoundException]), e)
    }
  }

  test("DML on a table with deletion vectors: UPDATE and MERGE") {
    twins("dvdml", """CREATE TABLE $T (id BIGINT, v BIGINT) USING delta
      TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')""",
      spark.range(0, 20000).selectExpr("id", "id AS v").coalesce(2))
    val q = "SELECT * FROM dvdml"
    same(q)
    write("dvdml", "UPDATE $T SET v = v + 1000000 WHERE id % 3 = 0")
    same(q)
    spark.range(10000, 12000).selectExpr("id", "-id AS v").createOrReplaceTempView("src2")
    write("dvdml", """MERGE INTO $T t USING src2 ON t.id = src2.id
      WHEN MATCHED AND t.id % 2 = 0 THEN DELETE
      WHEN MATCHED THEN UPDATE SET v = src2.v""")
    same(q)
  }

  test("column mapping by name: renamed, dropped and added columns") {
    spark.sql("""CREATE TABLE cmn (id BIGINT, a STRING, b DOUBLE) USING delta
      TBLPROPERTIES ('delta.columnMapping.mode' = 'name')""")
    spark.range(0, 10000).selectExpr("id", "concat('a', id % 9) AS a", "CAST(id / 3.0 AS DOUBLE) AS b")
      .write.format("delta").mode("append").saveAsTable("cmn")
    same("SELECT * FROM cmn")
    spark.sql("ALTER TABLE cmn RENAME COLUMN a TO `a renamed.x`")
    spark.sql("ALTER TABLE cmn DROP COLUMN b")
    spark.sql("ALTER TABLE cmn ADD COLUMN (b DOUBLE)")
    spark.range(10000, 12000).selectExpr("id", "'new' AS `a renamed.x`", "CAST(id * 2.0 AS DOUBLE) AS b")
      .write.format("delta").mode("append").saveAsTable("cmn")
    same("SELECT * FROM cmn")
    same("SELECT id, `a renamed.x` FROM cmn WHERE `a renamed.x` = 'a4' OR id > 11990")
    same("SELECT count(*) FROM cmn WHERE b IS NULL")
  }

  test("column mapping by id") {
    spark.conf.set("spark.sql.parquet.fieldId.read.enabled", "true")
    try {
      spark.sql("""CREATE TABLE cmi (id BIGINT, a STRING, s STRUCT<x: INT, y: STRING>) USING delta
        TBLPROPERTIES ('delta.columnMapping.mode' = 'id')""")
      spark.range(0, 10000).selectExpr("id", "concat('a', id % 9) AS a",
        "named_struct('x', CAST(id AS INT), 'y', concat('y', id)) AS s")
        .write.format("delta").mode("append").saveAsTable("cmi")
      spark.sql("ALTER TABLE cmi RENAME COLUMN a TO b")
      same("SELECT * FROM cmi")
      same("SELECT id, s.y FROM cmi WHERE b = 'a2' AND id < 5000")
    } finally spark.conf.unset("spark.sql.parquet.fieldId.read.enabled")
  }

  test("generated and default columns, timestamps without time zone") {
    // Spark's CREATE TABLE refuses generated columns for catalogs that do not declare them:
    // Delta's builder makes the table
    io.delta.tables.DeltaTable.create(spark).tableName("gen")
      .addColumn("id", "BIGINT").addColumn("ts", "TIMESTAMP").addColumn("ntz", "TIMESTAMP_NTZ")
      .addColumn(io.delta.tables.DeltaTable.columnBuilder(spark, "day").dataType("DATE")
        .generatedAlwaysAs("CAST(ts AS DATE)").build())
      .addColumn("flag", "INT")
      .partitionedBy("day")
      .property("delta.feature.allowColumnDefaults", "supported")
      .execute()
    spark.sql("ALTER TABLE gen ALTER COLUMN flag SET DEFAULT 7")
    spark.sql("""INSERT INTO gen (id, ts, ntz) SELECT id,
      TIMESTAMP'2024-03-01 00:00:00' + make_interval(0, 0, 0, 0, CAST(id % 72 AS INT)),
      TIMESTAMP_NTZ'2024-03-01 12:00:00' + make_interval(0, 0, 0, CAST(id % 40 AS INT))
      FROM range(5000)""")
    spark.sql("INSERT INTO gen (id, ts, ntz, flag) VALUES (99999, NULL, NULL, 1)")
    same("SELECT * FROM gen")
    same("SELECT day, count(*), max(ntz), sum(flag) FROM gen GROUP BY day")
  }

  test("type widening") {
    spark.sql("""CREATE TABLE tw (id BIGINT, n SMALLINT, d DECIMAL(6,2)) USING delta
      TBLPROPERTIES ('delta.enableTypeWidening' = 'true')""")
    spark.range(0, 5000).selectExpr("id", "CAST(id % 30000 AS SMALLINT) AS n",
      "CAST(id / 7 AS DECIMAL(6,2)) AS d").write.format("delta").mode("append").saveAsTable("tw")
    same("SELECT * FROM tw")
    spark.sql("ALTER TABLE tw CHANGE COLUMN n TYPE INT")
    // Delta 3.3 (Spark 3.5) widens only integers; Delta 4.x widens decimals too
    val decimals = !org.apache.spark.SPARK_VERSION.startsWith("3.")
    if (decimals) spark.sql("ALTER TABLE tw CHANGE COLUMN d TYPE DECIMAL(10,2)")
    val d = if (decimals) "CAST(id * 1000.5 AS DECIMAL(10,2))" else "CAST(id / 3 AS DECIMAL(6,2))"
    spark.range(5000, 6000).selectExpr("id", "CAST(id * 100000 AS INT) AS n", s"$d AS d")
      .write.format("delta").mode("append").saveAsTable("tw")
    same("SELECT * FROM tw")
    same("SELECT sum(n), sum(d) FROM tw WHERE id < 5000")
  }

  test("time travel by version and by timestamp") {
    spark.sql("CREATE TABLE tt (id BIGINT, v STRING) USING delta")
    spark.range(0, 3000).selectExpr("id", "'one' AS v").write.format("delta").mode("append")
      .saveAsTable("tt")
    spark.range(3000, 6000).selectExpr("id", "'two' AS v").write.format("delta").mode("append")
      .saveAsTable("tt")
    withCellar(on = false)(spark.sql("DELETE FROM tt WHERE id % 2 = 0"))
    val v1 = same("SELECT * FROM tt VERSION AS OF 1")
    assert(v1.size == 3000)
    same("SELECT * FROM tt VERSION AS OF 2")
    same("SELECT * FROM tt")
    val ts = spark.sql("DESCRIBE HISTORY tt").where("version = 2")
      .select("timestamp").collect().head.getTimestamp(0)
    same(s"SELECT * FROM tt TIMESTAMP AS OF '$ts'")
  }

  test("row tracking: row ids and commit versions") {
    spark.sql("""CREATE TABLE rt (id BIGINT, v STRING) USING delta
      TBLPROPERTIES ('delta.enableRowTracking' = 'true')""")
    spark.range(0, 6000).selectExpr("id", "'a' AS v").repartition(2).write.format("delta")
      .mode("append").saveAsTable("rt")
    withCellar(on = false)(spark.sql("UPDATE rt SET v = 'b' WHERE id % 3 = 0"))
    same("SELECT id, v, _metadata.row_id, _metadata.row_commit_version FROM rt")
  }

  test("change data feed") {
    spark.sql("""CREATE TABLE cdf (id BIGINT, v STRING) USING delta
      TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')""")
    spark.range(0, 4000).selectExpr("id", "'a' AS v").write.format("delta").mode("append")
      .saveAsTable("cdf")
    withCellar(on = false)(spark.sql("UPDATE cdf SET v = 'b' WHERE id % 4 = 0"))
    withCellar(on = false)(spark.sql("DELETE FROM cdf WHERE id % 4 = 1"))
    same("SELECT * FROM table_changes('cdf', 0)", inPlan = false)
    same("SELECT _change_type, count(*) FROM table_changes('cdf', 1, 2) GROUP BY _change_type",
      inPlan = false)
  }

  test("a Delta table with 'cellar.cache' = 'false' reads as Delta alone until it opts in") {
    spark.sql("""CREATE TABLE optout (id BIGINT, v STRING) USING delta
      TBLPROPERTIES ('cellar.cache' = 'false')""")
    spark.range(0, 3000).selectExpr("id", "CAST(id % 5 AS STRING) AS v").write.format("delta")
      .mode("append").saveAsTable("optout")
    val added = counters().added
    val (expected, _) = withCellar(on = false)(run("SELECT * FROM optout WHERE v = '2'"))
    val (rowsOn, scans) = withCellar(on = true)(run("SELECT * FROM optout WHERE v = '2'"))
    assert(rowsOn == expected && scans.isEmpty, "an opted-out Delta table was read through Cellar")
    assert(counters().added == added)
    spark.sql("ALTER TABLE optout SET TBLPROPERTIES ('cellar.cache' = 'true')")
    same("SELECT * FROM optout WHERE v = '2'")
  }

  test("the log's checkpoints are not cached") {
    spark.sql("""CREATE TABLE ck (id BIGINT) USING delta
      TBLPROPERTIES ('delta.checkpointInterval' = '2')""")
    for (i <- 0 until 4) {
      spark.range(i * 100, i * 100 + 100).write.format("delta").mode("append").saveAsTable("ck")
    }
    val location = spark.sql("DESCRIBE DETAIL ck").select("location").collect().head.getString(0)
    val log = new java.io.File(new java.net.URI(location).getPath, "_delta_log")
    assert(log.listFiles().exists(_.getName.endsWith(".checkpoint.parquet")), "no checkpoint")
    // a new snapshot of the table is read from its checkpoint, with Cellar on
    DeltaLog.clearCache()
    withCellar(on = true)(spark.sql("SELECT count(*) FROM ck").collect())
    same("SELECT * FROM ck")
    var fromLog = 0
    var fromData = 0
    ExecutorCache.get().cache().forEachKey { k =>
      val path = ChunkKey.decode(k).file().path()
      if (path.contains("/_delta_log/")) fromLog += 1
      else if (path.contains("/ck/")) fromData += 1
    }
    assert(fromData > 0, "the table's data was not cached")
    assert(fromLog == 0, s"$fromLog chunks of the Delta log were cached")
  }
}
