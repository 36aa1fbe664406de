// SPDX-License-Identifier: Apache-2.0
// EvictedKeys.java -- keys drained from an eviction journal, and whether some were lost
package io.cellar.vmem;

import java.util.List;

/**
 * Keys that left a cache (or a whole tier stack), oldest first, as returned by {@link
 * ByteCache#drainEvicted(int)}. When {@link #overflowed()} is true the journal was full at some
 * point since the previous drain and keys were lost: rebuild the view from {@link
 * ByteCache#forEachKey}. Immutable; the key arrays are the caller's.
 */
public final class EvictedKeys {
  private final List<byte[]> keys;
  private final boolean overflowed;

  EvictedKeys(List<byte[]> keys, boolean overflowed) {
    this.keys = List.copyOf(keys);
    this.overflowed = overflowed;
  }

  /**
   * The keys, oldest first.
   *
   * @return an unmodifiable list, empty when nothing left since the last drain
   */
  public List<byte[]> keys() {
    return keys;
  }

  /**
   * Whether keys were lost since the previous drain because the journal was full.
   *
   * @return true when the caller must resync from a key listing
   */
  public boolean overflowed() {
    return overflowed;
  }

  @Override
  public String toString() {
    return "EvictedKeys[" + keys.size() + " keys" + (overflowed ? ", overflowed" : "") + "]";
  }
}
