// SPDX-License-Identifier: Apache-2.0
// ModeRun -- one benchmark mode in its own JVM: set up, a cold pass, N warm passes, footprint
package io.cellar.it.bench;

import io.cellar.it.s3.S3Requests;
import io.cellar.it.tpcds.ResultRows;
import io.cellar.it.tpcds.TpcdsData;
import io.cellar.it.tpcds.TpcdsDelta;
import io.cellar.spark.CellarExtensions;
import io.cellar.spark.exec.ExecutorCache;
import io.cellar.vmem.CacheStats;
import io.cellar.vmem.TierStack;
import io.cellar.vmem.TierStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator$;
import org.apache.spark.storage.RDDInfo;

/**
 * Runs the query set in one mode, in this JVM: registers the tables, reads their files once so
 * the OS page cache holds them (vanilla's best case), warms the JVM up on a throw-away dataset,
 * sets the mode up (CACHE TABLE, or opens Cellar's cache and waits until its DRAM tiers are
 * committed, as an executor does from its start), runs the set once (cold: the first run of each
 * query after the setup) and then N more times (warm), and writes a {@link QueryRecord} per query
 * plus the mode's footprint. It runs the set by itself ({@link #run}), or step by step as the
 * benchmark's main JVM asks ({@link #serve}), so that the modes' JVMs can take turns query by
 * query.
 */
final class ModeRun {
  /** What {@link #serve} prints when a step is done. */
  static final String STEP_DONE = "[cellar-bench-step] done";
  /** What {@link #serve} prints when a step failed. */
  static final String STEP_FAILED = "[cellar-bench-step] failed";

  private final BenchMode mode;
  private final BenchFormat format;
  private final BenchLayout layout;
  private final Path dataDir;
  private final String location;
  private final List<String> queries;
  private final int warmRuns;
  private final String tiers;
  private final PrintStream out;
  private SparkSession spark;

  // what the steps measured, until finish writes it
  private final Map<String, Run> coldRuns = new LinkedHashMap<>();
  private final Map<String, Counters> coldCounters = new LinkedHashMap<>();
  private final Map<String, List<Run>> warmRunsOf = new LinkedHashMap<>();
  private final Map<String, Counters> warmCounters = new LinkedHashMap<>();
  private final Properties props = new Properties();
  private Path warehouse;

  /**
   * @param format how the tables are stored
   * @param dataDir the tables on local disk (their footers describe the read columns)
   * @param location where the queries read the same files: {@code dataDir} itself or a copy on
   *     a remote file system ({@code hdfs://...})
   */
  ModeRun(BenchMode mode, BenchFormat format, BenchLayout layout, Path dataDir, String location,
      List<String> queries, int warmRuns, String tiers, PrintStream out) {
    this.mode = mode;
    this.format = format;
    this.layout = layout;
    this.dataDir = dataDir;
    this.location = location;
    this.queries = queries;
    this.warmRuns = warmRuns;
    this.tiers = tiers;
    this.out = out;
  }

  /** Cellar's per-JVM counters at one moment. */
  private record Counters(long hits, long misses, long added) {
    static final Counters NONE = new Counters(0, 0, 0);

    Counters minus(Counters o) {
      return new Counters(hits - o.hits, misses - o.misses, added - o.added);
    }

    Counters plus(Counters o) {
      return new Counters(hits + o.hits, misses + o.misses, added + o.added);
    }
  }

  /** A query's result, time and the object-store requests it sent. */
  private record Run(double ms, double cpuMs, double codegenMs, long faults, long rows,
      String checksum, String error, QueryRecord.Requests requests) {}

  /**
   * Runs the mode and writes its records to {@code result + ".tsv"} and its footprint to
   * {@code result + ".properties"}.
   */
  void run(Path result) throws IOException {
    open();
    try {
      for (String q : queries) {
        cold(q);
      }
      for (int pass = 1; pass <= warmRuns; pass++) {
        for (String q : queries) {
          warm(pass, q);
        }
      }
      finish(result);
    } finally {
      close();
    }
  }

  /**
   * Runs the mode's steps as another JVM asks for them, one line each on {@code in}: {@code
   * cold Q}, {@code warm PASS Q}, {@code finish RESULT}; after the set-up and after every step
   * it prints {@link #STEP_DONE} (or {@link #STEP_FAILED} and why) on {@code out}. Ends at
   * {@code finish} or at the end of the input.
   */
  void serve(java.io.BufferedReader in) throws IOException {
    try {
      open();
      out.println(STEP_DONE + " open");
      out.flush();
      String line;
      while ((line = in.readLine()) != null) {
        String[] w = line.trim().split(" ");
        try {
          switch (w[0]) {
            case "cold" -> cold(w[1]);
            case "warm" -> warm(Integer.parseInt(w[1]), w[2]);
            case "finish" -> finish(Path.of(w[1]));
            default -> throw new IllegalArgumentException("unknown step '" + line + "'");
          }
        } catch (IOException | RuntimeException e) {
          out.println(STEP_FAILED + " " + line + ": " + e);
          out.flush();
          throw e;
        }
        out.println(STEP_DONE + " " + line);
        out.flush();
        if (w[0].equals("finish")) {
          return;
        }
      }
    } finally {
      close();
    }
  }

  /**
   * Registers the tables, reads their files into the page cache, warms the JVM up and sets the
   * mode up.
   */
  private void open() throws IOException {
    Set<String> tables = BenchQueries.tables(queries);
    props.setProperty("mode", mode.label());
    props.setProperty("format", format.label());
    props.setProperty("tiers", tiers);
    props.setProperty("location", location);
    props.setProperty("tables", String.join(",", tables));
    props.setProperty("parquet_bytes", Long.toString(TpcdsData.parquetBytes(dataDir, tables)));
    props.setProperty("heap_bytes", Long.toString(Runtime.getRuntime().maxMemory()));

    ExecutorCache.shutdown();
    warehouse = Files.createTempDirectory("cellar-bench-warehouse-");
    spark = session(warehouse);
    if (format == BenchFormat.DELTA) {
      TpcdsDelta.register(spark, location);
    } else {
      TpcdsData.register(spark, location);
    }
    long pageCache = readFiles(tables);
    say("read %.1f MiB of Parquet of %d tables from %s so the OS page cache holds them",
        pageCache / 1048576.0, tables.size(), location);
    warmUp();

    long setupStart = System.nanoTime();
    if (mode == BenchMode.CACHE_TABLE) {
      for (String t : tables) {
        spark.sql("CACHE TABLE " + t);
      }
    } else if (mode.cellar()) {
      ExecutorCache c = ExecutorCache.get();
      if (!c.available()) {
        throw new IllegalStateException("Cellar's cache is not available: "
            + c.unavailableReason());
      }
      // an executor commits its DRAM tiers from its start, before its first tasks as a rule;
      // the warm-up closed the cache, so its reopening commits them again: as set-up time,
      // not during the first cold query
      long committed = c.prefaulted().join();
      say("committed %.1f MiB of DRAM tiers in %.1f s", committed / 1048576.0,
          (System.nanoTime() - setupStart) / 1e9);
    }
    double setupMs = (System.nanoTime() - setupStart) / 1e6;
    props.setProperty("setup_ms", String.format(java.util.Locale.ROOT, "%.1f", setupMs));
    if (mode == BenchMode.CACHE_TABLE) {
      long bytes = 0;
      for (RDDInfo i : spark.sparkContext().getRDDStorageInfo()) {
        bytes += i.memSize() + i.diskSize();
      }
      props.setProperty("footprint_bytes", Long.toString(bytes));
      say("cached %d tables in %.1f s, %.1f MiB in Spark's block manager", tables.size(),
          setupMs / 1e3, bytes / 1048576.0);
    }
  }

  /** The cold run of a query: its first after the set-up. */
  private void cold(String q) {
    if (coldRuns.isEmpty()) {
      say("cold pass over %d queries", queries.size());
    }
    requireQuery(q);
    if (coldRuns.containsKey(q)) {
      throw new IllegalStateException(q + " already ran cold");
    }
    Counters before = counters();
    Run r = runQuery(q, "cold");
    Counters d = counters().minus(before);
    coldRuns.put(q, r);
    coldCounters.put(q, d);
    progress("cold", q, r, d);
  }

  /** Warm run {@code pass} of a query, after its cold run. */
  private void warm(int pass, String q) {
    requireQuery(q);
    List<Run> done = warmRunsOf.getOrDefault(q, List.of());
    if (!coldRuns.containsKey(q) || done.size() != pass - 1) {
      throw new IllegalStateException("warm run " + pass + " of " + q + " after "
          + (coldRuns.containsKey(q) ? "" : "no cold run and ") + done.size() + " warm runs");
    }
    if (warmRunsOf.values().stream().noneMatch(l -> l.size() >= pass)) {
      say("warm pass %d of %d", pass, warmRuns);
    }
    Counters before = counters();
    Run r = runQuery(q, "warm " + pass);
    Counters d = counters().minus(before);
    warmRunsOf.computeIfAbsent(q, k -> new ArrayList<>()).add(r);
    warmCounters.merge(q, d, Counters::plus);
    progress("warm " + pass, q, r, d);
  }

  private void requireQuery(String q) {
    if (!queries.contains(q)) {
      throw new IllegalArgumentException("query " + q + " is not in this mode's set");
    }
  }

  /**
   * Writes the records of the runs to {@code result + ".tsv"} and the mode's footprint to
   * {@code result + ".properties"}.
   */
  private void finish(Path result) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String q : queries) {
      Run cold = coldRuns.get(q);
      if (cold == null) {
        throw new IllegalStateException(q + " never ran");
      }
      lines.add(record(q, cold, warmRunsOf.getOrDefault(q, List.of()),
          coldCounters.get(q), warmCounters.getOrDefault(q, Counters.NONE)).toLine());
    }
    if (mode.cellar()) {
      cellarFootprint(props);
    }
    // after the measured runs, so that planning the set here warms nothing up for them
    Map<String, Set<String>> columns = ColumnsRead.of(spark, dataDir, queries);
    props.setProperty("read_columns", Integer.toString(
        columns.values().stream().mapToInt(Set::size).sum()));
    props.setProperty("read_parquet_bytes",
        Long.toString(ColumnsRead.parquetBytes(dataDir, columns)));
    Files.write(Path.of(result + ".tsv"), lines, StandardCharsets.UTF_8);
    try (OutputStream o = Files.newOutputStream(Path.of(result + ".properties"))) {
      props.store(o, "cellar-bench mode " + mode.label());
    }
  }

  /** Stops Spark and Cellar's cache and removes the warehouse. */
  private void close() throws IOException {
    try {
      if (spark != null) {
        spark.stop();
      }
    } finally {
      ExecutorCache.shutdown();
      if (warehouse != null) {
        TpcdsBench.deleteTree(warehouse);
      }
    }
  }

  private QueryRecord record(String q, Run cold, List<Run> warm, Counters c, Counters w) {
    double[] warmMs = new double[warm.size()];
    boolean stable = true;
    String error = cold.error();
    for (int i = 0; i < warm.size(); i++) {
      Run r = warm.get(i);
      warmMs[i] = r.ms();
      if (!r.error().isEmpty() && error.isEmpty()) {
        error = r.error();
      }
      stable &= r.checksum().equals(cold.checksum());
    }
    QueryRecord.Requests warmRequests = QueryRecord.Requests.NONE;
    for (Run r : warm) {
      warmRequests = warmRequests.plus(r.requests());
    }
    return new QueryRecord(mode.label(), q, cold.ms(), warmMs, cold.rows(), cold.checksum(),
        stable, c.hits(), c.misses(), c.added(), w.hits(), w.misses(), w.added(),
        cold.requests(), warmRequests, error);
  }

  private SparkSession session(Path warehouse) {
    SparkSession.Builder b = benchSession("cellar-bench " + mode.label(), warehouse, layout)
        .config("spark.cellar.enabled", Boolean.toString(mode.cellar()));
    if (format == BenchFormat.DELTA) {
      TpcdsDelta.configure(b, CellarExtensions.class.getName());
    }
    if (mode.cellar()) {
      b.config("spark.cellar.tiers", tiers);
    }
    return b.getOrCreate();
  }

  /** The benchmark's session settings: local[2] on loopback, as Spark's TPC-DS benchmark. */
  static SparkSession.Builder benchSession(String app, Path warehouse) {
    return benchSession(app, warehouse, BenchLayout.BENCH);
  }

  /** The benchmark's session settings: local[2] on loopback, and the layout's. */
  static SparkSession.Builder benchSession(String app, Path warehouse, BenchLayout layout) {
    return layout.configure(SparkSession.builder())
        .master("local[2]")
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", warehouse.toString())
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.crossJoin.enabled", "true")
        // q90 divides by a count that is 0 at small scale factors: NULL without ANSI mode
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.extensions", CellarExtensions.class.getName());
  }

  /**
   * Reads every Parquet file of the tables once, through Hadoop's file system at the location
   * (for HDFS, the DataNode's block files then sit in the page cache); returns the bytes read.
   */
  private long readFiles(Set<String> tables) throws IOException {
    byte[] buf = new byte[1 << 20];
    long total = 0;
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    for (String t : tables) {
      org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(location + "/" + t);
      org.apache.hadoop.fs.FileSystem fs = dir.getFileSystem(conf);
      for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(dir)) {
        if (!f.getPath().getName().endsWith(".parquet")) {
          continue;
        }
        try (InputStream in = fs.open(f.getPath())) {
          for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
          }
        }
      }
    }
    return total;
  }

  /**
   * Runs Parquet scans, aggregates and a join on a throw-away dataset, in the mode's own
   * configuration, so that JIT compilation and class loading are not charged to the first
   * measured query; then empties Cellar's cache.
   */
  private void warmUp() throws IOException {
    Path tmp = Files.createTempDirectory("cellar-bench-warmup-");
    try {
      Path data = tmp.resolve("t");
      // the column types TPC-DS reads (int keys with nulls and dictionaries, dates, decimals of
      // both widths, strings, doubles), so that the first measured query compiles its own plan
      // but finds the readers' and Cellar's paths for these types compiled
      spark.range(0, 1_000_000, 1, 2).selectExpr("id", "id % 97 AS k",
          "CAST(id % 100000 AS DECIMAL(7,2)) AS d", "CAST(id AS STRING) AS s",
          "CAST(id AS DOUBLE) * 1.5 AS x",
          "CASE WHEN id % 23 = 0 THEN NULL ELSE CAST(id % 5003 AS INT) END AS i",
          "CASE WHEN id % 29 = 0 THEN NULL ELSE CAST(id % 1009 AS DECIMAL(15,2)) END AS w",
          "DATE_ADD(DATE'2000-01-01', CAST(id % 3000 AS INT)) AS t")
          .write().parquet(data.toString());
      spark.read().parquet(data.toString()).createOrReplaceTempView("cellar_bench_warmup");
      long start = System.nanoTime();
      // three rounds of a cold and a warm pass: Cellar builds the chunks anew in each round
      // (its cold path compiled as often as every mode's reader) and reads them back
      for (int i = 0; i < 3; i++) {
        if (mode.cellar()) {
          emptyCache();
        }
        for (int pass = 0; pass < 2; pass++) {
          spark.sql("SELECT k, count(*), sum(d), max(s), sum(x), count(i), sum(w), max(t)"
              + " FROM cellar_bench_warmup GROUP BY k").collectAsList();
          spark.sql("SELECT b.k, count(*), sum(a.d) FROM cellar_bench_warmup a JOIN"
              + " (SELECT DISTINCT k FROM cellar_bench_warmup WHERE k < 10) b ON a.k = b.k"
              + " GROUP BY b.k").collectAsList();
        }
      }
      spark.catalog().dropTempView("cellar_bench_warmup");
      say("JVM warm-up on a throw-away dataset took %.1f s", (System.nanoTime() - start) / 1e9);
    } finally {
      if (mode.cellar()) {
        ExecutorCache.shutdown();
      }
      TpcdsBench.deleteTree(tmp);
    }
  }

  private Run runQuery(String q, String phase) {
    String sql = BenchQueries.sql(q);
    spark.sparkContext().setJobDescription(mode.label() + " " + q + " " + phase);
    S3Requests.Snapshot before = S3Requests.snapshot();
    long start = System.nanoTime();
    long cpuStart = processCpuNanos();
    long codegenStart = CodeGenerator$.MODULE$.compileTime();
    long faultsStart = minorFaults();
    try {
      List<Row> rows = spark.sql(sql).collectAsList();
      double ms = (System.nanoTime() - start) / 1e6;
      return new Run(ms, (processCpuNanos() - cpuStart) / 1e6,
          (CodeGenerator$.MODULE$.compileTime() - codegenStart) / 1e6,
          minorFaults() - faultsStart, rows.size(),
          ResultRows.checksum(ResultRows.canonical(rows)), "", requestsSince(before));
    } catch (RuntimeException e) {
      double ms = (System.nanoTime() - start) / 1e6;
      out.printf("[%s] !!! %s %s FAILED: %s%n", mode.label(), q, phase, e);
      e.printStackTrace(out);
      return new Run(ms, (processCpuNanos() - cpuStart) / 1e6,
          (CodeGenerator$.MODULE$.compileTime() - codegenStart) / 1e6,
          minorFaults() - faultsStart, -1, "error", e.toString(), requestsSince(before));
    }
  }

  /** Evicts every chunk of this JVM's cache, tier by tier. */
  private static void emptyCache() {
    TierStack c = ExecutorCache.get().cache();
    for (int t = 0; c != null && t < c.tierCount(); t++) {
      while (c.evictLeastRecentlyUsed(t)) {
        // next
      }
    }
  }

  /** CPU time of this JVM so far, every thread (tasks, build helpers, GC, compiler). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * Page faults of this JVM so far that needed no I/O (minflt of /proc/self/stat): mostly first
   * stores into memory the process never touched, each a page the kernel zeroes; 0 where there
   * is no /proc.
   */
  private static long minorFaults() {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
      // after the command in parentheses: state ppid pgrp session tty tpgid flags minflt ...
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[7]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The object-store requests sent since a snapshot (all zero off S3). */
  private static QueryRecord.Requests requestsSince(S3Requests.Snapshot before) {
    S3Requests.Snapshot d = S3Requests.snapshot().minus(before);
    return new QueryRecord.Requests(d.all(S3Requests.Kind.GET), d.all(S3Requests.Kind.HEAD),
        d.all(S3Requests.Kind.LIST));
  }

  private Counters counters() {
    if (!mode.cellar()) {
      return Counters.NONE;
    }
    ExecutorCache c = ExecutorCache.get();
    return new Counters(c.hits.get(), c.misses.get(), c.added.get());
  }

  private void cellarFootprint(Properties props) {
    ExecutorCache c = ExecutorCache.get();
    props.setProperty("not_added", Long.toString(c.notAdded.get()));
    props.setProperty("fallbacks", Long.toString(c.fallbacks.get()));
    TierStack cache = c.cache();
    List<CacheStats> stats = new ArrayList<>();
    if (cache != null) {
      stats.addAll(cache.tierStats());
      TierStats m = cache.movement();
      props.setProperty("promotions", Long.toString(m.promotions()));
      props.setProperty("demotions", Long.toString(m.demotions()));
      props.setProperty("dropped", Long.toString(m.dropped()));
    }
    long used = 0;
    long entries = 0;
    for (int i = 0; i < stats.size(); i++) {
      CacheStats s = stats.get(i);
      used += s.poolUsed();
      entries += s.entries();
      props.setProperty("tier" + i + ".pool_used", Long.toString(s.poolUsed()));
      props.setProperty("tier" + i + ".pool_size", Long.toString(s.poolSize()));
      props.setProperty("tier" + i + ".entries", Long.toString(s.entries()));
      props.setProperty("tier" + i + ".evictions", Long.toString(s.evictions()));
    }
    props.setProperty("tier_count", Integer.toString(stats.size()));
    props.setProperty("footprint_bytes", Long.toString(used));
    props.setProperty("footprint_entries", Long.toString(entries));
    say("cache holds %.1f MiB in %d entries (%s)", used / 1048576.0, entries, tiers);
  }

  private void progress(String phase, String q, Run r, Counters d) {
    if (!r.error().isEmpty()) {
      return;
    }
    String requests = r.requests().any() ? String.format(java.util.Locale.ROOT,
        "  GET %d HEAD %d LIST %d", r.requests().get(), r.requests().head(),
        r.requests().list()) : "";
    if (mode.cellar()) {
      say("%-7s %-7s %9.0f ms  cpu %6.0f  codegen %4.0f  faults %6d  %5d rows  %s  hits %d"
          + " misses %d added %d%s", phase, q, r.ms(), r.cpuMs(), r.codegenMs(), r.faults(),
          r.rows(), r.checksum(), d.hits(), d.misses(), d.added(), requests);
    } else {
      say("%-7s %-7s %9.0f ms  cpu %6.0f  codegen %4.0f  faults %6d  %5d rows  %s%s", phase, q,
          r.ms(), r.cpuMs(), r.codegenMs(), r.faults(), r.rows(), r.checksum(), requests);
    }
  }

  private void say(String format, Object... args) {
    out.printf("[%s] %s%n", mode.label(), String.format(java.util.Locale.ROOT, format, args));
    out.flush();
  }
}
