// SPDX-License-Identifier: Apache-2.0
// ShmTempDirFactory.java -- @TempDir directories on tmpfs (/dev/shm) when the machine has it
package io.cellar.vmem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/** Puts pools in RAM-backed /dev/shm, so tests neither wear a disk nor wait for one. */
public final class ShmTempDirFactory implements TempDirFactory {
  static final Path SHM = Path.of("/dev/shm");

  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context)
      throws IOException {
    if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
      return Files.createTempDirectory(SHM, "cellar-test-");
    }
    return Files.createTempDirectory("cellar-test-");
  }
}
