// SPDX-License-Identifier: Apache-2.0
// TierStats.java -- movement counters of a tier stack (struct cellar_tier_stats)
package io.cellar.vmem;

/**
 * How entries moved between the tiers of a {@link TierStack}; mirrors {@code struct
 * cellar_tier_stats}.
 *
 * @param promotions hits below the top that copied the entry up
 * @param demotions evictions that moved an entry one tier down
 * @param dropped evictions that left the stack
 */
public record TierStats(long promotions, long demotions, long dropped) {

  /** Number of counters, the length of the array the glue fills. */
  static final int FIELDS = 3;

  static TierStats of(long[] v) {
    return new TierStats(v[0], v[1], v[2]);
  }
}
