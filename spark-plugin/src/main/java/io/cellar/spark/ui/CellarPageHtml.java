// SPDX-License-Identifier: Apache-2.0
// CellarPageHtml -- the body of the Cellar page in the Spark UI: tables and SVG charts
package io.cellar.spark.ui;

import io.cellar.spark.ui.CellarSampleEvent.TableRow;
import io.cellar.spark.ui.CellarSampleEvent.TierRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the samples as HTML: the latest figures per executor and tier (bytes used against
 * size, hit ratio, evictions, promotions and demotions), charts of bytes used, hit ratio and
 * evictions over time, and the most cached tables. Plain HTML and inline SVG, no script; every
 * figure row carries its numbers as {@code data-} attributes, which the browser test reads.
 */
public final class CellarPageHtml {
  private static final String[] COLORS = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"
  };
  private static final int W = 640;
  private static final int H = 180;
  private static final int PAD = 40;

  private CellarPageHtml() {}

  /** The page body for these samples, oldest first. */
  public static String render(List<CellarSampleEvent> samples) {
    StringBuilder b = new StringBuilder("<div id=\"cellar\">");
    if (samples.isEmpty()) {
      return b.append("<p id=\"cellar-empty\">No sample yet: Cellar samples the executors' caches"
          + " every spark.cellar.ui.sample-interval (with spark.plugins ="
          + " io.cellar.spark.CellarPlugin).</p></div>").toString();
    }
    CellarSampleEvent last = samples.get(samples.size() - 1);
    long used = 0;
    long size = 0;
    long hits = 0;
    long misses = 0;
    for (TierRow t : last.tiers) {
      used += t.used;
      size += t.size;
      hits += t.hits;
      misses += t.misses;
    }
    b.append("<p id=\"cellar-summary\" data-time=\"").append(last.time).append("\">Sample of ")
        .append(esc(Instant.ofEpochMilli(last.time).toString())).append(": ")
        .append(mib(used)).append(" of ").append(mib(size)).append(" MiB used in ")
        .append(last.tiers.size()).append(" tier(s); hit ratio ")
        .append(ratio(hits, misses)).append(" (").append(samples.size())
        .append(" samples)</p>");
    tiers(b, last);
    b.append("<h4>Bytes used (MiB) over time</h4>");
    chart(b, "cellar-chart-used", samples, series(samples, t -> t.used / 1048576.0), null);
    b.append("<h4>Hit ratio per sample interval, all tiers</h4>");
    chart(b, "cellar-chart-hits", samples, hitRatio(samples), 1.0);
    b.append("<h4>Evictions per sample interval</h4>");
    chart(b, "cellar-chart-evictions", samples, deltas(samples, t -> t.evictions), null);
    tables(b, last);
    return b.append("</div>").toString();
  }

  private static void tiers(StringBuilder b, CellarSampleEvent last) {
    b.append("<h4>Executors and tiers</h4><table id=\"cellar-tiers\" class=\"table"
        + " table-bordered table-sm\"><thead><tr><th>Executor</th><th>Tier</th><th>Medium</th>"
        + "<th>Entries</th><th>Used / size (MiB)</th><th>Hits</th><th>Misses</th>"
        + "<th>Hit ratio</th><th>Evictions</th><th>Promotions</th><th>Demotions</th></tr>"
        + "</thead><tbody>");
    for (TierRow t : last.tiers) {
      int pct = t.size == 0 ? 0 : (int) Math.min(100, 100 * t.used / t.size);
      b.append("<tr class=\"cellar-tier\" data-executor=\"").append(esc(t.executor))
          .append("\" data-tier=\"").append(t.tier).append("\" data-entries=\"")
          .append(t.entries).append("\" data-used=\"").append(t.used).append("\" data-size=\"")
          .append(t.size).append("\" data-hits=\"").append(t.hits).append("\" data-misses=\"")
          .append(t.misses).append("\" data-evictions=\"").append(t.evictions).append("\">")
          .append(td(esc(t.executor))).append(td(String.valueOf(t.tier)))
          .append(td(esc(t.medium))).append(td(String.valueOf(t.entries)))
          .append("<td><div style=\"background:#ddd;width:160px;height:10px\"><div style=\""
              + "background:#1f77b4;height:10px;width:").append(pct * 160 / 100)
          .append("px\"></div></div>").append(mib(t.used)).append(" / ").append(mib(t.size))
          .append("</td>").append(td(String.valueOf(t.hits))).append(td(String.valueOf(t.misses)))
          .append(td(ratio(t.hits, t.misses))).append(td(String.valueOf(t.evictions)))
          .append(td(String.valueOf(t.promotions))).append(td(String.valueOf(t.demotions)))
          .append("</tr>");
    }
    b.append("</tbody></table>");
  }

  private static void tables(StringBuilder b, CellarSampleEvent last) {
    b.append("<h4>Most cached tables</h4><table id=\"cellar-tables\" class=\"table"
        + " table-bordered table-sm\"><thead><tr><th>Table directory</th><th>Chunks</th>"
        + "<th>MiB</th></tr></thead><tbody>");
    for (TableRow t : last.tables) {
      b.append("<tr class=\"cellar-table\" data-chunks=\"").append(t.chunks)
          .append("\" data-bytes=\"").append(t.bytes).append("\">").append(td(esc(t.table)))
          .append(td(String.valueOf(t.chunks))).append(td(mib(t.bytes))).append("</tr>");
    }
    b.append("</tbody></table>");
  }

  private interface Figure {
    double of(TierRow t);
  }

  /** One series per executor and tier: the figure at each sample (NaN where absent). */
  private static Map<String, double[]> series(List<CellarSampleEvent> samples, Figure f) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (int i = 0; i < samples.size(); i++) {
      for (TierRow t : samples.get(i).tiers) {
        double[] s = out.computeIfAbsent(t.executor + " / tier " + t.tier, k -> {
          double[] a = new double[samples.size()];
          java.util.Arrays.fill(a, Double.NaN);
          return a;
        });
        s[i] = f.of(t);
      }
    }
    return out;
  }

  /** Per executor and tier: the growth of a counter since the previous sample. */
  private static Map<String, double[]> deltas(List<CellarSampleEvent> samples, Figure f) {
    Map<String, double[]> totals = series(samples, f);
    Map<String, double[]> out = new LinkedHashMap<>();
    totals.forEach((k, v) -> {
      double[] d = new double[v.length];
      d[0] = Double.NaN;
      for (int i = 1; i < v.length; i++) {
        d[i] = Double.isNaN(v[i]) || Double.isNaN(v[i - 1]) ? Double.NaN
            : Math.max(0, v[i] - v[i - 1]);
      }
      out.put(k, d);
    });
    return out;
  }

  /** The hit ratio of each interval over all tiers (NaN for an interval without reads). */
  private static Map<String, double[]> hitRatio(List<CellarSampleEvent> samples) {
    double[] r = new double[samples.size()];
    r[0] = Double.NaN;
    for (int i = 1; i < samples.size(); i++) {
      long h = 0;
      long m = 0;
      for (TierRow t : samples.get(i).tiers) {
        h += t.hits;
        m += t.misses;
      }
      for (TierRow t : samples.get(i - 1).tiers) {
        h -= t.hits;
        m -= t.misses;
      }
      r[i] = h + m <= 0 ? Double.NaN : (double) h / (h + m);
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    out.put("all tiers", r);
    return out;
  }

  /** A line chart of the series against the samples' times. */
  private static void chart(StringBuilder b, String id, List<CellarSampleEvent> samples,
      Map<String, double[]> series, Double fixedMax) {
    double max = fixedMax == null ? 0 : fixedMax;
    for (double[] s : series.values()) {
      for (double v : s) {
        if (!Double.isNaN(v)) {
          max = Math.max(max, v);
        }
      }
    }
    if (max <= 0) {
      max = 1;
    }
    long t0 = samples.get(0).time;
    long span = Math.max(1, samples.get(samples.size() - 1).time - t0);
    b.append("<svg id=\"").append(id).append("\" width=\"").append(W + 200)
        .append("\" height=\"").append(H + PAD).append("\" style=\"font:11px sans-serif\">")
        .append("<line x1=\"").append(PAD).append("\" y1=\"").append(H).append("\" x2=\"")
        .append(PAD + W).append("\" y2=\"").append(H).append("\" stroke=\"#888\"/>")
        .append("<line x1=\"").append(PAD).append("\" y1=\"10\" x2=\"").append(PAD)
        .append("\" y2=\"").append(H).append("\" stroke=\"#888\"/>")
        .append("<text x=\"2\" y=\"14\">").append(num(max)).append("</text>")
        .append("<text x=\"2\" y=\"").append(H).append("\">0</text>")
        .append("<text x=\"").append(PAD).append("\" y=\"").append(H + 16).append("\">")
        .append(esc(Instant.ofEpochMilli(t0).toString())).append("</text>")
        .append("<text x=\"").append(PAD + W - 40).append("\" y=\"").append(H + 16)
        .append("\">+").append(num(span / 1000.0)).append(" s</text>");
    int c = 0;
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      String color = COLORS[c % COLORS.length];
      List<String> points = new ArrayList<>();
      double[] v = e.getValue();
      for (int i = 0; i < v.length; i++) {
        if (Double.isNaN(v[i])) {
          continue;
        }
        double x = PAD + W * (double) (samples.get(i).time - t0) / span;
        double y = H - (H - 10) * v[i] / max;
        points.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
      }
      if (!points.isEmpty()) {
        b.append("<polyline class=\"cellar-series\" fill=\"none\" stroke-width=\"2\" stroke=\"")
            .append(color).append("\" points=\"").append(String.join(" ", points))
            .append("\"/>");
      }
      b.append("<text x=\"").append(PAD + W + 10).append("\" y=\"").append(20 + 14 * c)
          .append("\" fill=\"").append(color).append("\">").append(esc(e.getKey()))
          .append("</text>");
      c++;
    }
    b.append("</svg>");
  }

  private static String td(String s) {
    return "<td>" + s + "</td>";
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.2f", v);
  }

  private static String ratio(long hits, long misses) {
    return hits + misses == 0 ? "-" : String.format(Locale.ROOT, "%.3f",
        (double) hits / (hits + misses));
  }

  /** Text made safe for HTML. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder();
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }
}
