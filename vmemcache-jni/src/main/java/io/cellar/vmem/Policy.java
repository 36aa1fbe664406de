// SPDX-License-Identifier: Apache-2.0
// Policy.java -- a cache's replacement policy
package io.cellar.vmem;

/** What a full cache does when a new value needs room. */
public enum Policy {
  /** Never evict: a put into a full cache throws {@link CacheFullException}. */
  NONE(0),
  /** Evict the least recently used entries until the new value fits. */
  LRU(1),
  /**
   * Scan-resistant S3-FIFO ({@code CELLAR_POLICY_S3FIFO}): a new entry is on probation in a small
   * FIFO (a tenth of the bytes) and reaches the main FIFO only when it is read again there (or,
   * evicted unread, when it is put again soon after); the main FIFO evicts entries not read since
   * their last turn. A read only sets a use count: no lock, no queue. A scan's entries, read once,
   * pass through the small FIFO and leave the main one in place.
   */
  S3FIFO(2);

  private final int nativeValue;

  Policy(int nativeValue) {
    this.nativeValue = nativeValue;
  }

  /** The engine's {@code enum cellar_policy} value. */
  int nativeValue() {
    return nativeValue;
  }
}
