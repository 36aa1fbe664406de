// SPDX-License-Identifier: Apache-2.0
// ChunkKey -- the cache key of one decoded column chunk
package io.cellar.spark.key;

import io.cellar.scheduler.FileId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The key of a cached chunk: file identity, row group (its first byte in the file), column and a
 * digest of everything that shapes the decoded values (requested type, rebase modes, time zones,
 * reader settings). Keys are self-describing bytes, so that a later reader (the scheduler's
 * inventory, a reattached pool) can recover the file and row group from them; they also carry
 * the row group's ordinal and compressed size (which the footer fixes for a file identity), so
 * that an executor can report its cache's contents without reading footers.
 *
 * <pre>
 * 'C' 3 | u16 path length | path | u64 length | u64 mtime | u8 etag length | etag |
 * u64 row group | u32 ordinal | u64 row group bytes | u16 column length | column |
 * 16 bytes profile digest
 * </pre>
 *
 * <p>A value class (not a record: Scala 2.12's compiler, which reads this core's Java sources
 * for the Spark 3.5 jar, cannot parse records).
 */
public final class ChunkKey {
  private final FileId file;
  private final long rowGroupStart;
  private final int ordinal;
  private final long rowGroupBytes;
  private final String column;
  private final byte[] profile;

  private static final byte MAGIC = 'C';
  private static final byte VERSION = 3;
  /** Bytes of a key's profile digest. */
  public static final int PROFILE_BYTES = 16;

  /**
   * A key.
   *
   * @param file the file's identity
   * @param rowGroupStart the row group's starting byte in the file
   * @param ordinal the row group's index in the file's footer
   * @param rowGroupBytes the row group's compressed size in the file
   * @param column the requested column name
   * @param profile digest of the decoding profile (16 bytes)
   */
  public ChunkKey(FileId file, long rowGroupStart, int ordinal, long rowGroupBytes,
      String column, byte[] profile) {
    this.file = file;
    this.rowGroupStart = rowGroupStart;
    this.ordinal = ordinal;
    this.rowGroupBytes = rowGroupBytes;
    this.column = column;
    this.profile = profile;
  }

  /** The file's identity. */
  public FileId file() {
    return file;
  }

  /** The row group's starting byte in the file. */
  public long rowGroupStart() {
    return rowGroupStart;
  }

  /** The row group's index in the file's footer. */
  public int ordinal() {
    return ordinal;
  }

  /** The row group's compressed size in the file. */
  public long rowGroupBytes() {
    return rowGroupBytes;
  }

  /** The requested column name. */
  public String column() {
    return column;
  }

  /** The digest of the decoding profile (16 bytes). */
  public byte[] profile() {
    return profile;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkKey k && rowGroupStart == k.rowGroupStart && ordinal == k.ordinal
        && rowGroupBytes == k.rowGroupBytes && file.equals(k.file)
        && column.equals(k.column) && java.util.Arrays.equals(profile, k.profile);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(file, rowGroupStart, ordinal, rowGroupBytes, column,
        java.util.Arrays.hashCode(profile));
  }

  @Override
  public String toString() {
    return "ChunkKey[" + file + ", row group " + ordinal + " at " + rowGroupStart + ", " + column
        + "]";
  }

  /** The key's bytes. */
  public byte[] encode() {
    byte[] p = file.path().getBytes(StandardCharsets.UTF_8);
    byte[] c = column.getBytes(StandardCharsets.UTF_8);
    byte[] e = file.etag().getBytes(StandardCharsets.UTF_8);
    if (p.length > 0xFFFF || c.length > 0xFFFF || e.length > 0xFF
        || profile.length != PROFILE_BYTES) {
      throw new IllegalArgumentException(
          "path, ETag, column or profile too long for a chunk key");
    }
    if (ordinal < 0 || rowGroupBytes < 0) {
      throw new IllegalArgumentException("negative row group ordinal or size in a chunk key");
    }
    ByteBuffer b = ByteBuffer.allocate(
        2 + 2 + p.length + 16 + 1 + e.length + 20 + 2 + c.length + PROFILE_BYTES);
    b.put(MAGIC).put(VERSION).putShort((short) p.length).put(p);
    b.putLong(file.length()).putLong(file.modificationTime());
    b.put((byte) e.length).put(e).putLong(rowGroupStart);
    b.putInt(ordinal).putLong(rowGroupBytes);
    b.putShort((short) c.length).put(c).put(profile);
    return b.array();
  }

  /**
   * Whether the bytes are a chunk key of an earlier version: a cache never serves those (its
   * readers make keys of this version), so they only hold space.
   */
  public static boolean isOlderVersion(byte[] bytes) {
    return bytes.length >= 2 && bytes[0] == MAGIC && bytes[1] >= 1 && bytes[1] < VERSION;
  }

  /**
   * Reads a key's bytes back.
   *
   * @throws IllegalArgumentException when the bytes are not a chunk key of this version
   */
  public static ChunkKey decode(byte[] bytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      if (b.get() != MAGIC || b.get() != VERSION) {
        throw new IllegalArgumentException("not a chunk key of version " + VERSION);
      }
      byte[] p = new byte[Short.toUnsignedInt(b.getShort())];
      b.get(p);
      long length = b.getLong();
      long mtime = b.getLong();
      byte[] e = new byte[Byte.toUnsignedInt(b.get())];
      b.get(e);
      long rowGroupStart = b.getLong();
      int ordinal = b.getInt();
      long rowGroupBytes = b.getLong();
      if (ordinal < 0 || rowGroupBytes < 0) {
        throw new IllegalArgumentException("negative row group ordinal or size in a chunk key");
      }
      byte[] c = new byte[Short.toUnsignedInt(b.getShort())];
      b.get(c);
      byte[] profile = new byte[PROFILE_BYTES];
      b.get(profile);
      if (b.hasRemaining()) {
        throw new IllegalArgumentException("trailing bytes after a chunk key");
      }
      return new ChunkKey(
          new FileId(new String(p, StandardCharsets.UTF_8), length, mtime,
              new String(e, StandardCharsets.UTF_8)),
          rowGroupStart,
          ordinal,
          rowGroupBytes,
          new String(c, StandardCharsets.UTF_8),
          profile);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated chunk key", e);
    }
  }
}
