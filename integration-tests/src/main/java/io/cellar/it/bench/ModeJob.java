// SPDX-License-Identifier: Apache-2.0
// ModeJob -- one mode's JVM in one round: its scratch space, pool directory, arguments, result
package io.cellar.it.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What the benchmark's main JVM needs to run one mode in a child JVM for one round, and to read
 * back what it measured: a scratch space of the mode's own (so that no run inherits another's
 * files), the file pool's directory of a mode that has one, the Spark settings and the child's
 * arguments.
 */
record ModeJob(BenchMode mode, int round, int rounds, Path scratch, Path poolDir, Path result,
    Map<String, String> conf, List<String> baseArgs, String tiers) {

  /** Makes the mode's directories for a round. */
  static ModeJob of(BenchMode m, BenchFormat format, BenchLayout layout, int round, int rounds,
      double scale, Path dir, Storage.Location location, List<String> queries, int warm,
      Path out, String tiers, Path localRoot) throws IOException {
    String label = m.label();
    Path scratch = Files.createTempDirectory(localRoot, "cellar-bench-spark-" + label + "-");
    Map<String, String> conf = new HashMap<>(location.sparkConf());
    conf.put("spark.local.dir", scratch.toString());
    Path poolDir = null;
    if (m == BenchMode.CELLAR_FILE || m == BenchMode.CELLAR_TIERED) {
      String spec = tiers.substring(tiers.indexOf("file:") + 5);
      poolDir = Path.of(spec.substring(0, spec.lastIndexOf(':')));
      Files.createDirectories(poolDir, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
    }
    Files.createDirectories(out.resolve("raw"));
    Path result = out.resolve("raw").resolve(rounds > 1 ? label + "-round" + round : label);
    List<String> args = List.of("mode", "--mode", label, "--format", format.label(), "--layout",
        layout.label(), "--scale", Double.toString(scale), "--dir", dir.toString(), "--location",
        location.uri(), "--queries", String.join(",", queries), "--warm", Integer.toString(warm),
        "--tiers", tiers);
    return new ModeJob(m, round, rounds, scratch, poolDir, result, conf, args, tiers);
  }

  String label() {
    return mode.label();
  }

  /** The child's arguments: with the result path it runs the whole set by itself. */
  List<String> args(boolean withResult) {
    List<String> a = new ArrayList<>(baseArgs);
    if (withResult) {
      a.add("--result");
      a.add(result.toString());
    }
    return a;
  }

  /** A line that says which mode runs, in which round, on which tiers. */
  String describe() {
    return "mode " + label() + (rounds > 1 ? ", round " + round + " of " + rounds : "")
        + (tiers.isEmpty() ? "" : " (tiers " + tiers + ")");
  }

  /** Removes the scratch space and the pool directory. */
  void clean() throws IOException {
    if (poolDir != null) {
      TpcdsBench.deleteTree(poolDir);
    }
    TpcdsBench.deleteTree(scratch);
  }

  /** Adds what the child wrote to the report, or the mode's failure when it wrote nothing. */
  void collect(Report report, int rc) throws IOException {
    Path tsv = Path.of(result + ".tsv");
    if (rc != 0 || !Files.exists(tsv)) {
      report.failed(label(), "the mode's JVM exited with " + rc + " in round " + round);
      return;
    }
    List<QueryRecord> rs = new ArrayList<>();
    for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
      rs.add(QueryRecord.parse(line));
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(result + ".properties"))) {
      p.load(in);
    }
    report.add(label(), rs, p);
  }
}
