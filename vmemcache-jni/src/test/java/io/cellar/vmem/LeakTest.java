// SPDX-License-Identifier: Apache-2.0
// LeakTest.java -- caches and pins never closed are reported, closed ones are not
package io.cellar.vmem;

import static io.cellar.vmem.TestData.MiB;
import static io.cellar.vmem.TestData.key;
import static io.cellar.vmem.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeakTest {
  /** Drops a pin without closing it; the cache itself is closed properly. */
  private static void leakAPin() {
    try (TierStack cache = TestData.dram(MiB).open()) {
      cache.put(key("k"), value(100, 1));
      cache.pin(key("k")).orElseThrow();
    }
  }

  private static void closeEverything() {
    try (TierStack cache = TestData.dram(MiB).open()) {
      cache.put(key("k"), value(100, 1));
      cache.pin(key("k")).orElseThrow().close();
    }
  }

  private static void awaitReports(long atLeast) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              System.gc();
              return Leaks.reported() >= atLeast;
            });
  }

  @Test
  void aPinThatIsNeverClosedIsReportedOnceCollected() {
    long before = Leaks.reported();
    leakAPin();
    awaitReports(before + 1);
    assertThat(Leaks.reported()).isGreaterThan(before);
  }

  @Test
  void closedCachesAndPinsAreNeverReported() {
    // a leak from another test may still be collected meanwhile: compare against a known leak
    long before = Leaks.reported();
    for (int i = 0; i < 20; i++) {
      closeEverything();
    }
    leakAPin();
    awaitReports(before + 1);
    assertThat(Leaks.reported()).as("only the one leaked pin").isEqualTo(before + 1);
  }
}
