// SPDX-License-Identifier: Apache-2.0
// TpcdsData -- the 24 TPC-DS tables generated with io.trino.tpcds into Parquet, as Spark does
package io.cellar.it.tpcds;

import io.trino.tpcds.Results;
import io.trino.tpcds.Session;
import io.trino.tpcds.Table;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.benchmark.TPCDSSchemaHelper;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.CharType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.VarcharType;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

/**
 * TPC-DS tables in Parquet, one directory per table under a work directory, made the way Spark's
 * own {@code GenTPCDSData} makes them from {@code dsdgen}'s flat files: rows come from the
 * {@code io.trino.tpcds} port of {@code dsdgen} as strings; an empty or missing value becomes
 * NULL; {@code CHAR(n)} columns are right-padded with spaces to n and stored as strings;
 * {@code VARCHAR} columns are stored as strings; every other column is cast to the type of
 * Spark's TPC-DS schema ({@code TPCDSSchema} in the {@code spark-sql} test jar). Tables are not
 * partitioned (GenTPCDSData's default).
 *
 * <p>Data is reused when the directory holds a complete set of the same scale and format version
 * (a marker file written last says so). Large tables are written as several files, each with
 * Parquet's default row-group size.
 *
 * <p>Not thread-safe: one generation per directory at a time.
 */
public final class TpcdsData {
  /** Bumped whenever the files written here change for the same scale. */
  public static final int FORMAT_VERSION = 1;
  /** The file, in the data directory, that records scale and format of a complete set. */
  public static final String MARKER = "_cellar_tpcds";

  /** Rows per file at scale factor 1 and above; smaller scales use proportionally fewer. */
  private static final long ROWS_PER_FILE = 500_000;
  private static final long MIN_ROWS_PER_FILE = 40_000;
  private static final int MAX_FILES = 8;
  /** The generator splits only tables of at least this many rows (dsdgen's rule). */
  private static final long SPLIT_THRESHOLD = 1_000_000;

  /**
   * Rows of a sales or returns table per row of the generator's scaling (tickets or orders),
   * measured at scale factor 1; used only to choose a file count.
   */
  private static final Map<String, Double> LINES_PER_ORDER = Map.of(
      "store_sales", 12.0, "store_returns", 1.2,
      "catalog_sales", 9.0, "catalog_returns", 0.9,
      "web_sales", 12.0, "web_returns", 1.2);

  private TpcdsData() {}

  /** The 24 tables of Spark's TPC-DS schema, sorted. */
  public static List<String> tables() {
    return declaredSchemas().keySet().stream().sorted().collect(Collectors.toList());
  }

  /** Each table's schema as Spark's TPC-DS DDL declares it (with CHAR and VARCHAR types). */
  public static Map<String, StructType> declaredSchemas() {
    // walked by hand: Scala 2.12 and 2.13 have no converter in common
    Map<String, StructType> schemas = new TreeMap<>();
    scala.collection.Iterator<Tuple2<String, StructType>> it =
        TPCDSSchemaHelper.getTableColumns().iterator();
    while (it.hasNext()) {
      Tuple2<String, StructType> e = it.next();
      schemas.put(e._1(), e._2());
    }
    return schemas;
  }

  /** The text of the marker for a scale, e.g. "scale=0.01\nformat=1\n". */
  static String markerText(double scale) {
    return "scale=" + scaleName(scale) + "\nformat=" + FORMAT_VERSION + "\n";
  }

  /** A scale factor as written in names and markers: 1, 0.1, 0.01. */
  public static String scaleName(double scale) {
    return BigDecimal.valueOf(scale).stripTrailingZeros().toPlainString();
  }

  /** Whether dir holds a complete set of every table at this scale and format version. */
  public static boolean isGenerated(Path dir, double scale) {
    Path marker = dir.resolve(MARKER);
    try {
      if (!Files.isRegularFile(marker)
          || !Files.readString(marker, StandardCharsets.UTF_8).equals(markerText(scale))) {
        return false;
      }
    } catch (IOException e) {
      return false;
    }
    for (String t : tables()) {
      if (!Files.isRegularFile(dir.resolve(t).resolve("_SUCCESS"))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Generates every table at the given scale into dir, unless dir already holds them.
   *
   * @param spark the session that converts and writes the rows (two tables at a time)
   * @param dir the data directory; table directories in it are replaced
   * @param scale the TPC-DS scale factor, e.g. 0.01 or 1
   * @param log receives a line per table
   * @return true if data was generated, false if it was reused
   * @throws IOException if the directory cannot be written
   */
  public static boolean generate(SparkSession spark, Path dir, double scale, PrintStream log)
      throws IOException {
    if (scale <= 0) {
      throw new IllegalArgumentException("scale must be positive, was " + scale);
    }
    if (isGenerated(dir, scale)) {
      log.printf("[tpcds] reusing scale factor %s data in %s%n", scaleName(scale), dir);
      return false;
    }
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve(MARKER));
    for (String t : tables()) {
      deleteTree(dir.resolve(t));
    }
    log.printf("[tpcds] generating scale factor %s into %s%n", scaleName(scale), dir);
    long start = System.nanoTime();
    // largest first, so the two slots stay busy until the end
    List<String> order = new ArrayList<>(tables());
    order.sort(Comparator.comparingDouble((String t) -> -expectedRows(t, scale)));
    // two tables at a time: most tables are generated by one task (dsdgen splits only tables of
    // a million rows or more), and local[2] has two task slots
    ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
      Thread th = new Thread(r, "tpcds-gen");
      th.setDaemon(true);
      return th;
    });
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (String t : order) {
        jobs.add(pool.submit(() -> {
          writeTable(spark, dir, scale, t, log);
          return null;
        }));
      }
      for (Future<?> f : jobs) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while generating TPC-DS data", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException("generating TPC-DS data failed", c);
    } finally {
      pool.shutdownNow();
    }
    Files.writeString(dir.resolve(MARKER), markerText(scale), StandardCharsets.UTF_8);
    log.printf("[tpcds] scale factor %s: %d tables, %.1f MiB of Parquet in %.0f s%n",
        scaleName(scale), tables().size(), parquetBytes(dir, tables()) / 1048576.0,
        (System.nanoTime() - start) / 1e9);
    return true;
  }

  /** Rows a table is expected to have (exact except for sales and returns). */
  static double expectedRows(String table, double scale) {
    Session s = Session.getDefaultSession().withScale(scale);
    long rows = s.getScaling().getRowCount(Table.getTable(table));
    return rows * LINES_PER_ORDER.getOrDefault(table, 1.0);
  }

  private static void writeTable(SparkSession spark, Path dir, double scale, String name,
      PrintStream log) {
    long start = System.nanoTime();
    Table table = Table.getTable(name);
    StructType declared = declaredSchemas().get(name);
    double expected = expectedRows(name, scale);
    long rowsPerFile = Math.max(MIN_ROWS_PER_FILE,
        Math.min(ROWS_PER_FILE, Math.round(ROWS_PER_FILE * scale)));
    int files = (int) Math.max(1, Math.min(MAX_FILES, Math.ceil(expected / rowsPerFile)));
    long generatorRows = Session.getDefaultSession().withScale(scale).getScaling()
        .getRowCount(table);
    // a table the generator splits is made by one task per file; the others by one task, which
    // Spark cuts into files of maxRecordsPerFile rows, keeping the generator's order
    int chunks = generatorRows >= SPLIT_THRESHOLD ? files : 1;
    long maxRecords = (long) Math.ceil(expected / files) + (long) (expected / 50) + 1;

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    LongAccumulator counter = spark.sparkContext().longAccumulator("tpcds rows of " + name);
    List<Integer> chunkNumbers = IntStream.rangeClosed(1, chunks).boxed()
        .collect(Collectors.toList());
    JavaRDD<Row> rows = jsc.parallelize(chunkNumbers, chunks)
        .flatMap(new ChunkRows(name, scale, chunks, declared.size(), counter));
    StructField[] stringFields = new StructField[declared.size()];
    for (int i = 0; i < stringFields.length; i++) {
      stringFields[i] = new StructField(declared.fields()[i].name(), DataTypes.StringType, true,
          org.apache.spark.sql.types.Metadata.empty());
    }
    Dataset<Row> strings = spark.createDataFrame(rows, new StructType(stringFields));
    Column[] converted = new Column[declared.size()];
    for (int i = 0; i < converted.length; i++) {
      StructField f = declared.fields()[i];
      Column c = functions.col(f.name());
      if (f.dataType() instanceof CharType ct) {
        c = functions.rpad(c, ct.length(), " ");
      } else if (!(f.dataType() instanceof VarcharType)) {
        c = c.cast(f.dataType());
      }
      converted[i] = c.as(f.name());
    }
    spark.sparkContext().setJobDescription("generate TPC-DS " + name);
    strings.select(converted).write()
        .mode(SaveMode.Overwrite)
        .option("maxRecordsPerFile", maxRecords)
        .parquet(dir.resolve(name).toString());
    long bytes = parquetBytes(dir, List.of(name));
    long fileCount = parquetFiles(dir.resolve(name)).size();
    log.printf("[tpcds] %-22s %,11d rows %3d files %8.1f MiB %6.1f s%n", name, counter.value(),
        fileCount, bytes / 1048576.0, (System.nanoTime() - start) / 1e9);
  }

  /**
   * Creates an external table per TPC-DS table in the session's current database, over its Parquet
   * directory, with Spark's declared schema. CHAR and VARCHAR columns keep their types, so that
   * Spark pads string literals compared with CHAR columns (as in Spark's own TPC-DS suites, whose
   * tables come from the same DDL); with plain STRING columns, {@code cd_education_status =
   * 'College'} would never match the padded values and queries such as q26 would return nothing.
   * Existing tables of the same names are dropped first (an external table's files stay).
   */
  public static void register(SparkSession spark, Path dir) {
    register(spark, dir.toAbsolutePath().toString());
  }

  /**
   * As {@link #register(SparkSession, Path)}, for data under a Hadoop file system URI or path
   * ({@code hdfs://127.0.0.1:9000/tpcds/sf1}, {@code /tmp/cellar-tpcds/sf1}).
   */
  public static void register(SparkSession spark, String root) {
    Map<String, StructType> schemas = declaredSchemas();
    String base = root.endsWith("/") ? root : root + "/";
    for (String t : tables()) {
      spark.sql("DROP TABLE IF EXISTS `" + t + "`");
      spark.sql("CREATE TABLE `" + t + "` (" + schemas.get(t).toDDL() + ") USING parquet"
          + " LOCATION '" + sqlString(base + t) + "'");
    }
  }

  /** Total size of the Parquet files of the given tables. */
  public static long parquetBytes(Path dir, Collection<String> tables) {
    long sum = 0;
    for (String t : tables) {
      for (Path p : parquetFiles(dir.resolve(t))) {
        try {
          sum += Files.size(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return sum;
  }

  /** The Parquet files of one table directory, sorted. */
  public static List<Path> parquetFiles(Path tableDir) {
    if (!Files.isDirectory(tableDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(tableDir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The files of one table directory that a copy of the table needs, relative to it and sorted:
   * every file at any depth (a Delta table's log too) except Hadoop's checksum files (hidden)
   * and {@code _SUCCESS}. For a generated Parquet table, its Parquet files.
   */
  public static List<Path> tableFiles(Path tableDir) {
    if (!Files.isDirectory(tableDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(tableDir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith(".")
              && !p.getFileName().toString().equals("_SUCCESS"))
          .map(tableDir::relativize).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Text as the body of a single-quoted SQL string literal. */
  static String sqlString(String text) {
    return text.replace("\\", "\\\\").replace("'", "\\'");
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.delete(f);
      }
    }
  }

  /** The rows of one generator chunk of one table, as strings, on an executor. */
  private static final class ChunkRows implements FlatMapFunction<Integer, Row> {
    private static final long serialVersionUID = 1L;
    private final String table;
    private final double scale;
    private final int chunks;
    private final int columns;
    private final LongAccumulator counter;

    ChunkRows(String table, double scale, int chunks, int columns, LongAccumulator counter) {
      this.table = table;
      this.scale = scale;
      this.chunks = chunks;
      this.columns = columns;
      this.counter = counter;
    }

    @Override
    public Iterator<Row> call(Integer chunk) {
      Session session = Session.getDefaultSession().withScale(scale).withParallelism(chunks)
          .withChunkNumber(chunk);
      Iterator<List<List<String>>> it =
          Results.constructResults(Table.getTable(table), session).iterator();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          // a parent table's result also carries its child's row (a sale and its return); the
          // table's own row comes first, as in the generator's TableGenerator
          List<String> values = it.next().get(0);
          if (values.size() != columns) {
            throw new IllegalStateException(table + ": the generator gave " + values.size()
                + " values, Spark's schema has " + columns + " columns");
          }
          Object[] row = new Object[columns];
          for (int i = 0; i < columns; i++) {
            String v = values.get(i);
            // dsdgen writes NULL as an empty field, which GenTPCDSData reads back as NULL
            row[i] = v == null || v.isEmpty() ? null : v;
          }
          counter.add(1);
          return RowFactory.create(row);
        }
      };
    }
  }
}
