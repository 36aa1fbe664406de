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
   * Opens a chunk as a vector of the given type, after checking every byte the vector will
   * dereference: the header, each node's place in the node table (each node once, children after
   * their parent, so no cycle), its kind, children and width against the type, its sections'
   * bounds, its null flags against its null count, every variable-width value's span within its
   * node's data, every dictionary id against the dictionary, every list's span within its
   * elements, and the rows of struct fields and map keys and values. The cost is one pass over
   * the offsets, ids and null flags; values themselves are not read.
   *
   * @param type the column's Spark type, as the chunk was written with
   * @param address the chunk's first byte
   * @param size the bytes available at address
   * @throws IllegalArgumentException when the bytes are not a well-formed chunk of that type
   */
  public static ChunkVector open(DataType type, long address, long size) {
    if (size < ChunkFormat.HEADER_BYTES
        || Platform.getInt(null, address + ChunkFormat.H_MAGIC) != ChunkFormat.MAGIC
        || Platform.getShort(null, address + ChunkFormat.H_VERSION) != ChunkFormat.VERSION) {
      throw new IllegalArgumentException("not a chunk of format version " + ChunkFormat.VERSION);
    }
    long total = Platform.getLong(null, address + ChunkFormat.H_TOTAL);
    if (total < ChunkFormat.HEADER_BYTES || total > size) {
      throw new IllegalArgumentException("chunk of " + total + " B in " + size + " B");
    }
    Reader r = new Reader(address, total);
    ChunkVector v = r.node(type, Platform.getLong(null, address + ChunkFormat.H_ROOT), 0, false);
    int rows = Platform.getInt(null, address + ChunkFormat.H_ROWS);
    if (rows != v.rows) {
      throw corrupt("header of " + rows + " rows over a root of " + v.rows);
    }
    return v;
  }

  static IllegalArgumentException corrupt(String what) {
    return new IllegalArgumentException("corrupt chunk: " + what);
  }

  /** Reads and checks the nodes of one chunk. */
  private static final class Reader {
    private final long chunk;
    private final long total;
    private final java.util.BitSet seen = new java.util.BitSet();

    Reader(long chunk, long total) {
      this.chunk = chunk;
      this.total = total;
    }

    /** The address of section [off, off + bytes), or 0 when off is 0 (absent). */
    long at(long off, long bytes) {
      if (off == 0) {
        return 0;
      }
      if (off < ChunkFormat.HEADER_BYTES || bytes < 0 || off > total - bytes) {
        throw corrupt("section [" + off + ", +" + bytes + ") outside the chunk of " + total + " B");
      }
      return chunk + off;
    }

    /** As at, for a section that must be present when it has bytes. */
    long need(long off, long bytes, String what) {
      if (off == 0 && bytes > 0) {
        throw corrupt("no " + what + " section for " + bytes + " B");
      }
      return at(off, bytes);
    }

    /**
     * The node at off, of the given type; `after` is its parent's offset (children come later
     * in the node table), `dictionary` whether it is a DICT node's dictionary.
     */
    ChunkVector node(DataType type, long off, long after, boolean dictionary) {
      if (off <= after || (off - ChunkFormat.HEADER_BYTES) % ChunkFormat.NODE_BYTES != 0) {
        throw corrupt("node at " + off + " after a parent at " + after);
      }
      long n = at(off, ChunkFormat.NODE_BYTES);
      int index = (int) Math.min(Integer.MAX_VALUE, (off - ChunkFormat.HEADER_BYTES) / ChunkFormat.NODE_BYTES);
      if (seen.get(index)) {
        throw corrupt("node at " + off + " reached twice");
      }
      seen.set(index);
      int kind = Platform.getByte(null, n + ChunkFormat.N_KIND);
      int children = Platform.getShort(null, n + ChunkFormat.N_CHILDREN) & 0xFFFF;
      int width = Platform.getInt(null, n + ChunkFormat.N_WIDTH);
      int rows = Platform.getInt(null, n + ChunkFormat.N_ROWS);
      int nullCount = Platform.getInt(null, n + ChunkFormat.N_NULL_COUNT);
      int typeKind = ChunkTypes.kind(type);
      boolean fits = kind == typeKind
          || kind == ChunkFormat.DICT && !dictionary
              && (typeKind == ChunkFormat.FIXED || typeKind == ChunkFormat.VAR)
          || kind == ChunkFormat.NULLS && !dictionary;
      if (!fits || dictionary && kind != typeKind) {
        throw corrupt("node kind " + kind + " for " + type.simpleString());
      }
      if (children != childCount(type, kind)) {
        throw corrupt(children + " children for node kind " + kind);
      }
      if (rows < 0 || nullCount < 0 || nullCount > rows || dictionary && nullCount != 0) {
        throw corrupt(nullCount + " nulls in " + rows + " rows");
      }
      long nulls = at(Platform.getLong(null, n + ChunkFormat.N_NULLS), rows);
      if (nullCount > 0 && kind != ChunkFormat.NULLS) {
        if (nulls == 0) {
          throw corrupt(nullCount + " nulls without null flags");
        }
        long flagged = nonZeroBytes(nulls, rows);
        if (flagged != nullCount) {
          throw corrupt(flagged + " null flags for a null count of " + nullCount);
        }
      }
      long dataOff = Platform.getLong(null, n + ChunkFormat.N_DATA);
      long offsOff = Platform.getLong(null, n + ChunkFormat.N_OFFSETS);
      long spans = 4L * rows;
      long offs = kind == ChunkFormat.VAR || kind == ChunkFormat.ARRAY || kind == ChunkFormat.MAP
          ? need(offsOff, ChunkFormat.align8(spans) + spans, "offsets")
          : at(offsOff, ChunkFormat.align8(spans) + spans);
      long lens = offs == 0 ? 0 : offs + ChunkFormat.align8(spans);
      long table = need(Platform.getLong(null, n + ChunkFormat.N_CHILD_TABLE), 8L * children,
          "child table");
      ChunkVector[] kids = new ChunkVector[children];
      for (int i = 0; i < children; i++) {
        kids[i] = node(childType(type, kind, i), Platform.getLong(null, table + 8L * i), off,
            kind == ChunkFormat.DICT);
      }
      switch (kind) {
        case ChunkFormat.FIXED:
          if (width != ChunkTypes.width(type)) {
            throw corrupt("values of " + width + " B for " + type.simpleString());
          }
          return new Fixed(type, nulls, rows, nullCount, width,
              need(dataOff, (long) width * rows, "values"));
        case ChunkFormat.VAR: {
          // the data runs up to the offsets that follow it, or to the chunk's end
          long data = need(dataOff, 0, "data");
          if (data == 0) {
            data = chunk + offsOff;
            dataOff = offsOff;
          }
          long limit = offsOff > dataOff ? offsOff - dataOff : total - dataOff;
          for (int i = 0; i < rows; i++) {
            long o = Platform.getInt(null, offs + 4L * i);
            long l = Platform.getInt(null, lens + 4L * i);
            if (o < 0 || l < 0 || o + l > limit) {
              throw corrupt("value " + i + " at [" + o + ", +" + l + ") of " + limit + " B of data");
            }
          }
          return new Var(type, nulls, rows, nullCount, data, offs, lens);
        }
        case ChunkFormat.DICT: {
          long ids = need(dataOff, spans, "ids");
          int size = kids[0].rows;
          // a null row's id is 0, which an empty dictionary does not hold: rows outside the
          // dictionary are looked at one by one only when the quick pass finds one
          int outside = 0;
          for (int i = 0; i < rows; i++) {
            outside |= Integer.compareUnsigned(Platform.getInt(null, ids + 4L * i), size) >= 0
                ? 1 : 0;
          }
          for (int i = 0; outside != 0 && i < rows; i++) {
            int id = Platform.getInt(null, ids + 4L * i);
            boolean isNull = nullCount > 0 && Platform.getByte(null, nulls + i) != 0;
            if (id < 0 || id >= size && !(isNull && id == 0)) {
              throw corrupt("id " + id + " at row " + i + " of a dictionary of " + size);
            }
          }
          return new Dict(type, nulls, rows, nullCount, ids, kids[0]);
        }
        case ChunkFormat.ARRAY:
        case ChunkFormat.MAP: {
          int elements = kids[0].rows;
          if (kind == ChunkFormat.MAP && kids[1].rows != elements) {
            throw corrupt(elements + " map keys with " + kids[1].rows + " values");
          }
          for (int i = 0; i < rows; i++) {
            if (nullCount > 0 && Platform.getByte(null, nulls + i) != 0) {
              continue;
            }
            long o = Platform.getInt(null, offs + 4L * i);
            long l = Platform.getInt(null, lens + 4L * i);
            if (o < 0 || l < 0 || o + l > elements) {
              throw corrupt("list " + i + " at [" + o + ", +" + l + ") of " + elements + " elements");
            }
          }
          return new ListOf(type, nulls, rows, nullCount, offs, lens, kids);
        }
        case ChunkFormat.STRUCT:
          for (ChunkVector k : kids) {
            if (k.rows != rows) {
              throw corrupt("a field of " + k.rows + " rows in a struct of " + rows);
            }
          }
          return new Struct(type, nulls, rows, nullCount, kids);
        case ChunkFormat.NULLS:
          return new Fixed(type, nulls, rows, Math.max(nullCount, rows), 0, 0);
        default:
          throw corrupt("unknown node kind " + kind);
      }
    }
  }

  /** The children a node of this kind has for this type. */
  /** How many of the n bytes at address are not zero, eight at a time. */
  static long nonZeroBytes(long address, int n) {
    final long low7 = 0x7F7F7F7F7F7F7F7FL;
    long count = 0;
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      long w = Platform.getLong(null, address + i);
      // a byte's top bit is set when the byte is not zero
      count += Long.bitCount(((w & low7) + low7 | w) & ~low7);
    }
    for (; i < n; i++) {
      count += Platform.getByte(null, address + i) != 0 ? 1 : 0;
    }
    return count;
  }

  private static int childCount(DataType type, int kind) {
    switch (kind) {
      case ChunkFormat.DICT:
      case ChunkFormat.ARRAY:
        return 1;
      case ChunkFormat.MAP:
        return 2;
      case ChunkFormat.STRUCT:
        return ((StructType) type).fields().length;
      default:
        return 0;
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
        throw corrupt("node kind " + kind + " has no children");
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
