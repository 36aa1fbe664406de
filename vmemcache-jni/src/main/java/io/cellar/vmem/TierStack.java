// SPDX-License-Identifier: Apache-2.0
// TierStack.java -- the cache: tiers stacked top to bottom (one or more), demoting on eviction and promoting on hit
package io.cellar.vmem;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The cache: one or more tiers stacked top to bottom (for example DRAM over a file pool) that
 * behave as one {@link ByteCache}. A single cache is a stack of one tier ({@link Tier#open()}). An
 * entry evicted from a tier is demoted into the next one down; a hit below the top is promoted to
 * the top. A persistent tier keeps its copy of what it promotes, so hot values survive a restart;
 * any other tier lets it go, so there each entry lives in one tier. Puts go to the top (or the
 * highest tier that can hold the value).
 *
 * <pre>{@code
 * try (TierStack cache = TierStack.of(Tier.dram().size(1L << 30),
 *     Tier.directory(Path.of("/mnt/pmem")).persistent().size(64L << 30))) {
 *   cache.put(key, value);
 *   long size = cache.get(key, directBuffer, 0);
 * }
 * }</pre>
 *
 * <p>The stack owns its tiers' pools: opening builds them all in one native call, and a failure
 * part way frees what was built. Use {@link Pin#tier()} or {@link #tierOf(byte[])} to see which
 * tier holds an entry, and the per-tier calls ({@link #stats(int)}, {@link #media(int)}, {@link
 * #evictLeastRecentlyUsed(int)}) with an index from 0 (the top) to {@link #tierCount()} - 1.
 *
 * <p>Thread-safety: every method may be called by any number of threads at once. {@link #close()}
 * waits for calls in flight; calls after it throw {@code IllegalStateException("cache is
 * closed")}.
 *
 * <p>A persistent bottom tier ({@link Tier#persistent()}) keeps what was demoted into it across
 * processes. {@link #close()} first writes the tiers above it down ({@link #writeDown(long)},
 * bounded by {@link Builder#writeDownOnClose(long)}, by default {@link
 * #DEFAULT_WRITE_DOWN_MILLIS}), so a restarted process finds the hot set too; a process killed
 * without a close loses what only the upper tiers held (never anything wrong). {@link #reattach()}
 * gives the persistent tier's report.
 *
 * <p>Lifecycle: {@link #of(List)}, {@link Tier#open()} or {@link #builder()} opens every tier and
 * the native stack; {@link #close()} frees the native stack first and then the tiers' caches, top
 * to bottom, or, while {@link Pin}s are open, the last pin's close does. A stack that is garbage
 * collected without {@code close()} is reported as a leak; its memory is not freed until the
 * process ends.
 */
public final class TierStack extends NativeCache {
  /** Most tiers a stack may have ({@code CELLAR_TIER_MAX}). */
  public static final int MAX_TIERS = 8;

  /** How long {@link #close()} may spend writing the upper tiers down, unless configured. */
  public static final long DEFAULT_WRITE_DOWN_MILLIS = 10_000;

  private static final System.Logger LOG = System.getLogger("io.cellar.vmem");

  private final int tierCount;
  private final boolean topPersistent;
  private final long writeDownMillis;

  private TierStack(long handle, List<Tier> tiers, boolean journal, long writeDownMillis) {
    super(handle, "TierStack" + tiers, journal, tiers.stream().anyMatch(Tier::durable));
    this.tierCount = tiers.size();
    this.topPersistent = tiers.get(0).durable();
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
   * Opens every tier, top first, and stacks them.
   *
   * @param tiers descriptions of the tiers, top first, 1 to {@link #MAX_TIERS} of them
   * @return the open stack
   * @throws IllegalArgumentException for a null or empty list, a null tier, more than {@link
   *     #MAX_TIERS} tiers, or a tier whose settings do not go together
   * @throws PoolLockedException when a tier's persistent pool file is held by another process or
   *     stack (the tiers opened so far are freed)
   * @throws CacheIOException when a tier's path is missing, not a directory, not writable, ...
   * @throws CacheFullException when the file system cannot hold a tier's pool
   * @throws CellarException for any other engine error (ENOMEM: no memory for a DRAM pool)
   * @throws UnsatisfiedLinkError when the native library cannot be loaded
   */
  public static TierStack of(List<Tier> tiers) {
    return open(tiers, 0, DEFAULT_WRITE_DOWN_MILLIS);
  }

  /**
   * As {@link #of(List)}.
   *
   * @param tiers descriptions of the tiers, top first
   * @return the open stack
   * @throws IllegalArgumentException as {@link #of(List)}
   * @throws CellarException as {@link #of(List)}
   */
  public static TierStack of(Tier... tiers) {
    if (tiers == null) {
      throw new IllegalArgumentException("tiers is null");
    }
    return of(Arrays.asList(tiers));
  }

  private static TierStack open(List<Tier> tiers, int journal, long writeDown) {
    if (tiers == null || tiers.isEmpty() || tiers.size() > MAX_TIERS) {
      throw new IllegalArgumentException("tiers must list 1 to " + MAX_TIERS + " tiers, got "
          + (tiers == null ? "null" : tiers.size()));
    }
    int n = tiers.size();
    long[] settings = new long[n * Native.TIER_FIELDS];
    byte[][] paths = new byte[n][];
    byte[][] owners = new byte[n][];
    for (int i = 0; i < n; i++) {
      Tier t = tiers.get(i);
      if (t == null) {
        throw new IllegalArgumentException("tier " + i + " is null");
      }
      t.check(i);
      t.settings(settings, i * Native.TIER_FIELDS);
      paths[i] = t.nativePath();
      owners[i] = t.nativeOwner();
    }
    List<Tier> described = List.copyOf(tiers);
    NativeLoader.ensureLoaded();
    long handle = Native.stackOpen(settings, paths, owners, journal);
    return new TierStack(handle, described, journal > 0, writeDown);
  }

  /**
   * Number of tiers.
   *
   * @return 1 to {@link #MAX_TIERS}
   */
  public int tierCount() {
    return tierCount;
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
      size = Native.valueSize(h, key, tier);
    } finally {
      exit();
    }
    return size < 0 ? OptionalInt.empty() : OptionalInt.of(tier[0]);
  }

  /**
   * All counters of one tier, read at once.
   *
   * @param tier the tier index, top is 0
   * @return the statistics
   * @throws IllegalArgumentException when {@code tier} is out of range
   * @throws IllegalStateException when the stack is closed
   */
  public CacheStats stats(int tier) {
    checkTier(tier);
    long[] out = new long[CacheStats.FIELDS];
    long h = enter();
    try {
      Native.stats(h, tier, out);
    } finally {
      exit();
    }
    return CacheStats.of(out);
  }

  /**
   * The counters of every tier, top first.
   *
   * @return one {@link CacheStats} per tier
   * @throws IllegalStateException when the stack is closed
   */
  public List<CacheStats> tierStats() {
    List<CacheStats> stats = new ArrayList<>(tierCount);
    long h = enter();
    try {
      for (int i = 0; i < tierCount; i++) {
        long[] out = new long[CacheStats.FIELDS];
        Native.stats(h, i, out);
        stats.add(CacheStats.of(out));
      }
    } finally {
      exit();
    }
    return stats;
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
    checkTier(tier);
    int[] out = new int[MediaInfo.FIELDS];
    long h = enter();
    try {
      Native.media(h, tier, out);
    } finally {
      exit();
    }
    return MediaInfo.of(out);
  }

  /**
   * Commits memory of a DRAM tier ahead of the puts that will fill it, so that they copy into
   * memory already there instead of faulting it in, as transparent huge pages where the system
   * gives them on request. Commits at most {@code maxBytes} from byte {@code offset} of the tier's
   * pool (puts fill a pool from its start), ending on a 2 MiB boundary, and changes no byte: it
   * may run while other threads use the stack. Meant for a thread of its own, in slices; see
   * {@link #lowerCallerPriority()}.
   *
   * @param tier the tier index, top is 0
   * @param offset where to start, in bytes from the pool's start
   * @param maxBytes how much to commit at most
   * @return the offset after the committed range; the pool's size once {@code offset} reaches it
   * @throws IllegalArgumentException when {@code tier} is out of range or a number is negative
   * @throws IllegalStateException when the stack is closed
   * @throws CellarException {@link ErrorCode#EOPNOTSUPP} for a tier that is not in DRAM or a
   *     kernel that cannot commit memory ahead of use (before Linux 5.14); the commit's error
   *     ({@link ErrorCode#ENOMEM}) otherwise
   */
  public long prefault(int tier, long offset, long maxBytes) {
    checkTier(tier);
    if (offset < 0 || maxBytes < 0) {
      throw new IllegalArgumentException("offset " + offset + " and maxBytes " + maxBytes
          + " must not be negative");
    }
    long h = enter();
    try {
      return Native.prefault(h, tier, offset, maxBytes);
    } finally {
      exit();
    }
  }

  /**
   * Lowers the calling thread to the lowest CPU priority (nice 19), for background work such as
   * {@link #prefault} that should use only the CPU time other threads leave idle. For a thread of
   * the caller's own: there is no way back up without privileges.
   *
   * @return whether the system lowered it
   */
  public static boolean lowerCallerPriority() {
    NativeLoader.ensureLoaded();
    return Native.lowerThreadPriority();
  }

  /**
   * Evicts the least recently used entry of one tier; from a tier above the bottom it is demoted,
   * as any eviction there is.
   *
   * @param tier the tier index, top is 0
   * @return true when an entry was evicted, false when nothing can be (an empty tier, policy
   *     {@link Policy#NONE}, or every entry pinned)
   * @throws IllegalArgumentException when {@code tier} is out of range
   * @throws IllegalStateException when the stack is closed
   * @throws CellarException for an engine error
   */
  public boolean evictLeastRecentlyUsed(int tier) {
    checkTier(tier);
    long h = enter();
    try {
      return Native.evictLeastRecentlyUsed(h, tier);
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
      Native.movement(h, out);
    } finally {
      exit();
    }
    return TierStats.of(out);
  }

  /** The report of the highest persistent tier. */
  @Override
  public Optional<ReattachReport> reattach() {
    long[] out = new long[Native.REATTACH_OUT_LENGTH];
    long h = enter();
    try {
      for (int i = 0; i < tierCount; i++) {
        String[] text = Native.reattach(h, i, out);
        if (text != null) {
          return Optional.of(ReattachReport.of(text, out));
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
      return Native.writeDown(h, budgetMillis);
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
    if (writeDownMillis > 0 && tierCount > 1 && persistent() && !topPersistent) {
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

  private void checkTier(int tier) {
    if (tier < 0 || tier >= tierCount) {
      throw new IllegalArgumentException(
          "tier must be from 0 to " + (tierCount - 1) + ", was " + tier);
    }
  }

  /**
   * Configures and opens a {@link TierStack}. Not thread-safe; a builder may open several stacks
   * (each opens its own pools).
   */
  public static final class Builder {
    private final List<Tier> tiers = new ArrayList<>();
    private int journalCapacity;
    private long writeDownMillis = DEFAULT_WRITE_DOWN_MILLIS;

    private Builder() {}

    /**
     * Adds the next tier down.
     *
     * @param tier the tier's description
     * @return this builder
     * @throws IllegalArgumentException when {@code tier} is null
     */
    public Builder tier(Tier tier) {
      if (tier == null) {
        throw new IllegalArgumentException("tier is null");
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
     * Opens every tier, top first, and stacks them.
     *
     * @return the open stack
     * @throws IllegalArgumentException as {@link TierStack#of(List)}
     * @throws CellarException as {@link TierStack#of(List)}
     */
    public TierStack build() {
      return TierStack.open(List.copyOf(tiers), journalCapacity, writeDownMillis);
    }
  }
}
