// SPDX-License-Identifier: Apache-2.0
// ConfDocs -- writes the configuration reference from the registry
package io.cellar.spark.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generates {@code docs/configuration.md} from {@link CellarConf}. A test fails when the committed
 * file differs from what this writes; regenerate it with
 * {@code mvn -B -q -pl spark-plugin/spark-4.1 compile exec:java@config-docs} or by running
 * {@link #main} with the file as argument.
 */
public final class ConfDocs {
  private ConfDocs() {}

  /** The reference as Markdown. */
  public static String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Cellar configuration\n\n")
        .append("Generated from `io.cellar.spark.conf.CellarConf`; do not edit by hand.\n\n")
        .append("STARTUP keys are read from the SparkConf when an executor's cache starts (set")
        .append(" them with `--conf` or in `spark-defaults.conf`). RUNTIME keys are read from")
        .append(" the session when a query is planned (`spark.conf.set(...)` or `SET` works).")
        .append(" Invalid values fail the session at start with a message naming the key, the")
        .append(" value and what is allowed.\n\n")
        .append("| key | default | scope | meaning |\n|---|---|---|---|\n");
    for (ConfEntry<?> e : CellarConf.entries()) {
      if (e.isInternal()) {
        continue;
      }
      md.append("| `").append(e.key()).append("` | `").append(e.defaultText()).append("` | ")
          .append(e.scope()).append(" | ").append(e.doc().replace("|", "\\|"))
          .append(" Allowed: ").append(e.allowed().replace("|", "\\|")).append(". |\n");
    }
    return md.toString();
  }

  /** Writes the reference to the file named by the first argument. */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "docs/configuration.md");
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, markdown(), StandardCharsets.UTF_8);
  }
}
