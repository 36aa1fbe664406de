// SPDX-License-Identifier: Apache-2.0
// BenchFormat -- the table formats the TPC-DS benchmark reads: plain Parquet or Delta Lake
package io.cellar.it.bench;

import io.cellar.it.tpcds.TpcdsDelta;
import java.nio.file.Path;
import java.util.List;

/** How the benchmark's tables are stored; every mode and storage setting runs per format. */
enum BenchFormat {
  /** Parquet tables over the generated files. */
  PARQUET("parquet", ""),
  /**
   * Delta Lake tables written from the generated files, file for file ({@link TpcdsDelta}); needs
   * Delta on the class path (the Spark 4.1 build has it).
   */
  DELTA("delta", "-delta");

  private final String label;
  private final String suffix;

  BenchFormat(String label, String suffix) {
    this.label = label;
    this.suffix = suffix;
  }

  String label() {
    return label;
  }

  /** The local directory of this format's tables, given the generated Parquet's. */
  Path dir(Path parquetDir) {
    return this == DELTA ? TpcdsDelta.dirFor(parquetDir) : parquetDir;
  }

  /** The name of a storage setting's results for this format: {@code local}, {@code local-delta}. */
  String label(Storage s) {
    return s.label() + suffix;
  }

  /** A storage setting's title for this format: "Delta tables on local disk". */
  String title(Storage s) {
    return this == DELTA ? s.title().replaceFirst("^Parquet", "Delta tables") : s.title();
  }

  /** The formats of a comma-separated list, in its order. */
  static List<BenchFormat> list(String text) {
    List<BenchFormat> r = OptionList.parse(text, values(), BenchFormat::label, "format",
        "format");
    if (r.contains(DELTA) && !TpcdsDelta.available()) {
      throw new IllegalArgumentException("--format delta needs Delta Lake, which is not on this"
          + " Spark line's class path; Delta runs with --spark 4.1");
    }
    return r;
  }
}
