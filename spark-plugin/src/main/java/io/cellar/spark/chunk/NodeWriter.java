// SPDX-License-Identifier: Apache-2.0
// NodeWriter -- accumulates one node of a chunk from the batches Spark's reader decodes
package io.cellar.spark.chunk;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.execution.vectorized.OffHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;

/**
 * One node of a chunk being built: appends the rows of successive batches, then lays itself out.
 * Owns native memory; {@link #close()} frees it.
 */
abstract class NodeWriter implements AutoCloseable {
  final DataType type;
  /** A flag per row, kept from the first batch that may hold a null on (zeros before it). */
  final OffHeapBuffer nulls = new OffHeapBuffer();
  /** Whether {@link #nulls} holds a flag for every row so far. */
  boolean nullsKept;
  int rows;
  int nullCount;

  NodeWriter(DataType type) {
    this.type = type;
  }

  static NodeWriter of(DataType t) {
    switch (ChunkTypes.kind(t)) {
      case ChunkFormat.FIXED:
        return new FixedWriter(t);
      case ChunkFormat.VAR:
        return new VarWriter(t);
      case ChunkFormat.ARRAY:
        return new ListWriter(t, ((ArrayType) t).elementType(), null);
      case ChunkFormat.MAP:
        return new ListWriter(t, ((MapType) t).keyType(), ((MapType) t).valueType());
      case ChunkFormat.STRUCT:
        return new StructWriter((StructType) t);
      case ChunkFormat.NULLS:
        return new NullWriter(t);
      default:
        throw new IllegalArgumentException(ChunkTypes.unsupportedReason(t));
    }
  }

  /**
   * Tells a top-level node how many rows it will hold (those of its row group), so that it sizes
   * its buffers once; a nested node's rows are not known ahead.
   */
  void expectRows(int n) {
    nulls.expect(n);
  }

  /** Appends rows [0, n) of v. */
  final void append(WritableColumnVector v, int n) {
    append(v, n, 0);
  }

  /**
   * Appends rows [0, n) of v, a field of a struct whose null flags for these rows are at
   * parentNulls (0: no parent). Spark keeps a null struct's flag in the struct only; its fields'
   * values (dictionary ids included) are garbage there, so they count as null here.
   */
  final void append(WritableColumnVector v, int n, long parentNulls) {
    boolean allNull = v.isAllNull();
    if (allNull || v.hasNull() || parentNulls != 0) {
      if (!nullsKept) {
        // the rows before held no null: their flags are written only now
        nulls.fill((byte) 0, rows);
        nullsKept = true;
      }
      long at = nulls.reserve(n);
      for (int i = 0; i < n; i++) {
        boolean isNull = allNull || v.isNullAt(i)
            || parentNulls != 0 && Platform.getByte(null, parentNulls + i) != 0;
        Platform.putByte(null, at + i, (byte) (isNull ? 1 : 0));
        nullCount += isNull ? 1 : 0;
      }
    } else if (nullsKept) {
      nulls.fill((byte) 0, n);
    }
    appendValues(v, n, allNull);
    rows += n;
  }

  final boolean isNull(int row) {
    return nullCount > 0 && Platform.getByte(null, nulls.address() + row) != 0;
  }

  /** Appends the values of rows [0, n); null rows may hold anything. */
  abstract void appendValues(WritableColumnVector v, int n, boolean allNull);

  /** Native bytes held so far (for size limits). */
  abstract long bytes();

  /** Lays this node and its children out; returns its node number (see {@link ChunkLayout}). */
  abstract int layout(ChunkLayout out);

  List<NodeWriter> children() {
    return List.of();
  }

  @Override
  public void close() {
    nulls.close();
    for (NodeWriter c : children()) {
      c.close();
    }
    closeOwn();
  }

  abstract void closeOwn();

  /** Native address of a Spark off-heap vector's values, or 0 when it has none. */
  static long valuesAddress(WritableColumnVector v) {
    return v instanceof OffHeapColumnVector o ? o.valuesNativeAddress() : 0;
  }

  /** Writes row i's offset and length, rebased by base, for the non-null rows of a list. */
  static int appendSpans(
      WritableColumnVector v, int n, NodeWriter node, int base, OffHeapBuffer offs,
      OffHeapBuffer lens) {
    long o = offs.reserve(4L * n);
    long l = lens.reserve(4L * n);
    int end = 0;
    int first = node.rows;
    for (int i = 0; i < n; i++) {
      int off = 0;
      int len = 0;
      if (!node.isNull(first + i)) {
        off = v.getArrayOffset(i);
        len = v.getArrayLength(i);
        end = Math.max(end, off + len);
        off += base;
      }
      Platform.putInt(null, o + 4L * i, off);
      Platform.putInt(null, l + 4L * i, len);
    }
    return end;
  }

  /** Arrays and maps: spans into the element rows of one or two children. */
  static final class ListWriter extends NodeWriter {
    private final OffHeapBuffer offs = new OffHeapBuffer();
    private final OffHeapBuffer lens = new OffHeapBuffer();
    private final NodeWriter first;
    private final NodeWriter second;

    ListWriter(DataType type, DataType firstType, DataType secondType) {
      super(type);
      this.first = NodeWriter.of(firstType);
      this.second = secondType == null ? null : NodeWriter.of(secondType);
    }

    @Override
    void appendValues(WritableColumnVector v, int n, boolean allNull) {
      if (allNull) {
        offs.fill((byte) 0, 4L * n);
        lens.fill((byte) 0, 4L * n);
        return;
      }
      int elements = appendSpans(v, n, this, first.rows, offs, lens);
      first.append(second == null ? v.arrayData() : v.getChild(0), elements);
      if (second != null) {
        second.append(v.getChild(1), elements);
      }
    }

    @Override
    long bytes() {
      return nulls.size() + offs.size() + lens.size() + first.bytes()
          + (second == null ? 0 : second.bytes());
    }

    @Override
    List<NodeWriter> children() {
      return second == null ? List.of(first) : List.of(first, second);
    }

    @Override
    int layout(ChunkLayout out) {
      int kind = second == null ? ChunkFormat.ARRAY : ChunkFormat.MAP;
      return out.node(this, kind, 0, null, offs, lens, children());
    }

    @Override
    void closeOwn() {
      offs.close();
      lens.close();
    }
  }

  /** Structs: one child per field, row for row. */
  static final class StructWriter extends NodeWriter {
    private final List<NodeWriter> fields = new ArrayList<>();

    StructWriter(StructType type) {
      super(type);
      for (var f : type.fields()) {
        fields.add(NodeWriter.of(f.dataType()));
      }
    }

    @Override
    void appendValues(WritableColumnVector v, int n, boolean allNull) {
      long batchNulls = nullsKept ? nulls.address() + rows : 0;
      for (int i = 0; i < fields.size(); i++) {
        fields.get(i).append(v.getChild(i), n, batchNulls);
      }
    }

    @Override
    long bytes() {
      long b = nulls.size();
      for (NodeWriter f : fields) {
        b += f.bytes();
      }
      return b;
    }

    @Override
    List<NodeWriter> children() {
      return fields;
    }

    @Override
    int layout(ChunkLayout out) {
      return out.node(this, ChunkFormat.STRUCT, 0, null, null, null, fields);
    }

    @Override
    void closeOwn() {}
  }

  /** NullType: nothing but rows. */
  static final class NullWriter extends NodeWriter {
    NullWriter(DataType type) {
      super(type);
    }

    @Override
    void appendValues(WritableColumnVector v, int n, boolean allNull) {}

    @Override
    long bytes() {
      return nulls.size();
    }

    @Override
    int layout(ChunkLayout out) {
      return out.node(this, ChunkFormat.NULLS, 0, null, null, null, List.of());
    }

    @Override
    void closeOwn() {}
  }
}
