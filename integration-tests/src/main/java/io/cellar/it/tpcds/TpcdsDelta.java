// SPDX-License-Identifier: Apache-2.0
// TpcdsDelta -- the TPC-DS tables as Delta Lake tables, file for file from the generated Parquet
package io.cellar.it.tpcds;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The 24 TPC-DS tables as Delta Lake tables, written from the Parquet that {@link TpcdsData}
 * generates: each table is created with Spark's declared schema (so CHAR columns stay CHAR, as
 * the queries need) and filled by one commit that writes a Delta file per generated Parquet
 * file, so that every Delta table has as many files, rows per file and row groups as its Parquet
 * twin. {@code CONVERT TO
 * DELTA} would keep the very files, but it takes the schema from their footers, where CHAR
 * columns are plain strings.
 *
 * <p>Needs Delta Lake on the class path and a session made with {@link #configure}. Not
 * thread-safe: one writer per directory at a time.
 */
public final class TpcdsDelta {
  /** Delta's session extension; its presence on the class path is Delta's presence. */
  public static final String EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  private static final String CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";
  /** The marker's text after {@link TpcdsData#markerText}: what makes a set Delta. */
  private static final String MARKER_FORMAT = "table-format=delta\n";

  private TpcdsDelta() {}

  /** Whether Delta Lake's classes are on this JVM's class path. */
  public static boolean available() {
    try {
      Class.forName(EXTENSION, false, TpcdsDelta.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Sets a session builder up for Delta: Delta's extension before the extensions already set
   * (Cellar's), and Delta's catalog as the session catalog.
   */
  public static SparkSession.Builder configure(SparkSession.Builder b, String extensions) {
    return b.config("spark.sql.extensions", EXTENSION + "," + extensions)
        .config("spark.sql.catalog.spark_catalog", CATALOG);
  }

  /** The Delta copy's directory beside a Parquet data directory: {@code sf1} → {@code sf1-delta}. */
  public static Path dirFor(Path parquetDir) {
    return parquetDir.resolveSibling(parquetDir.getFileName() + "-delta");
  }

  /** Whether dir holds every table as a Delta table, written from data of this scale. */
  public static boolean isWritten(Path dir, double scale) {
    Path marker = dir.resolve(TpcdsData.MARKER);
    try {
      if (!Files.isRegularFile(marker) || !Files.readString(marker, StandardCharsets.UTF_8)
          .equals(TpcdsData.markerText(scale) + MARKER_FORMAT)) {
        return false;
      }
    } catch (IOException e) {
      return false;
    }
    for (String t : TpcdsData.tables()) {
      if (!Files.isDirectory(dir.resolve(t).resolve("_delta_log"))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Writes every table of the Parquet set in {@code parquetDir} as a Delta table under
   * {@code deltaDir}, unless it already holds them.
   *
   * @return true if the tables were written, false if reused
   */
  public static boolean write(SparkSession spark, Path parquetDir, Path deltaDir, double scale,
      PrintStream log) throws IOException {
    if (!TpcdsData.isGenerated(parquetDir, scale)) {
      throw new IllegalStateException("no scale factor " + TpcdsData.scaleName(scale)
          + " Parquet set in " + parquetDir + " to write Delta tables from");
    }
    if (isWritten(deltaDir, scale)) {
      log.printf("[tpcds] reusing scale factor %s Delta tables in %s%n",
          TpcdsData.scaleName(scale), deltaDir);
      return false;
    }
    Files.createDirectories(deltaDir);
    Files.deleteIfExists(deltaDir.resolve(TpcdsData.MARKER));
    long start = System.nanoTime();
    Map<String, StructType> schemas = TpcdsData.declaredSchemas();
    // a read task per file (opening a file "costs" more than a task takes), so each INSERT
    // writes a Delta file per generated file; no generated file exceeds a task's bytes
    String openCost = "spark.sql.files.openCostInBytes";
    String oldOpenCost = spark.conf().get(openCost);
    spark.conf().set(openCost, Long.toString(1L << 40));
    try {
      writeTables(spark, parquetDir, deltaDir, schemas, log);
    } finally {
      spark.conf().set(openCost, oldOpenCost);
    }
    Files.writeString(deltaDir.resolve(TpcdsData.MARKER),
        TpcdsData.markerText(scale) + MARKER_FORMAT, StandardCharsets.UTF_8);
    log.printf("[tpcds] scale factor %s: %d Delta tables, %.1f MiB of Parquet in %.0f s%n",
        TpcdsData.scaleName(scale), TpcdsData.tables().size(),
        TpcdsData.parquetBytes(deltaDir, TpcdsData.tables()) / 1048576.0,
        (System.nanoTime() - start) / 1e9);
    return true;
  }

  private static void writeTables(SparkSession spark, Path parquetDir, Path deltaDir,
      Map<String, StructType> schemas, PrintStream log) throws IOException {
    for (String t : TpcdsData.tables()) {
      long tableStart = System.nanoTime();
      Path table = deltaDir.resolve(t);
      TpcdsData.deleteTree(table);
      String name = "`cellar_tpcds_delta_" + t + "`";
      spark.sql("DROP TABLE IF EXISTS " + name);
      spark.sql("CREATE TABLE " + name + " (" + schemas.get(t).toDDL() + ") USING delta"
          + " LOCATION '" + TpcdsData.sqlString(table.toAbsolutePath().toString()) + "'");
      try {
        List<Path> files = TpcdsData.parquetFiles(parquetDir.resolve(t));
        spark.sparkContext().setJobDescription("TPC-DS " + t + " to Delta");
        // one commit; by position: the generated files have the declared columns in order, CHAR
        // columns already padded
        spark.sql("INSERT INTO " + name + " SELECT * FROM parquet.`"
            + parquetDir.resolve(t).toAbsolutePath().toString().replace("`", "``") + "`");
        log.printf("[tpcds] %-22s %d Parquet files to %d Delta files %6.1f s%n", t,
            files.size(), TpcdsData.parquetFiles(table).size(),
            (System.nanoTime() - tableStart) / 1e9);
      } finally {
        spark.sql("DROP TABLE IF EXISTS " + name);
      }
    }
  }

  /**
   * Creates a table per TPC-DS table in the session's current database over its Delta table
   * under root (a local path or a Hadoop file system URI); the schema, CHAR types included, is
   * Delta's. Existing tables of the same names are dropped first (their files stay).
   */
  public static void register(SparkSession spark, String root) {
    String base = root.endsWith("/") ? root : root + "/";
    for (String t : TpcdsData.tables()) {
      spark.sql("DROP TABLE IF EXISTS `" + t + "`");
      spark.sql("CREATE TABLE `" + t + "` USING delta LOCATION '"
          + TpcdsData.sqlString(base + t) + "'");
    }
  }
}
