// SPDX-License-Identifier: Apache-2.0
// CacheRegistry -- the driver's map of which executor holds which row groups, and split preferences
package io.cellar.scheduler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The driver's view of every executor cache, rebuilt from their {@link InventoryDelta}s, and the
 * source of preferred locations for file splits: the executors holding most of a split's bytes.
 *
 * <p>Files are keyed by path. When a delta or a query brings a newer identity of a file (a
 * different length, or a modification time not older than the stored one), what was known of
 * the old content is dropped and the new identity is tracked from then on; an older identity is
 * ignored (executors may still report or evict chunks of content that was since rewritten).
 * Memory is a few hundred bytes per file: see {@link #estimatedHeapBytes()}.
 *
 * <p>Thread-safe: reports and membership changes take a write lock, queries a read lock (a query
 * that finds a file changed briefly takes the write lock).
 */
public final class CacheRegistry {
  private static final InventoryDelta.Visitor VALIDATE = new InventoryDelta.Visitor() {
    @Override
    public void file(FileId file) {}

    @Override
    public void added(int rowGroup, long rowGroupStart, long rowGroupBytes) {}

    @Override
    public void removed(int rowGroup) {}
  };

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, FileEntry> files = new HashMap<>();
  private final ExecutorTable executors = new ExecutorTable();
  private final ExecutorRing ring;
  private long heldRowGroups;
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong ignored = new AtomicLong();

  /** A registry whose ring has {@link ExecutorRing#DEFAULT_VIRTUAL_NODES} points per executor. */
  public CacheRegistry() {
    this(new ExecutorRing());
  }

  /** A registry that keeps {@code ring}'s members equal to its live executors. */
  public CacheRegistry(ExecutorRing ring) {
    this.ring = Objects.requireNonNull(ring, "ring");
  }

  /** Registers an executor (or updates its host); its reports are accepted from now on. */
  public void executorAdded(String executorId, String host) {
    Objects.requireNonNull(executorId, "executorId");
    lock.writeLock().lock();
    try {
      executors.add(executorId, host);
      ring.add(executorId);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Forgets an executor and everything it held; its later reports are ignored. */
  public void executorRemoved(String executorId) {
    lock.writeLock().lock();
    try {
      int slot = executors.remove(executorId);
      if (slot >= 0) {
        dropEverywhere(slot);
        ring.remove(executorId);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Applies one executor's delta. Ignored (with the reason returned) when the executor is not
   * live, when the sequence number is not newer than the last applied, when it amends a stream
   * the registry has no full inventory of, or when the payload is malformed.
   */
  public ApplyResult apply(InventoryDelta delta) {
    ApplyResult result;
    try {
      delta.forEach(VALIDATE);
      result = applyValid(delta);
    } catch (IllegalArgumentException e) {
      result = ApplyResult.MALFORMED;
    }
    (result.applied() ? applied : ignored).incrementAndGet();
    return result;
  }

  private ApplyResult applyValid(InventoryDelta delta) {
    lock.writeLock().lock();
    try {
      int slot = executors.slot(delta.executorId());
      if (slot < 0) {
        return executors.wasRemoved(delta.executorId())
            ? ApplyResult.REMOVED_EXECUTOR
            : ApplyResult.UNKNOWN_EXECUTOR;
      }
      boolean sameStream =
          executors.hasBase(slot) && executors.incarnation(slot) == delta.incarnation();
      if (sameStream && delta.sequence() <= executors.lastSequence(slot)) {
        return ApplyResult.STALE;
      }
      if (!sameStream && !delta.isFullInventory()) {
        return ApplyResult.NO_BASE;
      }
      boolean gap =
          !delta.isFullInventory() && delta.sequence() != executors.lastSequence(slot) + 1;
      if (delta.isFullInventory()) {
        dropEverywhere(slot);
      }
      executors.advance(slot, delta.incarnation(), delta.sequence());
      delta.forEach(new Applier(slot));
      return gap ? ApplyResult.APPLIED_AFTER_GAP : ApplyResult.APPLIED;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * The executors holding the most bytes of the row groups whose midpoint lies in the split
   * {@code [start, start + length)}, by descending bytes, ties by executor id ("2" before "10");
   * only live executors holding more than 0 bytes. Empty for an unknown or changed file.
   *
   * @param max the most executors returned
   * @throws IllegalArgumentException when {@code max} is negative
   */
  public List<String> preferredExecutors(FileId file, long start, long length, int max) {
    return preferredExecutors(List.of(new SplitRef(file, start, length)), max).get(0);
  }

  /**
   * {@link #preferredExecutors(FileId, long, long, int)} for many splits under one lock; the
   * result lists are in the order of {@code splits}.
   */
  public List<List<String>> preferredExecutors(List<SplitRef> splits, int max) {
    checkMax(max);
    List<List<String>> out = new ArrayList<>(splits.size());
    List<FileId> changed = new ArrayList<>();
    lock.readLock().lock();
    try {
      for (SplitRef split : splits) {
        long[] held = max == 0 ? null : held(split, changed);
        out.add(rank(held, max));
      }
    } finally {
      lock.readLock().unlock();
    }
    track(changed);
    return out;
  }

  /**
   * The executors holding the most bytes of one task's input, a group of splits (Spark packs
   * several small files or file pieces into one task): held bytes are summed over the splits,
   * then ranked as {@link #preferredExecutors(FileId, long, long, int)} ranks them.
   */
  public List<String> preferredForGroup(List<SplitRef> group, int max) {
    checkMax(max);
    java.util.Map<Integer, Long> bytes = new java.util.HashMap<>();
    List<FileId> changed = new ArrayList<>();
    List<String> ranked;
    lock.readLock().lock();
    try {
      for (SplitRef split : group) {
        long[] held = held(split, changed);
        for (int i = 0; held != null && i + 1 < held.length; i += 2) {
          bytes.merge((int) held[i], held[i + 1], Long::sum);
        }
      }
      long[] sum = new long[bytes.size() * 2];
      int i = 0;
      for (var en : bytes.entrySet()) {
        sum[i++] = en.getKey();
        sum[i++] = en.getValue();
      }
      ranked = max == 0 || bytes.isEmpty() ? List.of() : rank(sum, max);
    } finally {
      lock.readLock().unlock();
    }
    track(changed);
    return ranked;
  }

  private static void checkMax(int max) {
    if (max < 0) {
      throw new IllegalArgumentException("max must be 0 or more, was " + max);
    }
  }

  /**
   * Held bytes of a split per holder as {slot, bytes} pairs, or null; a split of a file whose
   * identity differs from the tracked one holds nothing and goes to {@code changed}. Read lock
   * held.
   */
  private long[] held(SplitRef split, List<FileId> changed) {
    FileEntry e = files.get(split.file().path());
    if (e == null) {
      return null;
    }
    if (!split.file().sameContent(e)) {
      changed.add(split.file());
      return null;
    }
    return e.heldBytes(split.start(), split.length());
  }

  /** The executor the ring gives an uncached split (see {@link SplitRef#key()}). */
  public Optional<String> assign(String splitKey) {
    return ring.assign(splitKey);
  }

  /** The ring over the live executors, kept in step by this registry. */
  public ExecutorRing ring() {
    return ring;
  }

  /** The host of a live executor, or null if it is not live. */
  public String hostOf(String executorId) {
    lock.readLock().lock();
    try {
      int slot = executors.slot(executorId);
      return slot < 0 ? null : executors.host(slot);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The live executors' ids. */
  public Set<String> liveExecutors() {
    lock.readLock().lock();
    try {
      return executors.liveIds();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** How many files the registry tracks. */
  public int files() {
    lock.readLock().lock();
    try {
      return files.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** How many (executor, row group) pairs are held. */
  public long rowGroupsHeld() {
    lock.readLock().lock();
    try {
      return heldRowGroups;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** How many deltas were applied. */
  public long deltasApplied() {
    return applied.get();
  }

  /** How many deltas were ignored, for any reason. */
  public long deltasIgnored() {
    return ignored.get();
  }

  /**
   * Estimated heap bytes of the file records (map nodes, paths, entries and their arrays) with
   * compressed references; the per-executor tables are not counted (a few KB).
   */
  public long estimatedHeapBytes() {
    lock.readLock().lock();
    try {
      long bytes = FileEntry.arrayBytes(4L * Math.max(16, files.size() * 4 / 3));
      for (Map.Entry<String, FileEntry> e : files.entrySet()) {
        // HashMap.Node (32) + String (24) + its Latin-1 bytes, assuming ASCII paths
        String etag = e.getValue().etag;
        bytes += 32 + 24 + FileEntry.arrayBytes(e.getKey().length())
            + (etag.isEmpty() ? 0 : 24 + FileEntry.arrayBytes(etag.length()))
            + e.getValue().estimatedBytes();
      }
      return bytes;
    } finally {
      lock.readLock().unlock();
    }
  }

  private List<String> rank(long[] held, int max) {
    if (held == null) {
      return List.of();
    }
    int n = held.length / 2;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> held[2 * a + 1] != held[2 * b + 1]
        ? Long.compare(held[2 * b + 1], held[2 * a + 1])
        : ExecutorTable.ID_ORDER.compare(
            executors.id((int) held[2 * a]), executors.id((int) held[2 * b])));
    List<String> ids = new ArrayList<>(Math.min(n, max));
    for (int i = 0; i < n && i < max; i++) {
      ids.add(executors.id((int) held[2 * order[i]]));
    }
    return Collections.unmodifiableList(ids);
  }

  /** Tracks the newer identities that queries brought, dropping the older content. */
  private void track(List<FileId> newer) {
    if (newer.isEmpty()) {
      return;
    }
    lock.writeLock().lock();
    try {
      for (FileId id : newer) {
        entryFor(id);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * The entry for an identity, replacing the stored one if {@code id} is newer, creating one if
   * none; null if {@code id} is older than the stored identity. Write lock held.
   */
  private FileEntry entryFor(FileId id) {
    FileEntry e = files.get(id.path());
    if (e != null && id.sameContent(e)) {
      return e;
    }
    if (e != null && id.modificationTime() < e.modificationTime) {
      return null;
    }
    if (e != null) {
      heldRowGroups -= e.heldRowGroups();
    }
    FileEntry fresh = new FileEntry(id);
    files.put(id.path(), fresh);
    return fresh;
  }

  /** Clears a slot from every file, dropping files no one holds any more. Write lock held. */
  private void dropEverywhere(int slot) {
    Iterator<FileEntry> it = files.values().iterator();
    while (it.hasNext()) {
      FileEntry e = it.next();
      int dropped = e.drop(slot);
      heldRowGroups -= dropped;
      if (dropped > 0 && !e.hasHolders()) {
        it.remove();
      }
    }
  }

  /** Applies one delta's changes for one executor slot. Write lock held. */
  private final class Applier implements InventoryDelta.Visitor {
    private final int slot;
    private FileId file;
    private FileEntry entry;
    private boolean resolved;

    Applier(int slot) {
      this.slot = slot;
    }

    @Override
    public void file(FileId f) {
      file = f;
      entry = null;
      resolved = false;
    }

    @Override
    public void added(int rowGroup, long rowGroupStart, long rowGroupBytes) {
      if (!resolved) {
        entry = entryFor(file);
        resolved = true;
      }
      if (entry != null) {
        entry.learn(rowGroup, rowGroupStart, rowGroupBytes);
        if (entry.set(slot, rowGroup)) {
          heldRowGroups++;
        }
      }
    }

    @Override
    public void removed(int rowGroup) {
      // an eviction never creates or replaces an entry: it only concerns content we track
      FileEntry e = resolved ? entry : files.get(file.path());
      if (e == null || !file.sameContent(e)) {
        return;
      }
      if (e.clear(slot, rowGroup)) {
        heldRowGroups--;
        if (!e.hasHolders()) {
          files.remove(file.path());
          entry = null;
          resolved = true;
        }
      }
    }
  }
}
