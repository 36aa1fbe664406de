// SPDX-License-Identifier: Apache-2.0
// ExecutorRingTest -- consistent hashing: determinism, ~1/N movement, load spread
package io.cellar.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutorRingTest {
  private static final int KEYS = 50_000;

  private static ExecutorRing ring(int executors) {
    ExecutorRing r = new ExecutorRing();
    for (int e = 1; e <= executors; e++) {
      r.add(Integer.toString(e));
    }
    return r;
  }

  private static String key(int i) {
    return "s3a://bucket/table/part-" + (i / 8) + ".parquet@" + (i % 8) * 134217728L;
  }

  private static String[] assignAll(ExecutorRing r) {
    String[] owners = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      owners[i] = r.assign(key(i)).orElseThrow();
    }
    return owners;
  }

  @Test
  void emptyRingAssignsNothing() {
    assertThat(new ExecutorRing().assign("k")).isEmpty();
  }

  @Test
  void assignmentDependsOnlyOnMembersNotOnTheirOrder() {
    ExecutorRing forward = ring(20);
    ExecutorRing backward = new ExecutorRing();
    for (int e = 20; e >= 1; e--) {
      backward.add(Integer.toString(e));
    }
    backward.add("5");
    assertThat(assignAll(backward)).isEqualTo(assignAll(forward));
  }

  @Test
  void addingAnExecutorMovesAboutOneNthOfKeysAllToTheNewcomer() {
    ExecutorRing r = ring(20);
    String[] before = assignAll(r);
    r.add("21");
    String[] after = assignAll(r);
    int moved = 0;
    for (int i = 0; i < KEYS; i++) {
      if (!before[i].equals(after[i])) {
        moved++;
        assertThat(after[i]).isEqualTo("21");
      }
    }
    double fraction = moved / (double) KEYS;
    System.out.printf("ring: adding the 21st executor moved %.4f of keys (1/21 = %.4f)%n",
        fraction, 1 / 21.0);
    assertThat(fraction).isBetween(0.5 / 21, 1.5 / 21);
  }

  @Test
  void removingAnExecutorMovesOnlyItsKeys() {
    ExecutorRing r = ring(20);
    String[] before = assignAll(r);
    r.remove("7");
    String[] after = assignAll(r);
    int moved = 0;
    for (int i = 0; i < KEYS; i++) {
      if (!before[i].equals(after[i])) {
        moved++;
        assertThat(before[i]).isEqualTo("7");
      }
      assertThat(after[i]).isNotEqualTo("7");
    }
    assertThat(moved / (double) KEYS).isBetween(0.5 / 20, 1.5 / 20);
  }

  @Test
  void loadIsSpreadWithinFortyPercentOfTheMean() {
    String[] owners = assignAll(ring(20));
    Map<String, Integer> load = new HashMap<>();
    for (String o : owners) {
      load.merge(o, 1, Integer::sum);
    }
    assertThat(load).hasSize(20);
    double mean = KEYS / 20.0;
    assertThat(load.values()).allSatisfy(n -> assertThat(n / mean).isBetween(0.6, 1.4));
  }

  @Test
  void membershipIsIdempotent() {
    ExecutorRing r = ring(3);
    r.add("2");
    r.remove("9");
    assertThat(r.members()).isEqualTo(java.util.Set.copyOf(List.of("1", "2", "3")));
  }
}
