// SPDX-License-Identifier: Apache-2.0
// ResultRows -- a query's rows in a canonical, exactly comparable form, and their checksum
package io.cellar.it.tpcds;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.sql.Row;
import scala.collection.Iterator;

/**
 * Query results as sorted canonical strings, so that two runs compare exactly: every distinct
 * value prints distinctly (doubles and floats by their bits, so -0.0, NaN payloads and the last
 * bit of a sum count; decimals with their scale; values tagged with their class). Rows are
 * sorted, which also makes queries with ties in their ORDER BY comparable, as Spark's own
 * TPC-DS suite compares them.
 */
public final class ResultRows {
  private ResultRows() {}

  /** The sorted canonical rows of collected results. */
  public static List<String> canonical(List<Row> rows) {
    List<String> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(value(r));
    }
    out.sort(null);
    return out;
  }

  /** One value in canonical form. */
  public static String value(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Double d) {
      return "d" + Long.toHexString(Double.doubleToRawLongBits(d));
    }
    if (v instanceof Float f) {
      return "f" + Integer.toHexString(Float.floatToRawIntBits(f));
    }
    if (v instanceof byte[] b) {
      return "0x" + HexFormat.of().formatHex(b);
    }
    if (v instanceof Row r) {
      StringBuilder sb = new StringBuilder("{");
      for (int i = 0; i < r.length(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(value(r.get(i)));
      }
      return sb.append('}').toString();
    }
    if (v instanceof scala.collection.Map<?, ?> m) {
      List<String> entries = new ArrayList<>();
      Iterator<?> it = m.iterator();
      while (it.hasNext()) {
        scala.Tuple2<?, ?> e = (scala.Tuple2<?, ?>) it.next();
        entries.add(value(e._1()) + "->" + value(e._2()));
      }
      entries.sort(null);
      return "M(" + String.join(",", entries) + ")";
    }
    if (v instanceof scala.collection.Seq<?> s) {
      List<String> items = new ArrayList<>();
      Iterator<?> it = s.iterator();
      while (it.hasNext()) {
        items.add(value(it.next()));
      }
      return "[" + String.join(",", items) + "]";
    }
    if (v instanceof java.sql.Timestamp t) {
      return "ts" + t.getTime() + "." + t.getNanos();
    }
    return v.getClass().getSimpleName() + ":" + v;
  }

  /** A short hash of canonical rows: the first 16 hex digits of their SHA-256. */
  public static String checksum(List<String> canonicalRows) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String r : canonicalRows) {
        md.update(r.getBytes(StandardCharsets.UTF_8));
        md.update((byte) '\n');
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
