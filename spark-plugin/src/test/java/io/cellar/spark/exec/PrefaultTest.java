// SPDX-License-Identifier: Apache-2.0
// PrefaultTest -- an executor cache commits its DRAM tiers in the background, and only those
// (the engine's report of what it committed; native test_prefault checks resident memory itself,
// in a process where nothing else allocates)
package io.cellar.spark.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrefaultTest {
  private static final long MIB = 1L << 20;

  @TempDir
  Path dir;

  private ExecutorCache open(String tiers, String prefault) {
    Map<String, String> conf = new HashMap<>();
    conf.put("spark.cellar.tiers", tiers);
    if (prefault != null) {
      conf.put("spark.cellar.pool.prefault.enabled", prefault);
    }
    ExecutorCache ec = ExecutorCache.open(conf, false);
    assertThat(ec.available()).as(ec.unavailableReason()).isTrue();
    return ec;
  }

  @Test
  void theDramTierIsCommittedInTheBackgroundAndKeepsWhatIsPutMeanwhile() throws Exception {
    ExecutorCache ec = open("dram:96m,file:" + dir + ":16m", null);
    try {
      byte[] key = "a chunk".getBytes(StandardCharsets.UTF_8);
      byte[] value = new byte[300_000];
      for (int i = 0; i < value.length; i++) {
        value[i] = (byte) (i * 13);
      }
      assertThat(ec.cache().put(key, value)).isTrue();
      long committed = ec.prefaulted().get(60, TimeUnit.SECONDS);
      if (committed == 0) {
        // a kernel before 5.14: the log says so, and nothing else may change
        assertThat(ec.cache().get(key)).contains(value);
        return;
      }
      // the DRAM tier to its end, the file tier not at all
      assertThat(committed).isEqualTo(96 * MIB);
      assertThat(ec.cache().get(key)).contains(value);
    } finally {
      ec.cache().close();
    }
  }

  @Test
  void switchedOffNothingIsCommittedAhead() throws Exception {
    ExecutorCache ec = open("dram:96m", "false");
    try {
      assertThat(ec.prefaulted().get(10, TimeUnit.SECONDS)).isZero();
    } finally {
      ec.cache().close();
    }
  }
}
