// SPDX-License-Identifier: Apache-2.0
// FixedWriter -- a chunk node of fixed-width values, plain or as dictionary ids
package io.cellar.spark.chunk;

import java.util.BitSet;
import java.util.List;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.Platform;

/**
 * Fixed-width values. Spark's {@code Dictionary} itself is not reachable, so the writer rebuilds
 * the row group's dictionary (one per column chunk in Parquet) from the values of the first row
 * that uses each id. Values of 8 bytes keep Spark's dictionary ids while every batch of the row
 * group arrives dictionary-encoded (the chunk keeps the dictionary form when it is smaller); a
 * plain batch after dictionary ones turns what came before into plain values. Values of 4 bytes
 * or less are written plain at once, decoded through the rebuilt dictionary: their ids would be
 * as large as they are.
 */
final class FixedWriter extends NodeWriter {
  /** The "address" of a zero value for {@link #copy}: no native address is 0. */
  private static final long ZERO = 0;
  private final int width;
  private final OffHeapBuffer values = new OffHeapBuffer();
  // dictionary mode: ids per row, and the values of the ids seen so far
  private boolean dictMode;
  private final OffHeapBuffer ids = new OffHeapBuffer();
  private final OffHeapBuffer dict = new OffHeapBuffer();
  private final BitSet seen = new BitSet();
  /** One more than the largest id seen; the dictionary's slots (zeros past dictSize). */
  private int dictSize;
  private int dictSlots;

  FixedWriter(DataType type) {
    super(type);
    this.width = ChunkTypes.width(type);
  }

  @Override
  void expectRows(int n) {
    super.expectRows(n);
    values.expect((long) width * n);
    ids.expect(4L * n);
  }

  @Override
  void appendValues(WritableColumnVector v, int n, boolean allNull) {
    if (rows == 0 && !allNull && v.hasDictionary() && width > 4) {
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
    } else if (v.hasDictionary()) {
      appendDecoded(v, n);
    } else if (src != 0) {
      values.copyFrom(src, (long) width * n);
    } else {
      long at = values.reserve((long) width * n);
      for (int i = 0; i < n; i++) {
        // a null row's slot is zeroed, never left as whatever the memory held before
        if (isNull(rows + i)) {
          copy(ZERO, at + (long) width * i);
        } else {
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
      remember(id, v, i);
    }
  }

  /** Appends the values of a dictionary-encoded batch, decoded through the rebuilt dictionary. */
  private void appendDecoded(WritableColumnVector v, int n) {
    WritableColumnVector idv = v.getDictionaryIds();
    long src = valuesAddress(idv);
    long at = values.reserve((long) width * n);
    for (int i = 0; i < n; i++) {
      long dst = at + (long) width * i;
      if (isNull(rows + i)) {
        copy(ZERO, dst);
        continue;
      }
      int id = src != 0 ? Platform.getInt(null, src + 4L * i) : idv.getInt(i);
      copy(remember(id, v, i), dst);
    }
  }

  /**
   * Copies one value from address from (or zeros, for {@link #ZERO}) to address to: a store of
   * the value's width, not a call to setMemory or copyMemory, which cost more than the store
   * itself for a few bytes.
   */
  private void copy(long from, long to) {
    switch (width) {
      case 1 -> Platform.putByte(null, to, from == ZERO ? 0 : Platform.getByte(null, from));
      case 2 -> Platform.putShort(null, to, from == ZERO ? 0 : Platform.getShort(null, from));
      case 4 -> Platform.putInt(null, to, from == ZERO ? 0 : Platform.getInt(null, from));
      default -> Platform.putLong(null, to, from == ZERO ? 0 : Platform.getLong(null, from));
    }
  }

  /**
   * The address of dictionary id's value in the rebuilt dictionary, decoded from row i of v (a
   * row that uses the id) the first time the id is seen.
   */
  private long remember(int id, WritableColumnVector v, int i) {
    if (!seen.get(id)) {
      seen.set(id);
      if (id >= dictSlots) {
        // grow by half at least: a column of many distinct values meets a new id on most rows
        int slots = Math.max(id + 1, dictSlots + (dictSlots >> 1));
        dict.fill((byte) 0, (long) width * (slots - dictSlots));
        dictSlots = slots;
      }
      dictSize = Math.max(dictSize, id + 1);
      put(dict.address() + (long) width * id, v, i);
    }
    return dict.address() + (long) width * id;
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
      copy(id < 0 ? ZERO : dict.address() + (long) width * id, at + (long) width * r);
    }
    dictMode = false;
    // the rebuilt dictionary stays: later dictionary-encoded batches decode through it
    ids.close();
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
    dict.truncate((long) width * dictSize);
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
