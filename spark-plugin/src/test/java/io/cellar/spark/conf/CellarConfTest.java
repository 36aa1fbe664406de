// SPDX-License-Identifier: Apache-2.0
// CellarConfTest -- the registry's entries, their defaults, and validation of whole configurations
package io.cellar.spark.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CellarConfTest {
  /**
   * Boolean keys that break the STYLE rule "booleans end in .enabled". Listed here so that the
   * test reports them without renaming a key; a key that no longer deviates must leave the list.
   */
  private static final Set<String> BOOLEAN_NAME_DEVIATIONS = Set.of();

  /** The text of an entry's default as a user would write it. */
  static String rawDefault(ConfEntry<?> e) {
    // the reference shows an empty string default as "(empty)"
    return e.typeName().equals("string") && "".equals(e.defaultValue()) ? "" : e.defaultText();
  }

  @Test
  void registryHasEntriesWithUniqueKeysSortedByKey() {
    List<ConfEntry<?>> all = CellarConf.entries();
    List<String> keys = all.stream().map(ConfEntry::key).toList();
    assertThat(keys).isNotEmpty().doesNotHaveDuplicates().isSorted();
    for (String k : keys) {
      assertThat(CellarConf.entry(k)).isNotNull();
      assertThat(CellarConf.entry(k).key()).isEqualTo(k);
    }
    assertThat(CellarConf.entry("spark.cellar.no-such-key")).isNull();
  }

  @Test
  void everyEntryHasADocAKeyUnderThePrefixAndAllowedText() {
    for (ConfEntry<?> e : CellarConf.entries()) {
      assertThat(e.key()).as("key").startsWith(CellarConf.PREFIX)
          .matches("spark\\.cellar\\.[a-z0-9-]+(\\.[a-z0-9-]+)*");
      assertThat(e.doc()).as("doc of %s", e.key()).isNotBlank().endsWith(".");
      assertThat(e.allowed()).as("allowed values of %s", e.key()).isNotBlank();
      assertThat(e.scope()).as("scope of %s", e.key()).isNotNull();
    }
  }

  @Test
  void everyDefaultParsesBackToTheDefaultValue() {
    for (ConfEntry<?> e : CellarConf.entries()) {
      assertThat(e.parse(rawDefault(e))).as("default of %s", e.key()).isEqualTo(e.defaultValue());
      assertThat(e.from(Map.of())).as("unset %s", e.key()).isEqualTo(e.defaultValue());
    }
  }

  @Test
  void defaultsOfAllKeysTogetherValidate() {
    Map<String, String> defaults = new HashMap<>();
    for (ConfEntry<?> e : CellarConf.entries()) {
      defaults.put(e.key(), rawDefault(e));
    }
    List<String> warnings = new ArrayList<>();
    CellarConf.validate(defaults, warnings);
    assertThat(warnings).isEmpty();
  }

  @Test
  void booleanKeysEndInEnabledOrAreTheTopLevelSwitch() {
    Set<String> deviations = new TreeSet<>();
    for (ConfEntry<?> e : CellarConf.entries()) {
      if (e.typeName().equals("boolean") && !e.key().endsWith(".enabled")) {
        deviations.add(e.key());
      }
    }
    // spark.cellar.enabled is both the top-level switch and rule-conforming
    assertThat(CellarConf.ENABLED.key()).isEqualTo("spark.cellar.enabled");
    assertThat(deviations)
        .as("boolean keys not ending in .enabled (STYLE section 2); fix the key or list it in"
            + " BOOLEAN_NAME_DEVIATIONS")
        .isEqualTo(new TreeSet<>(BOOLEAN_NAME_DEVIATIONS));
  }

  @Test
  void sessionSwitchIsRuntimeAndTiersAreStartup() {
    assertThat(CellarConf.ENABLED.scope()).isEqualTo(ConfEntry.Scope.RUNTIME);
    assertThat(CellarConf.ENABLED.defaultValue()).isTrue();
    assertThat(CellarConf.TIERS.scope()).isEqualTo(ConfEntry.Scope.STARTUP);
    assertThat(CellarConf.EXTENT_SIZE.scope()).isEqualTo(ConfEntry.Scope.STARTUP);
    assertThat(CellarConf.TEST_STRICT.isInternal()).isTrue();
  }

  @Test
  void valuesAreParsedToTheirTypes() {
    assertThat(CellarConf.CHUNK_MAX_BYTES.parse("64m")).isEqualTo(64L << 20);
    assertThat(CellarConf.CHUNK_MAX_BYTES.parse(" 1g ")).isEqualTo(1L << 30);
    assertThat(CellarConf.EXTENT_SIZE.parse("256")).isEqualTo(256L);
    assertThat(CellarConf.EXTENT_SIZE.parse("64m")).isEqualTo(64L << 20);
    assertThat(CellarConf.PUT_WAIT.parse("2s")).isEqualTo(2000L);
    assertThat(CellarConf.PUT_WAIT.parse("0ms")).isEqualTo(0L);
    assertThat(CellarConf.DRAM_FRACTION.parse("1")).isEqualTo(1.0);
    assertThat(CellarConf.ENABLED.parse("FALSE")).isFalse();
    assertThat(CellarConf.EXPLAIN.parse("not_cached")).isEqualTo(CellarConf.Explain.NOT_CACHED);
    assertThat(CellarConf.FOOTER_CACHE_ENTRIES.parse("0")).isZero();
    assertThat(CellarConf.BUILD_THREADS.parse("0")).isZero();
    assertThat(CellarConf.BUILD_THREADS.parse("64")).isEqualTo(64);
    assertThat(CellarConf.BUILD_PENDING_BYTES.parse("0")).isZero();
    assertThat(CellarConf.BUILD_PENDING_BYTES.parse("4g")).isEqualTo(4L << 30);
    assertThat(CellarConf.BUILD_ARENA_BYTES.parse("0")).isZero();
    assertThat(CellarConf.BUILD_ARENA_BYTES.parse("1m")).isEqualTo(1L << 20);
    assertThat(CellarConf.BUILD_ARENA_BYTES.parse("16g")).isEqualTo(16L << 30);
    assertThat(CellarConf.TIERS.parse("dram:1g")).isEqualTo("dram:1g");
  }

  @Test
  void fromReadsAMapOrALookupAndFallsBackToTheDefault() {
    Map<String, String> settings = Map.of("spark.cellar.enabled", "false");
    assertThat(CellarConf.ENABLED.from(settings)).isFalse();
    assertThat(CellarConf.ENABLED.from(k -> null)).isTrue();
    assertThat(CellarConf.PUT_WAIT.from(k -> k.equals("spark.cellar.pool.put-wait") ? "1s" : null))
        .isEqualTo(1000L);
    assertThatThrownBy(() -> CellarConf.ENABLED.from(Map.of("spark.cellar.enabled", "yes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spark.cellar.enabled=yes");
  }

  @Test
  void badSizeNamesKeyValueAndWhatIsAllowed() {
    assertInvalid(CellarConf.CHUNK_MAX_BYTES, "lots", "a size from 1m to 1g");
    assertInvalid(CellarConf.CHUNK_MAX_BYTES, "512k", "a size from 1m to 1g");
    assertInvalid(CellarConf.CHUNK_MAX_BYTES, "-1m", "a size from 1m to 1g");
    assertInvalid(CellarConf.EXTENT_SIZE, "128", "a size from 256 to 64m");
    assertInvalid(CellarConf.EXTENT_SIZE, "1g", "a size from 256 to 64m");
    assertInvalid(CellarConf.PUT_WAIT, "forever", "a duration from 0 to 60s");
    assertInvalid(CellarConf.PUT_WAIT, "2min", "a duration from 0 to 60s");
  }

  @Test
  void chunkLimitKeepsVariableLengthOffsetsWithinInt32() {
    // a VAR node addresses its bytes with int32 offsets (ChunkFormat), and a writer notices the
    // limit only after a whole batch: a limit of 2g or more lets a string chunk overflow them
    assertThat(CellarConf.CHUNK_MAX_BYTES.parse("1g")).isEqualTo(1L << 30);
    assertInvalid(CellarConf.CHUNK_MAX_BYTES, "2g", "a size from 1m to 1g");
    assertInvalid(CellarConf.CHUNK_MAX_BYTES, "8g", "a size from 1m to 1g");
  }

  @Test
  void badTierSpecNamesKeyValueTheSyntaxAndTheReason() {
    String raw = "pmem:/mnt/pmem0:64g,dram:2g";
    assertThatThrownBy(() -> CellarConf.TIERS.parse(raw))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spark.cellar.tiers=" + raw)
        .hasMessageContaining(TierSpec.SYNTAX)
        .hasMessageContaining("a dram tier can only be the top (first) tier");
    assertInvalid(CellarConf.TIERS, "ssd:/data:1g", TierSpec.SYNTAX);
  }

  @Test
  void fractionOutOfRangeNamesKeyValueAndRange() {
    for (String v : new String[] {"0", "-0.1", "1.5", "NaN", "Infinity", "a fifth"}) {
      assertInvalid(CellarConf.DRAM_FRACTION, v, "a number in (0, 1]");
    }
  }

  @Test
  void badEnumBooleanAndIntegerNameWhatIsAllowed() {
    assertInvalid(CellarConf.EXPLAIN, "VERBOSE", "one of NONE, NOT_CACHED, ALL");
    assertInvalid(CellarConf.ENABLED, "yes", "true or false");
    assertInvalid(CellarConf.ENABLED, "", "true or false");
    assertInvalid(CellarConf.FOOTER_CACHE_ENTRIES, "-1", "an integer, 0 or more");
    assertInvalid(CellarConf.FOOTER_CACHE_ENTRIES, "4k", "an integer, 0 or more");
    assertInvalid(CellarConf.BUILD_THREADS, "-1", "an integer from 0 to 64");
    assertInvalid(CellarConf.BUILD_THREADS, "65", "an integer from 0 to 64");
    assertInvalid(CellarConf.BUILD_PENDING_BYTES, "5g", "a size from 0 to 4g");
    assertInvalid(CellarConf.BUILD_PENDING_BYTES, "lots", "a size from 0 to 4g");
    assertInvalid(CellarConf.BUILD_ARENA_BYTES, "64k", "0, or a size from 1m to 16g");
    assertInvalid(CellarConf.BUILD_ARENA_BYTES, "17g", "0, or a size from 1m to 16g");
  }

  @Test
  void validationReportsEveryInvalidKeyAtOnce() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.cellar.tiers", "dram:100k");
    settings.put("spark.cellar.tier.dram.fraction", "2");
    settings.put("spark.cellar.sql.explain", "LOUD");
    settings.put("spark.cellar.chunk.max-bytes", "huge");
    settings.put("spark.cellar.enabled", "true");
    settings.put("spark.executor.memory", "not checked: not Cellar's");
    List<String> warnings = new ArrayList<>();
    assertThatThrownBy(() -> CellarConf.validate(settings, warnings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid Cellar configuration: ")
        .hasMessageContaining("spark.cellar.tiers=dram:100k")
        .hasMessageContaining("smaller than 1m")
        .hasMessageContaining("spark.cellar.tier.dram.fraction=2")
        .hasMessageContaining("spark.cellar.sql.explain=LOUD")
        .hasMessageContaining("spark.cellar.chunk.max-bytes=huge")
        .hasMessageNotContaining("spark.cellar.enabled")
        .hasMessageNotContaining("spark.executor.memory");
    assertThat(warnings).isEmpty();
  }

  @Test
  void unknownKeysWarnWithTheClosestKnownKey() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.cellar.tier", "dram:1g");
    settings.put("spark.cellar.enable", "true");
    settings.put("spark.cellar.extentsize", "16k");
    settings.put("spark.cellar.footer-cache.entry", "10");
    settings.put("spark.sql.cellar.enabled", "true");
    List<String> warnings = new ArrayList<>();
    CellarConf.validate(settings, warnings);
    assertThat(warnings).containsExactly(
        "unknown configuration key spark.cellar.tier; did you mean spark.cellar.tiers?",
        "unknown configuration key spark.cellar.enable; did you mean spark.cellar.enabled?",
        "unknown configuration key spark.cellar.extentsize; did you mean"
            + " spark.cellar.pool.extent-size?",
        "unknown configuration key spark.cellar.footer-cache.entry; did you mean"
            + " spark.cellar.footer-cache.entries?");
  }

  @Test
  void unknownKeysStillWarnWhenOtherValuesAreInvalid() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.cellar.sql.explian", "ALL");
    settings.put("spark.cellar.sql.explain", "SOME");
    List<String> warnings = new ArrayList<>();
    assertThatThrownBy(() -> CellarConf.validate(settings, warnings))
        .hasMessageContaining("spark.cellar.sql.explain=SOME");
    assertThat(warnings).singleElement().asString()
        .contains("spark.cellar.sql.explian").contains("did you mean spark.cellar.sql.explain?");
  }

  @Test
  void closestIsAnExactKeyForAKnownKey() {
    for (ConfEntry<?> e : CellarConf.entries()) {
      assertThat(CellarConf.closest(e.key())).isEqualTo(e.key());
    }
  }

  private static void assertInvalid(ConfEntry<?> e, String raw, String allowed) {
    assertThatThrownBy(() -> e.parse(raw))
        .as("%s=%s", e.key(), raw)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(e.key() + "=" + raw + " is not valid")
        .hasMessageContaining("allowed is " + allowed);
    List<String> warnings = new ArrayList<>();
    assertThatThrownBy(() -> CellarConf.validate(Map.of(e.key(), raw), warnings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(e.key() + "=" + raw);
  }
}
