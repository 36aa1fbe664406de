// SPDX-License-Identifier: Apache-2.0
// InventoryTracker -- an executor's record of which row groups its cache holds, sent as deltas
package io.cellar.scheduler;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Tracks, on one executor, which row groups the cache holds (a row group is held while at least
 * one of its column chunks is cached) and turns the changes into {@link InventoryDelta}s for the
 * driver's {@link CacheRegistry}.
 *
 * <p>The cache calls {@link #chunkAdded} and {@link #chunkEvicted} once per chunk that enters or
 * leaves it, from any task thread. A reporter thread calls {@link #poll} periodically and sends
 * what it returns. Changes wait in a pending set in which one that undoes another (a row group
 * added then evicted before being reported) cancels out. A delta carries at most
 * {@code maxEntriesPerDelta} changes, and deltas go at most once per {@code minIntervalNanos},
 * except a full inventory, which goes at the next poll. The first delta is always a full
 * inventory, so a driver that never heard of this tracker gets a complete base.
 *
 * <p>Thread-safe: every method locks the tracker; the work per call is a few hash operations.
 */
public final class InventoryTracker {
  private static final SecureRandom RANDOM = new SecureRandom();

  private record RowGroupKey(FileId file, int rowGroup) {}

  /** A held row group: how many of its chunks are cached, and where it lies in its file. */
  private static final class Held {
    int chunks;
    final long start;
    final long bytes;

    Held(long start, long bytes) {
      this.start = start;
      this.bytes = bytes;
    }
  }

  private final String executorId;
  private final int maxEntriesPerDelta;
  private final long minIntervalNanos;
  private final long incarnation = RANDOM.nextLong();

  private final Map<RowGroupKey, Held> held = new HashMap<>();
  /** Row groups whose state differs from what the driver was told: true = now held. */
  private final LinkedHashMap<RowGroupKey, Boolean> pending = new LinkedHashMap<>();
  private boolean fullPending = true;
  private long sequence;
  private long lastSentNanos;
  private boolean sentAny;

  /**
   * @param executorId this executor's id, as Spark names it
   * @param maxEntriesPerDelta the most row-group changes one delta carries
   * @param minIntervalNanos the least time between two deltas, full inventories excepted
   * @throws IllegalArgumentException when a bound is not positive (the interval may be 0)
   */
  public InventoryTracker(String executorId, int maxEntriesPerDelta, long minIntervalNanos) {
    this.executorId = Objects.requireNonNull(executorId, "executorId");
    if (maxEntriesPerDelta < 1 || minIntervalNanos < 0) {
      throw new IllegalArgumentException("maxEntriesPerDelta must be 1 or more and "
          + "minIntervalNanos 0 or more, were " + maxEntriesPerDelta + " and " + minIntervalNanos);
    }
    this.maxEntriesPerDelta = maxEntriesPerDelta;
    this.minIntervalNanos = minIntervalNanos;
  }

  /**
   * Records that one column chunk of a row group was cached.
   *
   * @param file the chunk's file
   * @param rowGroup the row group's ordinal in the file
   * @param rowGroupStart the row group's first byte in the file
   * @param rowGroupBytes the row group's total compressed size
   * @throws IllegalArgumentException when an ordinal, offset or size is out of range
   */
  public synchronized void chunkAdded(
      FileId file, int rowGroup, long rowGroupStart, long rowGroupBytes) {
    RowGroups.check(rowGroup, rowGroupStart, rowGroupBytes);
    RowGroupKey key = new RowGroupKey(Objects.requireNonNull(file, "file"), rowGroup);
    Held h = held.computeIfAbsent(key, k -> new Held(rowGroupStart, rowGroupBytes));
    if (h.chunks++ == 0) {
      changed(key, true);
    }
  }

  /**
   * Records that one column chunk of a row group left the cache. A row group that has no chunk
   * recorded (evicted before a resync listed it, say) is left alone.
   */
  public synchronized void chunkEvicted(FileId file, int rowGroup) {
    RowGroupKey key = new RowGroupKey(Objects.requireNonNull(file, "file"), rowGroup);
    Held h = held.get(key);
    if (h != null && --h.chunks == 0) {
      held.remove(key);
      changed(key, false);
    }
  }

  /** Forgets everything (the cache was emptied) and schedules an empty full inventory. */
  public synchronized void reset() {
    held.clear();
    requestFullInventory();
  }

  /**
   * Rebuilds the record from a listing of every chunk the cache holds (after a journal overflow,
   * or at start with a warm persistent cache) and schedules a full inventory of it.
   */
  public synchronized void resync(Iterable<ChunkRef> chunks) {
    held.clear();
    for (ChunkRef c : chunks) {
      RowGroupKey key = new RowGroupKey(c.file(), c.rowGroup());
      held.computeIfAbsent(key, k -> new Held(c.rowGroupStart(), c.rowGroupBytes())).chunks++;
    }
    requestFullInventory();
  }

  /**
   * Schedules a full inventory of the current record, for when the driver lost track (an
   * {@link ApplyResult} that {@link ApplyResult#wantsFullInventory() wants one}).
   */
  public synchronized void requestFullInventory() {
    pending.clear();
    for (RowGroupKey key : held.keySet()) {
      pending.put(key, Boolean.TRUE);
    }
    fullPending = true;
  }

  /**
   * Returns the next delta if one is due at {@code nowNanos} (a {@link System#nanoTime()}
   * reading): a full inventory at once, otherwise pending changes once the interval has passed.
   */
  public synchronized Optional<InventoryDelta> poll(long nowNanos) {
    boolean full = fullPending;
    if (!full
        && (pending.isEmpty() || (sentAny && nowNanos - lastSentNanos < minIntervalNanos))) {
      return Optional.empty();
    }
    DeltaBatch batch = new DeltaBatch();
    Iterator<Map.Entry<RowGroupKey, Boolean>> it = pending.entrySet().iterator();
    while (it.hasNext() && batch.changes() < maxEntriesPerDelta) {
      Map.Entry<RowGroupKey, Boolean> e = it.next();
      RowGroupKey key = e.getKey();
      if (e.getValue()) {
        Held h = held.get(key);
        batch.add(key.file(), key.rowGroup(), h.start, h.bytes);
      } else {
        batch.remove(key.file(), key.rowGroup());
      }
      it.remove();
    }
    fullPending = false;
    sentAny = true;
    lastSentNanos = nowNanos;
    return Optional.of(new InventoryDelta(
        executorId, incarnation, ++sequence, full, batch.changes(), DeltaCodec.encode(batch)));
  }

  /** How many row-group changes wait for a delta. */
  public synchronized int pendingChanges() {
    return pending.size();
  }

  /** How many row groups the cache holds at least one chunk of. */
  public synchronized int heldRowGroups() {
    return held.size();
  }

  /** The executor id the deltas carry. */
  public String executorId() {
    return executorId;
  }

  /**
   * Keeps {@code pending} equal to the difference between the record and the driver's view: a
   * change that undoes a pending one means the driver's view is right again.
   */
  private void changed(RowGroupKey key, boolean nowHeld) {
    if (pending.remove(key) == null) {
      pending.put(key, nowHeld);
    }
  }
}
