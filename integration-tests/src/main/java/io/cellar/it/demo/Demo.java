// SPDX-License-Identifier: Apache-2.0
// Demo -- a newcomer's first run: TPC-DS queries with and without Cellar, cold and warm
package io.cellar.it.demo;

import io.cellar.it.tpcds.ResultRows;
import io.cellar.it.tpcds.TpcdsData;
import io.cellar.it.tpcds.TpcdsQueries;
import io.cellar.spark.CellarExtensions;
import io.cellar.spark.exec.ExecutorCache;
import io.cellar.vmem.CacheStats;
import io.cellar.vmem.TierStack;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Generates TPC-DS data (or reuses it), then runs a handful of TPC-DS queries in local mode four
 * ways: Spark alone cold and warm, Spark with Cellar cold (filling the cache) and warm; checks
 * that every result agrees and prints a table of times, speedups, hit ratios and cache bytes.
 * Cellar runs on its embedded default: a DRAM tier over a file pool under /dev/shm (or the temp
 * directory), which is removed at the end. Only the generated data stays, for the next run.
 */
public final class Demo {
  /** Queries that read the large fact table and finish quickly at small scale factors. */
  public static final List<String> QUERIES = List.of("q3", "q42", "q52", "q55", "q96", "q7");

  private final PrintStream out;

  public Demo(PrintStream out) {
    this.out = out;
  }

  /** One query's measurements. */
  record Result(String query, double vanillaCold, double vanillaWarm, double cellarCold,
      double cellarWarm, long hits, long misses, boolean agree) {}

  public static void main(String[] args) throws IOException {
    double scale = 0.1;
    Path work = Path.of(System.getProperty("user.home"), ".cache", "cellar-demo");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--scale" -> scale = Double.parseDouble(args[++i]);
        case "--work" -> work = Path.of(args[++i]);
        default -> {
          System.err.println("usage: cellar-demo [--scale SF (0.1)] [--work DIR (~/.cache/"
              + "cellar-demo)]");
          System.exit(2);
        }
      }
    }
    boolean ok = new Demo(System.out).run(scale, work);
    System.exit(ok ? 0 : 1);
  }

  /**
   * Runs the demo; returns whether every query agreed.
   *
   * @param scale TPC-DS scale factor
   * @param work directory for the data (kept) and nothing else
   */
  public boolean run(double scale, Path work) throws IOException {
    Path data = work.resolve("tpcds-" + TpcdsData.scaleName(scale));
    Path pool = Files.createTempDirectory(poolParent(), "cellar-demo-pool-");
    String tiers = "dram:256m,file:" + pool + ":1g";
    step("Cellar demo: TPC-DS scale factor " + TpcdsData.scaleName(scale) + ", tiers " + tiers);
    ExecutorCache.shutdown();
    SparkSession spark = SparkSession.builder()
        .master("local[2]")
        .appName("cellar-demo")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.warehouse.dir", work.resolve("warehouse").toString())
        .config("spark.sql.extensions", CellarExtensions.class.getName())
        .config("spark.cellar.tiers", tiers)
        .getOrCreate();
    try {
      step(TpcdsData.isGenerated(data, scale) ? "reusing TPC-DS data in " + data
          : "generating TPC-DS data in " + data + " (once; later runs reuse it)");
      TpcdsData.generate(spark, data, scale, out);
      TpcdsData.register(spark, data);
      List<Result> results = new ArrayList<>();
      for (String q : QUERIES) {
        step("running " + q);
        results.add(measure(spark, q));
      }
      print(results, spark, data);
      return results.stream().allMatch(Result::agree);
    } finally {
      spark.stop();
      ExecutorCache.shutdown();
      deleteTree(pool);
    }
  }

  private Result measure(SparkSession spark, String q) {
    String sql = TpcdsQueries.sql(q);
    spark.conf().set("spark.cellar.enabled", "false");
    Timed vc = timed(spark, sql);
    Timed vw = timed(spark, sql);
    spark.conf().set("spark.cellar.enabled", "true");
    Timed cc = timed(spark, sql);
    ExecutorCache c = ExecutorCache.get();
    long hits = c.hits.get();
    long misses = c.misses.get();
    Timed cw = timed(spark, sql);
    Timed cw2 = timed(spark, sql);
    boolean agree = vc.checksum.equals(vw.checksum) && vc.checksum.equals(cc.checksum)
        && vc.checksum.equals(cw.checksum) && vc.checksum.equals(cw2.checksum);
    if (!agree) {
      out.println("!! " + q + ": results with Cellar differ from Spark's");
    }
    return new Result(q, vc.seconds, vw.seconds, cc.seconds, Math.min(cw.seconds, cw2.seconds),
        c.hits.get() - hits, c.misses.get() - misses, agree);
  }

  private record Timed(double seconds, String checksum) {}

  private static Timed timed(SparkSession spark, String sql) {
    long t0 = System.nanoTime();
    List<String> rows = ResultRows.canonical(spark.sql(sql).collectAsList());
    double s = (System.nanoTime() - t0) / 1e9;
    return new Timed(s, ResultRows.checksum(rows));
  }

  private void print(List<Result> results, SparkSession spark, Path data) {
    out.println();
    out.println("| query | Spark cold s | Spark warm s | Cellar cold s | Cellar warm s"
        + " | warm speedup | cache hit ratio (warm) | results agree |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---|");
    double vw = 0;
    double cw = 0;
    for (Result r : results) {
      vw += r.vanillaWarm;
      cw += r.cellarWarm;
      long lookups = r.hits + r.misses;
      out.printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2fx | %s | %s |%n", r.query,
          r.vanillaCold, r.vanillaWarm, r.cellarCold, r.cellarWarm, r.vanillaWarm / r.cellarWarm,
          lookups == 0 ? "-" : String.format("%.0f%%", 100.0 * r.hits / lookups),
          r.agree ? "yes" : "NO");
    }
    out.printf("| total | | %.2f | | %.2f | %.2fx | | |%n", vw, cw, vw / cw);
    out.println();
    out.printf("cache bytes: %s held in Cellar's pools; Parquet data read: %s%n",
        mib(cacheBytes()), mib(TpcdsData.parquetBytes(data, TpcdsData.tables())));
  }

  private static long cacheBytes() {
    TierStack t = ExecutorCache.get().cache();
    return t == null ? 0 : t.tierStats().stream().mapToLong(CacheStats::poolUsed).sum();
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }

  private void step(String what) {
    out.println("[cellar-demo] " + what);
    out.flush();
  }

  private static Path poolParent() {
    Path shm = Path.of("/dev/shm");
    return Files.isDirectory(shm) && Files.isWritable(shm) ? shm
        : Path.of(System.getProperty("java.io.tmpdir"));
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toArray(Path[]::new)) {
        Files.deleteIfExists(f);
      }
    }
  }
}
