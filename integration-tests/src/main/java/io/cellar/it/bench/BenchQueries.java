// SPDX-License-Identifier: Apache-2.0
// BenchQueries -- the query sets of the benchmark: TPC-DS by name, io9, all, and a store_sales scan
package io.cellar.it.bench;

import io.cellar.it.tpcds.TpcdsData;
import io.cellar.it.tpcds.TpcdsQueries;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Names and text of the benchmark's queries. */
public final class BenchQueries {
  /** The scan-heavy single-table query. */
  public static final String SCAN = "ss_scan";

  /**
   * Eight store_sales columns read whole (no filter, so no row group is skipped), aggregated by a
   * low-cardinality column: decoding dominates, the aggregate and the shuffle are tiny.
   */
  static final String SCAN_SQL = String.join("\n",
      "SELECT ss_store_sk,",
      "  count(*) AS cnt,",
      "  sum(ss_quantity) AS quantity,",
      "  sum(ss_wholesale_cost) AS wholesale_cost,",
      "  sum(ss_list_price) AS list_price,",
      "  sum(ss_sales_price) AS sales_price,",
      "  sum(ss_ext_discount_amt) AS ext_discount_amt,",
      "  sum(ss_net_paid) AS net_paid,",
      "  sum(ss_net_profit) AS net_profit,",
      "  max(ss_sold_date_sk) AS last_day",
      "FROM store_sales",
      "GROUP BY ss_store_sk",
      "ORDER BY ss_store_sk");

  private BenchQueries() {}

  /**
   * Expands a comma-separated list of query names and set names ({@code scan}, {@code io9},
   * {@code all}) into query names, in the order given, without repeats.
   *
   * @throws IllegalArgumentException on an unknown name
   */
  public static List<String> expand(String spec) {
    Set<String> out = new LinkedHashSet<>();
    List<String> all = TpcdsQueries.names();
    for (String raw : spec.split(",")) {
      String n = raw.trim();
      if (n.isEmpty()) {
        continue;
      }
      switch (n) {
        case "scan", SCAN -> out.add(SCAN);
        case "io9" -> out.addAll(TpcdsQueries.IO9);
        case "all" -> out.addAll(all);
        default -> {
          if (!all.contains(n)) {
            throw new IllegalArgumentException("unknown query '" + n + "': a TPC-DS query name"
                + " (q1 ... q99, q14a ...), scan, io9 or all");
          }
          out.add(n);
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no query in '" + spec + "'");
    }
    return new ArrayList<>(out);
  }

  /** The SQL text of a query. */
  public static String sql(String name) {
    return SCAN.equals(name) ? SCAN_SQL : TpcdsQueries.sql(name);
  }

  /** The TPC-DS tables the given queries read, sorted. */
  public static Set<String> tables(List<String> queries) {
    Set<String> out = new TreeSet<>();
    List<String> names = TpcdsData.tables();
    for (String q : queries) {
      out.addAll(TpcdsQueries.tablesOf(sql(q), names));
    }
    return out;
  }
}
