// SPDX-License-Identifier: Apache-2.0
// DeltaCodec -- the byte format of an inventory delta's payload (internal)
package io.cellar.scheduler;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Encodes and decodes the payload of an {@link InventoryDelta}. Each file's identity is written
 * once; row groups are ordinal gaps, added ones with their layout delta-coded against the end of
 * the previous one, removed ones as runs. {@code uv} is an unsigned LEB128 varint, {@code zv} a
 * zigzag varint.
 *
 * <pre>
 * u8 format (2) | uv file count | per file:
 *   uv path bytes | path (UTF-8) | uv length | zv modification time | uv ETag bytes | ETag |
 *   uv added count  | per added row group (ordinals ascending):
 *     uv ordinal - next | zv start - previous end | uv size        (next = previous ordinal + 1)
 *   uv removed runs | per run (ascending, disjoint):
 *     uv first - next | uv run length - 1                           (next = previous last + 1)
 * </pre>
 */
final class DeltaCodec {
  static final byte FORMAT = 2;

  private DeltaCodec() {}

  static byte[] encode(DeltaBatch batch) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 8 * batch.changes());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      writeVar(out, batch.files().size());
      for (Map.Entry<FileId, DeltaBatch.FileChanges> e : batch.files().entrySet()) {
        writeFile(out, e.getKey());
        writeAdded(out, e.getValue());
        writeRemoved(out, e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen on a byte array", e);
    }
    return bytes.toByteArray();
  }

  private static void writeFile(DataOutputStream out, FileId file) throws IOException {
    byte[] path = file.path().getBytes(StandardCharsets.UTF_8);
    writeVar(out, path.length);
    out.write(path);
    writeVar(out, file.length());
    writeVar(out, zigzag(file.modificationTime()));
    byte[] etag = file.etag().getBytes(StandardCharsets.UTF_8);
    writeVar(out, etag.length);
    out.write(etag);
  }

  private static void writeAdded(DataOutputStream out, DeltaBatch.FileChanges c)
      throws IOException {
    writeVar(out, c.added.size());
    int next = 0;
    long end = 0;
    for (Map.Entry<Integer, long[]> a : c.added.entrySet()) {
      long start = a.getValue()[0];
      long size = a.getValue()[1];
      writeVar(out, a.getKey() - next);
      writeVar(out, zigzag(start - end));
      writeVar(out, size);
      next = a.getKey() + 1;
      end = start + size;
    }
  }

  private static void writeRemoved(DataOutputStream out, DeltaBatch.FileChanges c)
      throws IOException {
    int runs = 0;
    int previous = -2;
    for (int r : c.removed) {
      if (r != previous + 1) {
        runs++;
      }
      previous = r;
    }
    writeVar(out, runs);
    int next = 0;
    Iterator<Integer> it = c.removed.iterator();
    int pending = it.hasNext() ? it.next() : -1;
    while (pending >= 0) {
      int first = pending;
      int last = first;
      pending = -1;
      while (it.hasNext()) {
        int r = it.next();
        if (r != last + 1) {
          pending = r;
          break;
        }
        last = r;
      }
      writeVar(out, first - next);
      writeVar(out, last - first);
      next = last + 1;
    }
  }

  /**
   * Feeds a payload to a visitor.
   *
   * @throws IllegalArgumentException when the bytes are not a well-formed payload of this format
   */
  static void decode(byte[] payload, InventoryDelta.Visitor visitor) {
    ByteBuffer in = ByteBuffer.wrap(payload);
    try {
      if (in.get() != FORMAT) {
        throw new IllegalArgumentException("not an inventory delta payload of format " + FORMAT);
      }
      long files = count(in);
      for (long f = 0; f < files; f++) {
        visitor.file(readFile(in));
        readAdded(in, visitor);
        readRemoved(in, visitor);
      }
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated inventory delta payload", e);
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(
          in.remaining() + " trailing bytes after an inventory delta payload");
    }
  }

  private static FileId readFile(ByteBuffer in) {
    byte[] path = new byte[(int) count(in)];
    in.get(path);
    long length = readVar(in);
    long mtime = unzigzag(readVar(in));
    byte[] etag = new byte[(int) count(in)];
    in.get(etag);
    return new FileId(new String(path, StandardCharsets.UTF_8), length, mtime,
        new String(etag, StandardCharsets.UTF_8));
  }

  private static void readAdded(ByteBuffer in, InventoryDelta.Visitor visitor) {
    long added = count(in);
    long next = 0;
    long end = 0;
    for (long i = 0; i < added; i++) {
      long ordinal = ordinal(next + readVar(in));
      long start = end + unzigzag(readVar(in));
      long size = readVar(in);
      if (start < 0 || size < 0) {
        throw new IllegalArgumentException("negative row group layout in a delta");
      }
      visitor.added((int) ordinal, start, size);
      next = ordinal + 1;
      end = start + size;
    }
  }

  private static void readRemoved(ByteBuffer in, InventoryDelta.Visitor visitor) {
    long runs = count(in);
    long next = 0;
    for (long i = 0; i < runs; i++) {
      long first = ordinal(next + readVar(in));
      long last = ordinal(first + readVar(in));
      for (long r = first; r <= last; r++) {
        visitor.removed((int) r);
      }
      next = last + 1;
    }
  }

  private static long ordinal(long value) {
    if (value < 0 || value > RowGroups.MAX_ORDINAL) {
      throw new IllegalArgumentException("row group ordinal out of range in a delta: " + value);
    }
    return value;
  }

  /** A count or length, which can never exceed the bytes left (each item takes at least one). */
  private static long count(ByteBuffer in) {
    long n = readVar(in);
    if (n < 0 || n > in.remaining()) {
      throw new IllegalArgumentException("count " + n + " exceeds the delta's remaining bytes");
    }
    return n;
  }

  static void writeVar(DataOutputStream out, long v) throws IOException {
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
  }

  static long readVar(ByteBuffer in) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = in.get();
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes in a delta");
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }
}
