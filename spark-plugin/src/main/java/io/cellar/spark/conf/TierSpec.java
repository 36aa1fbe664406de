// SPDX-License-Identifier: Apache-2.0
// TierSpec -- one tier of spark.cellar.tiers: DRAM, or a pool on a path
package io.cellar.spark.conf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.spark.network.util.JavaUtils;

/**
 * One tier of the stack named by {@code spark.cellar.tiers}, top first:
 *
 * <ul>
 *   <li>{@code dram:SIZE}: anonymous memory (only as the top tier);
 *   <li>{@code pmem:PATH:SIZE}: a pool file in directory PATH on persistent memory, CXL memory or
 *       a DAX file system, or the device-DAX device PATH ({@code :SIZE} optional for a device);
 *   <li>{@code file:PATH:SIZE}: a pool file in directory PATH on any file system (an SSD,
 *       {@code /dev/shm}).
 * </ul>
 *
 * <p>A pool file in a directory persists by default: a restarted executor finds its contents
 * again. {@code :volatile} after the size makes it a file that vanishes with its process;
 * {@code :persistent} states the default. DRAM tiers and device-DAX devices never persist.
 *
 * <p>A value class (not a record: Scala 2.12's compiler, which reads this core's Java sources
 * for the Spark 3.5 jar, cannot parse records).
 */
public final class TierSpec {
  private final String kind;
  private final String path;
  private final long size;
  private final boolean persistent;

  /**
   * A tier.
   *
   * @param kind "dram", "pmem" or "file"
   * @param path the directory or device, null for DRAM
   * @param size bytes, 0 for "the whole device"
   * @param persistent whether the pool survives its process (a directory pool only)
   */
  public TierSpec(String kind, String path, long size, boolean persistent) {
    this.kind = kind;
    this.path = path;
    this.size = size;
    this.persistent = persistent;
  }

  /** A tier with the default persistence: a directory pool persists, DRAM does not. */
  public TierSpec(String kind, String path, long size) {
    this(kind, path, size, path != null);
  }

  static final long MIN_SIZE = 1L << 20;
  static final String SYNTAX =
      "a comma-separated list, top tier first, of dram:SIZE, pmem:PATH[:SIZE][:volatile] or"
          + " file:PATH:SIZE[:volatile] (SIZE such as 512m or 64g, at least 1m; dram only on"
          + " top; at most 8 tiers)";

  /** "dram", "pmem" or "file". */
  public String kind() {
    return kind;
  }

  /** The directory or device; null for DRAM. */
  public String path() {
    return path;
  }

  /** Bytes; 0 for "the whole device". */
  public long size() {
    return size;
  }

  /** Whether the pool survives its process (a directory pool only). */
  public boolean persistent() {
    return persistent;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TierSpec t && kind.equals(t.kind) && Objects.equals(path, t.path)
        && size == t.size && persistent == t.persistent;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, path, size, persistent);
  }

  /** Whether the tier's pool lives in a file or device rather than anonymous memory. */
  public boolean fileBacked() {
    return path != null;
  }

  @Override
  public String toString() {
    String s = path == null ? "" : ":" + path;
    return kind + s + (size > 0 ? ":" + size : "") + (path != null && !persistent ? ":volatile"
        : "");
  }

  /**
   * Parses a tier list.
   *
   * @throws IllegalArgumentException with what is wrong
   */
  public static List<TierSpec> parseList(String text) {
    List<TierSpec> tiers = new ArrayList<>();
    if (text.isBlank()) {
      return tiers;
    }
    for (String part : text.split(",", -1)) {
      if (part.isBlank()) {
        throw new IllegalArgumentException("an empty tier in '" + text + "'");
      }
      TierSpec t = parse(part.trim());
      if (t.kind.equals("dram") && !tiers.isEmpty()) {
        throw new IllegalArgumentException("a dram tier can only be the top (first) tier");
      }
      tiers.add(t);
    }
    if (tiers.size() > 8) {
      throw new IllegalArgumentException(tiers.size() + " tiers, at most 8");
    }
    return tiers;
  }

  private static TierSpec parse(String part) {
    int colon = part.indexOf(':');
    String kind = (colon < 0 ? part : part.substring(0, colon)).toLowerCase(Locale.ROOT);
    String rest = colon < 0 ? "" : part.substring(colon + 1);
    switch (kind) {
      case "dram":
        return new TierSpec(kind, null, size(rest, part));
      case "pmem":
      case "file": {
        boolean persistent = true;
        if (rest.endsWith(":volatile")) {
          persistent = false;
          rest = rest.substring(0, rest.length() - ":volatile".length());
        } else if (rest.endsWith(":persistent")) {
          rest = rest.substring(0, rest.length() - ":persistent".length());
        }
        int last = rest.lastIndexOf(':');
        String path = last < 0 ? rest : rest.substring(0, last);
        String size = last < 0 ? "" : rest.substring(last + 1);
        if (path.isEmpty() || !path.startsWith("/")) {
          throw new IllegalArgumentException("tier '" + part + "' needs an absolute path");
        }
        if (size.isEmpty() && kind.equals("file")) {
          throw new IllegalArgumentException("tier '" + part + "' needs a size");
        }
        return new TierSpec(kind, path, size.isEmpty() ? 0 : size(size, part), persistent);
      }
      default:
        throw new IllegalArgumentException("unknown tier kind '" + kind + "' in '" + part + "'");
    }
  }

  private static long size(String text, String part) {
    long v;
    try {
      v = JavaUtils.byteStringAsBytes(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("tier '" + part + "' has no valid size");
    }
    if (v < MIN_SIZE) {
      throw new IllegalArgumentException("tier '" + part + "' is smaller than 1m");
    }
    return v;
  }
}
