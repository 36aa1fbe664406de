// SPDX-License-Identifier: Apache-2.0
// TierSpecTest -- the syntax of spark.cellar.tiers and what it rejects
package io.cellar.spark.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TierSpecTest {
  private static final long M = 1L << 20;
  private static final long G = 1L << 30;

  @Test
  void dramAlone() {
    assertThat(TierSpec.parseList("dram:2g")).containsExactly(new TierSpec("dram", null, 2 * G));
    assertThat(TierSpec.parseList("dram:1m")).containsExactly(new TierSpec("dram", null, M));
    assertThat(TierSpec.parseList("dram:2g").get(0).fileBacked()).isFalse();
  }

  @Test
  void pmemDirectoryWithSize() {
    TierSpec t = TierSpec.parseList("pmem:/mnt/pmem0:64g").get(0);
    assertThat(t).isEqualTo(new TierSpec("pmem", "/mnt/pmem0", 64 * G));
    assertThat(t.fileBacked()).isTrue();
  }

  @Test
  void pmemDeviceWithoutSizeMeansTheWholeDevice() {
    assertThat(TierSpec.parseList("pmem:/dev/dax0.0"))
        .containsExactly(new TierSpec("pmem", "/dev/dax0.0", 0));
    assertThat(TierSpec.parseList("pmem:/dev/dax0.0:16g"))
        .containsExactly(new TierSpec("pmem", "/dev/dax0.0", 16 * G));
  }

  @Test
  void fileTierWithSize() {
    assertThat(TierSpec.parseList("file:/dev/shm/x:4g"))
        .containsExactly(new TierSpec("file", "/dev/shm/x", 4 * G));
  }

  @Test
  void combinationsTopFirstWithSpacesAndAnyCase() {
    assertThat(TierSpec.parseList("dram:2g,pmem:/mnt/pmem0:64g")).containsExactly(
        new TierSpec("dram", null, 2 * G), new TierSpec("pmem", "/mnt/pmem0", 64 * G));
    assertThat(TierSpec.parseList(" DRAM:512m , file:/dev/shm/cellar:4g ,pmem:/dev/dax1.0"))
        .containsExactly(
            new TierSpec("dram", null, 512 * M),
            new TierSpec("file", "/dev/shm/cellar", 4 * G),
            new TierSpec("pmem", "/dev/dax1.0", 0));
    assertThat(TierSpec.parseList("pmem:/mnt/pmem0:64g,file:/ssd/cellar:1t")).containsExactly(
        new TierSpec("pmem", "/mnt/pmem0", 64 * G),
        new TierSpec("file", "/ssd/cellar", 1024 * G));
  }

  @Test
  void emptyMeansTheDefaultTier() {
    assertThat(TierSpec.parseList("")).isEmpty();
    assertThat(TierSpec.parseList("   ")).isEmpty();
  }

  @Test
  void eightTiersAreAllowed() {
    StringBuilder s = new StringBuilder("dram:1g");
    for (int i = 1; i < 8; i++) {
      s.append(",file:/t").append(i).append(":1g");
    }
    assertThat(TierSpec.parseList(s.toString())).hasSize(8);
  }

  @Test
  void toStringParsesBackToTheSameTier() {
    for (TierSpec t : TierSpec.parseList(
        "dram:2g,pmem:/mnt/pmem0:64g,pmem:/dev/dax0.0,file:/dev/shm/x:4g")) {
      assertThat(TierSpec.parseList(t.toString())).containsExactly(t);
    }
  }

  @Test
  void dramOnlyOnTop() {
    assertRejected("pmem:/mnt/pmem0:64g,dram:2g", "a dram tier can only be the top (first) tier");
    assertRejected("dram:1g,dram:1g", "a dram tier can only be the top (first) tier");
  }

  @Test
  void relativeOrMissingPathsAreRejected() {
    assertRejected("pmem:mnt/pmem0:64g", "tier 'pmem:mnt/pmem0:64g' needs an absolute path");
    assertRejected("file:shm/x:4g", "tier 'file:shm/x:4g' needs an absolute path");
    assertRejected("file:./x:4g", "needs an absolute path");
    assertRejected("pmem:", "tier 'pmem:' needs an absolute path");
    assertRejected("file::4g", "needs an absolute path");
  }

  @Test
  void sizesBelowOneMegabyteAreRejected() {
    assertRejected("dram:512k", "tier 'dram:512k' is smaller than 1m");
    assertRejected("dram:0", "is smaller than 1m");
    assertRejected("pmem:/mnt/pmem0:1048575", "is smaller than 1m");
    assertRejected("file:/dev/shm/x:100k", "tier 'file:/dev/shm/x:100k' is smaller than 1m");
  }

  @Test
  void malformedSizesAreRejected() {
    assertRejected("dram", "tier 'dram' has no valid size");
    assertRejected("dram:", "has no valid size");
    assertRejected("dram:lots", "tier 'dram:lots' has no valid size");
    assertRejected("dram:-2g", "has no valid size");
    assertRejected("pmem:/mnt/pmem0:64q", "tier 'pmem:/mnt/pmem0:64q' has no valid size");
  }

  @Test
  void unknownKindsAreRejected() {
    assertRejected("ssd:/data:1g", "unknown tier kind 'ssd' in 'ssd:/data:1g'");
    assertRejected("hbm:1g", "unknown tier kind 'hbm'");
    assertRejected("/mnt/pmem0:64g", "unknown tier kind '/mnt/pmem0'");
    assertRejected("dram:1g,,file:/x:1g", "an empty tier");
  }

  @Test
  void moreThanEightTiersAreRejected() {
    StringBuilder s = new StringBuilder("dram:1g");
    for (int i = 1; i < 9; i++) {
      s.append(",file:/t").append(i).append(":1g");
    }
    assertRejected(s.toString(), "9 tiers, at most 8");
  }

  @Test
  void fileTierWithoutSizeIsRejected() {
    assertRejected("file:/dev/shm/x", "tier 'file:/dev/shm/x' needs a size");
    assertRejected("dram:1g,file:/ssd/cellar", "tier 'file:/ssd/cellar' needs a size");
  }

  @Test
  void syntaxTextNamesEveryKindAndTheLimits() {
    assertThat(TierSpec.SYNTAX).contains("dram:SIZE", "pmem:PATH[:SIZE]", "file:PATH:SIZE",
        "at least 1m", "at most 8 tiers");
  }

  private static void assertRejected(String text, String message) {
    assertThatThrownBy(() -> TierSpec.parseList(text))
        .as("tiers '%s'", text)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void anEmptyTierIsRejected() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TierSpec.parseList("dram:1g,"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("an empty tier");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TierSpec.parseList("dram:1g,,file:/x:1g"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void directoryPoolsPersistUnlessMarkedVolatile() {
    assertThat(TierSpec.parseList("file:/dev/shm/x:4g").get(0).persistent()).isTrue();
    assertThat(TierSpec.parseList("file:/dev/shm/x:4g:volatile"))
        .containsExactly(new TierSpec("file", "/dev/shm/x", 4 * G, false));
    assertThat(TierSpec.parseList("pmem:/mnt/pmem0:64g:persistent"))
        .containsExactly(new TierSpec("pmem", "/mnt/pmem0", 64 * G, true));
    assertThat(TierSpec.parseList("pmem:/mnt/pmem0:volatile"))
        .containsExactly(new TierSpec("pmem", "/mnt/pmem0", 0, false));
    assertThat(TierSpec.parseList("dram:1g").get(0).persistent()).isFalse();
    TierSpec v = TierSpec.parseList("file:/dev/shm/x:4g:volatile").get(0);
    assertThat(TierSpec.parseList(v.toString())).containsExactly(v);
  }
}
