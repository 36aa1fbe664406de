// SPDX-License-Identifier: Apache-2.0
// SparkParquetInternals -- the few Spark-internal helpers the cached reader shares with Spark's
package io.cellar.spark.read;

import java.util.Map;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.spark.sql.catalyst.util.RebaseDateTime;
import org.apache.spark.sql.execution.datasources.DataSourceUtils;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFilters;
import org.apache.spark.sql.sources.Filter;
import scala.Option;
import scala.runtime.AbstractFunction1;

/**
 * Calls into Spark's own Parquet helpers (rebase modes, filter push-down) so that the cached
 * reader decides exactly as Spark's reader does. These are not public Spark API; this class is the
 * one place that touches them, to be shimmed per Spark version.
 */
final class SparkParquetInternals {
  private SparkParquetInternals() {}

  private static final class Lookup extends AbstractFunction1<String, String> {
    private final Map<String, String> meta;

    Lookup(Map<String, String> meta) {
      this.meta = meta;
    }

    @Override
    public String apply(String key) {
      return meta.get(key);
    }
  }

  /** The rebase spec of dates and timestamps Spark applies to this file. */
  static RebaseDateTime.RebaseSpec datetimeRebase(FileMetaData meta, String modeInRead) {
    return DataSourceUtils.datetimeRebaseSpec(new Lookup(meta.getKeyValueMetaData()), modeInRead);
  }

  /** The rebase spec of INT96 timestamps Spark applies to this file. */
  static RebaseDateTime.RebaseSpec int96Rebase(FileMetaData meta, String modeInRead) {
    return DataSourceUtils.int96RebaseSpec(new Lookup(meta.getKeyValueMetaData()), modeInRead);
  }

  /** The row-group predicate Spark pushes into Parquet for this file, or null. */
  static FilterPredicate pushed(
      FileMetaData meta, ReadSettings s, RebaseDateTime.RebaseSpec datetimeRebase) {
    if (!s.filterPushDown || s.filters.length == 0) {
      return null;
    }
    ParquetFilters pf =
        new ParquetFilters(
            meta.getSchema(),
            s.pushDownDate,
            s.pushDownTimestamp,
            s.pushDownDecimal,
            s.pushDownStringPredicate,
            s.pushDownInFilterThreshold,
            s.caseSensitive,
            datetimeRebase);
    FilterPredicate all = null;
    for (Filter f : s.filters) {
      Option<FilterPredicate> p = pf.createFilter(f);
      if (p.isDefined()) {
        all = all == null ? p.get() : FilterApi.and(all, p.get());
      }
    }
    return all;
  }
}
