// SPDX-License-Identifier: Apache-2.0
// PolicyTest.java -- the replacement policies through the Java face: S3-FIFO resists a scan
package io.cellar.vmem;

import static io.cellar.vmem.TestData.MiB;
import static io.cellar.vmem.TestData.key;
import static io.cellar.vmem.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PolicyTest {
  /** Whether an entry read once after its put is still there after a scan of twice the cache. */
  private static boolean survivesAScan(Policy policy) {
    try (TierStack cache =
        Tier.dram().size(MiB).extentSize(4096).policy(policy).open()) {
      byte[] hot = key(1_000_000);
      assertThat(cache.put(hot, value(4000, 7))).isTrue();
      assertThat(cache.get(hot)).isPresent();
      for (int i = 0; i < 600; i++) {
        cache.put(key(i), value(4000, i));
      }
      assertThat(cache.stats(0).evictions()).isGreaterThan(300);
      return cache.get(hot).map(v -> {
        assertThat(v).isEqualTo(value(4000, 7));
        return true;
      }).orElse(false);
    }
  }

  @Test
  void s3fifoKeepsAnEntryReadAgainThroughAScanLruDoesNot() {
    assertThat(survivesAScan(Policy.S3FIFO)).isTrue();
    assertThat(survivesAScan(Policy.LRU)).isFalse();
  }
}
