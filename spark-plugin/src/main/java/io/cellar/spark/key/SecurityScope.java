// SPDX-License-Identifier: Apache-2.0
// SecurityScope -- who reads: the Hadoop user and the settings that decide what it may read
package io.cellar.spark.key;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * A reader's security scope: a digest of the Hadoop user the task runs as (and the real user
 * behind a proxy user) and of every setting of the read's Hadoop configuration that decides what
 * it may read: object-store credentials and credential providers (S3A, per bucket too, ABFS,
 * GCS), server-side encryption keys, Hadoop credential providers, and Parquet's modular
 * encryption settings. A cached chunk or footer is served only to a reader of the scope that
 * cached it, so a fully cached scan, which opens no file, never serves data to a reader whose
 * own credentials could not read it.
 *
 * <p>A single-tenant cluster may declare one shared scope instead; then only what was cached
 * under the shared scope is served, to anyone.
 *
 * <p>A persistent pool belongs to the scope of the application that made it ({@link
 * #ofApplication}): the Spark user and the application's {@code spark.hadoop.*} settings of the
 * same kinds. Only an application of the same scope reattaches it.
 *
 * <p>Thread-safe. The digest of a configuration is computed once per (configuration object,
 * user): a scan's configuration is one broadcast object per executor.
 */
public final class SecurityScope {
  /** Bytes of a scope. */
  public static final int BYTES = 16;

  /** The keys of a configuration that decide what a reader may read. */
  static final Pattern DECIDING = Pattern.compile(
      "fs\\.s3a\\.(bucket\\.[^.]+\\.)?(access\\.key|secret\\.key|session\\.token"
          + "|aws\\.credentials\\.provider|assumed\\.role\\..+|encryption\\..+"
          + "|server-side-encryption.*|security\\.credential\\.provider\\.path)"
          + "|fs\\.azure\\.(account\\..+|sas\\..+)"
          + "|fs\\.gs\\.auth\\..+|google\\.cloud\\.auth\\..+"
          + "|hadoop\\.security\\.credential\\.provider\\.path"
          + "|parquet\\.(crypto|encryption)\\..+");

  /** The first words of every key {@link #DECIDING} matches. */
  private static final String[] DECIDING_PREFIXES = {
    "fs.s3a.", "fs.azure.", "fs.gs.auth.", "google.cloud.auth.", "hadoop.security.", "parquet."
  };
  private static final String HADOOP_PREFIX = "spark.hadoop.";
  private static final byte[] SHARED = digest("shared scope");
  private static final Map<Configuration, Map<String, byte[]>> MEMO = new WeakHashMap<>();

  private SecurityScope() {}

  /**
   * The scope of a read with this configuration by the current Hadoop user, or the shared scope.
   *
   * @param conf the read's Hadoop configuration
   * @param shared whether the cluster declared one shared scope
   * @return {@link #BYTES} bytes
   */
  public static byte[] of(Configuration conf, boolean shared) {
    if (shared) {
      return SHARED.clone();
    }
    String user = user();
    synchronized (MEMO) {
      byte[] known = MEMO.computeIfAbsent(conf, c -> new TreeMap<>()).get(user);
      if (known != null) {
        return known.clone();
      }
    }
    byte[] scope = digest(user, conf);
    synchronized (MEMO) {
      MEMO.computeIfAbsent(conf, c -> new TreeMap<>()).put(user, scope);
    }
    return scope.clone();
  }

  /**
   * The scope of an application, which owns the persistent pools its executors make: the Spark
   * user ({@code SPARK_USER}, which Spark sets for every executor, else the process's Hadoop login
   * user) and the deciding settings among the application's {@code spark.hadoop.*} keys; or the
   * shared scope.
   *
   * @param sparkConf the application's SparkConf settings
   * @param shared whether the application declared one shared scope
   * @return {@link #BYTES} bytes
   */
  public static byte[] ofApplication(Map<String, String> sparkConf, boolean shared) {
    if (shared) {
      return SHARED.clone();
    }
    String user = System.getenv("SPARK_USER");
    if (user == null || user.isEmpty()) {
      try {
        user = UserGroupInformation.getLoginUser().getUserName();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot tell the Hadoop login user", e);
      }
    }
    Map<String, String> hadoop = new TreeMap<>();
    sparkConf.forEach((k, v) -> {
      if (k.startsWith(HADOOP_PREFIX)) {
        hadoop.put(k.substring(HADOOP_PREFIX.length()), v);
      }
    });
    return digest(user, hadoop.entrySet());
  }

  /** The digest of a user and the deciding keys among some settings. */
  private static byte[] digest(String user, Iterable<Map.Entry<String, String>> settings) {
    StringBuilder sb = new StringBuilder("user=").append(user);
    TreeMap<String, String> deciding = new TreeMap<>();
    for (Map.Entry<String, String> e : settings) {
      if (mayDecide(e.getKey()) && DECIDING.matcher(e.getKey()).matches()) {
        deciding.put(e.getKey(), e.getValue());
      }
    }
    deciding.forEach((k, v) -> sb.append('\0').append(k).append('=').append(v));
    return digest(sb.toString());
  }

  /** The current Hadoop user, with the real user behind a proxy user. */
  /**
   * Whether a key starts as one of {@link #DECIDING}'s alternatives does: a quick test that
   * spares the pattern the hundreds of other keys of a Hadoop configuration.
   */
  static boolean mayDecide(String key) {
    for (String p : DECIDING_PREFIXES) {
      if (key.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  private static String user() {
    try {
      UserGroupInformation ugi = UserGroupInformation.getCurrentUser();
      UserGroupInformation real = ugi.getRealUser();
      return ugi.getUserName() + (real == null ? "" : " via " + real.getUserName());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot tell the Hadoop user of this read", e);
    }
  }

  private static byte[] digest(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return Arrays.copyOf(d, BYTES);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
