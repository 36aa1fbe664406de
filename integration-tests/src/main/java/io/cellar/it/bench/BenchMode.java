// SPDX-License-Identifier: Apache-2.0
// BenchMode -- the storage settings the TPC-DS benchmark compares
package io.cellar.it.bench;

import java.util.Locale;

/** One way of running the query set; each runs in its own JVM (see {@link TpcdsBench}). */
public enum BenchMode {
  /** Spark alone: Cellar's extension is loaded but {@code spark.cellar.enabled=false}. */
  VANILLA("vanilla", false),
  /** Spark's own {@code CACHE TABLE} on every table the query set reads, Cellar off. */
  CACHE_TABLE("cache-table", false),
  /** Cellar with one DRAM tier that holds the whole set. */
  CELLAR_DRAM("cellar-dram", true),
  /** Cellar with one file pool (under /dev/shm when usable). */
  CELLAR_FILE("cellar-file", true),
  /** Cellar with a small DRAM tier over a file pool, together smaller than the data. */
  CELLAR_TIERED("cellar-tiered", true);

  private final String label;
  private final boolean cellar;

  BenchMode(String label, boolean cellar) {
    this.label = label;
    this.cellar = cellar;
  }

  /** The name used on the command line and in reports. */
  public String label() {
    return label;
  }

  /** Whether Cellar serves the scans in this mode. */
  public boolean cellar() {
    return cellar;
  }

  /**
   * The mode of a label.
   *
   * @throws IllegalArgumentException naming the allowed labels
   */
  public static BenchMode of(String label) {
    for (BenchMode m : values()) {
      if (m.label.equals(label.trim().toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    StringBuilder allowed = new StringBuilder();
    for (BenchMode m : values()) {
      allowed.append(allowed.length() == 0 ? "" : ", ").append(m.label);
    }
    throw new IllegalArgumentException("unknown mode '" + label + "'; one of " + allowed);
  }
}
