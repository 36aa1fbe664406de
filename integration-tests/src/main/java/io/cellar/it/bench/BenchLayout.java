// SPDX-License-Identifier: Apache-2.0
// BenchLayout -- how the benchmark's data is cut into files and how its session is set
package io.cellar.it.bench;

import io.cellar.it.tpcds.TpcdsData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The two layouts the benchmark measures. {@link #BENCH} is the generated data as written (the
 * large tables in several files of one row group each) in a session tuned as Spark's own
 * TPCDSQueryBenchmark (4 shuffle partitions, a 20 MiB broadcast threshold); {@link
 * #SPARK_DEFAULT} is what a user who writes each table as one file gets: one Parquet file per
 * table with Parquet's default 128 MiB row groups, read in a session with Spark's defaults (200
 * shuffle partitions, a 10 MiB broadcast threshold, adaptive execution on).
 */
enum BenchLayout {
  BENCH("bench"),
  SPARK_DEFAULT("spark-default");

  /** Parquet's default row group size, set explicitly so that no setting elsewhere changes it. */
  private static final long ROW_GROUP_BYTES = 128L << 20;

  private final String label;

  BenchLayout(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }

  /** The directory of this layout's Parquet tables, given the generated data's. */
  Path dir(Path generated) {
    return this == BENCH ? generated
        : generated.resolveSibling(generated.getFileName() + "-onefile");
  }

  /** The suffix of this layout's copy on S3 or HDFS. */
  String suffix() {
    return this == BENCH ? "" : "-onefile";
  }

  /** Sets this layout's session settings on a benchmark session. */
  SparkSession.Builder configure(SparkSession.Builder b) {
    if (this == BENCH) {
      // as Spark's own TPCDSQueryBenchmark
      b.config("spark.sql.shuffle.partitions", "4")
          .config("spark.sql.autoBroadcastJoinThreshold", Long.toString(20L << 20));
    }
    return b;
  }

  /** The summary's words for the data and the session. */
  String describe() {
    return this == BENCH
        ? "layout bench: the generated files (several per large table); shuffle partitions 4,"
            + " broadcast threshold 20 MiB (as Spark's TPCDSQueryBenchmark)"
        : "layout spark-default: one Parquet file per table with 128 MiB row groups; Spark's"
            + " default session (200 shuffle partitions, broadcast threshold 10 MiB, adaptive"
            + " execution on)";
  }

  /**
   * Writes this layout's tables from the generated ones unless they are there already; a no-op
   * for {@link #BENCH}.
   */
  void write(SparkSession spark, Path generated, double scale, PrintStream log)
      throws IOException {
    Path to = dir(generated);
    if (this == BENCH || TpcdsData.isGenerated(to, scale)) {
      return;
    }
    Files.createDirectories(to);
    Files.deleteIfExists(to.resolve(TpcdsData.MARKER));
    for (String t : TpcdsData.tables()) {
      long start = System.nanoTime();
      spark.sparkContext().setJobDescription("one file of TPC-DS " + t);
      spark.read().parquet(generated.resolve(t).toString())
          .coalesce(1)
          .write()
          .mode(SaveMode.Overwrite)
          .option("parquet.block.size", ROW_GROUP_BYTES)
          .parquet(to.resolve(t).toString());
      log.printf(Locale.ROOT, "[bench] %-22s one file in %s, %.1f s%n", t, to,
          (System.nanoTime() - start) / 1e9);
    }
    // the marker last: a layout cut short is written again
    Files.copy(generated.resolve(TpcdsData.MARKER), to.resolve(TpcdsData.MARKER),
        StandardCopyOption.REPLACE_EXISTING);
  }

  static BenchLayout of(String text) {
    for (BenchLayout l : values()) {
      if (l.label.equals(text)) {
        return l;
      }
    }
    throw new IllegalArgumentException("unknown layout '" + text + "'; one of bench,"
        + " spark-default");
  }
}
