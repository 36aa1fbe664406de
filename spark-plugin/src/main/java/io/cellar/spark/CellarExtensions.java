// SPDX-License-Identifier: Apache-2.0
// CellarExtensions -- what spark.sql.extensions=io.cellar.spark.CellarExtensions switches on
package io.cellar.spark;

import io.cellar.spark.conf.CellarConf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSessionExtensions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.cellar.spark.shims.ParserShims;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * Cellar's entry point for {@code spark.sql.extensions}. It checks the {@code spark.cellar.*}
 * configuration when a session starts (an invalid value fails the session, naming key, value and
 * what is allowed), and installs the rule that reads Parquet relations through the cache, the
 * rule that shows cached scans with their metrics, and the parser of Cellar's statements
 * ({@code CELLAR WARM}, {@code CLEAR}, {@code STATUS}).
 */
public final class CellarExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  private static final Logger LOG = LoggerFactory.getLogger(CellarExtensions.class);
  private static final AtomicBoolean BANNER = new AtomicBoolean();

  @Override
  public BoxedUnit apply(SparkSessionExtensions ext) {
    // extensions are applied once the SparkContext exists, as the session is made: an invalid
    // setting fails the session here, before any query
    checkConfiguration(SparkContext.getOrCreate().getConf());
    ext.injectOptimizerRule(new AbstractFunction1<>() {
      @Override
      public SwapParquetFormatRule apply(org.apache.spark.sql.SparkSession session) {
        return new SwapParquetFormatRule(session);
      }
    });
    ext.injectColumnar(new AbstractFunction1<>() {
      @Override
      public CellarColumnarRule apply(org.apache.spark.sql.SparkSession session) {
        return new CellarColumnarRule(session);
      }
    });
    // CELLAR WARM / CLEAR / STATUS; every other statement goes to the parser it wraps
    ext.injectParser(new AbstractFunction2<org.apache.spark.sql.SparkSession, ParserInterface,
        ParserInterface>() {
      @Override
      public ParserInterface apply(org.apache.spark.sql.SparkSession session,
          ParserInterface delegate) {
        return ParserShims.wrap(delegate);
      }
    });
    return BoxedUnit.UNIT;
  }

  /**
   * On YARN and Kubernetes, a container is killed when its process uses more than heap plus
   * {@code spark.executor.memoryOverhead}. Cellar's DRAM tier is native memory outside Spark's
   * accounting, so the overhead must include it: says so when it visibly does not.
   *
   * @return the warning, or null
   */
  static String memoryWarning(Map<String, String> settings) {
    String master = settings.getOrDefault("spark.master", "");
    if (!master.startsWith("yarn") && !master.startsWith("k8s")) {
      return null;
    }
    long dram = 0;
    for (io.cellar.spark.conf.TierSpec t
        : io.cellar.spark.conf.TierSpec.parseList(CellarConf.TIERS.from(settings))) {
      if (!t.fileBacked()) {
        dram += t.size();
      }
    }
    long heap = org.apache.spark.network.util.JavaUtils.byteStringAsBytes(
        settings.getOrDefault("spark.executor.memory", "1g"));
    if (dram == 0 && CellarConf.TIERS.from(settings).isBlank()) {
      dram = Math.max(64L << 20, (long) (heap * CellarConf.DRAM_FRACTION.from(settings)));
    }
    String set = settings.get("spark.executor.memoryOverhead");
    long overhead = set == null ? Math.max(384L << 20, heap / 10)
        : org.apache.spark.network.util.JavaUtils.byteStringAsBytes(
            set.matches("\\d+") ? set + "m" : set);
    if (overhead >= dram + (384L << 20)) {
      return null;
    }
    return "the DRAM tier takes " + (dram >> 20) + " MiB of native memory per executor, but"
        + " spark.executor.memoryOverhead is " + (overhead >> 20) + " MiB; set it to at least "
        + ((dram + (384L << 20)) >> 20) + "m so that containers are not killed";
  }

  /**
   * Validates every {@code spark.cellar.*} setting and logs the banner once per JVM.
   *
   * @throws IllegalArgumentException listing every invalid value
   */
  static void checkConfiguration(SparkConf conf) {
    Map<String, String> settings = CellarConf.settings(conf);
    List<String> warnings = new ArrayList<>();
    CellarConf.validate(settings, warnings);
    if (BANNER.compareAndSet(false, true)) {
      for (String w : warnings) {
        LOG.warn("Cellar: {}", w);
      }
      LOG.info("Cellar {} active on Spark {} (tiers: {})", Version.CELLAR,
          org.apache.spark.package$.MODULE$.SPARK_VERSION(),
          settings.getOrDefault(CellarConf.TIERS.key(), "default DRAM tier"));
      String overhead = memoryWarning(settings);
      if (overhead != null) {
        LOG.warn("Cellar: {}", overhead);
      }
      if (!settings.getOrDefault("spark.plugins", "").contains(CellarPlugin.class.getName())) {
        LOG.warn("Cellar: spark.plugins does not name {}: executors open their cache at the"
            + " first cached scan and publish no cache metrics; add"
            + " --conf spark.plugins={} for both", CellarPlugin.class.getName(),
            CellarPlugin.class.getName());
      }
    }
  }
}
