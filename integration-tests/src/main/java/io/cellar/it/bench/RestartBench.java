// SPDX-License-Identifier: Apache-2.0
// RestartBench -- reattaching a persistent pool against refilling it from Parquet, after a clean
// close and after kill -9
package io.cellar.it.bench;

import io.cellar.it.tpcds.ResultRows;
import io.cellar.it.tpcds.TpcdsData;
import io.cellar.spark.exec.ExecutorCache;
import io.cellar.vmem.CacheStats;
import io.cellar.vmem.ReattachReport;
import io.cellar.vmem.TierStack;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code cellar-bench restart}: what a persistent tier saves when an executor restarts.
 *
 * <ol>
 *   <li>fill: a JVM runs the query set once with a single persistent file tier (or, with {@code
 *       --top SIZE}, a DRAM tier of that size over it), which fills it by reading and decoding
 *       Parquet (the refill a restart costs without persistence), then closes the cache cleanly
 *       (which writes a DRAM tier down into the file tier);
 *   <li>a new JVM reattaches the pool (clean) and runs the set again: every result must match
 *       and every chunk must come from the pool;
 *   <li>fill again into a new pool, and the parent kills that JVM with SIGKILL once it is full;
 *   <li>a new JVM reattaches the pool after the crash (every value checked) and runs the set.
 * </ol>
 *
 * Each JVM prints one line {@code RESULT key=value ...}; the parent prints the table.
 */
final class RestartBench {
  private static final String RESULT = "RESULT ";

  private RestartBench() {}

  /** The parent: four child JVMs, then the report. */
  static int run(Map<String, String> o, double scale, Path dataDir, List<String> queries,
      String heap) throws Exception {
    if (!TpcdsData.isGenerated(dataDir, scale)) {
      throw new IllegalArgumentException("no scale factor " + TpcdsData.scaleName(scale)
          + " data in " + dataDir + "; make it first with: cellar-bench gen --scale "
          + TpcdsData.scaleName(scale) + " --dir " + dataDir);
    }
    Path root = Path.of(o.getOrDefault("pool-dir", Files.isWritable(Path.of("/dev/shm"))
        ? "/dev/shm" : System.getProperty("java.io.tmpdir")));
    String size = o.getOrDefault("pool-size", "2g");
    String top = o.get("top");
    String qs = String.join(",", queries);
    Path clean = Files.createTempDirectory(root, "cellar-restart-clean-");
    Path crash = Files.createTempDirectory(root, "cellar-restart-crash-");
    try {
      List<String> common = new ArrayList<>(List.of("--scale", Double.toString(scale), "--dir",
          dataDir.toString(), "--queries", qs, "--pool-size", size));
      if (top != null) {
        common.addAll(List.of("--top", top));
      }
      Map<String, String> fill = child(heap, "restart-fill", clean, common, false);
      Map<String, String> attach = child(heap, "restart-attach", clean, common, false);
      Map<String, String> fill2 = child(heap, "restart-fill", crash, common, true);
      Map<String, String> recover = child(heap, "restart-attach", crash, common, false);
      return report(fill, attach, fill2, recover, dataDir, queries, size, top, root);
    } finally {
      TpcdsBench.deleteTree(clean);
      TpcdsBench.deleteTree(crash);
    }
  }

  private static int report(Map<String, String> fill, Map<String, String> attach,
      Map<String, String> fill2, Map<String, String> recover, Path dataDir,
      List<String> queries, String size, String top, Path root) {
    double refill = Double.parseDouble(fill.get("fill_ms"));
    double cleanMs = Double.parseDouble(attach.get("reattach_ms"));
    double crashMs = Double.parseDouble(recover.get("reattach_ms"));
    boolean same = fill.get("checksums").equals(attach.get("checksums"))
        && fill.get("checksums").equals(recover.get("checksums"))
        && fill.get("checksums").equals(fill2.get("checksums"));
    PrintStream out = System.out;
    out.println();
    out.println("# Cellar restart benchmark");
    out.println();
    out.printf(Locale.ROOT, "- data: %s; queries: %s; %sone persistent file tier of %s in %s%n",
        dataDir, String.join(" ", queries), top == null ? "" : "a DRAM tier of " + top
            + " over ", size, root);
    out.printf(Locale.ROOT, "- the pool holds %s chunks, %.1f MiB%s%n", fill.get("entries"),
        Long.parseLong(fill.get("bytes")) / 1048576.0, top == null ? ""
            : " after the fill; the DRAM tier held " + fill.get("top_entries") + " chunks at the"
                + " clean stop, written down into the pool");
    out.println();
    out.println("| step | time | chunks | state | hits / misses of the next run |");
    out.println("|---|---:|---:|---|---|");
    out.printf(Locale.ROOT, "| (c) refill: the set cold, reading and decoding Parquet | %.0f ms"
        + " | %s | new | - |%n", refill, fill.get("entries"));
    out.printf(Locale.ROOT, "| (a) reattach after a clean close | %.1f ms | %s | %s | %s / %s"
        + " |%n", cleanMs, attach.get("recovered"), attach.get("state"), attach.get("hits"),
        attach.get("misses"));
    out.printf(Locale.ROOT, "| (b) reattach after kill -9 | %.1f ms | %s | %s | %s / %s |%n",
        crashMs, recover.get("recovered"), recover.get("state"), recover.get("hits"),
        recover.get("misses"));
    double served = Double.parseDouble(attach.get("run_ms"));
    double marginal = refill - served;
    out.printf(Locale.ROOT, "| (c') refill's own cost: (c) minus the same set served from the"
        + " reattached pool (%.0f ms) | %.0f ms | | | |%n", served, marginal);
    out.println();
    out.printf(Locale.ROOT, "(c)/(a) = %.0f, (c)/(b) = %.0f; (c')/(a) = %.0f, (c')/(b) = %.0f;"
        + " results of every run %s%n", refill / cleanMs, refill / crashMs, marginal / cleanMs,
        marginal / crashMs, same ? "identical" : "DIFFER");
    // the pool holds the whole set: after a reattach every chunk must come from it (after a
    // kill -9 only what was in the pool: what only a DRAM tier held is lost)
    boolean allHits = "0".equals(attach.get("misses")) && !"0".equals(attach.get("hits"))
        && (top != null || "0".equals(recover.get("misses")));
    if (!allHits) {
      out.println("!!! a run after a reattach missed chunks the pool held");
    }
    return same && allHits ? 0 : 2;
  }

  /** Runs one step in a child JVM; kills it with SIGKILL after its result when asked. */
  private static Map<String, String> child(String heap, String step, Path pool,
      List<String> common, boolean killWhenFull) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>();
    args.add(step);
    args.addAll(common);
    args.addAll(List.of("--pool", pool.toString(), "--wait", Boolean.toString(killWhenFull)));
    Process p = TpcdsBench.childProcess(heap, args).redirectErrorStream(true).start();
    Map<String, String> result = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith(RESULT)) {
          result = parse(line.substring(RESULT.length()));
          System.out.println("[restart] " + step + ": " + line);
          if (killWhenFull) {
            p.destroyForcibly();
            p.waitFor();
            System.out.println("[restart] killed the filled JVM with SIGKILL");
            break;
          }
        } else if (line.startsWith("[restart]")) {
          System.out.println(line);
        }
      }
    }
    int rc = p.waitFor();
    if (result == null || (!killWhenFull && rc != 0)) {
      throw new IllegalStateException(step + " failed (exit " + rc + ")");
    }
    return result;
  }

  private static Map<String, String> parse(String s) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String kv : s.trim().split(" ")) {
      int eq = kv.indexOf('=');
      m.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return m;
  }

  /** A child: fills the pool (fill) or reattaches it (attach), runs the set, prints RESULT. */
  static int step(boolean fill, Map<String, String> o, Path dataDir, List<String> queries)
      throws Exception {
    Path pool = Path.of(o.get("pool"));
    ExecutorCache.shutdown();
    Path warehouse = Files.createTempDirectory("cellar-restart-warehouse-");
    String tiers = "file:" + pool + ":" + o.getOrDefault("pool-size", "2g");
    if (o.containsKey("top")) {
      tiers = "dram:" + o.get("top") + "," + tiers;
    }
    SparkSession spark = ModeRun.benchSession("cellar-bench restart", warehouse)
        .config("spark.cellar.tiers", tiers)
        .getOrCreate();
    try {
      TpcdsData.register(spark, dataDir);
      long t0 = System.nanoTime();
      ExecutorCache cache = ExecutorCache.get();
      double openMs = (System.nanoTime() - t0) / 1e6;
      TierStack c = cache.cache();
      if (c == null) {
        throw new IllegalStateException("no cache: " + cache.unavailableReason());
      }
      ReattachReport r = c.reattach().orElseThrow();
      long hits = cache.hits.get();
      long misses = cache.misses.get();
      List<String> sums = new ArrayList<>();
      long start = System.nanoTime();
      for (String q : queries) {
        List<Row> rows = spark.sql(BenchQueries.sql(q)).collectAsList();
        sums.add(ResultRows.checksum(ResultRows.canonical(rows)));
      }
      double runMs = (System.nanoTime() - start) / 1e6;
      // the persistent tier's own figures; the DRAM tier's entries are written down at the close
      List<CacheStats> perTier = c.tierStats();
      CacheStats st = perTier.get(perTier.size() - 1);
      long topEntries = perTier.size() > 1 ? perTier.get(0).entries() : 0;
      System.out.printf(Locale.ROOT, "%sstate=%s reattach_ms=%.2f open_ms=%.2f recovered=%d"
          + " dropped=%d %s_ms=%.1f hits=%d misses=%d entries=%d bytes=%d top_entries=%d"
          + " checksums=%s%n",
          RESULT, r.state(), r.elapsedNanos() / 1e6, openMs, r.entriesRecovered(),
          r.entriesDropped(), fill ? "fill" : "run", runMs, cache.hits.get() - hits,
          cache.misses.get() - misses, st.entries(), st.poolUsed(), topEntries,
          String.join("/", sums));
      System.out.flush();
      if (Boolean.parseBoolean(o.getOrDefault("wait", "false"))) {
        Thread.sleep(600_000); // the parent kills this JVM now
      }
    } finally {
      spark.stop();
      ExecutorCache.shutdown();
      TpcdsBench.deleteTree(warehouse);
    }
    return 0;
  }
}
