// SPDX-License-Identifier: Apache-2.0
// FixedWriter -- a chunk node of fixed-width values, plain or as dictionary ids
package io.cellar.spark.chunk;

import java.util.BitSet;
import java.util.List;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.Platform;

/**
 * Fixed-width values. While every batch of the row group arrives dictionary-encoded, it keeps
 * Spark's dictionary ids and rebuilds the dictionary from the values of the first row that uses
 * each id (Spark's {@code Dictionary} itself is not reachable); a plain batch after dictionary
 * ones turns what came before into plain values.
 */
final class FixedWriter extends NodeWriter {
  private final int width;
  private final OffHeapBuffer values = new OffHeapBuffer();
  // dictionary mode: ids per row, and the values of the ids seen so far
  private boolean dictMode;
  private final OffHeapBuffer ids = new OffHeapBuffer();
  private final OffHeapBuffer dict = new OffHeapBuffer();
  private final BitSet seen = new BitSet();
  private int dictSize;

  FixedWriter(DataType type) {
    super(type);
    this.width = ChunkTypes.width(type);
  }

  @Override
  void appendValues(WritableColumnVector v, int n, boolean allNull) {
    if (rows == 0 && !allNull && v.hasDictionary()) {
      dictMode = true;
    }
    if (dictMode && !allNull && v.hasDictionary()) {
      appendIds(v, n);
    } else if (dictMode) {
      if (allNull) {
        ids.fill((byte) 0, 4L * n);
      } else {
        toPlain();
        appendPlain(v, n, false);
      }
    } else {
      appendPlain(v, n, allNull);
    }
  }

  private void appendPlain(WritableColumnVector v, int n, boolean allNull) {
    long src = allNull || v.hasDictionary() ? 0 : valuesAddress(v);
    if (allNull) {
      values.fill((byte) 0, (long) width * n);
    } else if (src != 0) {
      values.copyFrom(src, (long) width * n);
    } else {
      long at = values.reserve((long) width * n);
      for (int i = 0; i < n; i++) {
        if (!isNull(rows + i)) {
          put(at + (long) width * i, v, i);
        }
      }
    }
  }

  private void appendIds(WritableColumnVector v, int n) {
    WritableColumnVector idv = v.getDictionaryIds();
    long at = ids.reserve(4L * n);
    long src = valuesAddress(idv);
    if (src != 0) {
      Platform.copyMemory(null, src, null, at, 4L * n);
    }
    for (int i = 0; i < n; i++) {
      if (isNull(rows + i)) {
        Platform.putInt(null, at + 4L * i, 0);
        continue;
      }
      int id = src != 0 ? Platform.getInt(null, at + 4L * i) : idv.getInt(i);
      if (src == 0) {
        Platform.putInt(null, at + 4L * i, id);
      }
      if (!seen.get(id)) {
        seen.set(id);
        if (id >= dictSize) {
          dict.fill((byte) 0, (long) width * (id + 1 - dictSize));
          dictSize = id + 1;
        }
        put(dict.address() + (long) width * id, v, i);
      }
    }
  }

  /** Writes row i of v (decoded through its dictionary when it has one) at address at. */
  private void put(long at, WritableColumnVector v, int i) {
    switch (width) {
      case 1 -> Platform.putByte(
          null, at, ChunkTypes.isBoolean(type) ? (byte) (v.getBoolean(i) ? 1 : 0) : v.getByte(i));
      case 2 -> Platform.putShort(null, at, v.getShort(i));
      case 4 -> Platform.putInt(
          null, at, ChunkTypes.isFloat(type) ? Float.floatToRawIntBits(v.getFloat(i)) : v.getInt(i));
      default -> Platform.putLong(
          null,
          at,
          ChunkTypes.isDouble(type) ? Double.doubleToRawLongBits(v.getDouble(i)) : v.getLong(i));
    }
  }

  /** Replaces the ids so far by their values. */
  private void toPlain() {
    long at = values.reserve((long) width * rows);
    for (int r = 0; r < rows; r++) {
      int id = isNull(r) ? -1 : Platform.getInt(null, ids.address() + 4L * r);
      long dst = at + (long) width * r;
      if (id < 0) {
        Platform.setMemory(dst, (byte) 0, width);
      } else {
        Platform.copyMemory(null, dict.address() + (long) width * id, null, dst, width);
      }
    }
    dictMode = false;
    ids.close();
    dict.close();
  }

  @Override
  long bytes() {
    return nulls.size() + values.size() + ids.size() + dict.size();
  }

  @Override
  int layout(ChunkLayout out) {
    if (dictMode && 4L * rows + (long) width * dictSize >= (long) width * rows) {
      toPlain();
    }
    if (!dictMode) {
      return out.node(this, ChunkFormat.FIXED, width, values, null, null, List.of());
    }
    FixedDictionary d = new FixedDictionary(type, width, dictSize, dict);
    return out.node(this, ChunkFormat.DICT, width, ids, null, null, List.of(d));
  }

  @Override
  void closeOwn() {
    values.close();
    ids.close();
    dict.close();
  }

  /** The dictionary of a DICT node: plain values, no nulls, owned by its FixedWriter. */
  private static final class FixedDictionary extends NodeWriter {
    private final int width;
    private final OffHeapBuffer values;

    FixedDictionary(DataType type, int width, int size, OffHeapBuffer values) {
      super(type);
      this.width = width;
      this.values = values;
      this.rows = size;
    }

    @Override
    void appendValues(WritableColumnVector v, int n, boolean allNull) {
      throw new UnsupportedOperationException("a dictionary is built by its owner");
    }

    @Override
    long bytes() {
      return values.size();
    }

    @Override
    int layout(ChunkLayout out) {
      return out.node(this, ChunkFormat.FIXED, width, values, null, null, List.of());
    }

    @Override
    void closeOwn() {}
  }
}
