// SPDX-License-Identifier: Apache-2.0
// RepoFiles -- finds files of the repository (docs/, conf/) from a test's working directory
package io.cellar.spark.conf;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository root, whichever directory Surefire or an IDE runs the tests from. */
final class RepoFiles {
  private RepoFiles() {}

  /** The repository root: the nearest directory upwards holding spark-plugin/pom.xml. */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("spark-plugin").resolve("pom.xml"))) {
        return d;
      }
    }
    throw new IllegalStateException("no repository root above " + dir);
  }

  /** A path relative to the repository root. */
  static Path resolve(String relative) {
    return root().resolve(relative);
  }
}
