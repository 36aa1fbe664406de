// SPDX-License-Identifier: Apache-2.0
// ChunkLayout -- places the nodes of a finished chunk and lists its bytes in order
package io.cellar.spark.chunk;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.unsafe.Platform;

/**
 * A finished chunk as a list of native memory sections in {@link ChunkFormat} order: first a
 * table of node headers, then each node's sections. The cache copies the sections straight into
 * its pool (a gather put), so the chunk is never assembled in between. Closing it frees the table
 * and buffers it made; the writers' own buffers stay with the writers.
 */
public final class ChunkLayout implements AutoCloseable {
  private static final class Rec {
    int kind;
    int width;
    int rows;
    int nullCount;
    OffHeapBuffer nulls;
    OffHeapBuffer data;
    OffHeapBuffer offs;
    OffHeapBuffer lens;
    int[] children;
  }

  private final List<Rec> recs = new ArrayList<>();
  private final List<OffHeapBuffer> owned = new ArrayList<>();
  private final OffHeapBuffer meta = new OffHeapBuffer();
  private long[] addresses;
  private long[] lengths;
  private long total;

  /** Adds a node (its children first, depth first); returns its number. */
  int node(
      NodeWriter w,
      int kind,
      int width,
      OffHeapBuffer data,
      OffHeapBuffer offs,
      OffHeapBuffer lens,
      List<NodeWriter> children) {
    Rec r = new Rec();
    int id = recs.size();
    recs.add(r);
    r.kind = kind;
    r.width = width;
    r.rows = w.rows;
    r.nullCount = w.nullCount;
    r.nulls = w.nullCount > 0 ? w.nulls : null;
    r.data = data;
    r.offs = offs;
    r.lens = lens;
    r.children = new int[children.size()];
    for (int i = 0; i < r.children.length; i++) {
      r.children[i] = children.get(i).layout(this);
    }
    return id;
  }

  /** A buffer made for the layout alone, freed with it. */
  void own(OffHeapBuffer b) {
    owned.add(b);
  }

  /** Places every node: offsets, then the header and node table. */
  void finish(int rows) {
    long metaBytes = ChunkFormat.HEADER_BYTES + (long) ChunkFormat.NODE_BYTES * recs.size();
    for (Rec r : recs) {
      metaBytes += 8L * r.children.length;
    }
    metaBytes = ChunkFormat.align8(metaBytes);
    List<OffHeapBuffer> sections = new ArrayList<>();
    long pos = metaBytes;
    long[][] where = new long[recs.size()][3];
    for (int i = 0; i < recs.size(); i++) {
      Rec r = recs.get(i);
      where[i][0] = r.nulls == null ? 0 : pos;
      pos += place(r.nulls, sections);
      where[i][1] = r.data == null ? 0 : pos;
      pos += place(r.data, sections);
      where[i][2] = r.offs == null ? 0 : pos;
      pos += place(r.offs, sections);
      pos += place(r.lens, sections);
    }
    total = pos;
    long at = meta.reserve(metaBytes);
    Platform.setMemory(at, (byte) 0, metaBytes);
    Platform.putInt(null, at + ChunkFormat.H_MAGIC, ChunkFormat.MAGIC);
    Platform.putShort(null, at + ChunkFormat.H_VERSION, (short) ChunkFormat.VERSION);
    Platform.putInt(null, at + ChunkFormat.H_ROWS, rows);
    Platform.putLong(null, at + ChunkFormat.H_TOTAL, total);
    Platform.putLong(null, at + ChunkFormat.H_ROOT, ChunkFormat.HEADER_BYTES);
    long tables = ChunkFormat.HEADER_BYTES + (long) ChunkFormat.NODE_BYTES * recs.size();
    for (int i = 0; i < recs.size(); i++) {
      Rec r = recs.get(i);
      long n = at + ChunkFormat.HEADER_BYTES + (long) ChunkFormat.NODE_BYTES * i;
      Platform.putByte(null, n + ChunkFormat.N_KIND, (byte) r.kind);
      Platform.putShort(null, n + ChunkFormat.N_CHILDREN, (short) r.children.length);
      Platform.putInt(null, n + ChunkFormat.N_WIDTH, r.width);
      Platform.putInt(null, n + ChunkFormat.N_ROWS, r.rows);
      Platform.putInt(null, n + ChunkFormat.N_NULL_COUNT, r.nullCount);
      Platform.putLong(null, n + ChunkFormat.N_NULLS, where[i][0]);
      Platform.putLong(null, n + ChunkFormat.N_DATA, where[i][1]);
      Platform.putLong(null, n + ChunkFormat.N_OFFSETS, where[i][2]);
      if (r.children.length > 0) {
        Platform.putLong(null, n + ChunkFormat.N_CHILD_TABLE, tables);
        for (int c : r.children) {
          Platform.putLong(
              null,
              at + tables,
              ChunkFormat.HEADER_BYTES + (long) ChunkFormat.NODE_BYTES * c);
          tables += 8;
        }
      }
    }
    addresses = new long[sections.size() + 1];
    lengths = new long[sections.size() + 1];
    addresses[0] = meta.address();
    lengths[0] = metaBytes;
    for (int i = 0; i < sections.size(); i++) {
      addresses[i + 1] = sections.get(i).address();
      lengths[i + 1] = sections.get(i).size();
    }
  }

  private static long place(OffHeapBuffer b, List<OffHeapBuffer> sections) {
    if (b == null || b.size() == 0) {
      return 0;
    }
    b.pad8();
    sections.add(b);
    return b.size();
  }

  /** Native addresses of the sections, in order. */
  public long[] addresses() {
    return addresses;
  }

  /** Lengths of the sections, in order. */
  public long[] lengths() {
    return lengths;
  }

  /** The chunk's size in bytes. */
  public long totalBytes() {
    return total;
  }

  @Override
  public void close() {
    meta.close();
    for (OffHeapBuffer b : owned) {
      b.close();
    }
  }
}
