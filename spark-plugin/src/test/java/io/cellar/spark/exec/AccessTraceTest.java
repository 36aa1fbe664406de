// SPDX-License-Identifier: Apache-2.0
// AccessTraceTest -- a recorded trace numbers keys by first use and keeps every access in order
package io.cellar.spark.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessTraceTest {
  @TempDir
  Path dir;

  @Test
  void keysAreNumberedByFirstUseAndEveryAccessIsALine() throws IOException {
    Path f = dir.resolve("t.trace");
    AccessTrace t = AccessTrace.open(f.toString());
    byte[] a = "chunk a".getBytes(StandardCharsets.UTF_8);
    byte[] b = "chunk b".getBytes(StandardCharsets.UTF_8);
    t.write(a, 100);
    t.write(b, 7);
    // an equal key in another array is the same chunk
    t.write("chunk a".getBytes(StandardCharsets.UTF_8), 100);
    a[0] = 'X'; // the recorder kept its own copy of the key
    t.write(b, 7);
    t.close();
    assertThat(Files.readAllLines(f))
        .containsExactly(AccessTrace.HEADER, "0 100", "1 7", "0 100", "1 7");
  }

  @Test
  void noFileMeansNoRecorder() {
    assertThat(AccessTrace.open(null)).isNull();
    assertThat(AccessTrace.open("")).isNull();
    assertThat(AccessTrace.open(dir.resolve("missing/dir/t.trace").toString())).isNull();
    assertThat(AccessTrace.enabled()).isFalse();
  }
}
