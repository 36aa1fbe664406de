// SPDX-License-Identifier: Apache-2.0
// ConfigurationDocsTest -- docs/configuration.md is what ConfDocs generates from the registry
package io.cellar.spark.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationDocsTest {
  static final String REGENERATE = "mvn -B -q -pl spark-plugin/spark-4.1 compile exec:java@config-docs";

  @Test
  void committedReferenceMatchesTheRegistry() throws IOException {
    Path committed = RepoFiles.resolve("docs/configuration.md");
    if (!Files.isRegularFile(committed)) {
      fail("docs/configuration.md is missing: generate it with " + REGENERATE);
    }
    String onDisk = Files.readString(committed, StandardCharsets.UTF_8);
    String generated = ConfDocs.markdown();
    if (!onDisk.equals(generated)) {
      fail("docs/configuration.md is stale: regenerate with " + REGENERATE + "\n"
          + firstDifference(onDisk, generated));
    }
  }

  @Test
  void mainWritesTheReferenceToTheNamedFile(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("nested").resolve("configuration.md");
    ConfDocs.main(new String[] {out.toString()});
    assertThat(out).content(StandardCharsets.UTF_8).isEqualTo(ConfDocs.markdown());
  }

  @Test
  void referenceListsEveryPublicKeyOnceSortedAndNoInternalKey() {
    String md = ConfDocs.markdown();
    List<String> rows = new ArrayList<>();
    for (String line : md.split("\n")) {
      if (line.startsWith("| `spark.")) {
        rows.add(line.substring(3, line.indexOf('`', 3)));
      }
    }
    List<String> expected = new ArrayList<>();
    for (ConfEntry<?> e : CellarConf.entries()) {
      if (e.isInternal()) {
        assertThat(md).as("internal key in the reference").doesNotContain(e.key());
      } else {
        expected.add(e.key());
      }
    }
    assertThat(rows).containsExactlyElementsOf(expected).isSorted();
  }

  @Test
  void eachRowCarriesDefaultScopeAndAllowedValues() {
    String md = ConfDocs.markdown();
    for (ConfEntry<?> e : CellarConf.entries()) {
      if (e.isInternal()) {
        continue;
      }
      String row = md.lines().filter(l -> l.startsWith("| `" + e.key() + "`")).findFirst()
          .orElseThrow();
      assertThat(row)
          .contains("`" + e.defaultText() + "`")
          .contains("| " + e.scope() + " |")
          .contains("Allowed: " + e.allowed().replace("|", "\\|"));
      // a '|' left unescaped in a doc would split the table row
      assertThat(row.replace("\\|", "").chars().filter(c -> c == '|').count())
          .as("cell separators in the row of %s", e.key()).isEqualTo(5);
    }
  }

  private static String firstDifference(String onDisk, String generated) {
    String[] a = onDisk.split("\n", -1);
    String[] b = generated.split("\n", -1);
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String x = i < a.length ? a[i] : "(end of file)";
      String y = i < b.length ? b[i] : "(end of file)";
      if (!x.equals(y)) {
        return "first difference at line " + (i + 1) + ":\n  committed: " + x
            + "\n  generated: " + y;
      }
    }
    return "the files differ only in line endings";
  }
}
