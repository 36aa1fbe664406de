// SPDX-License-Identifier: Apache-2.0
// Inventory -- the executor cache's side of cache-aware scheduling: what was added and evicted
package io.cellar.spark.exec;

import io.cellar.scheduler.ChunkRef;
import io.cellar.scheduler.InventoryTracker;
import io.cellar.spark.key.ChunkKey;

/**
 * Feeds an executor's cache events into the scheduler's {@link InventoryTracker} once the
 * executor plugin attached one; until then (local mode, no plugin, locality off) every call is a
 * no-op. Thread-safe.
 */
public final class Inventory {
  private volatile InventoryTracker tracker;

  /** Starts feeding the tracker. */
  public void attach(InventoryTracker t) {
    this.tracker = t;
  }

  /** Whether a tracker is attached. */
  public boolean attached() {
    return tracker != null;
  }

  /** A chunk was newly added to the cache. */
  public void chunkAdded(ChunkKey k) {
    InventoryTracker t = tracker;
    if (t != null) {
      t.chunkAdded(k.file(), k.ordinal(), k.rowGroupStart(), k.rowGroupBytes());
    }
  }

  /** A key left the cache; keys that are not chunk keys are ignored. */
  public void keyEvicted(byte[] key) {
    InventoryTracker t = tracker;
    if (t == null) {
      return;
    }
    ChunkKey k = decode(key);
    if (k != null) {
      t.chunkEvicted(k.file(), k.ordinal());
    }
  }

  /** The chunk a cache key names, or null when it is not a chunk key of this version. */
  public static ChunkRef chunkRef(byte[] key) {
    ChunkKey k = decode(key);
    return k == null ? null
        : new ChunkRef(k.file(), k.ordinal(), k.rowGroupStart(), k.rowGroupBytes());
  }

  private static ChunkKey decode(byte[] key) {
    try {
      return ChunkKey.decode(key);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
