// SPDX-License-Identifier: Apache-2.0
// ReadSettings -- what a cached scan needs on the executors, captured when the query is planned
package io.cellar.spark.read;

import io.cellar.spark.conf.CellarConf;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.execution.datasources.parquet.ParquetOptions;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/** The settings of one scan, as serializable plain values. */
public final class ReadSettings implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The relation option that marks a relation read through Cellar (see SwapParquetFormatRule). */
  public static final String MARKER = "cellar.cached";

  final StructType requiredSchema;
  final StructType partitionSchema;
  final Filter[] filters;
  final int batchSize;
  final String datetimeRebaseMode;
  final String int96RebaseMode;
  final boolean int96TimestampConversion;
  final String sessionTimeZone;
  final boolean filterPushDown;
  final boolean pushDownDate;
  final boolean pushDownTimestamp;
  final boolean pushDownDecimal;
  final boolean pushDownStringPredicate;
  final int pushDownInFilterThreshold;
  final boolean caseSensitive;
  final long chunkMaxBytes;
  final boolean strict;
  /** Whether files written with Parquet modular encryption may be cached. */
  final boolean cacheEncrypted;
  /** Whether reads use the one shared security scope instead of their own. */
  final boolean sharedScope;
  /** Every setting that can change decoded values, for the chunks' profile digests. */
  final String profileBase;
  /** Per requested column, how it is made when it is not read from the file; else null. */
  final GeneratedColumn[] generated;
  /** Whether each file's existence is confirmed before any of it is served from the cache. */
  final boolean confirmFiles;

  public ReadSettings(
      SQLConf conf,
      StructType requiredSchema,
      StructType partitionSchema,
      Filter[] filters,
      scala.collection.immutable.Map<String, String> options) {
    this(conf, requiredSchema, partitionSchema, filters, options, Map.of(), false);
  }

  /**
   * The settings of a scan some of whose requested columns, named in {@code generated}, are made
   * by the reader (a table format's columns); Spark's row-index column always is. With {@code
   * confirmFiles}, a file is looked up before it is served, so that a file deleted since the
   * scan's file list was made fails the read as it would uncached (a table format's old
   * snapshot whose files were vacuumed), instead of being served from the cache.
   */
  public ReadSettings(
      SQLConf conf,
      StructType requiredSchema,
      StructType partitionSchema,
      Filter[] filters,
      scala.collection.immutable.Map<String, String> options,
      Map<String, GeneratedColumn> generated,
      boolean confirmFiles) {
    this.requiredSchema = requiredSchema;
    this.partitionSchema = partitionSchema;
    this.filters = filters.clone();
    ParquetOptions po = new ParquetOptions(options, conf);
    this.batchSize = conf.parquetVectorizedReaderBatchSize();
    this.datetimeRebaseMode = po.datetimeRebaseModeInRead();
    this.int96RebaseMode = po.int96RebaseModeInRead();
    this.int96TimestampConversion = conf.isParquetINT96TimestampConversion();
    this.sessionTimeZone = conf.sessionLocalTimeZone();
    this.filterPushDown = conf.parquetFilterPushDown();
    this.pushDownDate = conf.parquetFilterPushDownDate();
    this.pushDownTimestamp = conf.parquetFilterPushDownTimestamp();
    this.pushDownDecimal = conf.parquetFilterPushDownDecimal();
    this.pushDownStringPredicate = conf.parquetFilterPushDownStringPredicate();
    this.pushDownInFilterThreshold = conf.parquetFilterPushDownInFilterThreshold();
    this.caseSensitive = conf.caseSensitiveAnalysis();
    this.chunkMaxBytes = CellarConf.CHUNK_MAX_BYTES.from(k -> conf.getConfString(k, null));
    this.strict = CellarConf.TEST_STRICT.from(k -> conf.getConfString(k, null));
    this.cacheEncrypted = CellarConf.CACHE_ENCRYPTED.from(k -> conf.getConfString(k, null));
    this.sharedScope = CellarConf.SHARED_SCOPE.from(k -> conf.getConfString(k, null));
    this.profileBase = profile(conf, options);
    this.confirmFiles = confirmFiles;
    String[] names = requiredSchema.fieldNames();
    this.generated = new GeneratedColumn[names.length];
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(ParquetFileFormat.ROW_INDEX_TEMPORARY_COLUMN_NAME())) {
        this.generated[i] = new RowIndexColumn();
      } else {
        this.generated[i] = generated.get(names[i]);
      }
    }
  }

  /**
   * The settings that shape decoded values: every explicitly set Parquet and legacy Parquet SQL
   * setting, case sensitivity, the session time zone, the scan's options and Spark's version.
   */
  private static String profile(SQLConf conf, scala.collection.immutable.Map<String, String> opts) {
    TreeMap<String, String> p = new TreeMap<>();
    // Scala maps walked by their own iterator, which is the same class on Scala 2.12 and 2.13
    var all = conf.getAllConfs().iterator();
    while (all.hasNext()) {
      Tuple2<String, String> e = all.next();
      String k = e._1();
      if (k.startsWith("spark.sql.parquet.") || k.startsWith("spark.sql.legacy.parquet.")
          || k.startsWith("spark.sql.legacy.") && k.contains("ebase")) {
        p.put(k, e._2());
      }
    }
    p.put("caseSensitive", Boolean.toString(conf.caseSensitiveAnalysis()));
    p.put("timeZone", conf.sessionLocalTimeZone());
    p.put("sparkVersion", org.apache.spark.package$.MODULE$.SPARK_VERSION());
    var options = opts.iterator();
    while (options.hasNext()) {
      Tuple2<String, String> e = options.next();
      if (!e._1().equals("returning_batch") && !e._1().equals("path")
          && !e._1().equals(MARKER)) {
        p.put("option." + e._1(), e._2());
      }
    }
    return p.toString();
  }
}
