// SPDX-License-Identifier: Apache-2.0
// MemoryWarningTest.java -- the DRAM tier must fit in the executor's memory overhead
package io.cellar.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryWarningTest {
  @Test
  void aDramTierLargerThanTheOverheadOnYarnIsReported() {
    String w = CellarExtensions.memoryWarning(
        Map.of("spark.master", "yarn", "spark.cellar.tiers", "dram:2g"));
    assertThat(w).contains("spark.executor.memoryOverhead is 384 MiB")
        .contains("at least 2432m");
  }

  @Test
  void anOverheadThatCoversTheTierIsQuiet() {
    assertThat(CellarExtensions.memoryWarning(Map.of("spark.master", "k8s://x",
        "spark.cellar.tiers", "dram:2g,pmem:/mnt/pmem0:64g",
        "spark.executor.memoryOverhead", "3g"))).isNull();
    assertThat(CellarExtensions.memoryWarning(Map.of("spark.master", "yarn",
        "spark.cellar.tiers", "dram:1g", "spark.executor.memoryOverhead", "1500"))).isNull();
  }

  @Test
  void theDefaultTierCountsAFractionOfTheExecutorMemory() {
    String w = CellarExtensions.memoryWarning(Map.of("spark.master", "yarn",
        "spark.executor.memory", "10g"));
    assertThat(w).contains("takes 2048 MiB");
  }

  @Test
  void localAndStandaloneMastersHaveNoContainersToKill() {
    assertThat(CellarExtensions.memoryWarning(
        Map.of("spark.master", "local[2]", "spark.cellar.tiers", "dram:8g"))).isNull();
    assertThat(CellarExtensions.memoryWarning(
        Map.of("spark.master", "spark://h:7077", "spark.cellar.tiers", "dram:8g"))).isNull();
  }
}
