// SPDX-License-Identifier: Apache-2.0
// InventoryDeltaTest -- the delta's byte format: round trips, compactness, malformed input
package io.cellar.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class InventoryDeltaTest {
  private static final FileId A =
      new FileId("s3a://b/t/a.parquet", 1_000_000L, 1700000000000L, "\"9b2cf535f277\"");
  private static final FileId B = new FileId("hdfs://nn/t/\u00e9t\u00e9.parquet", 42L, -5L);

  private static InventoryDelta delta(DeltaBatch batch) {
    return new InventoryDelta("7", 99L, 3L, false, batch.changes(), DeltaCodec.encode(batch));
  }

  @Test
  void roundTripKeepsFilesOrdinalsLayoutAndRemovals() {
    DeltaBatch batch = new DeltaBatch();
    batch.add(A, 5, 4_000L, 1_000L);
    batch.add(A, 0, 4L, 900L);
    batch.add(A, 6, 5_000L, 1L << 40);
    batch.remove(A, 1);
    batch.remove(A, 2);
    batch.remove(A, 3);
    batch.remove(A, 9);
    batch.add(B, RowGroups.MAX_ORDINAL, 0L, 0L);
    batch.remove(B, 0);

    List<String> changes = Changes.of(delta(batch));

    String a = A.path();
    assertThat(changes).containsExactly(
        "+" + a + "#0@4:900", "+" + a + "#5@4000:1000", "+" + a + "#6@5000:" + (1L << 40),
        "-" + a + "#1", "-" + a + "#2", "-" + a + "#3", "-" + a + "#9",
        "+" + B.path() + "#" + RowGroups.MAX_ORDINAL + "@0:0", "-" + B.path() + "#0");
  }

  @Test
  void roundTripKeepsFileIdentities() {
    DeltaBatch batch = new DeltaBatch();
    batch.add(A, 0, 4L, 10L);
    batch.remove(B, 3);
    List<FileId> files = new ArrayList<>();
    delta(batch).forEach(new InventoryDelta.Visitor() {
      @Override
      public void file(FileId file) {
        files.add(file);
      }

      @Override
      public void added(int rowGroup, long start, long bytes) {}

      @Override
      public void removed(int rowGroup) {}
    });
    assertThat(files).containsExactly(A, B);
  }

  @Test
  void javaSerializationKeepsHeaderAndChanges() throws Exception {
    DeltaBatch batch = new DeltaBatch();
    batch.add(A, 2, 100L, 50L);
    InventoryDelta sent =
        new InventoryDelta("exec-1", 1234L, 17L, true, batch.changes(), DeltaCodec.encode(batch));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(sent);
    }
    InventoryDelta got;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      got = (InventoryDelta) in.readObject();
    }
    assertThat(got.executorId()).isEqualTo("exec-1");
    assertThat(got.incarnation()).isEqualTo(1234L);
    assertThat(got.sequence()).isEqualTo(17L);
    assertThat(got.isFullInventory()).isTrue();
    assertThat(got.changes()).isEqualTo(1);
    assertThat(got.sizeBytes()).isEqualTo(sent.sizeBytes());
    assertThat(Changes.of(got)).containsExactly("+" + A.path() + "#2@100:50");
  }

  @Test
  void thousandAdjacentRowGroupsCostAFewBytesEachAndPathOnce() {
    DeltaBatch added = new DeltaBatch();
    DeltaBatch removed = new DeltaBatch();
    long start = 4;
    for (int rg = 0; rg < 1000; rg++) {
      long size = 128L * 1024 * 1024 + rg;
      added.add(A, rg, start, size);
      removed.remove(A, rg);
      start += size;
    }
    // ordinal gap 1 byte + start delta 1 byte + size 4 bytes per row group, path and ETag once
    int header = A.path().length() + A.etag().length() + 20;
    assertThat(DeltaCodec.encode(added).length).isLessThan(1000 * 6 + header);
    // one run of 1000 removals is a handful of bytes after the file header
    assertThat(DeltaCodec.encode(removed).length).isLessThan(header);
  }

  @Test
  void truncatedPayloadIsRejected() {
    DeltaBatch batch = new DeltaBatch();
    batch.add(A, 3, 100L, 50L);
    byte[] whole = DeltaCodec.encode(batch);
    for (int n = 0; n < whole.length; n++) {
      InventoryDelta cut = new InventoryDelta("1", 1L, 1L, false, 1, Arrays.copyOf(whole, n));
      assertThatThrownBy(() -> Changes.of(cut))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("delta");
    }
  }

  @Test
  void trailingBytesAndUnknownFormatAreRejected() {
    byte[] whole = DeltaCodec.encode(new DeltaBatch());
    byte[] longer = Arrays.copyOf(whole, whole.length + 1);
    assertThatThrownBy(() -> Changes.of(new InventoryDelta("1", 1L, 1L, false, 0, longer)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 trailing bytes");
    byte[] other = whole.clone();
    other[0] = 1;
    assertThatThrownBy(() -> Changes.of(new InventoryDelta("1", 1L, 1L, false, 0, other)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format 2");
  }

  @Test
  void hugeCountsAndOrdinalsAreRejectedWithoutAllocating() {
    // format 2, then a file count of 2^62 as a varint
    byte[] hugeFiles = {2, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
        (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x40};
    assertThatThrownBy(() -> Changes.of(new InventoryDelta("1", 1L, 1L, false, 0, hugeFiles)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds");
    // one file "p", length 0, mtime 0, no ETag, no adds, one removed run starting past the
    // ordinal bound
    byte[] farOrdinal = {2, 1, 1, 'p', 0, 0, 0, 0, 1, (byte) 0x80, (byte) 0x80, (byte) 0x40, 0};
    assertThatThrownBy(() -> Changes.of(new InventoryDelta("1", 1L, 1L, false, 0, farOrdinal)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out of range");
  }
}
