// SPDX-License-Identifier: Apache-2.0
// ConfTemplatesTest -- the conf/ templates name only registry keys, with values it accepts
package io.cellar.spark.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cellar.spark.CellarExtensions;
import io.cellar.spark.CellarPlugin;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ConfTemplatesTest {
  private static final String DEFAULTS = "conf/cellar-defaults.conf.template";
  private static final String TIERS = "conf/cellar-tiers-examples.conf.template";
  /** A setting left commented out for users to enable: "# key value". */
  private static final Pattern COMMENTED = Pattern.compile("#\\s*(spark\\.\\S+.*)");

  /** One setting of a template, active or commented out. */
  record Setting(String file, int line, String key, String value, boolean active) {
    String where() {
      return file + ":" + line;
    }
  }

  /** Every setting of a template, read as Spark reads spark-defaults.conf (Properties). */
  static List<Setting> settings(String relative) throws IOException {
    Path file = RepoFiles.resolve(relative);
    assertThat(file).as("template").isRegularFile();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<Setting> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      boolean active = !line.isEmpty() && !line.startsWith("#");
      String text = line;
      if (!active) {
        Matcher m = COMMENTED.matcher(line);
        if (!m.matches()) {
          continue;
        }
        text = m.group(1);
      }
      Properties p = new Properties();
      p.load(new StringReader(text));
      for (String key : p.stringPropertyNames()) {
        out.add(new Setting(relative, i + 1, key, p.getProperty(key), active));
      }
    }
    return out;
  }

  @Test
  void templatesNameOnlyKnownCellarKeysWithValidValues() throws IOException {
    List<String> problems = new ArrayList<>();
    for (String template : List.of(DEFAULTS, TIERS)) {
      for (Setting s : settings(template)) {
        if (!s.key().startsWith(CellarConf.PREFIX)) {
          continue;
        }
        ConfEntry<?> e = CellarConf.entry(s.key());
        if (e == null) {
          problems.add(s.where() + ": unknown key " + s.key() + " (did you mean "
              + CellarConf.closest(s.key()) + "?)");
          continue;
        }
        try {
          e.parse(s.value());
        } catch (IllegalArgumentException ex) {
          problems.add(s.where() + ": " + ex.getMessage());
        }
      }
    }
    if (!problems.isEmpty()) {
      fail("conf/ templates disagree with CellarConf:\n  " + String.join("\n  ", problems));
    }
  }

  @Test
  void defaultsTemplateShowsEveryPublicKeyOnceWithItsDefault() throws IOException {
    Map<String, Setting> shown = new LinkedHashMap<>();
    for (Setting s : settings(DEFAULTS)) {
      if (s.key().startsWith(CellarConf.PREFIX)) {
        Setting before = shown.put(s.key(), s);
        assertThat(before).as("%s shown twice, at %s", s.key(), s.where()).isNull();
        assertThat(s.active()).as("%s is commented out at %s", s.key(), s.where()).isFalse();
      }
    }
    for (ConfEntry<?> e : CellarConf.entries()) {
      Setting s = shown.remove(e.key());
      if (e.isInternal()) {
        assertThat(s).as("internal key %s in %s", e.key(), DEFAULTS).isNull();
        continue;
      }
      assertThat(s).as("public key %s missing from %s", e.key(), DEFAULTS).isNotNull();
      assertThat((Object) e.parse(s.value()))
          .as("%s at %s shows %s; its default is %s", e.key(), s.where(), s.value(),
              CellarConfTest.rawDefault(e))
          .isEqualTo(e.defaultValue());
    }
    assertThat(shown).as("keys the registry does not know").isEmpty();
  }

  @Test
  void defaultsTemplateSwitchesCellarOnWithTheRealClasses() throws IOException {
    Map<String, String> active = new HashMap<>();
    for (Setting s : settings(DEFAULTS)) {
      if (s.active()) {
        active.put(s.key(), s.value());
      }
    }
    assertThat(active).containsOnly(
        Map.entry("spark.sql.extensions", CellarExtensions.class.getName()),
        Map.entry("spark.plugins", CellarPlugin.class.getName()));
  }

  @Test
  void defaultsTemplateValidatesAsAWhole() throws IOException {
    Map<String, String> all = new HashMap<>();
    for (Setting s : settings(DEFAULTS)) {
      all.put(s.key(), s.value());
    }
    List<String> warnings = new ArrayList<>();
    CellarConf.validate(all, warnings);
    assertThat(warnings).isEmpty();
  }

  @Test
  void tiersTemplateCoversTheFourStacksAsAlternatives() throws IOException {
    List<List<String>> stacks = new ArrayList<>();
    for (Setting s : settings(TIERS)) {
      assertThat(s.key()).as("key at %s", s.where()).isEqualTo(CellarConf.TIERS.key());
      assertThat(s.active()).as("example at %s must be commented out", s.where()).isFalse();
      stacks.add(TierSpec.parseList(s.value()).stream().map(TierSpec::kind).toList());
    }
    assertThat(stacks).contains(
        List.of("dram"), List.of("pmem"), List.of("dram", "pmem"), List.of("dram", "file"));
  }

  @Test
  void templatesStartWithTheirLicenceAndPurpose() throws IOException {
    for (String template : List.of(DEFAULTS, TIERS)) {
      List<String> lines = Files.readAllLines(RepoFiles.resolve(template));
      String name = Path.of(template).getFileName().toString();
      assertThat(lines.get(0)).isEqualTo("# SPDX-License-Identifier: Apache-2.0");
      assertThat(lines.get(1)).startsWith("# " + name + " -- ");
      for (int i = 0; i < lines.size(); i++) {
        assertThat(lines.get(i)).as("%s:%d", template, i + 1).doesNotEndWith(" ");
      }
    }
  }
}
