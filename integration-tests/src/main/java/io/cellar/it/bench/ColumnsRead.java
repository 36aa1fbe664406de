// SPDX-License-Identifier: Apache-2.0
// ColumnsRead -- which Parquet columns a query set scans, and their compressed size on disk
package io.cellar.it.bench;

import io.cellar.it.tpcds.TpcdsData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.ExplainMode;

/**
 * The columns each table is scanned for by a query set (from the {@code Location} and
 * {@code ReadSchema} of every scan in the queries' formatted plans, subqueries included), and the
 * compressed size of those column chunks in the Parquet files: what a cache of decoded chunks
 * should be compared with.
 */
final class ColumnsRead {
  /** The table directory's last name, from a file:, hdfs: or s3a: location. */
  private static final Pattern LOCATION =
      Pattern.compile("Location: \\S+ \\[[a-z][a-z0-9]*:[^\\]]*/([^/\\]]+)/?\\]");
  private static final Pattern READ_SCHEMA = Pattern.compile("ReadSchema: struct<(.*)>");
  private static final Pattern FIELD = Pattern.compile("(?:^|,)(\\w+):");

  private ColumnsRead() {}

  /**
   * The columns the queries scan, by table. Plans are made with Cellar off so that every scan is
   * Spark's own node.
   */
  static Map<String, Set<String>> of(SparkSession spark, Path dataDir, List<String> queries) {
    Map<String, Set<String>> out = new TreeMap<>();
    String old = spark.conf().get("spark.cellar.enabled", "true");
    spark.conf().set("spark.cellar.enabled", "false");
    try {
      for (String q : queries) {
        String plan = spark.sql(BenchQueries.sql(q)).queryExecution()
            .explainString(ExplainMode.fromString("formatted"));
        String table = null;
        for (String line : plan.split("\n")) {
          Matcher l = LOCATION.matcher(line);
          if (l.find()) {
            table = l.group(1);
            continue;
          }
          Matcher r = READ_SCHEMA.matcher(line);
          if (r.find() && table != null) {
            Set<String> cols = out.computeIfAbsent(table, k -> new TreeSet<>());
            Matcher f = FIELD.matcher(r.group(1));
            while (f.find()) {
              cols.add(f.group(1));
            }
            table = null;
          }
        }
      }
    } finally {
      spark.conf().set("spark.cellar.enabled", old);
    }
    return out;
  }

  /** The compressed bytes of the given columns' chunks in every file of their tables. */
  static long parquetBytes(Path dataDir, Map<String, Set<String>> columns) {
    Configuration conf = new Configuration();
    long sum = 0;
    for (var e : columns.entrySet()) {
      for (Path file : TpcdsData.parquetFiles(dataDir.resolve(e.getKey()))) {
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(
            new org.apache.hadoop.fs.Path(file.toUri()), conf))) {
          for (BlockMetaData b : r.getFooter().getBlocks()) {
            for (ColumnChunkMetaData c : b.getColumns()) {
              if (e.getValue().contains(c.getPath().toDotString())) {
                sum += c.getTotalSize();
              }
            }
          }
        } catch (IOException ex) {
          throw new UncheckedIOException(ex);
        }
      }
    }
    return sum;
  }
}
