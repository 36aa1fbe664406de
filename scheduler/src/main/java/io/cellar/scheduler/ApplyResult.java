// SPDX-License-Identifier: Apache-2.0
// ApplyResult -- what the registry did with an inventory delta
package io.cellar.scheduler;

/**
 * What {@link CacheRegistry#apply} did with a delta. A result that {@link #wantsFullInventory()}
 * means the driver's view of the executor may be wrong until the executor sends a full
 * inventory; an adapter that uses a request-reply message can pass that back to the tracker
 * ({@link InventoryTracker#requestFullInventory()}).
 */
public enum ApplyResult {
  /** Applied; the view follows the executor's stream without a gap. */
  APPLIED(false),
  /** Applied, but an earlier delta never arrived, so some changes are missing. */
  APPLIED_AFTER_GAP(true),
  /** Ignored: its sequence number is not newer than the last one applied. */
  STALE(false),
  /** Ignored: from a tracker the registry has no full inventory of (a new incarnation). */
  NO_BASE(true),
  /** Ignored: the executor has not been added (its first reports may beat the listener). */
  UNKNOWN_EXECUTOR(true),
  /** Ignored: the executor was removed. */
  REMOVED_EXECUTOR(false),
  /** Ignored: the payload is malformed. */
  MALFORMED(false);

  private final boolean wantsFull;

  ApplyResult(boolean wantsFull) {
    this.wantsFull = wantsFull;
  }

  /** Whether the executor should send a full inventory for the driver to be right again. */
  public boolean wantsFullInventory() {
    return wantsFull;
  }

  /** Whether the delta changed the registry. */
  public boolean applied() {
    return this == APPLIED || this == APPLIED_AFTER_GAP;
  }
}
