// SPDX-License-Identifier: Apache-2.0
// CellarConf -- every configuration key of Cellar, in one typed registry
package io.cellar.spark.conf;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The registry of Cellar's configuration keys. STARTUP keys are read from the SparkConf when an
 * executor's cache starts; RUNTIME keys from the session's SQL configuration when a query is
 * planned. {@code docs/configuration.md} is generated from here ({@link ConfDocs}).
 */
public final class CellarConf {
  /** What {@code spark.cellar.sql.explain} logs. */
  public enum Explain {
    NONE,
    NOT_CACHED,
    ALL
  }

  public static final String PREFIX = "spark.cellar.";

  public static final ConfEntry<Boolean> ENABLED =
      ConfEntry.conf("spark.cellar.enabled")
          .doc("Serve Parquet scans from the cache. Set to false in a session to read every"
              + " query of that session as Spark alone would.")
          .booleanConf(true);

  public static final ConfEntry<String> TIERS =
      ConfEntry.conf("spark.cellar.tiers")
          .doc("The cache tiers of each executor, top first: dram:SIZE, pmem:PATH[:SIZE],"
              + " file:PATH:SIZE, e.g. dram:2g,pmem:/mnt/pmem0:64g. A tier whose path cannot be"
              + " used is left out with a warning. Empty: one DRAM tier of"
              + " spark.cellar.tier.dram.fraction of the executor memory. DRAM tiers are native"
              + " memory outside the JVM heap: add their size to spark.executor.memoryOverhead.")
          .startup()
          .check(s -> validTiers((String) s), TierSpec.SYNTAX)
          .stringConf("");

  public static final ConfEntry<Double> DRAM_FRACTION =
      ConfEntry.conf("spark.cellar.tier.dram.fraction")
          .doc("Size of the default DRAM tier (when spark.cellar.tiers is empty), as a fraction"
              + " of spark.executor.memory (the driver's memory in local mode), at least 64m.")
          .startup()
          .check(v -> (Double) v > 0 && (Double) v <= 1, "a number in (0, 1]")
          .doubleConf(0.2);

  public static final ConfEntry<Long> EXTENT_SIZE =
      ConfEntry.conf("spark.cellar.pool.extent-size")
          .doc("Allocation unit of the cache pools; a chunk wastes half of one on average.")
          .startup()
          .check(v -> (Long) v >= 256 && (Long) v <= (64L << 20), "a size from 256 to 64m")
          .bytesConf("16k");

  public static final ConfEntry<Long> PUT_WAIT =
      ConfEntry.conf("spark.cellar.pool.put-wait")
          .doc("How long adding a chunk may wait for other tasks to release the space of evicted"
              + " chunks they still read; after that the chunk is not cached this time.")
          .startup()
          .check(v -> (Long) v >= 0 && (Long) v <= 60_000, "a duration from 0 to 60s")
          .timeMsConf("100ms");

  public static final ConfEntry<String> POLICY =
      ConfEntry.conf("spark.cellar.pool.policy")
          .doc("Replacement policy of every tier. s3fifo: scan-resistant S3-FIFO; a new chunk is"
              + " on probation in a small queue and stays only if read again there, so a scan"
              + " that reads its chunks once does not push out the chunks that are read again"
              + " and again; a read below the top tier moves a chunk up only when repeated."
              + " lru: least recently used, every read below the top moves the chunk up.")
          .startup()
          .check(v -> v.equals("s3fifo") || v.equals("lru"), "s3fifo or lru")
          .stringConf("s3fifo");

  public static final ConfEntry<Boolean> PREFAULT =
      ConfEntry.conf("spark.cellar.pool.prefault.enabled")
          .doc("Commit the memory of DRAM tiers in the background from the moment the cache"
              + " opens, at the lowest CPU priority (nice 19), as transparent huge pages where"
              + " the kernel gives them on request (Linux 5.14 or later), so that a query that"
              + " fills the cache copies into memory already there instead of faulting it in."
              + " The executor's resident memory then holds the whole DRAM tier early rather"
              + " than as the cache fills, so size the tier within the executor's memory"
              + " overhead as you must anyway. false commits memory as chunks arrive, in 4 KiB"
              + " pages.")
          .startup()
          .booleanConf(true);

  public static final ConfEntry<Boolean> UI_ENABLED =
      ConfEntry.conf("spark.cellar.ui.enabled")
          .doc("With spark.plugins, sample every executor's cache every"
              + " spark.cellar.ui.sample-interval for the Cellar tab of the Spark UI and, through"
              + " the event log, of the history server (which needs Cellar's jar on its class"
              + " path).")
          .startup()
          .booleanConf(true);

  public static final ConfEntry<Long> UI_SAMPLE_INTERVAL =
      ConfEntry.conf("spark.cellar.ui.sample-interval")
          .doc("How often the driver samples the executors' caches for the Cellar tab; each"
              + " sample is one small event in the event log. The tab keeps the last 720.")
          .startup()
          .check(v -> (Long) v >= 100 && (Long) v <= 600_000, "a duration from 100ms to 10min")
          .timeMsConf("5s");

  public static final ConfEntry<Long> WRITE_DOWN_TIMEOUT =
      ConfEntry.conf("spark.cellar.tiers.write-down.timeout")
          .doc("At a clean executor stop, how long Cellar may spend writing the chunks of the tiers"
              + " above a persistent tier down into it (least recently used first), so that the"
              + " restarted executor finds its hot set too. What is left when the time runs out is"
              + " not kept; 0 writes nothing down. Keep"
              + " it below the time your cluster manager gives a stopping executor before it kills"
              + " it (YARN: yarn.nodemanager.sleep-delay-before-sigkill.ms).")
          .startup()
          .check(v -> (Long) v >= 0 && (Long) v <= 600_000, "a duration from 0 to 10min")
          .timeMsConf("10s");

  public static final ConfEntry<Integer> FOOTER_CACHE_ENTRIES =
      ConfEntry.conf("spark.cellar.footer-cache.entries")
          .doc("Parquet footers (and row-group filter results) each executor keeps in its heap,"
              + " so that a scan served from the cache opens no file.")
          .startup()
          .check(v -> (Integer) v >= 0, "an integer, 0 or more")
          .intConf(4096);

  public static final ConfEntry<Long> CHUNK_MAX_BYTES =
      ConfEntry.conf("spark.cellar.chunk.max-bytes")
          .doc("A decoded column chunk larger than this is read by Spark's reader and not cached"
              + " (it would be held in memory whole while its row group is decoded).")
          // VAR nodes use int32 offsets, and the limit is checked only after a whole batch
          .check(v -> (Long) v >= (1L << 20) && (Long) v <= (1L << 30), "a size from 1m to 1g")
          .bytesConf("256m");

  public static final ConfEntry<Integer> BUILD_THREADS =
      ConfEntry.conf("spark.cellar.build.threads")
          .doc("Threads per executor that build column chunks beside the tasks: a task copies"
              + " each decoded batch it must cache (a memory copy) and goes on decoding, and a"
              + " helper appends the copy to the chunk being built. A task never waits for a"
              + " helper, only for the one batch a helper may be appending when the task needs"
              + " the chunk whole; what no helper took, the task builds itself. They pay where a"
              + " core has no task (a table of few row groups); 0 builds on the tasks only.")
          .startup()
          .check(v -> (Integer) v >= 0 && (Integer) v <= 64, "an integer from 0 to 64")
          .intConf(1);

  public static final ConfEntry<Long> BUILD_PENDING_BYTES =
      ConfEntry.conf("spark.cellar.build.pending-bytes")
          .doc("Native memory per executor for batches copied for the build helpers and not yet"
              + " appended. Over it, tasks build on their own threads until the helpers catch"
              + " up (shown in the executor metric build.pending.bytes); 0 copies nothing.")
          .startup()
          .check(v -> (Long) v >= 0 && (Long) v <= (4L << 30), "a size from 0 to 4g")
          .bytesConf("64m");

  public static final ConfEntry<Long> BUILD_ARENA_BYTES =
      ConfEntry.conf("spark.cellar.build.arena-bytes")
          .doc("Native memory per executor, kept mapped for its life, in which column chunks are"
              + " built before they are copied into the cache. Memory fresh from the system is"
              + " zeroed page by page at its first write, which costs a cold build much of its"
              + " time; with spark.cellar.pool.prefault.enabled the arena is committed ahead of"
              + " use, beside the DRAM tiers. A chunk larger than 64 MiB, or one the arena has no"
              + " room for, is built in memory from the system, and given back after. Count it in"
              + " the executor's memory overhead; 0 builds every chunk in memory from the system.")
          .startup()
          .check(v -> (Long) v == 0 || ((Long) v >= (1L << 20) && (Long) v <= (16L << 30)),
              "0, or a size from 1m to 16g")
          .bytesConf("128m");

  public static final ConfEntry<Boolean> CACHE_ENCRYPTED =
      ConfEntry.conf("spark.cellar.cache.encrypted-files.enabled")
          .doc("Cache files written with Parquet modular encryption. Off, such files are read by"
              + " Spark's reader with the session's keys, and nothing of them (footer or chunk) is"
              + " kept or served. On, their decrypted chunks are kept in the executors' caches,"
              + " in the clear, and served to any reader on those executors: turn it on only"
              + " where everyone who can run queries may read those files.")
          .booleanConf(false);

  public static final ConfEntry<Boolean> SHARED_SCOPE =
      ConfEntry.conf("spark.cellar.security.shared-scope.enabled")
          .doc("Serve cached data across security scopes. By default a cached chunk or footer is"
              + " served only to a read by the same Hadoop user with the same credential and"
              + " encryption settings (S3A, ABFS and GCS credentials and providers, server-side"
              + " encryption keys, Hadoop credential providers, Parquet encryption settings) as"
              + " the read that cached it. On, a session's reads use one shared scope: they are"
              + " served what any session with this setting cached, and what they cache is"
              + " served to any of them. For single-tenant clusters.")
          .booleanConf(false);

  /** The table property by which a table opts out of caching ({@code 'cellar.cache' = 'false'}). */
  public static final String TABLE_PROPERTY = "cellar.cache";

  /** Whether a table property's value opts the table out of caching. */
  public static boolean optsOut(String propertyValue) {
    return propertyValue != null && propertyValue.trim().equalsIgnoreCase("false");
  }

  public static final ConfEntry<String> INCLUDE_PATHS =
      ConfEntry.conf("spark.cellar.cache.include-paths")
          .doc("Cache only tables whose every root path matches one of these comma-separated"
              + " Hadoop glob patterns (a pattern matches a path or any of its parent"
              + " directories, with or without scheme and authority), e.g."
              + " s3a://lake/gold,/data/*/curated. Empty: every path. A table that is not"
              + " cached reads exactly as Spark alone.")
          .check(v -> PathFilter.valid((String) v), "comma-separated glob patterns")
          .stringConf("");

  public static final ConfEntry<String> EXCLUDE_PATHS =
      ConfEntry.conf("spark.cellar.cache.exclude-paths")
          .doc("Never cache tables with a root path that matches one of these comma-separated"
              + " Hadoop glob patterns (as spark.cellar.cache.include-paths), e.g."
              + " s3a://lake/raw,/tmp. Exclusion wins over inclusion. A table can also opt out"
              + " by itself with the table property 'cellar.cache' = 'false'.")
          .check(v -> PathFilter.valid((String) v), "comma-separated glob patterns")
          .stringConf("");

  public static final ConfEntry<Boolean> SCAN_NODE =
      ConfEntry.conf("spark.cellar.sql.scan-node.enabled")
          .doc("Show cached scans as CachedParquetScan nodes carrying Cellar's SQL metrics (chunks"
              + " from cache, chunks added, bytes, fallbacks). When false, scans are still"
              + " cached but show as plain FileScan nodes.")
          .booleanConf(true);

  public static final ConfEntry<Explain> EXPLAIN =
      ConfEntry.conf("spark.cellar.sql.explain")
          .doc("Log, at planning time, why scans or columns are not cached (NOT_CACHED) or every"
              + " decision (ALL).")
          .enumConf(Explain.class, Explain.NONE);

  public static final ConfEntry<Boolean> LOCALITY_ENABLED =
      ConfEntry.conf("spark.cellar.locality.enabled")
          .doc("Cache-aware scheduling (needs spark.plugins=io.cellar.spark.CellarPlugin and the"
              + " CachedParquetScan node): executors report the row groups they cache to the"
              + " driver, and a scan's splits prefer the executors that hold most of their bytes"
              + " (process-local), ahead of the block hosts.")
          .startup()
          .booleanConf(true);

  public static final ConfEntry<Long> LOCALITY_WAIT =
      ConfEntry.conf("spark.cellar.locality.wait")
          .doc("The longest a task waits for the executor that caches its split while another"
              + " could run it. Applied as Spark's spark.locality.wait.process when the"
              + " application sets neither that nor spark.locality.wait; otherwise Spark's"
              + " settings stand and this one only documents the intent. 0 turns the wait off:"
              + " preferences then only break ties.")
          .startup()
          .check(v -> (Long) v >= 0 && (Long) v <= 60_000, "a duration from 0 to 60s")
          .timeMsConf("1s");

  public static final ConfEntry<Integer> LOCALITY_MAX_PREFERRED =
      ConfEntry.conf("spark.cellar.locality.max-preferred")
          .doc("Executors a split names as preferred, most cached bytes first.")
          .startup()
          .check(v -> (Integer) v >= 1 && (Integer) v <= 16, "an integer from 1 to 16")
          .intConf(2);

  public static final ConfEntry<Boolean> LOCALITY_ASSIGN_UNCACHED =
      ConfEntry.conf("spark.cellar.locality.assign-uncached.enabled")
          .doc("Give a split that no executor caches one preferred executor by consistent"
              + " hashing of its file and offset, so that the first run already places data"
              + " where later runs look for it, and an executor joining or leaving moves only"
              + " its share of splits.")
          .startup()
          .booleanConf(true);

  public static final ConfEntry<Long> LOCALITY_REPORT_INTERVAL =
      ConfEntry.conf("spark.cellar.locality.report-interval")
          .doc("How often an executor sends what its cache gained and lost to the driver (at"
              + " most one message per interval).")
          .startup()
          .check(v -> (Long) v >= 10 && (Long) v <= 60_000, "a duration from 10ms to 60s")
          .timeMsConf("250ms");

  public static final ConfEntry<Integer> LOCALITY_REPORT_MAX_ENTRIES =
      ConfEntry.conf("spark.cellar.locality.report-max-entries")
          .doc("Row-group changes in one message to the driver; more wait for the next"
              + " interval (a full inventory goes at once).")
          .startup()
          .check(v -> (Integer) v >= 16 && (Integer) v <= 1_000_000,
              "an integer from 16 to 1000000")
          .intConf(8192);

  public static final ConfEntry<Boolean> TEST_STRICT =
      ConfEntry.conf("spark.cellar.test.strict.enabled")
          .doc("Tests only: fail a scan that falls back to Spark's reader because of an error"
              + " instead of warning.")
          .internal()
          .booleanConf(false);

  private CellarConf() {}

  private static boolean validTiers(String s) {
    TierSpec.parseList(s);
    return true;
  }

  /** Every setting of a SparkConf, as the map the registry's entries read. */
  public static Map<String, String> settings(org.apache.spark.SparkConf conf) {
    Map<String, String> m = new java.util.HashMap<>();
    for (scala.Tuple2<String, String> t : conf.getAll()) {
      m.put(t._1(), t._2());
    }
    return m;
  }

  /** Every entry, sorted by key. */
  public static List<ConfEntry<?>> entries() {
    List<ConfEntry<?>> all = new ArrayList<>();
    for (Field f : CellarConf.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfEntry.class) {
        try {
          all.add((ConfEntry<?>) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    all.sort(Comparator.comparing(ConfEntry::key));
    return Collections.unmodifiableList(all);
  }

  /** The entry of a key, or null. */
  public static ConfEntry<?> entry(String key) {
    for (ConfEntry<?> e : entries()) {
      if (e.key().equals(key)) {
        return e;
      }
    }
    return null;
  }

  /**
   * Checks every {@code spark.cellar.*} setting at once.
   *
   * @param settings the configuration to check
   * @param warnings receives a line for each unknown key, naming the closest known one
   * @throws IllegalArgumentException listing every invalid value, each with its key, value and
   *     what is allowed
   */
  public static void validate(Map<String, String> settings, List<String> warnings) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> s : settings.entrySet()) {
      if (!s.getKey().startsWith(PREFIX)) {
        continue;
      }
      ConfEntry<?> e = entry(s.getKey());
      if (e == null) {
        warnings.add("unknown configuration key " + s.getKey() + "; did you mean "
            + closest(s.getKey()) + "?");
        continue;
      }
      try {
        e.parse(s.getValue());
      } catch (IllegalArgumentException ex) {
        problems.add(ex.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      Collections.sort(problems);
      throw new IllegalArgumentException(
          "invalid Cellar configuration: " + String.join("; ", problems));
    }
  }

  static String closest(String key) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (ConfEntry<?> e : entries()) {
      int d = distance(key, e.key());
      if (d < bestDistance) {
        bestDistance = d;
        best = e.key();
      }
    }
    return best;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
