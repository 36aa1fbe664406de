// SPDX-License-Identifier: Apache-2.0
// TierStack.java -- caches stacked top to bottom, with demotion on eviction and promotion on hit
package io.cellar.vmem;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Caches stacked top to bottom (for example DRAM over a file pool) that behave as one {@link
 * ByteCache}. An entry evicted from a tier is demoted into the next one down; a hit below the top
 * is promoted to the top. A persistent tier keeps its copy of what it promotes, so hot values
 * survive a restart; any other tier lets it go, so there each entry lives in one tier. Puts go to
 * the top (or the highest tier that can hold the value).
 *
 * <p>The stack owns its caches: it builds them from their builders and closes them. Use {@link
 * Pin#tier()} or {@link #tierOf(byte[])} to see which tier holds an entry.
 *
 * <p>Thread-safety: as {@link VmemCache}; every method may be called by any number of threads at
 * once, {@link #close()} waits for calls in flight, and later calls throw {@code
 * IllegalStateException("cache is closed")}.
 *
 * <p>A persistent bottom tier ({@link VmemCache.Builder#persistent()}) keeps what was demoted into
 * it across processes. {@link #close()} first writes the tiers above it down ({@link
 * #writeDown(long)}, bounded by {@link Builder#writeDownOnClose(long)}, by default {@link
 * #DEFAULT_WRITE_DOWN_MILLIS}), so a restarted process finds the hot set too; a process killed
 * without a close loses what only the upper tiers held (never anything wrong). {@link
 * #reattach()} gives the persistent tier's report.
 *
 * <p>Lifecycle: {@link #of(List)} (or {@link #builder()}) builds every tier and the native stack; {@link #close()} frees
 * the native stack first and then the caches, top to bottom, or leaves that to the last open {@link
 * Pin}'s close.
 */
public final class TierStack extends NativeCache {
  /** Most tiers a stack may have ({@code CELLAR_TIER_MAX}). */
  public static final int MAX_TIERS = 8;

  /** How long {@link #close()} may spend writing the upper tiers down, unless configured. */
  public static final long DEFAULT_WRITE_DOWN_MILLIS = 10_000;

  private static final System.Logger LOG = System.getLogger("io.cellar.vmem");

  private final List<VmemCache> caches;
  private final long writeDownMillis;

  private TierStack(long handle, List<VmemCache> caches, String description, boolean journal,
      long writeDownMillis) {
    super(
        Native.KIND_TIER,
        handle,
        description,
        journal,
        caches.stream().anyMatch(NativeCache::persistent));
    this.caches = caches;
    this.writeDownMillis = writeDownMillis;
  }

  /**
   * A builder of a stack, for options beyond {@link #of(List)}.
   *
   * @return a new builder; add tiers top first
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds every tier, top first, and stacks them.
   *
   * @param tiers builders of the caches, top first, 1 to {@link #MAX_TIERS} of them
   * @return the open stack
   * @throws IllegalArgumentException for a null or empty list, a null builder, more than {@link
   *     #MAX_TIERS} tiers, or a builder that rejects its settings
   * @throws CellarException when a tier's pool cannot be made (the tiers built so far are closed)
   * @throws UnsatisfiedLinkError when the native library cannot be loaded
   */
  public static TierStack of(List<VmemCache.Builder> tiers) {
    return build(tiers, 0, DEFAULT_WRITE_DOWN_MILLIS);
  }

  private static TierStack build(List<VmemCache.Builder> tiers, int journal, long writeDown) {
    if (tiers == null || tiers.isEmpty()) {
      throw new IllegalArgumentException("tiers must list 1 to " + MAX_TIERS + " cache builders");
    }
    if (tiers.size() > MAX_TIERS) {
      throw new IllegalArgumentException(
          "tiers must list 1 to " + MAX_TIERS + " cache builders, got " + tiers.size());
    }
    List<VmemCache> caches = new ArrayList<>(tiers.size());
    try {
      for (int i = 0; i < tiers.size(); i++) {
        VmemCache.Builder b = tiers.get(i);
        if (b == null) {
          throw new IllegalArgumentException("tier " + i + " builder is null");
        }
        if (b.journalCapacity() > 0) {
          throw new IllegalArgumentException(
              "tier "
                  + i
                  + " has its own eviction journal, which would list demotions; use"
                  + " TierStack.Builder.evictionJournal(int)");
        }
        caches.add(b.build());
      }
      long[] handles = new long[caches.size()];
      for (int i = 0; i < handles.length; i++) {
        handles[i] = caches.get(i).handleForTier();
      }
      long tier = Native.tierNew(handles, journal);
      return new TierStack(tier, List.copyOf(caches), "TierStack" + caches, journal > 0,
          writeDown);
    } catch (RuntimeException | Error e) {
      caches.forEach(VmemCache::close);
      throw e;
    }
  }

  /**
   * As {@link #of(List)}.
   *
   * @param tiers builders of the caches, top first
   * @return the open stack
   * @throws IllegalArgumentException as {@link #of(List)}
   * @throws CellarException as {@link #of(List)}
   */
  public static TierStack of(VmemCache.Builder... tiers) {
    if (tiers == null) {
      throw new IllegalArgumentException("tiers is null");
    }
    return of(Arrays.asList(tiers));
  }

  /**
   * Number of tiers.
   *
   * @return 1 to {@link #MAX_TIERS}
   */
  public int tierCount() {
    return caches.size();
  }

  /**
   * The tier holding the key, without promoting it or touching statistics.
   *
   * @param key the key, at least one byte
   * @return the tier index (top is 0), or empty when no tier has the key
   * @throws IllegalArgumentException for a null or empty key
   * @throws IllegalStateException when the stack is closed
   */
  public OptionalInt tierOf(byte[] key) {
    checkKey(key);
    int[] tier = new int[1];
    long size;
    long h = enter();
    try {
      size = Native.valueSize(kind(), h, key, tier);
    } finally {
      exit();
    }
    return size < 0 ? OptionalInt.empty() : OptionalInt.of(tier[0]);
  }

  /**
   * The counters of every tier, top first.
   *
   * @return one {@link CacheStats} per tier
   * @throws IllegalStateException when the stack is closed
   */
  public List<CacheStats> tierStats() {
    enter();
    try {
      List<CacheStats> stats = new ArrayList<>(caches.size());
      for (VmemCache c : caches) {
        stats.add(c.stats());
      }
      return stats;
    } finally {
      exit();
    }
  }

  /**
   * The media facts of one tier.
   *
   * @param tier the tier index, top is 0
   * @return the media facts
   * @throws IllegalArgumentException when {@code tier} is out of range
   * @throws IllegalStateException when the stack is closed
   */
  public MediaInfo media(int tier) {
    if (tier < 0 || tier >= caches.size()) {
      throw new IllegalArgumentException(
          "tier must be from 0 to " + (caches.size() - 1) + ", was " + tier);
    }
    enter();
    try {
      return caches.get(tier).media();
    } finally {
      exit();
    }
  }

  /**
   * How entries moved between tiers.
   *
   * @return promotions, demotions and drops so far
   * @throws IllegalStateException when the stack is closed
   */
  public TierStats movement() {
    long[] out = new long[TierStats.FIELDS];
    long h = enter();
    try {
      Native.tierStats(h, out);
    } finally {
      exit();
    }
    return TierStats.of(out);
  }

  @Override
  public Optional<ReattachReport> reattach() {
    enter();
    try {
      for (VmemCache c : caches) {
        Optional<ReattachReport> r = c.reattach();
        if (r.isPresent()) {
          return r;
        }
      }
      return Optional.empty();
    } finally {
      exit();
    }
  }

  /**
   * Empties every tier above a persistent one into the tier below it, least recently used first,
   * so that the persistent tier holds the whole stack and its hottest entries are its most recent
   * ({@code cellar_tier_write_down}). Where the persistent tier cannot hold everything, its own
   * least recently used entries make room. An entry the persistent tier already keeps is not
   * written again. The stack stays usable, with its upper tiers empty.
   *
   * @param budgetMillis the most time to spend, 0 or more; what was written when it runs out stays
   * @return the entries moved down
   * @throws IllegalArgumentException when {@code budgetMillis} is negative
   * @throws IllegalStateException when the stack is closed
   * @throws CellarException when an eviction fails
   */
  public long writeDown(long budgetMillis) {
    if (budgetMillis < 0) {
      throw new IllegalArgumentException("budgetMillis " + budgetMillis + " is negative");
    }
    long h = enter();
    try {
      return Native.tierWriteDown(h, budgetMillis);
    } finally {
      exit();
    }
  }

  /**
   * Writes the upper tiers down into the persistent tier (see {@link #writeDown(long)}, within
   * the configured budget) when there is one below them, then closes as every cache does.
   */
  @Override
  public void close() {
    if (writeDownMillis > 0 && caches.size() > 1 && persistent()
        && !caches.get(0).persistent()) {
      long start = System.nanoTime();
      try {
        long n = writeDown(writeDownMillis);
        long ms = (System.nanoTime() - start) / 1_000_000L;
        LOG.log(ms >= writeDownMillis ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
            "{0}: wrote {1} entries of the upper tiers down into the persistent tier in {2} ms{3}",
            this, n, ms, ms >= writeDownMillis
                ? " (the budget ran out; the rest is not kept across the restart)" : "");
      } catch (IllegalStateException e) {
        // closed already
      } catch (CellarException e) {
        LOG.log(System.Logger.Level.WARNING, this
            + ": writing the upper tiers down failed; what they held is not kept", e);
      }
    }
    super.close();
  }

  @Override
  void destroy(long handle) {
    Native.tierDelete(handle);
    caches.forEach(VmemCache::close);
  }

  /**
   * Configures and builds a {@link TierStack}. Not thread-safe; a builder may build several stacks
   * (each builds its own caches).
   */
  public static final class Builder {
    private final List<VmemCache.Builder> tiers = new ArrayList<>();
    private int journalCapacity;
    private long writeDownMillis = DEFAULT_WRITE_DOWN_MILLIS;

    private Builder() {}

    /**
     * Adds the next tier down.
     *
     * @param tier the cache's builder, without an eviction journal of its own
     * @return this builder
     * @throws IllegalArgumentException when {@code tier} is null
     */
    public Builder tier(VmemCache.Builder tier) {
      if (tier == null) {
        throw new IllegalArgumentException("tier builder is null");
      }
      tiers.add(tier);
      return this;
    }

    /**
     * Keeps a journal of the keys that leave the whole stack (evicted from the bottom tier or not
     * demotable, or {@link TierStack#evict}; not demotions, promotions or replaces), read with
     * {@link ByteCache#drainEvicted(int)}.
     *
     * @param capacity most keys held between two drains, 1 or more
     * @return this builder
     * @throws IllegalArgumentException when {@code capacity} is less than 1
     */
    public Builder evictionJournal(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException(
            "evictionJournal capacity must be 1 or more, was " + capacity);
      }
      this.journalCapacity = capacity;
      return this;
    }

    /**
     * How long {@link TierStack#close()} may spend writing the upper tiers down into a persistent
     * tier below them ({@link TierStack#writeDown(long)}); 0 writes nothing, so only what was
     * demoted before the close survives it. Default {@link #DEFAULT_WRITE_DOWN_MILLIS}.
     *
     * @param millis 0 or more
     * @return this builder
     * @throws IllegalArgumentException when {@code millis} is negative
     */
    public Builder writeDownOnClose(long millis) {
      if (millis < 0) {
        throw new IllegalArgumentException("writeDownOnClose " + millis + " ms is negative");
      }
      this.writeDownMillis = millis;
      return this;
    }

    /**
     * Builds every tier, top first, and stacks them.
     *
     * @return the open stack
     * @throws IllegalArgumentException as {@link TierStack#of(List)}
     * @throws CellarException as {@link TierStack#of(List)}
     */
    public TierStack build() {
      return TierStack.build(List.copyOf(tiers), journalCapacity, writeDownMillis);
    }
  }
}
