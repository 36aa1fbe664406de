// SPDX-License-Identifier: Apache-2.0
// SpeedupChart -- the benchmark's PNG: warm speedup over vanilla per query, one bar series per mode
package io.cellar.it.bench;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Draws the report's per-query warm speedups with XChart: one group of bars per query, one bar
 * per mode other than the reference (vanilla), and a final group with the total over all queries.
 * A bar above 1 is faster than vanilla; a query a mode failed is drawn at 0.
 */
final class SpeedupChart {
  private static final Color[] PALETTE = {
      new Color(0x9e9e9e), new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xd62728),
      new Color(0x9467bd), new Color(0xff7f0e)};

  private SpeedupChart() {}

  /** Whether this machine has a font AWT can draw with (fontconfig and one font installed). */
  static boolean fontsAvailable() {
    System.setProperty("java.awt.headless", "true");
    try {
      return java.awt.GraphicsEnvironment.getLocalGraphicsEnvironment()
          .getAvailableFontFamilyNames().length > 0;
    } catch (RuntimeException | Error e) {
      return false;
    }
  }

  /** Writes the chart of the report as a PNG file (the path gets no second extension). */
  static void write(Report report, String title, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> queries = report.queries();
    String ref = report.reference();
    List<String> modes = new ArrayList<>(report.measuredModes());
    modes.remove(ref);
    int width = Math.max(900, 140 + queries.size() * Math.max(1, modes.size()) * 9);
    CategoryChart chart = new CategoryChartBuilder()
        .width(width)
        .height(520)
        .title(title)
        .xAxisTitle("query (last group: all queries together)")
        .yAxisTitle("warm speedup over " + ref + " (x)")
        .build();
    Styler st = chart.getStyler();
    st.setLegendPosition(Styler.LegendPosition.InsideNW);
    st.setSeriesColors(PALETTE);
    chart.getStyler().setXAxisLabelRotation(queries.size() > 12 ? 90 : 0);
    chart.getStyler().setAvailableSpaceFill(0.85);
    chart.getStyler().setYAxisMin(0.0);

    List<String> x = new ArrayList<>(queries);
    x.add("total");
    for (String m : modes) {
      List<Double> y = new ArrayList<>();
      double refTotal = 0;
      double total = 0;
      boolean all = true;
      for (String q : queries) {
        double s = report.warmSpeedup(m, q);
        y.add(Double.isNaN(s) ? 0.0 : s);
        if (Double.isNaN(s)) {
          all = false;
        } else {
          refTotal += report.warmMs(ref, q);
          total += report.warmMs(m, q);
        }
      }
      y.add(all && total > 0 ? refTotal / total : 0.0);
      chart.addSeries(m, x, y);
    }
    if (modes.isEmpty()) {
      chart.addSeries(ref, x, x.stream().map(q -> 1.0).toList());
    }
    String file = png.toString();
    String base = file.endsWith(".png") ? file.substring(0, file.length() - 4) : file;
    BitmapEncoder.saveBitmapWithDPI(chart, base, BitmapEncoder.BitmapFormat.PNG, 110);
  }
}
