// SPDX-License-Identifier: Apache-2.0
// CacheReport -- what one executor's cache says about itself, for CELLAR CLEAR and STATUS
package io.cellar.spark.exec;

import io.cellar.scheduler.ChunkRef;
import io.cellar.vmem.CacheStats;
import io.cellar.vmem.TierStack;
import io.cellar.vmem.TierStats;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One executor's answer to a CELLAR statement: the chunks it dropped (CLEAR), what it holds of
 * some files (chunks, bytes, files, row groups) and the figures of each of its tiers, read from
 * the same engine statistics as the executor's metrics gauges. Serializable: it travels from an
 * executor to the driver.
 */
public final class CacheReport implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The figures of one tier. */
  public static final class Tier implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The tier as configured, e.g. {@code dram:256m}. */
    public final String medium;
    /** Entries, bytes used, pool size, hits, misses, evictions (the engine's counters). */
    public final long entries;
    public final long used;
    public final long size;
    public final long hits;
    public final long misses;
    public final long evictions;
    /** Promotions and demotions of the stack the tier belongs to (0 for a single tier). */
    public final long promotions;
    public final long demotions;

    Tier(String medium, CacheStats s, TierStats moves) {
      this.medium = medium;
      this.entries = s.entries();
      this.used = s.poolUsed();
      this.size = s.poolSize();
      this.hits = s.hits();
      this.misses = s.misses();
      this.evictions = s.evictions();
      this.promotions = moves == null ? 0 : moves.promotions();
      this.demotions = moves == null ? 0 : moves.demotions();
    }
  }

  /** The executor's id ({@code driver} in local mode). */
  public final String executor;
  /** Why the cache is unavailable, or null. */
  public final String unavailable;
  /** Chunks and their bytes dropped by CLEAR. */
  public final long droppedChunks;
  public final long droppedBytes;
  /** Of the files asked about (all when none were named): files, row groups, chunks, bytes. */
  public final long files;
  public final long rowGroups;
  public final long chunks;
  public final long bytes;
  /** Every tier, top first. */
  public final List<Tier> tiers;
  /** When asked for: chunks and bytes per table directory (see {@link #tableOf}). */
  public final HashMap<String, long[]> tables;

  private CacheReport(String executor, String unavailable, long[] dropped, long[] held,
      List<Tier> tiers, HashMap<String, long[]> tables) {
    this.executor = executor;
    this.unavailable = unavailable;
    this.droppedChunks = dropped[0];
    this.droppedBytes = dropped[1];
    this.files = held[0];
    this.rowGroups = held[1];
    this.chunks = held[2];
    this.bytes = held[3];
    this.tiers = tiers;
    this.tables = tables;
  }

  /**
   * The table directory of a chunk's file: its parent directory without the partition
   * directories ({@code key=value}) below the table's root.
   */
  public static String tableOf(String file) {
    int slash = file.lastIndexOf('/');
    String dir = slash > 0 ? file.substring(0, slash) : file;
    while (true) {
      int s = dir.lastIndexOf('/');
      if (s <= 0 || dir.indexOf('=', s) < 0) {
        return dir;
      }
      dir = dir.substring(0, s);
    }
  }

  /**
   * Answers a statement on this executor's cache.
   *
   * @param executor this executor's id
   * @param ec the cache
   * @param clear whether to drop the chunks of {@code paths} (all when null) first
   * @param paths URL-encoded file paths as chunk keys name them, or null for every file
   * @param byTable whether to count chunks and bytes per table directory too
   */
  public static CacheReport of(String executor, ExecutorCache ec, boolean clear,
      Set<String> paths, boolean byTable) {
    TierStack c = ec.cache();
    if (c == null) {
      return new CacheReport(executor, ec.unavailableReason(), new long[2], new long[4],
          List.of(), null);
    }
    HashMap<String, long[]> tables = byTable ? new HashMap<>() : null;
    long[] dropped = new long[2];
    long[] held = new long[4];
    Set<String> files = new HashSet<>();
    Set<String> rowGroups = new HashSet<>();
    List<byte[]> victims = new ArrayList<>();
    c.forEachKey(k -> {
      ChunkRef r = Inventory.chunkRef(k);
      if (r == null || (paths != null && !paths.contains(r.file().path()))) {
        return;
      }
      if (clear) {
        victims.add(k);
        return;
      }
      OptionalLong size = c.valueSize(k);
      if (size.isPresent()) {
        held[2]++;
        held[3] += size.getAsLong();
        files.add(r.file().path());
        rowGroups.add(r.file().path() + "#" + r.rowGroup());
        if (tables != null) {
          long[] t = tables.computeIfAbsent(tableOf(r.file().path()), x -> new long[2]);
          t[0]++;
          t[1] += size.getAsLong();
        }
      }
    });
    for (byte[] k : victims) {
      OptionalLong size = c.valueSize(k);
      if (c.evict(k)) {
        dropped[0]++;
        dropped[1] += size.orElse(0);
      }
    }
    if (clear && paths == null) {
      ec.footers().clear();
    }
    held[0] = files.size();
    held[1] = rowGroups.size();
    return new CacheReport(executor, null, dropped, held, tiers(ec, c), tables);
  }

  private static List<Tier> tiers(ExecutorCache ec, TierStack c) {
    List<Tier> out = new ArrayList<>();
    List<CacheStats> all = c.tierStats();
    TierStats moves = c.movement();
    for (int i = 0; i < all.size(); i++) {
      out.add(new Tier(medium(ec, i), all.get(i), moves));
    }
    return out;
  }

  private static String medium(ExecutorCache ec, int i) {
    return i < ec.tiers().size() ? ec.tiers().get(i).toString() : "tier " + i;
  }
}
