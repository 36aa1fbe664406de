// SPDX-License-Identifier: Apache-2.0
// PoolOwnerTest -- an application reattaches only the persistent pools of its own security scope
package io.cellar.spark.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellar.vmem.ReattachReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolOwnerTest {
  private static final byte[] KEY = "a chunk".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  private Map<String, String> conf(String accessKey, boolean shared) {
    Map<String, String> c = new HashMap<>();
    c.put("spark.cellar.tiers", "file:" + dir + ":8m");
    c.put("spark.hadoop.fs.s3a.access.key", accessKey);
    c.put("spark.hadoop.fs.s3a.connection.maximum", accessKey.length() + "");
    if (shared) {
      c.put("spark.cellar.security.shared-scope.enabled", "true");
    }
    return c;
  }

  /** Opens the executor cache of an application with this configuration; puts KEY when asked. */
  private ReattachReport open(Map<String, String> conf, boolean put) throws Exception {
    ExecutorCache ec = ExecutorCache.open(conf, false);
    assertThat(ec.available()).as(ec.unavailableReason()).isTrue();
    try {
      ec.stocked().get();
      if (put) {
        assertThat(ec.cache().put(KEY, KEY)).isTrue();
      }
      return ec.cache().reattach().orElseThrow();
    } finally {
      ec.cache().close();
    }
  }

  @Test
  void anotherCredentialScopeMakesItsOwnPoolAndLeavesTheFirst() throws Exception {
    ReattachReport a = open(conf("AKIA-ALICE", false), true);
    assertThat(a.state()).isEqualTo(ReattachReport.State.NEW);

    ReattachReport b = open(conf("AKIA-BOB", false), false);
    assertThat(b.state()).isEqualTo(ReattachReport.State.NEW);
    assertThat(b.poolFile()).isNotEqualTo(a.poolFile());

    ReattachReport again = open(conf("AKIA-ALICE", false), false);
    assertThat(again.poolFile()).isEqualTo(a.poolFile());
    assertThat(again.state()).isEqualTo(ReattachReport.State.CLEAN);
    assertThat(again.entriesRecovered()).isEqualTo(1);
  }

  @Test
  void settingsThatDecideNothingAndTheSharedScopeKeepOnePool() throws Exception {
    ReattachReport a = open(conf("AKIA-ALICE", false), true);
    // another value of a key outside the scope (the connection pool size) is the same owner
    Map<String, String> other = conf("AKIA-ALICE", false);
    other.put("spark.hadoop.fs.s3a.connection.maximum", "99");
    assertThat(ExecutorCache.poolOwner(other)).isEqualTo(ExecutorCache.poolOwner(conf("AKIA-ALICE", false)));
    assertThat(open(other, false).entriesRecovered()).isEqualTo(1);

    ReattachReport shared = open(conf("AKIA-ALICE", true), true);
    assertThat(shared.poolFile()).isNotEqualTo(a.poolFile());
    ReattachReport sharedAgain = open(conf("AKIA-BOB", true), false);
    assertThat(sharedAgain.poolFile()).isEqualTo(shared.poolFile());
    assertThat(sharedAgain.entriesRecovered()).isEqualTo(1);
  }
}
