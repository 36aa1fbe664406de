// SPDX-License-Identifier: Apache-2.0
// ChunkKeyTest -- chunk keys round-trip, change with the file's content and reject bad bytes
package io.cellar.spark.key;

import io.cellar.scheduler.FileId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkKeyTest {
  private static final FileId FILE =
      new FileId("file:/data/sales/part-00000.parquet", 1_234_567L, 1_700_000_000_123L);

  private static byte[] profile(int seed) {
    byte[] p = new byte[ChunkKey.PROFILE_BYTES];
    new Random(seed).nextBytes(p);
    return p;
  }

  private static ChunkKey key(FileId file, long rowGroupStart, String column, int seed) {
    // the ordinal and size vary with the start, as a footer's would
    return new ChunkKey(file, rowGroupStart, (int) Math.floorMod(rowGroupStart, 1000L),
        Math.floorMod(rowGroupStart, 1L << 40) + 1, column, profile(seed));
  }

  private static void assertSameKey(ChunkKey actual, ChunkKey expected) {
    // a record compares its byte[] by identity, so compare the fields
    assertThat(actual.file()).isEqualTo(expected.file());
    assertThat(actual.rowGroupStart()).isEqualTo(expected.rowGroupStart());
    assertThat(actual.ordinal()).isEqualTo(expected.ordinal());
    assertThat(actual.rowGroupBytes()).isEqualTo(expected.rowGroupBytes());
    assertThat(actual.column()).isEqualTo(expected.column());
    assertThat(actual.profile()).isEqualTo(expected.profile());
  }

  @Test
  void encodeDecodeRoundTrips() {
    ChunkKey k = key(FILE, 4L, "ss_sold_date_sk", 1);
    assertSameKey(ChunkKey.decode(k.encode()), k);
    assertThat(ChunkKey.decode(k.encode()).encode()).isEqualTo(k.encode());
  }

  @Test
  void unicodeEmptyAndExtremeFieldsRoundTrip() {
    List<ChunkKey> keys = List.of(
        key(new FileId("s3a://bücket/日本/データ%20x.parquet", 0L, -1L), 0L, "名前", 2),
        key(new FileId("", Long.MAX_VALUE, Long.MIN_VALUE), Long.MAX_VALUE, "", 3),
        key(new FileId("/p", 1L, 0L), -1L, "a.b.`c`", 4),
        key(new FileId("/" + "x".repeat(0xFFFE), 7L, 8L), 9L, "y".repeat(0xFFFF), 5),
        key(new FileId("s3a://b/k", 10L, 1_700_000_000_000L, "\"0a1b2c-2\""), 4L, "c", 6),
        key(new FileId("s3a://b/k", 10L, 0L, "é".repeat(127)), 4L, "c", 7));
    for (ChunkKey k : keys) {
      assertSameKey(ChunkKey.decode(k.encode()), k);
    }
  }

  @Test
  void rewrittenFileGetsAnotherKey() {
    byte[] original = key(FILE, 4L, "c", 1).encode();
    FileId longer = new FileId(FILE.path(), FILE.length() + 1, FILE.modificationTime());
    FileId touched =
        new FileId(FILE.path(), FILE.length(), FILE.modificationTime() + 1);
    assertThat(key(longer, 4L, "c", 1).encode()).isNotEqualTo(original);
    assertThat(key(touched, 4L, "c", 1).encode()).isNotEqualTo(original);
    assertThat(key(FILE, 4L, "c", 1).encode()).isEqualTo(original);
  }

  @Test
  void objectOverwrittenWithinTheSameSecondGetsAnotherKeyByItsEtag() {
    FileId before = new FileId("s3a://b/t.parquet", 100L, 1_700_000_000_000L, "\"a\"");
    FileId after = new FileId(before.path(), 100L, before.modificationTime(), "\"b\"");
    assertThat(key(after, 4L, "c", 1).encode()).isNotEqualTo(key(before, 4L, "c", 1).encode());
    assertThat(ChunkKey.decode(key(after, 4L, "c", 1).encode()).file()).isEqualTo(after);
  }

  @Test
  void keysOfTheEarlierLayoutAreRecognisedAsOlder() {
    byte[] current = key(FILE, 4L, "c", 1).encode();
    byte[] older = current.clone();
    older[1] = 2;
    assertThat(ChunkKey.isOlderVersion(older)).isTrue();
    assertThat(ChunkKey.isOlderVersion(current)).isFalse();
    assertThat(ChunkKey.isOlderVersion(new byte[] {'X', 2})).isFalse();
    assertThatThrownBy(() -> ChunkKey.decode(older)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyFieldTakesPartInTheKey() {
    byte[] original = key(FILE, 4L, "c", 1).encode();
    assertThat(key(new FileId("/other", FILE.length(), FILE.modificationTime()), 4L, "c", 1)
        .encode()).isNotEqualTo(original);
    assertThat(key(FILE, 5L, "c", 1).encode()).isNotEqualTo(original);
    assertThat(key(FILE, 4L, "d", 1).encode()).isNotEqualTo(original);
    assertThat(key(FILE, 4L, "c", 2).encode()).isNotEqualTo(original);
  }

  @Test
  void noKeyIsAPrefixOfAnother() {
    // boundaries shifted between path and column, or a path that extends another path
    List<byte[]> encoded = new ArrayList<>();
    String[][] pathsAndColumns = {
      {"/d/ab", "c"}, {"/d/a", "bc"}, {"/d/abc", ""}, {"/d/ab", "c."}, {"/d/ab.1", "c"},
      {"/d/ab", "cd"}, {"", "/d/abc"},
    };
    for (String[] pc : pathsAndColumns) {
      encoded.add(key(new FileId(pc[0], 10L, 20L), 4L, pc[1], 1).encode());
    }
    for (int i = 0; i < encoded.size(); i++) {
      for (int j = 0; j < encoded.size(); j++) {
        if (i != j) {
          byte[] a = encoded.get(i);
          byte[] b = encoded.get(j);
          boolean prefix = a.length <= b.length && Arrays.equals(a, 0, a.length, b, 0, a.length);
          assertThat(prefix).as("key %d is a prefix of key %d", i, j).isFalse();
        }
      }
    }
  }

  @Test
  void everyTruncationIsRejected() {
    byte[] full = key(FILE, 4L, "ss_item_sk", 1).encode();
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> ChunkKey.decode(cut))
          .as("first %d of %d bytes", n, full.length)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void trailingBytesWrongMagicAndWrongVersionAreRejected() {
    byte[] full = key(FILE, 4L, "c", 1).encode();
    byte[] longer = Arrays.copyOf(full, full.length + 1);
    assertThatThrownBy(() -> ChunkKey.decode(longer))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trailing bytes");
    byte[] magic = full.clone();
    magic[0] = 'X';
    assertThatThrownBy(() -> ChunkKey.decode(magic))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a chunk key");
    byte[] version = full.clone();
    version[1] = 1; // the first format, without ordinal and size
    assertThatThrownBy(() -> ChunkKey.decode(version))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a chunk key");
  }

  @Test
  void garbageIsRejectedWithIllegalArgumentOnly() {
    Random r = new Random(42);
    byte[] template = key(FILE, 4L, "c", 1).encode();
    for (int i = 0; i < 20_000; i++) {
      byte[] g = new byte[r.nextInt(template.length * 2)];
      r.nextBytes(g);
      if (i % 2 == 0 && g.length >= 2) {
        g[0] = 'C';
        g[1] = 1; // past the magic, so the length fields are read
      }
      try {
        ChunkKey.decode(g);
      } catch (IllegalArgumentException expected) {
        continue;
      }
      // rare, but valid: then the bytes must be exactly one key's
      assertThat(g[0]).isEqualTo((byte) 'C');
    }
    byte[] flipped = template.clone();
    flipped[3] ^= 0x40; // the path length grows past the key's end
    assertThatThrownBy(() -> ChunkKey.decode(flipped)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void encodeRejectsWhatTheFormatCannotHold() {
    assertThatThrownBy(() -> new ChunkKey(FILE, 0L, 0, 1L, "c", new byte[15]).encode())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ChunkKey(FILE, 0L, -1, 1L, "c", profile(1)).encode())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> key(new FileId("/" + "x".repeat(0xFFFF), 1L, 1L), 0L, "c", 1)
        .encode()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> key(FILE, 0L, "é".repeat(0x8000), 1).encode())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> key(new FileId("/p", 1L, 1L, "é".repeat(128)), 0L, "c", 1)
        .encode()).isInstanceOf(IllegalArgumentException.class);
  }
}
