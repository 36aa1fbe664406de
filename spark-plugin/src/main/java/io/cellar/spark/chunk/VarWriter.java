// SPDX-License-Identifier: Apache-2.0
// VarWriter -- a chunk node of variable-length values, plain or as dictionary ids
package io.cellar.spark.chunk;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.Platform;

/**
 * Strings, binaries and wide decimals: bytes plus an offset and a length per row. Dictionary
 * batches keep ids, as in {@link FixedWriter}.
 */
final class VarWriter extends NodeWriter {
  private final OffHeapBuffer offs = new OffHeapBuffer();
  private final OffHeapBuffer lens = new OffHeapBuffer();
  private final OffHeapBuffer data = new OffHeapBuffer();
  // dictionary mode
  private boolean dictMode;
  private final OffHeapBuffer ids = new OffHeapBuffer();
  private final OffHeapBuffer dictData = new OffHeapBuffer();
  private int[] dictOff = new int[0];
  private int[] dictLen = new int[0];
  private int dictSize;
  private long plainBytes; // bytes the rows would take as plain values

  VarWriter(DataType type) {
    super(type);
  }

  @Override
  void expectRows(int n) {
    super.expectRows(n);
    offs.expect(4L * n);
    lens.expect(4L * n);
    ids.expect(4L * n);
  }

  @Override
  void appendValues(WritableColumnVector v, int n, boolean allNull) {
    if (rows == 0 && !allNull && v.hasDictionary()) {
      dictMode = true;
    }
    if (dictMode && !allNull && v.hasDictionary()) {
      appendIds(v, n);
    } else if (dictMode && allNull) {
      ids.fill((byte) 0, 4L * n);
    } else {
      if (dictMode) {
        toPlain();
      }
      appendPlain(v, n, allNull);
    }
  }

  private void appendPlain(WritableColumnVector v, int n, boolean allNull) {
    if (allNull) {
      offs.fill((byte) 0, 4L * n);
      lens.fill((byte) 0, 4L * n);
      return;
    }
    WritableColumnVector bytes = v.hasDictionary() ? null : v.arrayData();
    long src = bytes == null ? 0 : valuesAddress(bytes);
    if (src == 0) {
      appendRowByRow(v, n);
      return;
    }
    int base = Math.toIntExact(data.size());
    int end = appendSpans(v, n, this, base, offs, lens);
    data.copyFrom(src, end);
  }

  private void appendRowByRow(WritableColumnVector v, int n) {
    long o = offs.reserve(4L * n);
    long l = lens.reserve(4L * n);
    for (int i = 0; i < n; i++) {
      int off = 0;
      int len = 0;
      if (!isNull(rows + i)) {
        byte[] b = v.getBinary(i);
        off = Math.toIntExact(data.size());
        len = b.length;
        data.putBytes(b);
      }
      Platform.putInt(null, o + 4L * i, off);
      Platform.putInt(null, l + 4L * i, len);
    }
  }

  private void appendIds(WritableColumnVector v, int n) {
    WritableColumnVector idv = v.getDictionaryIds();
    long at = ids.reserve(4L * n);
    for (int i = 0; i < n; i++) {
      if (isNull(rows + i)) {
        Platform.putInt(null, at + 4L * i, 0);
        continue;
      }
      int id = idv.getInt(i);
      Platform.putInt(null, at + 4L * i, id);
      if (id >= dictOff.length) {
        int old = dictOff.length;
        int cap = Math.max(id + 1, old * 2);
        dictOff = Arrays.copyOf(dictOff, cap);
        dictLen = Arrays.copyOf(dictLen, cap);
        Arrays.fill(dictLen, old, cap, -1);
      }
      dictSize = Math.max(dictSize, id + 1);
      if (dictLen[id] < 0) {
        byte[] b = v.getBinary(i);
        dictOff[id] = Math.toIntExact(dictData.size());
        dictLen[id] = b.length;
        dictData.putBytes(b);
      }
      plainBytes += dictLen[id];
    }
  }

  /** Replaces the ids so far by their values. */
  private void toPlain() {
    long o = offs.reserve(4L * rows);
    long l = lens.reserve(4L * rows);
    for (int r = 0; r < rows; r++) {
      int off = 0;
      int len = 0;
      if (!isNull(r)) {
        int id = Platform.getInt(null, ids.address() + 4L * r);
        off = Math.toIntExact(data.size());
        len = dictLen[id];
        data.copyFrom(dictData.address() + dictOff[id], len);
      }
      Platform.putInt(null, o + 4L * r, off);
      Platform.putInt(null, l + 4L * r, len);
    }
    dictMode = false;
    ids.close();
    dictData.close();
    dictOff = new int[0];
    dictLen = new int[0];
  }

  @Override
  long bytes() {
    return nulls.size() + offs.size() + lens.size() + data.size() + ids.size() + dictData.size();
  }

  @Override
  int layout(ChunkLayout out) {
    long dictBytes = 4L * rows + 8L * dictSize + dictData.size();
    if (dictMode && dictBytes >= 8L * rows + plainBytes) {
      toPlain();
    }
    if (!dictMode) {
      return out.node(this, ChunkFormat.VAR, 0, data, offs, lens, List.of());
    }
    OffHeapBuffer dOffs = new OffHeapBuffer();
    OffHeapBuffer dLens = new OffHeapBuffer();
    for (int id = 0; id < dictSize; id++) {
      dOffs.putInt(dictLen[id] < 0 ? 0 : dictOff[id]);
      dLens.putInt(Math.max(0, dictLen[id]));
    }
    out.own(dOffs);
    out.own(dLens);
    VarDictionary d = new VarDictionary(type, dictSize, dictData, dOffs, dLens);
    return out.node(this, ChunkFormat.DICT, 0, ids, null, null, List.of(d));
  }

  @Override
  void closeOwn() {
    offs.close();
    lens.close();
    data.close();
    ids.close();
    dictData.close();
  }

  /** The dictionary of a DICT node: plain values, no nulls. */
  private static final class VarDictionary extends NodeWriter {
    private final OffHeapBuffer data;
    private final OffHeapBuffer offs;
    private final OffHeapBuffer lens;

    VarDictionary(
        DataType type, int size, OffHeapBuffer data, OffHeapBuffer offs, OffHeapBuffer lens) {
      super(type);
      this.rows = size;
      this.data = data;
      this.offs = offs;
      this.lens = lens;
    }

    @Override
    void appendValues(WritableColumnVector v, int n, boolean allNull) {
      throw new UnsupportedOperationException("a dictionary is built by its owner");
    }

    @Override
    long bytes() {
      return data.size() + offs.size() + lens.size();
    }

    @Override
    int layout(ChunkLayout out) {
      return out.node(this, ChunkFormat.VAR, 0, data, offs, lens, List.of());
    }

    @Override
    void closeOwn() {}
  }
}
