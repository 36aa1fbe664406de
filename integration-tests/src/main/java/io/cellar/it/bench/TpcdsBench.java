// SPDX-License-Identifier: Apache-2.0
// TpcdsBench -- the TPC-DS benchmark command: gen data, run query sets in several modes, report
package io.cellar.it.bench;

import io.cellar.it.s3.S3Latency;
import io.cellar.it.tpcds.TpcdsData;
import io.cellar.it.tpcds.TpcdsDelta;
import io.cellar.spark.CellarExtensions;
import io.cellar.spark.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.sql.SparkSession;

/**
 * The benchmark command (run it through {@code bin/cellar-bench}).
 *
 * <pre>
 * gen --scale SF [--dir DIR] [--format parquet,delta] [--layout bench|spark-default]
 * run --scale SF [--dir DIR] [--format parquet,delta] [--layout bench|spark-default] [--queries q26,q27,...|scan|io9|all] [--modes vanilla,cache-table,
 *     cellar-dram,cellar-file,cellar-tiered] [--warm N] [--rounds R] [--turns mode|query]
 *     [--out DIR] [--heap 6g]
 *     [--dram SIZE]
 *     [--file-dir DIR] [--file-size SIZE] [--tiered-dram SIZE] [--tiered-file SIZE]
 *     [--local-dir DIR]
 *     [--storage s3,local,hdfs] [--s3-get-ms MS] [--s3-head-ms MS] [--s3-list-ms MS]
 *     [--s3-mbps MB/S]
 * </pre>
 *
 * <p>Each mode runs in its own child JVM, one after the other (or, with {@code --turns query},
 * side by side, taking turns query by query: {@link QueryTurns}). Cellar's tiers are startup
 * configuration of an executor, read once per JVM; restarting the session and calling
 * {@code ExecutorCache.shutdown()} would work for the Cellar modes, but a child JVM per mode also
 * keeps CACHE TABLE's heap blocks, Cellar's native pools, the JIT's profile and garbage from one
 * mode out of the next, so the order of the modes cannot bias the numbers. Every child warms its
 * JVM up the same way before it measures. The cost is some seconds of start-up per mode.
 */
public final class TpcdsBench {
  private static final String DEFAULT_MODES =
      "vanilla,cache-table,cellar-dram,cellar-file,cellar-tiered";
  private static final String DEFAULT_STORAGE = "s3,local,hdfs";
  private static final String DEFAULT_FORMAT = "parquet";

  private TpcdsBench() {}

  public static void main(String[] args) throws Exception {
    System.exit(execute(args));
  }

  /** Runs a command; returns the process exit code (0 ok, 2 wrong results, 64 bad usage). */
  static int execute(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      usage(System.out);
      return 0;
    }
    Map<String, String> opts;
    try {
      opts = options(args);
    } catch (IllegalArgumentException e) {
      System.err.println("cellar-bench: " + e.getMessage());
      usage(System.err);
      return 64;
    }
    int rc;
    try {
      switch (args[0]) {
        case "gen" -> rc = gen(opts);
        case "run" -> rc = run(opts, args);
        case "mode" -> rc = mode(opts);
        case "restart" -> {
          if (!BenchFormat.list(opts.getOrDefault("format", DEFAULT_FORMAT))
              .equals(List.of(BenchFormat.PARQUET))) {
            throw new IllegalArgumentException("restart reads Parquet tables only; --format "
                + opts.get("format") + " is for run");
          }
          rc = RestartBench.run(opts, scale(opts), dataDir(opts, scale(opts)),
              BenchQueries.expand(opts.getOrDefault("queries", "scan,io9")),
              opts.getOrDefault("heap", "6g"));
        }
        case "restart-fill", "restart-attach" -> rc = RestartBench.step(
            args[0].equals("restart-fill"), opts, dataDir(opts, scale(opts)),
            BenchQueries.expand(opts.get("queries")));
        default -> {
          System.err.println("cellar-bench: unknown command '" + args[0] + "'");
          usage(System.err);
          rc = 64;
        }
      }
    } catch (IllegalArgumentException e) {
      // a bad option value (mode, query, size, number): say which, without a stack trace
      System.err.println("cellar-bench: " + e.getMessage());
      rc = 64;
    }
    return rc;
  }

  private static void usage(PrintStream out) {
    out.println(String.join("\n",
        "usage: cellar-bench gen --scale SF [--dir DIR] [--format LIST] [--layout L]",
        "       cellar-bench restart --scale SF [--dir DIR] [--queries LIST] [--pool-dir DIR]",
        "                        [--pool-size SIZE] [--top SIZE]",
        "                        (reattach vs refill of a persistent pool, under a DRAM tier",
        "                        of SIZE with --top)",
        "       cellar-bench run --scale SF [--dir DIR] [--format LIST] [--layout L]",
        "                        [--queries LIST]",
        "                        [--modes LIST]",
        "                        [--warm N] [--rounds R] [--turns mode|query] [--out DIR]",
        "                        [--heap SIZE] [--dram SIZE]",
        "                        [--file-dir DIR] [--file-size SIZE] [--local-dir DIR]",
        "                        [--tiered-dram SIZE] [--tiered-file SIZE] [--storage LIST]",
        "                        [--s3-get-ms MS] [--s3-head-ms MS] [--s3-list-ms MS]",
        "                        [--s3-mbps MB/S]",
        "",
        "  --dir        TPC-DS Parquet data (default /tmp/cellar-tpcds/sf<SF>); generated by run",
        "               when missing, reused when present",
        "  --format     parquet (tables over the generated Parquet files), delta (Delta Lake",
        "               tables written from them file for file into DIR-delta, any line);",
        "               every format runs every mode and storage setting (default " + DEFAULT_FORMAT
            + ")",
        "  --layout     bench (the generated files, several per large table, in a session",
        "               tuned as Spark's TPCDSQueryBenchmark; default) or spark-default (one",
        "               file per table with 128 MiB row groups, written into DIR-onefile when",
        "               missing, in a session with Spark's defaults: 200 shuffle partitions,",
        "               adaptive execution)",
        "  --queries    query names (q26,q27,...) and sets: scan (a store_sales scan), io9",
        "               (q26 q27 q32 q42 q48 q53 q55 q68 q76), all (103 queries; default)",
        "  --modes      " + DEFAULT_MODES + " (default: all)",
        "  --storage    s3 (the files in a bucket of S3Proxy, which the benchmark starts on",
        "               127.0.0.1, read through S3A), local (Parquet on local disk), hdfs (the",
        "               same files on an HDFS that the benchmark starts on 127.0.0.1);",
        "               default: " + DEFAULT_STORAGE,
        "  --s3-get-ms, --s3-head-ms, --s3-list-ms  milliseconds S3Proxy waits before each GET,",
        "               HEAD and LIST (default " + S3Latency.IN_REGION.getMs() + ", "
            + S3Latency.IN_REGION.headMs() + ", " + S3Latency.IN_REGION.listMs() + ")",
        "  --s3-mbps    bandwidth of each GET stream in MB/s, 0 for none (default "
            + S3Latency.IN_REGION.getMegabytesPerSecond() + ")",
        "  --warm       warm runs per query, the median is reported (default 3)",
        "  --rounds     run every mode R times, in turn (default 1); medians over all rounds",
        "  --turns      mode: each mode's JVM runs the whole set, then the next mode's starts",
        "               (default); query: the modes' JVMs live side by side and take turns",
        "               query by query, in the cold pass and in every warm pass, the order",
        "               reversed from one query to the next, so that a drift in the machine's",
        "               speed touches each query's modes alike (needs every mode's heap and",
        "               cache at once: the modes' heaps must fit in 3/4 of the memory)",
        "  --out        where summary.md and, per storage setting, results.csv, summary.md,",
        "               speedup.png and raw/ go (default ./cellar-bench-<time>)",
        "  --heap       heap of each mode's JVM, committed and touched at its start (default",
        "               6g)",
        "  --dram       DRAM tier of cellar-dram (default 4 x the Parquet size read, >= 512m)",
        "  --file-dir   directory of file pools (default /dev/shm, else the temp directory)",
        "  --local-dir  an existing directory where each mode's JVM gets Spark's scratch",
        "               space (spark.local.dir: shuffle and spill files) in a new directory,",
        "               removed after the mode (default /dev/shm, else the temp directory;",
        "               on ext4 a JVM that creates and deletes shuffle files faster waits",
        "               longer in the inode allocator, which penalises the faster mode)",
        "  --file-size  file pool of cellar-file (default as --dram)",
        "  --tiered-dram, --tiered-file  tiers of cellar-tiered (default 1/4 and 1 x the",
        "               Parquet size read: together smaller than the cached data)"));
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value, found '" + args[i] + "'");
      }
      m.put(args[i].substring(2), args[i + 1]);
    }
    return m;
  }

  private static double scale(Map<String, String> o) {
    String s = o.get("scale");
    if (s == null) {
      throw new IllegalArgumentException("--scale is required");
    }
    double v = Double.parseDouble(s);
    if (!(v > 0)) {
      throw new IllegalArgumentException("--scale must be positive, was " + s);
    }
    return v;
  }

  private static Path dataDir(Map<String, String> o, double scale) {
    String d = o.get("dir");
    return Path.of(d != null ? d : "/tmp/cellar-tpcds/sf" + TpcdsData.scaleName(scale))
        .toAbsolutePath();
  }

  /** The --layout option (bench by default). */
  private static BenchLayout layout(Map<String, String> o) {
    return BenchLayout.of(o.getOrDefault("layout", BenchLayout.BENCH.label()));
  }

  /** gen: generates the data in this JVM. */
  private static int gen(Map<String, String> o) throws IOException {
    double scale = scale(o);
    Path dir = dataDir(o, scale);
    List<BenchFormat> formats = BenchFormat.list(o.getOrDefault("format", DEFAULT_FORMAT));
    Path warehouse = Files.createTempDirectory("cellar-bench-warehouse-");
    SparkSession.Builder b = SparkSession.builder();
    if (formats.contains(BenchFormat.DELTA)) {
      TpcdsDelta.configure(b, CellarExtensions.class.getName());
    }
    SparkSession spark = b
        .master("local[2]")
        .appName("cellar-bench gen")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", warehouse.toString())
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
    try {
      TpcdsData.generate(spark, dir, scale, System.out);
      BenchLayout layout = layout(o);
      layout.write(spark, dir, scale, System.out);
      if (formats.contains(BenchFormat.DELTA)) {
        Path from = layout.dir(dir);
        TpcdsDelta.write(spark, from, BenchFormat.DELTA.dir(from), scale, System.out);
      }
    } finally {
      spark.stop();
      deleteTree(warehouse);
    }
    return 0;
  }

  /** mode (internal): runs one mode in this JVM, for {@link #run}. */
  private static int mode(Map<String, String> o) throws IOException {
    double scale = scale(o);
    BenchMode m = BenchMode.of(o.get("mode"));
    List<String> queries = BenchQueries.expand(o.get("queries"));
    BenchFormat format = BenchFormat.list(o.getOrDefault("format", DEFAULT_FORMAT)).get(0);
    Path dir = format.dir(dataDir(o, scale));
    ModeRun run = new ModeRun(m, format, layout(o), dir, o.getOrDefault("location",
        dir.toString()), queries, Integer.parseInt(o.getOrDefault("warm", "3")),
        o.getOrDefault("tiers", ""), System.out);
    if (o.containsKey("result")) {
      run.run(Path.of(o.get("result")));
    } else {
      // --turns query: the main JVM says which step comes next
      run.serve(new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
          StandardCharsets.UTF_8)));
    }
    return 0;
  }

  /** run: each mode in a child JVM, then the report. */
  private static int run(Map<String, String> o, String[] args) throws Exception {
    double scale = scale(o);
    Path generated = dataDir(o, scale);
    BenchLayout layout = layout(o);
    Path dir = layout.dir(generated);
    List<BenchFormat> formats = BenchFormat.list(o.getOrDefault("format", DEFAULT_FORMAT));
    List<String> queries = BenchQueries.expand(o.getOrDefault("queries", "all"));
    List<String> modes = new ArrayList<>();
    for (String s : o.getOrDefault("modes", DEFAULT_MODES).split(",")) {
      if (!s.isBlank()) {
        modes.add(BenchMode.of(s).label());
      }
    }
    int warm = Integer.parseInt(o.getOrDefault("warm", "3"));
    if (warm < 1) {
      throw new IllegalArgumentException("--warm must be at least 1, was " + warm);
    }
    int rounds = Integer.parseInt(o.getOrDefault("rounds", "1"));
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds must be at least 1, was " + rounds);
    }
    String turns = o.getOrDefault("turns", "mode");
    if (!turns.equals("mode") && !turns.equals("query")) {
      throw new IllegalArgumentException("--turns must be mode or query, was '" + turns + "'");
    }
    // every option is checked before the data is generated or anything is written
    Path fileRoot = Path.of(o.getOrDefault("file-dir", defaultFileDir()));
    Path localRoot = Path.of(o.getOrDefault("local-dir", defaultFileDir()));
    if (!Files.isDirectory(localRoot) || !Files.isWritable(localRoot)) {
      throw new IllegalArgumentException("--local-dir must be an existing directory this user can"
          + " write, was " + localRoot);
    }

    List<Storage> storages = Storage.list(o.getOrDefault("storage", DEFAULT_STORAGE));
    S3Latency latency = new S3Latency(
        intOption(o, "s3-get-ms", S3Latency.IN_REGION.getMs()),
        intOption(o, "s3-head-ms", S3Latency.IN_REGION.headMs()),
        intOption(o, "s3-list-ms", S3Latency.IN_REGION.listMs()),
        intOption(o, "s3-mbps", S3Latency.IN_REGION.getMegabytesPerSecond()));

    String heap = o.getOrDefault("heap", "6g");
    long heapBytes;
    try {
      heapBytes = JavaUtils.byteStringAsBytes(heap);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--heap must be a size such as 6g or 2048m, was '"
          + heap + "'");
    }
    long memory = ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    if (turns.equals("query") && modes.size() * heapBytes > memory * 3 / 4) {
      throw new IllegalArgumentException("--turns query keeps every mode's JVM with its whole"
          + " heap (--heap " + heap + ") at once: " + modes.size() + " modes need "
          + mib(modes.size() * heapBytes) + " of " + mib(memory) + " memory; run fewer modes, a"
          + " smaller --heap or --turns mode");
    }
    Path out = Path.of(o.getOrDefault("out", "cellar-bench-"
        + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))))
        .toAbsolutePath();
    Files.createDirectories(out);

    boolean delta = formats.contains(BenchFormat.DELTA);
    if (!TpcdsData.isGenerated(dir, scale)
        || delta && !TpcdsDelta.isWritten(BenchFormat.DELTA.dir(dir), scale)) {
      System.out.printf("[bench] no scale factor %s data in %s%s: generating it%n",
          TpcdsData.scaleName(scale), dir, delta ? " (or its Delta tables)" : "");
      int rc = child(heap, Map.of(), List.of("gen", "--scale", Double.toString(scale), "--dir",
          generated.toString(), "--format", delta ? "parquet,delta" : "parquet", "--layout",
          layout.label()));
      if (rc != 0) {
        System.err.println("[bench] generating the data failed (exit " + rc + ")");
        return 1;
      }
    }
    var tables = BenchQueries.tables(queries);
    long parquet = TpcdsData.parquetBytes(dir, tables);
    long dram = bytes(o.get("dram"), Math.max(512L << 20, 4 * parquet));
    long fileSize = bytes(o.get("file-size"), dram);
    long tieredDram = bytes(o.get("tiered-dram"), Math.max(64L << 20, parquet / 4));
    long tieredFile = bytes(o.get("tiered-file"), Math.max(128L << 20, parquet));
    List<String> header = new ArrayList<>();
    header.add("date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    header.add("machine: " + machine() + "; load average at start " + loadAverage());
    header.add("software: Spark " + sparkVersion() + ", Cellar " + Version.CELLAR + ", Java "
        + System.getProperty("java.version"));
    header.add("command: `bin/cellar-bench " + String.join(" ", args) + "`");
    header.add(String.format(Locale.ROOT, "data: TPC-DS scale factor %s in `%s`; the queries"
        + " read %d tables (%s), %.1f MiB of Parquet", TpcdsData.scaleName(scale), dir,
        tables.size(), String.join(", ", tables), parquet / 1048576.0));
    header.add("queries: " + String.join(" ", queries) + "; " + warm + " warm runs each"
        + (rounds > 1 ? ", in each of " + rounds + " rounds" : ""));
    header.add(turns.equals("query") ? "turns: query by query (the modes' JVMs live side by"
        + " side and run each query in turn, cold and in every warm pass, the order of the modes"
        + " reversed from one query to the next; one JVM runs at a time)" : "turns: mode by mode"
        + " (each mode's JVM runs the whole set, then the next mode's starts)");
    header.add("session: local[2], one JVM per mode with a heap of " + heap + " (-Xms and -Xmx,"
        + " pre-touched); " + layout.describe()
        + "; ANSI off; Spark's scratch space (shuffle, spill) under `" + localRoot + "`; the OS"
        + " page cache holds the Parquet files in every mode");
    System.out.printf("[bench] %d queries x %d modes x %d rounds x %d storage settings, %d"
        + " warm runs; %.1f MiB of Parquet; out %s%n", queries.size(), modes.size(), rounds,
        storages.size(), warm, parquet / 1048576.0, out);

    List<Report> reports = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    for (BenchFormat format : formats) {
      Path formatDir = format.dir(dir);
      for (Storage storage : storages) {
        List<String> h = new ArrayList<>(header);
        h.add("tables: " + (format == BenchFormat.DELTA ? "Delta Lake, written from the"
            + " generated Parquet file for file into `" + formatDir + "`" : "Parquet"));
        h.add("storage: " + storage.description()
            + (storage == Storage.S3 ? "; latency profile: " + latency.describe() : ""));
        Report report = new Report(queries, modes, h);
        reports.add(report);
        labels.add(format.label(storage));
        titles.add(format.title(storage));
        try (Storage.Location at = storage.open(formatDir, "sf" + TpcdsData.scaleName(scale)
            + layout.suffix() + (format == BenchFormat.DELTA ? "-delta" : ""), tables, System.out,
            latency)) {
          for (int round = 1; round <= rounds; round++) {
            List<ModeJob> jobs = new ArrayList<>();
            for (String label : modes) {
              if (!report.hasFailed(label)) {
                jobs.add(ModeJob.of(BenchMode.of(label), format, layout, round, rounds, scale,
                    dir, at, queries, warm, out.resolve(format.label(storage)),
                    tiersOf(BenchMode.of(label), dram, fileSize, tieredDram, tieredFile,
                    fileRoot), localRoot));
              }
            }
            if (turns.equals("query")) {
              QueryTurns.round(report, jobs, heap, queries, warm);
            } else {
              for (ModeJob job : jobs) {
                runMode(report, job, heap);
              }
            }
          }
        }
      }
    }
    return finish(labels, titles, reports, out);
  }

  /** The tier setting of a mode; its file pool directory is made when its round is set up. */
  private static String tiersOf(BenchMode m, long dram, long fileSize, long tieredDram,
      long tieredFile, Path fileRoot) {
    // a directory per mode: with --turns query the modes' pools live at the same time, and a
    // round sets every mode's directories up before the first mode runs
    Path poolDir = fileRoot.resolve("cellar-bench-" + ProcessHandle.current().pid() + "-"
        + m.label());
    return switch (m) {
      case CELLAR_DRAM -> "dram:" + mib(dram);
      case CELLAR_FILE -> "file:" + poolDir + ":" + mib(fileSize);
      case CELLAR_TIERED -> "dram:" + mib(tieredDram) + ",file:" + poolDir + ":"
          + mib(tieredFile);
      default -> "";
    };
  }

  /** Runs one round of one mode in a child JVM and adds what it measured to the report. */
  private static void runMode(Report report, ModeJob job, String heap)
      throws IOException, InterruptedException {
    System.out.printf("[bench] %s%n", job.describe());
    long start = System.nanoTime();
    int rc;
    try {
      rc = child(heap, job.conf(), job.args(true));
    } finally {
      job.clean();
    }
    System.out.printf("[bench] mode %s finished in %.0f s (exit %d)%n", job.label(),
        (System.nanoTime() - start) / 1e9, rc);
    job.collect(report, rc);
  }

  /**
   * Writes per storage setting the CSV, the summary and the chart, and a summary of all of them;
   * prints it; 2 when a result was wrong.
   */
  private static int finish(List<String> labels, List<String> titles, List<Report> reports,
      Path out) throws IOException {
    StringBuilder all = new StringBuilder();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < reports.size(); i++) {
      String label = labels.get(i);
      String title = titles.get(i);
      Report report = reports.get(i);
      Path dir = out.resolve(label);
      Files.createDirectories(dir);
      report.writeCsv(dir.resolve("results.csv"));
      String md = report.markdown();
      Files.writeString(dir.resolve("summary.md"), md, StandardCharsets.UTF_8);
      Path png = dir.resolve("speedup.png");
      try {
        SpeedupChart.write(report, "TPC-DS, warm speedup over vanilla Spark: " + title, png);
      } catch (IOException | RuntimeException | Error e) {
        // AWT draws text with the machine's fonts; without any (fontconfig) there is no chart
        System.err.println("[bench] WARNING: no chart " + png + ": " + e);
      }
      all.append(md.replaceFirst("# Cellar TPC-DS benchmark", "# Cellar TPC-DS benchmark: "
          + title)).append("\n![warm speedup, ")
          .append(title).append("](").append(label).append("/speedup.png)\n\n");
      for (String p : report.problems()) {
        problems.add(label + ": " + p);
      }
      System.out.println("[bench] wrote " + dir.resolve("results.csv") + ", "
          + dir.resolve("summary.md") + " and " + png);
    }
    Files.writeString(out.resolve("summary.md"), all.toString(), StandardCharsets.UTF_8);
    System.out.println();
    System.out.println(all);
    System.out.println("[bench] wrote " + out.resolve("summary.md"));
    if (!problems.isEmpty()) {
      System.err.println();
      System.err.println("!!! " + problems.size() + " RESULT PROBLEM(S): a mode returned other"
          + " rows than vanilla Spark or failed");
      for (String p : problems) {
        System.err.println("!!!   " + p);
      }
      return 2;
    }
    return 0;
  }

  /**
   * Runs this class in a child JVM with the given heap, Spark settings (as system properties,
   * which a SparkConf reads) and arguments; returns its exit code.
   */
  private static int child(String heap, Map<String, String> sparkConf, List<String> args)
      throws IOException, InterruptedException {
    Process p = childProcess(heap, sparkConf, args).inheritIO().start();
    try {
      return p.waitFor();
    } finally {
      if (p.isAlive()) {
        p.destroy();
      }
    }
  }

  /** As {@link #childProcess(String, List)}, with Spark settings as system properties. */
  static ProcessBuilder childProcess(String heap, Map<String, String> sparkConf,
      List<String> args) {
    List<String> withConf = new ArrayList<>();
    sparkConf.forEach((k, v) -> withConf.add("-D" + k + "=" + v));
    return childProcess(heap, withConf, args);
  }

  /**
   * A JVM that runs this class with the given heap and arguments, this JVM's flags (Spark's
   * --add-opens) and class path, bound to loopback.
   */
  static ProcessBuilder childProcess(String heap, List<String> args) {
    return childProcess(heap, List.of(), args);
  }

  /** As {@link #childProcess(String, List)}, with more JVM options. */
  static ProcessBuilder childProcess(String heap, List<String> jvmOptions, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-Xmx") && !a.startsWith("-Xms") && !a.startsWith("-agentlib")
          && !a.startsWith("-javaagent")) {
        cmd.add(a);
      }
    }
    // the whole heap committed and touched at start (as a standalone worker starts an executor
    // with -Xms equal to -Xmx): a heap that grows, shrinks and grows again during the measured
    // runs faults its pages in anew, which on a virtual machine whose host reclaims freed pages
    // cost a run up to three times its time, in any mode, at random
    cmd.add("-Xms" + heap);
    cmd.add("-Xmx" + heap);
    cmd.add("-XX:+AlwaysPreTouch");
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(TpcdsBench.class.getName());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb;
  }

  private static int intOption(Map<String, String> o, String name, int dflt) {
    String v = o.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 0) {
        throw new IllegalArgumentException("--" + name + " must be 0 or more, was " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number, was '" + v
          + "'");
    }
  }

  private static long bytes(String text, long dflt) {
    return text == null ? dflt : JavaUtils.byteStringAsBytes(text);
  }

  private static String mib(long bytes) {
    return Math.max(1, (bytes + (1L << 20) - 1) >> 20) + "m";
  }

  private static String defaultFileDir() {
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      return shm.toString();
    }
    return System.getProperty("java.io.tmpdir");
  }

  private static String machine() {
    String cpu = "?";
    long memKb = 0;
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          cpu = l.substring(l.indexOf(':') + 1).trim();
          break;
        }
      }
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal:")) {
          memKb = Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: the report says less
    }
    return String.format(Locale.ROOT, "%d cores (%s), %.1f GiB memory, %s %s",
        Runtime.getRuntime().availableProcessors(), cpu, memKb / 1048576.0,
        System.getProperty("os.name"), System.getProperty("os.version"));
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static String sparkVersion() {
    try (InputStream in = SparkSession.class.getClassLoader()
        .getResourceAsStream("spark-version-info.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "?");
    } catch (IOException e) {
      return "?";
    }
  }

  /** Deletes a file or a directory with everything in it, if it exists. */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
