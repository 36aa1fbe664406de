// SPDX-License-Identifier: Apache-2.0
// CellarSampleEvent -- one sample of every executor's cache, on the listener bus and in event logs
package io.cellar.spark.ui;

import io.cellar.spark.exec.CacheReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.scheduler.SparkListenerEvent;

/**
 * The figures of every executor's tiers and the most cached tables at one moment. The driver
 * posts one per sample interval; Cellar's listener keeps them in the application's status
 * store, and the event log keeps them for the history server. Plain public fields and a no-arg
 * constructor, as the event log's JSON needs.
 */
public final class CellarSampleEvent implements SparkListenerEvent {
  /** One tier of one executor. */
  public static final class TierRow {
    public String executor;
    public int tier;
    public String medium;
    public long entries;
    public long used;
    public long size;
    public long hits;
    public long misses;
    public long evictions;
    public long promotions;
    public long demotions;

    public TierRow() {}
  }

  /** A table directory's chunks and bytes, summed over the executors. */
  public static final class TableRow {
    public String table;
    public long chunks;
    public long bytes;

    public TableRow() {}
  }

  /** Most tables a sample lists. */
  static final int TOP_TABLES = 10;

  /** Milliseconds since the epoch. */
  public long time;
  public List<TierRow> tiers = new ArrayList<>();
  public List<TableRow> tables = new ArrayList<>();

  public CellarSampleEvent() {}

  /** A sample of these reports, taken at {@code time}. */
  static CellarSampleEvent of(long time, List<CacheReport> reports) {
    CellarSampleEvent e = new CellarSampleEvent();
    e.time = time;
    Map<String, long[]> tables = new HashMap<>();
    for (CacheReport r : reports) {
      for (int i = 0; i < r.tiers.size(); i++) {
        CacheReport.Tier t = r.tiers.get(i);
        TierRow row = new TierRow();
        row.executor = r.executor;
        row.tier = i;
        row.medium = t.medium;
        row.entries = t.entries;
        row.used = t.used;
        row.size = t.size;
        row.hits = t.hits;
        row.misses = t.misses;
        row.evictions = t.evictions;
        row.promotions = t.promotions;
        row.demotions = t.demotions;
        e.tiers.add(row);
      }
      if (r.tables != null) {
        r.tables.forEach((k, v) -> {
          long[] sum = tables.computeIfAbsent(k, x -> new long[2]);
          sum[0] += v[0];
          sum[1] += v[1];
        });
      }
    }
    tables.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
        .limit(TOP_TABLES)
        .forEach(en -> {
          TableRow t = new TableRow();
          t.table = en.getKey();
          t.chunks = en.getValue()[0];
          t.bytes = en.getValue()[1];
          e.tables.add(t);
        });
    return e;
  }
}
