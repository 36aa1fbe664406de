// SPDX-License-Identifier: Apache-2.0
// ChunkVector -- reads a cached chunk in place, as a Spark column vector
package io.cellar.spark.chunk;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarMap;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * A vector over a chunk in native memory (usually the cache's own, pinned): no copy, no decoding.
 * A top-level vector shows a slice of the row group's rows at a time ({@link #slice}); struct
 * fields follow their parent's slice, array and map elements are addressed absolutely.
 */
public abstract class ChunkVector extends CellarColumnVector {
  final long nulls;
  final int rows;
  final int nullCount;
  int base;
  int length;

  ChunkVector(DataType type, long nulls, int rows, int nullCount) {
    super(type);
    this.nulls = nulls;
    this.rows = rows;
    this.nullCount = nullCount;
    this.length = rows;
  }

  /**
   * Opens a chunk as a vector of the given type.
   *
   * @param type the column's Spark type, as the chunk was written with
   * @param address the chunk's first byte
   * @param size the bytes available at address
   * @throws IllegalArgumentException when the bytes are not a chunk of that type
   */
  public static ChunkVector open(DataType type, long address, long size) {
    if (size < ChunkFormat.HEADER_BYTES
        || Platform.getInt(null, address + ChunkFormat.H_MAGIC) != ChunkFormat.MAGIC
        || Platform.getShort(null, address + ChunkFormat.H_VERSION) != ChunkFormat.VERSION) {
      throw new IllegalArgumentException("not a chunk of format version " + ChunkFormat.VERSION);
    }
    long total = Platform.getLong(null, address + ChunkFormat.H_TOTAL);
    if (total > size) {
      throw new IllegalArgumentException("chunk of " + total + " B in " + size + " B");
    }
    long root = Platform.getLong(null, address + ChunkFormat.H_ROOT);
    return node(type, address, total, root);
  }

  private static long at(long chunk, long total, long off, long bytes) {
    if (off == 0) {
      return 0;
    }
    if (off < 0 || bytes < 0 || off + bytes > total) {
      throw new IllegalArgumentException("section [" + off + ", +" + bytes + ") outside the chunk");
    }
    return chunk + off;
  }

  private static ChunkVector node(DataType type, long chunk, long total, long off) {
    long n = at(chunk, total, off, ChunkFormat.NODE_BYTES);
    int kind = Platform.getByte(null, n + ChunkFormat.N_KIND);
    int children = Platform.getShort(null, n + ChunkFormat.N_CHILDREN);
    int width = Platform.getInt(null, n + ChunkFormat.N_WIDTH);
    int rows = Platform.getInt(null, n + ChunkFormat.N_ROWS);
    int nullCount = Platform.getInt(null, n + ChunkFormat.N_NULL_COUNT);
    long nulls = at(chunk, total, Platform.getLong(null, n + ChunkFormat.N_NULLS), rows);
    long dataOff = Platform.getLong(null, n + ChunkFormat.N_DATA);
    long offsOff = Platform.getLong(null, n + ChunkFormat.N_OFFSETS);
    long spans = 4L * rows;
    long offs = at(chunk, total, offsOff, ChunkFormat.align8(spans) + spans);
    long lens = offs == 0 ? 0 : offs + ChunkFormat.align8(spans);
    long table = at(chunk, total, Platform.getLong(null, n + ChunkFormat.N_CHILD_TABLE), 8L * children);
    ChunkVector[] kids = new ChunkVector[children];
    for (int i = 0; i < children; i++) {
      DataType childType = childType(type, kind, i);
      kids[i] = node(childType, chunk, total, Platform.getLong(null, table + 8L * i));
    }
    switch (kind) {
      case ChunkFormat.FIXED:
        return new Fixed(type, nulls, rows, nullCount, width,
            at(chunk, total, dataOff, (long) width * rows));
      case ChunkFormat.VAR:
        return new Var(type, nulls, rows, nullCount, chunk + dataOff, offs, lens);
      case ChunkFormat.DICT:
        return new Dict(type, nulls, rows, nullCount, at(chunk, total, dataOff, spans), kids[0]);
      case ChunkFormat.ARRAY:
      case ChunkFormat.MAP:
        return new ListOf(type, nulls, rows, nullCount, offs, lens, kids);
      case ChunkFormat.STRUCT:
        return new Struct(type, nulls, rows, nullCount, kids);
      case ChunkFormat.NULLS:
        return new Fixed(type, nulls, rows, Math.max(nullCount, rows), 0, 0);
      default:
        throw new IllegalArgumentException("unknown chunk node kind " + kind);
    }
  }

  private static DataType childType(DataType type, int kind, int i) {
    switch (kind) {
      case ChunkFormat.DICT:
        return type;
      case ChunkFormat.ARRAY:
        return ((ArrayType) type).elementType();
      case ChunkFormat.MAP:
        return i == 0 ? ((MapType) type).keyType() : ((MapType) type).valueType();
      case ChunkFormat.STRUCT:
        return ((StructType) type).fields()[i].dataType();
      default:
        throw new IllegalArgumentException("node kind " + kind + " has no children");
    }
  }

  /** Rows in the chunk (the row group's rows, for a top-level chunk). */
  public int rows() {
    return rows;
  }

  /** Shows rows [first, first + count) as rows [0, count). */
  public void slice(int first, int count) {
    if (first < 0 || count < 0 || first + count > rows) {
      throw new IndexOutOfBoundsException(
          "slice [" + first + ", +" + count + ") of " + rows + " rows");
    }
    this.base = first;
    this.length = count;
  }

  @Override
  public boolean hasNull() {
    return nullCount > 0;
  }

  @Override
  public int numNulls() {
    if (nullCount == 0) {
      return 0;
    }
    int n = 0;
    for (int i = 0; i < length; i++) {
      n += isNullAt(i) ? 1 : 0;
    }
    return n;
  }

  @Override
  public boolean isNullAt(int rowId) {
    return nullCount > 0 && Platform.getByte(null, nulls + base + rowId) != 0;
  }

  UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException(what + " of a " + dataType().simpleString() + " chunk");
  }

  @Override
  public boolean getBoolean(int rowId) {
    throw unsupported("getBoolean");
  }

  @Override
  public byte getByte(int rowId) {
    throw unsupported("getByte");
  }

  @Override
  public short getShort(int rowId) {
    throw unsupported("getShort");
  }

  @Override
  public int getInt(int rowId) {
    throw unsupported("getInt");
  }

  @Override
  public long getLong(int rowId) {
    throw unsupported("getLong");
  }

  @Override
  public float getFloat(int rowId) {
    throw unsupported("getFloat");
  }

  @Override
  public double getDouble(int rowId) {
    throw unsupported("getDouble");
  }

  @Override
  public ColumnarArray getArray(int rowId) {
    throw unsupported("getArray");
  }

  @Override
  public ColumnarMap getMap(int ordinal) {
    throw unsupported("getMap");
  }

  @Override
  public UTF8String getUTF8String(int rowId) {
    throw unsupported("getUTF8String");
  }

  @Override
  public byte[] getBinary(int rowId) {
    throw unsupported("getBinary");
  }

  @Override
  public ColumnVector getChild(int ordinal) {
    throw unsupported("getChild");
  }

  @Override
  public Decimal getDecimal(int rowId, int precision, int scale) {
    if (isNullAt(rowId)) {
      return null;
    }
    if (precision <= Decimal.MAX_INT_DIGITS()) {
      return Decimal.createUnsafe(getInt(rowId), precision, scale);
    }
    if (precision <= Decimal.MAX_LONG_DIGITS()) {
      return Decimal.createUnsafe(getLong(rowId), precision, scale);
    }
    BigDecimal d = new BigDecimal(new BigInteger(getBinary(rowId)), scale);
    return Decimal.apply(d, precision, scale);
  }

  /** Fixed-width values (and all-null columns, with width 0). */
  static final class Fixed extends ChunkVector {
    private final long data;
    private final int width;

    Fixed(DataType type, long nulls, int rows, int nullCount, int width, long data) {
      super(type, nulls, rows, nullCount);
      this.width = width;
      this.data = data;
    }

    @Override
    public boolean isNullAt(int rowId) {
      return width == 0 || super.isNullAt(rowId);
    }

    @Override
    public boolean getBoolean(int rowId) {
      return Platform.getByte(null, data + base + rowId) != 0;
    }

    @Override
    public byte getByte(int rowId) {
      return Platform.getByte(null, data + base + rowId);
    }

    @Override
    public short getShort(int rowId) {
      return Platform.getShort(null, data + 2L * (base + rowId));
    }

    @Override
    public int getInt(int rowId) {
      return Platform.getInt(null, data + 4L * (base + rowId));
    }

    @Override
    public long getLong(int rowId) {
      return Platform.getLong(null, data + 8L * (base + rowId));
    }

    @Override
    public float getFloat(int rowId) {
      return Platform.getFloat(null, data + 4L * (base + rowId));
    }

    @Override
    public double getDouble(int rowId) {
      return Platform.getDouble(null, data + 8L * (base + rowId));
    }
  }

  /** Variable-length values: strings, binaries, wide decimals. */
  static final class Var extends ChunkVector {
    private final long data;
    private final long offs;
    private final long lens;

    Var(DataType type, long nulls, int rows, int nullCount, long data, long offs, long lens) {
      super(type, nulls, rows, nullCount);
      this.data = data;
      this.offs = offs;
      this.lens = lens;
    }

    @Override
    public UTF8String getUTF8String(int rowId) {
      if (isNullAt(rowId)) {
        return null;
      }
      long r = base + rowId;
      return UTF8String.fromAddress(
          null, data + Platform.getInt(null, offs + 4 * r), Platform.getInt(null, lens + 4 * r));
    }

    @Override
    public byte[] getBinary(int rowId) {
      if (isNullAt(rowId)) {
        return null;
      }
      long r = base + rowId;
      int len = Platform.getInt(null, lens + 4 * r);
      byte[] b = new byte[len];
      Platform.copyMemory(
          null, data + Platform.getInt(null, offs + 4 * r), b, Platform.BYTE_ARRAY_OFFSET, len);
      return b;
    }
  }

  /** Dictionary ids over a FIXED or VAR dictionary. */
  static final class Dict extends ChunkVector {
    private final long ids;
    private final ChunkVector dict;

    Dict(DataType type, long nulls, int rows, int nullCount, long ids, ChunkVector dict) {
      super(type, nulls, rows, nullCount);
      this.ids = ids;
      this.dict = dict;
    }

    private int id(int rowId) {
      return Platform.getInt(null, ids + 4L * (base + rowId));
    }

    @Override
    public boolean getBoolean(int rowId) {
      return dict.getBoolean(id(rowId));
    }

    @Override
    public byte getByte(int rowId) {
      return dict.getByte(id(rowId));
    }

    @Override
    public short getShort(int rowId) {
      return dict.getShort(id(rowId));
    }

    @Override
    public int getInt(int rowId) {
      return dict.getInt(id(rowId));
    }

    @Override
    public long getLong(int rowId) {
      return dict.getLong(id(rowId));
    }

    @Override
    public float getFloat(int rowId) {
      return dict.getFloat(id(rowId));
    }

    @Override
    public double getDouble(int rowId) {
      return dict.getDouble(id(rowId));
    }

    @Override
    public UTF8String getUTF8String(int rowId) {
      return isNullAt(rowId) ? null : dict.getUTF8String(id(rowId));
    }

    @Override
    public byte[] getBinary(int rowId) {
      return isNullAt(rowId) ? null : dict.getBinary(id(rowId));
    }
  }

  /** Arrays (one child) and maps (keys and values). */
  static final class ListOf extends ChunkVector {
    private final long offs;
    private final long lens;
    private final ChunkVector[] kids;

    ListOf(DataType type, long nulls, int rows, int nullCount, long offs, long lens,
        ChunkVector[] kids) {
      super(type, nulls, rows, nullCount);
      this.offs = offs;
      this.lens = lens;
      this.kids = kids;
    }

    private int offset(int rowId) {
      return Platform.getInt(null, offs + 4L * (base + rowId));
    }

    private int len(int rowId) {
      return Platform.getInt(null, lens + 4L * (base + rowId));
    }

    @Override
    public ColumnarArray getArray(int rowId) {
      return isNullAt(rowId) ? null : new ColumnarArray(kids[0], offset(rowId), len(rowId));
    }

    @Override
    public ColumnarMap getMap(int ordinal) {
      return isNullAt(ordinal)
          ? null
          : new ColumnarMap(kids[0], kids[1], offset(ordinal), len(ordinal));
    }

    @Override
    public ColumnVector getChild(int ordinal) {
      return kids[ordinal];
    }
  }

  /** Structs: fields row for row, following this vector's slice. */
  static final class Struct extends ChunkVector {
    private final ChunkVector[] fields;

    Struct(DataType type, long nulls, int rows, int nullCount, ChunkVector[] fields) {
      super(type, nulls, rows, nullCount);
      this.fields = fields;
    }

    @Override
    public void slice(int first, int count) {
      super.slice(first, count);
      for (ChunkVector f : fields) {
        f.slice(first, count);
      }
    }

    @Override
    public ColumnVector getChild(int ordinal) {
      return fields[ordinal];
    }
  }
}
