// SPDX-License-Identifier: Apache-2.0
// StaleChunksTest -- at start, chunks of changed or deleted files are evicted, the rest kept
package io.cellar.spark.exec;

import io.cellar.scheduler.FileId;
import static org.assertj.core.api.Assertions.assertThat;

import io.cellar.spark.key.ChunkKey;
import io.cellar.vmem.Tier;
import io.cellar.vmem.TierStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaleChunksTest {
  @TempDir
  Path dir;

  private static FileId identity(Path f) throws IOException {
    return new FileId(f.toUri().toString().replace("file:///", "file:/"), Files.size(f),
        Files.getLastModifiedTime(f).toMillis());
  }

  private static byte[] key(FileId f, int column) {
    return new ChunkKey(f, 4, 0, 100, "c" + column, new byte[16]).encode();
  }

  @Test
  void chunksOfChangedOrMissingFilesAreEvictedOthersKept() throws IOException {
    Path same = Files.writeString(dir.resolve("same.parquet"), "unchanged");
    Path grown = Files.writeString(dir.resolve("grown.parquet"), "before");
    Path gone = Files.writeString(dir.resolve("gone.parquet"), "deleted later");
    FileId sameId = identity(same);
    FileId grownId = identity(grown);
    FileId goneId = identity(gone);
    try (TierStack cache = Tier.dram().size(8L << 20).open()) {
      byte[] value = "chunk".getBytes(StandardCharsets.UTF_8);
      List<byte[]> keys = new ArrayList<>();
      for (FileId f : List.of(sameId, grownId, goneId)) {
        for (int c = 0; c < 2; c++) {
          keys.add(key(f, c));
          assertThat(cache.put(key(f, c), value)).isTrue();
        }
      }
      byte[] foreign = "not a chunk key".getBytes(StandardCharsets.UTF_8);
      cache.put(foreign, value);
      keys.add(foreign);
      Files.writeString(grown, "after the rewrite, longer");
      Files.delete(gone);

      StaleChunks.Result r = StaleChunks.sweep(cache, keys, Map.of());

      assertThat(r.files()).isEqualTo(3);
      assertThat(r.staleFiles()).isEqualTo(2);
      assertThat(r.evicted()).isEqualTo(4);
      assertThat(r.kept()).containsExactlyInAnyOrder(key(sameId, 0), key(sameId, 1), foreign);
      assertThat(cache.exists(key(sameId, 0))).isTrue();
      assertThat(cache.exists(key(grownId, 0))).isFalse();
      assertThat(cache.exists(key(goneId, 1))).isFalse();
      assertThat(cache.exists(foreign)).isTrue();
    }
  }

  @Test
  void aFileThatCannotBeLookedUpKeepsItsChunks() {
    FileId unknownScheme = new FileId("nosuchfs://host/x.parquet", 10, 10);
    assertThat(StaleChunks.unchanged(unknownScheme, new org.apache.hadoop.conf.Configuration()))
        .isTrue();
  }
}
