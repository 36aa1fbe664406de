// SPDX-License-Identifier: Apache-2.0
// ArgumentsTest.java -- bad arguments and bad pool paths fail with messages that say why
package io.cellar.vmem;

import static io.cellar.vmem.TestData.MiB;
import static io.cellar.vmem.TestData.key;
import static io.cellar.vmem.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArgumentsTest {
  @TempDir(factory = ShmTempDirFactory.class)
  Path dir;

  @Test
  void sizeOutsideOneMebibyteTo2Pow56IsRejectedNamingTheValue() {
    for (long bad : new long[] {-1, 0, MiB - 1, 1L << 56, Long.MAX_VALUE}) {
      assertThatThrownBy(() -> Tier.dram().size(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "size must be from 1048576 (1 MiB) to 72057594037927935 (2^56 - 1) bytes, was "
                  + bad);
    }
  }

  @Test
  void extentBelow256BytesIsRejected() {
    for (long bad : new long[] {-5, 0, 255}) {
      assertThatThrownBy(() -> Tier.dram().extentSize(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("extentSize must be from 256 bytes to the pool size, was " + bad);
    }
  }

  @Test
  void extentLargerThanThePoolIsRejectedAtBuild() {
    assertThatThrownBy(() -> Tier.dram().size(MiB).extentSize(2 * MiB).open())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tier 0: extentSize 2097152 is larger than the pool size 1048576");
  }

  @Test
  void tierRejectsNulls() {
    assertThatThrownBy(() -> Tier.directory(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("directory is null");
    assertThatThrownBy(() -> Tier.devdax(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("devdax device is null");
    assertThatThrownBy(() -> Tier.devdax(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "devdax device " + dir + " is a directory; use directory(Path) for a file pool");
    assertThatThrownBy(() -> Tier.dram().policy(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("policy is null; allowed: [NONE, LRU, S3FIFO]");
  }

  @Test
  void dataCallsRejectNullAndEmptyKeysAndValues() {
    try (TierStack cache = TestData.dram(MiB).open()) {
      assertThatThrownBy(() -> cache.put(null, value(1, 0)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key is null");
      assertThatThrownBy(() -> cache.put(new byte[0], value(1, 0)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key is empty; keys need at least 1 byte");
      assertThatThrownBy(() -> cache.put(key("k"), (byte[]) null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("value is null");
      assertThatThrownBy(() -> cache.replace(key("k"), (ByteBuffer) null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("value is null");
      assertThatThrownBy(() -> cache.get(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key is null");
      assertThatThrownBy(() -> cache.pin(new byte[0]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key is empty; keys need at least 1 byte");
      assertThatThrownBy(() -> cache.evict(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key is null");
      assertThatThrownBy(() -> cache.exists(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key is null");
    }
  }

  @Test
  void getRejectsBadDestinationsAndOffsets() {
    try (TierStack cache = TestData.dram(MiB).open()) {
      assertThatThrownBy(() -> cache.get(key("k"), (ByteBuffer) null, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("dst is null");
      assertThatThrownBy(
              () -> cache.get(key("k"), ByteBuffer.allocateDirect(4).asReadOnlyBuffer(), 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("dst is read-only; a get needs a writable buffer");
      assertThatThrownBy(() -> cache.get(key("k"), ByteBuffer.allocateDirect(4), -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("valueOffset must be 0 or more, was -1");
      assertThatThrownBy(() -> cache.get(key("k"), new byte[4], 2, 3, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("range off=2, len=3 is outside dst of 4 bytes");
      assertThatThrownBy(() -> cache.get(key("k"), new byte[4], -1, 1, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("range off=-1, len=1 is outside dst of 4 bytes");
      assertThatThrownBy(() -> cache.get(key("k"), null, 0, 0, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("dst is null");
    }
  }

  @Test
  void poolPathThatIsAFileFailsWithNotADirectory() throws IOException {
    Path file = Files.createFile(dir.resolve("plain-file"));
    Throwable t = catchThrowable(() -> TestData.dir(file, MiB).open());
    assertThat(t)
        .isInstanceOf(CacheIOException.class)
        .hasMessage("vmemcache_add: open: Not a directory (ENOTDIR: Not a directory)");
    assertThat(((CellarException) t).code()).isEqualTo(ErrorCode.ENOTDIR);
  }

  @Test
  void missingPoolDirectoryFailsWithNoSuchFile() {
    Path missing = dir.resolve("does-not-exist");
    Throwable t = catchThrowable(() -> TestData.dir(missing, MiB).open());
    assertThat(t)
        .isInstanceOf(CacheIOException.class)
        .hasMessageStartingWith("vmemcache_add: ")
        .hasMessageEndingWith("(ENOENT: No such file or directory)");
    assertThat(((CellarException) t).code()).isEqualTo(ErrorCode.ENOENT);
  }

  @Test
  void readOnlyPoolDirectoryFailsWithPermissionDenied() throws IOException {
    Path ro = Files.createDirectory(dir.resolve("read-only"));
    Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-x------"));
    try {
      Assumptions.assumeFalse(
          Files.isWritable(ro), "running with permission overrides (root): mode 0500 is ignored");
      Throwable t = catchThrowable(() -> TestData.dir(ro, MiB).open());
      assertThat(t)
          .isInstanceOf(CacheIOException.class)
          .hasMessageStartingWith("vmemcache_add: ")
          .hasMessageEndingWith("(EACCES: Permission denied)");
    } finally {
      Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void poolLargerThanTheFileSystemFailsCleanlyAndTheJvmCarriesOn() {
    Throwable t = catchThrowable(() -> TestData.dir(dir, 1L << 50).open());
    assertThat(t)
        .as("a 1 PiB pool in %s", dir)
        .isInstanceOfAny(CacheFullException.class, CacheIOException.class)
        .hasMessageStartingWith("vmemcache_add: ")
        .hasMessageMatching(".*\\((ENOSPC|EFBIG|EIO): [^)]+\\)$");
    try (TierStack cache = TestData.dir(dir, MiB).open()) {
      assertThat(cache.put(key("after"), value(100, 1))).isTrue();
      assertThat(cache.exists(key("after"))).isTrue();
    }
  }

  @Test
  void hugeDramPoolFailsWithAnEngineError() {
    Throwable t = catchThrowable(() -> TestData.dram(1L << 55).open());
    assertThat(t).isInstanceOf(CellarException.class).hasMessageStartingWith("cellar_add_dram: ");
  }
}
