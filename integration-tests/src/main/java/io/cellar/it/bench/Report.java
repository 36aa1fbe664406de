// SPDX-License-Identifier: Apache-2.0
// Report -- the benchmark's CSV and Markdown summary, and its result checks against vanilla
package io.cellar.it.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Aggregates the records of every mode: totals, ratios to vanilla (the reference mode), result
 * mismatches, and the CSV and Markdown files.
 */
final class Report {
  private final List<String> queries;
  private final List<String> modes;
  /** Per mode and query, the record of each round. */
  private final Map<String, Map<String, List<QueryRecord>>> records = new LinkedHashMap<>();
  /** Per mode, the footprint and settings of its first round. */
  private final Map<String, Properties> props = new LinkedHashMap<>();
  private final Map<String, List<Double>> setupMs = new LinkedHashMap<>();
  private final Map<String, String> failedModes = new LinkedHashMap<>();
  private final List<String> header;

  /**
   * @param queries the query names, in run order
   * @param modes the mode labels, in run order
   * @param header lines describing the run (date, machine, command, data)
   */
  Report(List<String> queries, List<String> modes, List<String> header) {
    this.queries = queries;
    this.modes = modes;
    this.header = header;
  }

  /** Adds one round of a mode. */
  void add(String mode, List<QueryRecord> rs, Properties p) {
    Map<String, List<QueryRecord>> m = records.computeIfAbsent(mode, k -> new LinkedHashMap<>());
    for (QueryRecord r : rs) {
      m.computeIfAbsent(r.query(), k -> new ArrayList<>()).add(r);
    }
    props.putIfAbsent(mode, p);
    setupMs.computeIfAbsent(mode, k -> new ArrayList<>())
        .add(Double.parseDouble(p.getProperty("setup_ms", "0")));
  }

  /** The query names, in run order. */
  List<String> queries() {
    return queries;
  }

  /** The modes that produced records, in run order. */
  List<String> measuredModes() {
    List<String> r = new ArrayList<>();
    for (String m : modes) {
      if (records.containsKey(m)) {
        r.add(m);
      }
    }
    return r;
  }

  /** Warm speedup of a query in a mode over the reference; NaN when either has no result. */
  double warmSpeedup(String mode, String query) {
    String ref = reference();
    if (ref == null || !ok(ref, query) || !ok(mode, query)) {
      return Double.NaN;
    }
    return warmMs(ref, query) / warmMs(mode, query);
  }

  /** The first round's record of a query in a mode, or null. */
  private QueryRecord first(String mode, String query) {
    List<QueryRecord> rs = records.getOrDefault(mode, Map.of()).get(query);
    return rs == null || rs.isEmpty() ? null : rs.get(0);
  }

  /** Whether a query returned results in every round of a mode. */
  private boolean ok(String mode, String query) {
    List<QueryRecord> rs = records.getOrDefault(mode, Map.of()).get(query);
    return rs != null && !rs.isEmpty() && rs.stream().allMatch(QueryRecord::ok);
  }

  /** Median over the rounds of the cold times. */
  double coldMs(String mode, String query) {
    List<Double> v = new ArrayList<>();
    for (QueryRecord r : records.get(mode).get(query)) {
      v.add(r.coldMs());
    }
    return median(v);
  }

  /** Median of the warm runs of every round. */
  double warmMs(String mode, String query) {
    List<Double> v = new ArrayList<>();
    for (QueryRecord r : records.get(mode).get(query)) {
      for (double w : r.warmMs()) {
        v.add(w);
      }
    }
    return v.isEmpty() ? coldMs(mode, query) : median(v);
  }

  private static double median(List<Double> v) {
    if (v.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(v);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  void failed(String mode, String why) {
    failedModes.put(mode, why);
  }

  /** Whether a round of the mode failed (later rounds are then skipped). */
  boolean hasFailed(String mode) {
    return failedModes.containsKey(mode);
  }

  /** The mode all others are checked and compared against: vanilla when it ran. */
  String reference() {
    if (records.containsKey(BenchMode.VANILLA.label())) {
      return BenchMode.VANILLA.label();
    }
    return records.isEmpty() ? null : records.keySet().iterator().next();
  }

  /** Every wrong or missing result, one line each; empty when all agree. */
  List<String> problems() {
    List<String> out = new ArrayList<>();
    failedModes.forEach((m, why) -> out.add(m + ": the mode failed: " + why));
    String ref = reference();
    for (var e : records.entrySet()) {
      for (String q : queries) {
        List<QueryRecord> rs = e.getValue().getOrDefault(q, List.of());
        QueryRecord v = ref == null ? null : first(ref, q);
        if (rs.isEmpty()) {
          out.add(e.getKey() + " " + q + ": no result");
        }
        for (int i = 0; i < rs.size(); i++) {
          QueryRecord r = rs.get(i);
          String where = e.getKey() + " " + q + (rs.size() > 1 ? " (round " + (i + 1) + ")" : "");
          if (!r.ok()) {
            out.add(where + ": failed: " + r.error());
          } else if (!r.stable()) {
            out.add(where + ": a warm run returned other rows than the cold run");
          } else if (v != null && v.ok() && !r.checksum().equals(v.checksum())) {
            out.add(where + ": checksum " + r.checksum() + " (" + r.rows() + " rows) differs"
                + " from " + ref + "'s " + v.checksum() + " (" + v.rows() + " rows)");
          }
        }
      }
    }
    return out;
  }

  void writeCsv(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("mode,round,query,cold_ms,warm_ms,warm_min_ms,warm_max_ms,warm_runs,rows,checksum,"
        + "matches_reference,stable,cold_hits,cold_misses,cold_added,warm_hits_per_run,"
        + "warm_misses_per_run,warm_added_per_run,cold_get,cold_head,cold_list,"
        + "warm_get_per_run,warm_head_per_run,warm_list_per_run,error");
    String ref = reference();
    for (var e : records.entrySet()) {
      for (var q : e.getValue().entrySet()) {
        QueryRecord v = first(ref, q.getKey());
        int round = 0;
        for (QueryRecord r : q.getValue()) {
          round++;
          double min = r.warmMs().length == 0 ? r.coldMs() : Double.MAX_VALUE;
          double max = r.warmMs().length == 0 ? r.coldMs() : 0;
          for (double w : r.warmMs()) {
            min = Math.min(min, w);
            max = Math.max(max, w);
          }
          int n = Math.max(1, r.warmMs().length);
          lines.add(String.join(",", r.mode(), Integer.toString(round), r.query(),
              f1(r.coldMs()), f1(r.warmMedianMs()), f1(min), f1(max),
              Integer.toString(r.warmMs().length), Long.toString(r.rows()), r.checksum(),
              Boolean.toString(v != null && r.checksum().equals(v.checksum())),
              Boolean.toString(r.stable()), Long.toString(r.coldHits()),
              Long.toString(r.coldMisses()), Long.toString(r.coldAdded()),
              f1((double) r.warmHits() / n), f1((double) r.warmMisses() / n),
              f1((double) r.warmAdded() / n), Long.toString(r.coldRequests().get()),
              Long.toString(r.coldRequests().head()), Long.toString(r.coldRequests().list()),
              f1((double) r.warmRequests().get() / n), f1((double) r.warmRequests().head() / n),
              f1((double) r.warmRequests().list() / n), csvText(r.error())));
        }
      }
    }
    Files.write(file, lines, StandardCharsets.UTF_8);
  }

  private static String csvText(String s) {
    return s.isEmpty() ? "" : "\"" + s.replace("\"", "\"\"") + "\"";
  }

  String markdown() {
    StringBuilder md = new StringBuilder("# Cellar TPC-DS benchmark\n\n");
    for (String h : header) {
      md.append("- ").append(h).append('\n');
    }
    for (Properties p : props.values()) {
      if (p.containsKey("read_parquet_bytes")) {
        md.append("- columns read: ").append(p.getProperty("read_columns")).append(" columns, ")
            .append(f1(Long.parseLong(p.getProperty("read_parquet_bytes")) / 1048576.0))
            .append(" MiB of their Parquet column chunks\n");
        break;
      }
    }
    String ref = reference();
    md.append("\nTimes are wall-clock milliseconds (totals: seconds) of `collect()` in")
        .append(" local[2]. Cold: the first run of each query after the mode was set up, in set")
        .append(" order (a query may find columns an earlier query of the set cached). Warm: the")
        .append(" median of the warm runs. With several rounds (every mode once per round, in")
        .append(" turn, so that a drift in the machine's speed touches all modes alike) cold is")
        .append(" the median over the rounds and warm the median of all warm runs. Speedup: ")
        .append(ref).append("'s time divided by the mode's (above 1 is faster). Footprint:")
        .append(" bytes the mode's cache holds after all runs of the first round (CACHE TABLE:")
        .append(" Spark's block manager, memory and disk; Cellar: pool bytes used, all tiers).")
        .append(" Cellar's counters (first round) are per JVM and attributed to the query running")
        .append(" at the time.\n\n");

    md.append("## Modes\n\n");
    md.append("| mode | setup s | cold total s | warm total s | warm speedup | cold speedup |")
        .append(" footprint MiB | footprint / Parquet of tables | footprint / Parquet of")
        .append(" columns read | results |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    double refCold = total(ref, true);
    double refWarm = total(ref, false);
    for (String m : modes) {
      if (!records.containsKey(m)) {
        md.append("| ").append(m).append(" | failed: ").append(failedModes.getOrDefault(m, "?"))
            .append(" | | | | | | | | |\n");
        continue;
      }
      Properties p = props.get(m);
      double cold = total(m, true);
      double warm = total(m, false);
      long parquet = Long.parseLong(p.getProperty("parquet_bytes", "0"));
      long columns = Long.parseLong(p.getProperty("read_parquet_bytes", "0"));
      String foot = p.getProperty("footprint_bytes");
      md.append("| ").append(m)
          .append(" | ").append(f2(median(setupMs.get(m)) / 1e3))
          .append(" | ").append(f2(cold / 1e3))
          .append(" | ").append(f2(warm / 1e3))
          .append(" | ").append(ratio(refWarm, warm))
          .append(" | ").append(ratio(refCold, cold))
          .append(" | ").append(foot == null ? "-" : f1(Long.parseLong(foot) / 1048576.0))
          .append(" | ").append(foot == null || parquet == 0 ? "-"
              : f2((double) Long.parseLong(foot) / parquet))
          .append(" | ").append(foot == null || columns == 0 ? "-"
              : f2((double) Long.parseLong(foot) / columns))
          .append(" | ").append(resultsOf(m, ref)).append(" |\n");
    }

    if (queries.containsAll(io.cellar.it.tpcds.TpcdsQueries.IO9)) {
      setTable(md, ref, "io9", io.cellar.it.tpcds.TpcdsQueries.IO9);
    }

    md.append("\n## Warm time per query (ms) and speedup over ").append(ref).append("\n\n");
    queryTable(md, ref, false);
    md.append("\n## Cold time per query (ms) and speedup over ").append(ref).append("\n\n");
    queryTable(md, ref, true);

    List<String> cellarModes = new ArrayList<>();
    for (String m : modes) {
      if (records.containsKey(m) && BenchMode.of(m).cellar()) {
        cellarModes.add(m);
      }
    }
    if (!cellarModes.isEmpty()) {
      md.append("\n## Cellar's cache\n\n");
      md.append("| mode | tiers | cold hits | cold misses | cold added | warm hits per pass |")
          .append(" warm misses per pass | warm added per pass | entries | per tier:")
          .append(" used MiB / size MiB, evictions | promotions / demotions / dropped |")
          .append(" not added | fallbacks |\n");
      md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|\n");
      for (String m : cellarModes) {
        Properties p = props.get(m);
        long ch = 0;
        long cm = 0;
        long ca = 0;
        double wh = 0;
        double wm = 0;
        double wa = 0;
        for (List<QueryRecord> rounds : records.get(m).values()) {
          QueryRecord r = rounds.get(0);
          int n = Math.max(1, r.warmMs().length);
          ch += r.coldHits();
          cm += r.coldMisses();
          ca += r.coldAdded();
          wh += (double) r.warmHits() / n;
          wm += (double) r.warmMisses() / n;
          wa += (double) r.warmAdded() / n;
        }
        StringBuilder tiers = new StringBuilder();
        int tc = Integer.parseInt(p.getProperty("tier_count", "0"));
        for (int i = 0; i < tc; i++) {
          tiers.append(i == 0 ? "" : "; ").append(i).append(": ")
              .append(f1(Long.parseLong(p.getProperty("tier" + i + ".pool_used")) / 1048576.0))
              .append(" / ")
              .append(f1(Long.parseLong(p.getProperty("tier" + i + ".pool_size")) / 1048576.0))
              .append(", ").append(p.getProperty("tier" + i + ".evictions"));
        }
        md.append("| ").append(m).append(" | `").append(p.getProperty("tiers")).append("` | ")
            .append(ch).append(" | ").append(cm).append(" | ").append(ca).append(" | ")
            .append(f1(wh)).append(" | ").append(f1(wm)).append(" | ").append(f1(wa))
            .append(" | ").append(p.getProperty("footprint_entries", "-")).append(" | ")
            .append(tiers).append(" | ")
            .append(p.getProperty("promotions", "-")).append(" / ")
            .append(p.getProperty("demotions", "-")).append(" / ")
            .append(p.getProperty("dropped", "-")).append(" | ")
            .append(p.getProperty("not_added", "-")).append(" | ")
            .append(p.getProperty("fallbacks", "-")).append(" |\n");
      }
    }

    requestsTable(md);

    List<String> problems = problems();
    md.append("\n## Results\n\n");
    if (problems.isEmpty()) {
      md.append("Every query returned ").append(ref).append("'s rows in every mode and run")
          .append(" (checksums of sorted canonical rows: doubles by their bits, decimals with")
          .append(" their scale).\n");
    } else {
      md.append("**").append(problems.size()).append(" problem(s):**\n\n");
      for (String p : problems) {
        md.append("- ").append(p).append('\n');
      }
    }
    return md.toString();
  }

  /**
   * The object store's requests per mode (first round): the cold pass, and a warm pass on
   * average; nothing when no mode sent any (local disk, HDFS).
   */
  private void requestsTable(StringBuilder md) {
    StringBuilder rows = new StringBuilder();
    boolean any = false;
    for (String m : modes) {
      if (!records.containsKey(m)) {
        continue;
      }
      QueryRecord.Requests cold = QueryRecord.Requests.NONE;
      double[] warm = new double[3];
      for (List<QueryRecord> rounds : records.get(m).values()) {
        QueryRecord r = rounds.get(0);
        int n = Math.max(1, r.warmMs().length);
        cold = cold.plus(r.coldRequests());
        warm[0] += (double) r.warmRequests().get() / n;
        warm[1] += (double) r.warmRequests().head() / n;
        warm[2] += (double) r.warmRequests().list() / n;
      }
      any |= cold.any() || warm[0] + warm[1] + warm[2] > 0;
      rows.append("| ").append(m).append(" | ").append(cold.get()).append(" | ")
          .append(cold.head()).append(" | ").append(cold.list()).append(" | ")
          .append(f1(warm[0])).append(" | ").append(f1(warm[1])).append(" | ")
          .append(f1(warm[2])).append(" |\n");
    }
    if (!any) {
      return;
    }
    md.append("\n## Requests to the object store\n\n")
        .append("Requests S3A sent while the query set ran (first round), counted in the")
        .append(" mode's JVM as they went on the wire; a warm pass is the average of the warm")
        .append(" passes.\n\n")
        .append("| mode | cold GET | cold HEAD | cold LIST | warm GET per pass |")
        .append(" warm HEAD per pass | warm LIST per pass |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|\n")
        .append(rows);
  }

  /** Totals of a named subset of the queries, per mode. */
  private void setTable(StringBuilder md, String ref, String name, List<String> set) {
    md.append("\n## The ").append(name).append(" set (").append(String.join(" ", set))
        .append(") together\n\n");
    md.append("| mode | cold total s | cold speedup | warm total s | warm speedup |\n");
    md.append("|---|---:|---:|---:|---:|\n");
    double refCold = 0;
    double refWarm = 0;
    for (String q : set) {
      refCold += coldMs(ref, q);
      refWarm += warmMs(ref, q);
    }
    for (String m : measuredModes()) {
      double cold = 0;
      double warm = 0;
      boolean all = true;
      for (String q : set) {
        all &= ok(m, q);
        cold += coldMs(m, q);
        warm += warmMs(m, q);
      }
      if (!all) {
        md.append("| ").append(m).append(" | failed | | | |\n");
        continue;
      }
      md.append("| ").append(m).append(" | ").append(f2(cold / 1e3)).append(" | ")
          .append(ratio(refCold, cold)).append(" | ").append(f2(warm / 1e3)).append(" | ")
          .append(ratio(refWarm, warm)).append(" |\n");
    }
  }

  private void queryTable(StringBuilder md, String ref, boolean cold) {
    md.append("| query |");
    StringBuilder rule = new StringBuilder("|---|");
    for (String m : modes) {
      if (records.containsKey(m)) {
        md.append(' ').append(m).append(" |");
        rule.append("---:|");
        if (!m.equals(ref)) {
          md.append(" × |");
          rule.append("---:|");
        }
      }
    }
    md.append('\n').append(rule).append('\n');
    for (String q : queries) {
      md.append("| ").append(q).append(" |");
      boolean refOk = ok(ref, q);
      for (String m : modes) {
        if (!records.containsKey(m)) {
          continue;
        }
        boolean ok = ok(m, q);
        md.append(' ').append(ok ? f0(cold ? coldMs(m, q) : warmMs(m, q)) : "failed")
            .append(" |");
        if (!m.equals(ref)) {
          md.append(' ').append(ok && refOk ? ratio(cold ? coldMs(ref, q) : warmMs(ref, q),
              cold ? coldMs(m, q) : warmMs(m, q)) : "-").append(" |");
        }
      }
      md.append('\n');
    }
  }

  private String resultsOf(String mode, String ref) {
    int bad = 0;
    for (String p : problems()) {
      if (p.startsWith(mode + " ")) {
        bad++;
      }
    }
    if (bad > 0) {
      return "**" + bad + " wrong or failed**";
    }
    return mode.equals(ref) ? "reference" : "all match";
  }

  /** Sum over the queries of the cold or warm medians, in ms. */
  double total(String mode, boolean cold) {
    if (mode == null || !records.containsKey(mode)) {
      return Double.NaN;
    }
    double sum = 0;
    for (String q : records.get(mode).keySet()) {
      sum += cold ? coldMs(mode, q) : warmMs(mode, q);
    }
    return sum;
  }

  private static String ratio(double reference, double value) {
    if (!(reference > 0) || !(value > 0)) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.2f", reference / value);
  }

  private static String f0(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String f1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String f2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
