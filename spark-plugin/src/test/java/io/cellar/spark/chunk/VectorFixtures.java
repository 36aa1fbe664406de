// SPDX-License-Identifier: Apache-2.0
// VectorFixtures -- fills Spark column vectors from Java values and checks vectors against them
package io.cellar.spark.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.execution.vectorized.Dictionary;
import org.apache.spark.sql.execution.vectorized.OffHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DayTimeIntervalType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.types.YearMonthIntervalType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarMap;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Test values as plain Java objects, written into Spark's vectors the way its Parquet reader
 * leaves them and compared with what a vector returns.
 *
 * <p>Values: Boolean, Byte, Short, Integer (ints, dates, year-month intervals), Long (longs,
 * timestamps, day-time intervals), Float, Double, BigDecimal (with the type's scale), String,
 * byte[], {@link List} (arrays), {@link MapVal} (maps), {@link Row} (structs); null is null.
 */
final class VectorFixtures {
  /** A dictionary id Spark's reader may leave under a null row; far past any dictionary. */
  static final int GARBAGE_ID = 1_000_000_000;

  private VectorFixtures() {}

  /** A map value: keys and values, in order. */
  record MapVal(List<Object> keys, List<Object> values) {}

  /** A struct value: one value per field. */
  record Row(List<Object> fields) {}

  /** Where a vector keeps its values. */
  enum Memory {
    OFF_HEAP,
    ON_HEAP;

    WritableColumnVector allocate(int capacity, DataType type) {
      return this == OFF_HEAP
          ? new OffHeapColumnVector(capacity, type)
          : new OnHeapColumnVector(capacity, type);
    }
  }

  /**
   * A dictionary over values in Parquet's physical form (Integer, Long, Float, Double, byte[]).
   * A class, not a record: Scala 2.12's compiler reads these sources for the Spark 3.5 tests.
   */
  static final class ArrayDictionary implements Dictionary {
    private final Object[] values;

    ArrayDictionary(Object[] values) {
      this.values = values;
    }

    Object[] values() {
      return values;
    }

    @Override
    public int decodeToInt(int id) {
      return (Integer) values[id];
    }

    @Override
    public long decodeToLong(int id) {
      return (Long) values[id];
    }

    @Override
    public float decodeToFloat(int id) {
      return (Float) values[id];
    }

    @Override
    public double decodeToDouble(int id) {
      return (Double) values[id];
    }

    @Override
    public byte[] decodeToBinary(int id) {
      return (byte[]) values[id];
    }
  }

  // ---- generating values ----

  private static final String[] STRINGS = {
    "", "a", "héllo wörld", "日本語のテキスト", "🎉🚀 emoji", "x".repeat(300), "nul\u0000inside",
  };

  /** A random value of type t; null with the given probability (always, for NullType). */
  static Object value(DataType t, Random r, double nullRate) {
    if (t instanceof NullType || r.nextDouble() < nullRate) {
      return null;
    }
    boolean edge = r.nextInt(8) == 0;
    if (t instanceof BooleanType) {
      return r.nextBoolean();
    }
    if (t instanceof ByteType) {
      return edge ? pick(r, Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0, (byte) -1)
          : (byte) r.nextInt();
    }
    if (t instanceof ShortType) {
      return edge ? pick(r, Short.MIN_VALUE, Short.MAX_VALUE, (short) 0, (short) -1)
          : (short) r.nextInt();
    }
    if (t instanceof IntegerType || t instanceof YearMonthIntervalType) {
      return edge ? pick(r, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1) : r.nextInt();
    }
    if (t instanceof DateType) {
      return r.nextInt(200_000) - 100_000; // days; before 1900 is below -25567
    }
    if (t instanceof LongType || t instanceof DayTimeIntervalType) {
      return edge ? pick(r, Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L) : r.nextLong();
    }
    if (t instanceof TimestampType || t instanceof TimestampNTZType) {
      return (r.nextLong() % 8_000_000_000_000_000L); // micros, years -250000 to 250000
    }
    if (t instanceof FloatType) {
      return edge
          ? pick(r, Float.NaN, -0.0f, 0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
              Float.MIN_VALUE, Float.MAX_VALUE, Float.intBitsToFloat(0x7fc00001))
          : (r.nextFloat() - 0.5f) * 1e6f;
    }
    if (t instanceof DoubleType) {
      return edge
          ? pick(r, Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
              Double.MIN_VALUE, Double.MAX_VALUE, Double.longBitsToDouble(0x7ff8000000000001L))
          : (r.nextDouble() - 0.5) * 1e12;
    }
    if (t instanceof DecimalType d) {
      BigInteger limit = BigInteger.TEN.pow(d.precision());
      BigInteger unscaled = edge
          ? pick(r, limit.subtract(BigInteger.ONE), limit.subtract(BigInteger.ONE).negate(),
              BigInteger.ZERO)
          : new BigInteger(limit.bitLength() + 8, r).mod(limit);
      if (r.nextBoolean()) {
        unscaled = unscaled.negate();
      }
      return new BigDecimal(unscaled, d.scale());
    }
    if (t instanceof StringType) {
      if (edge || r.nextInt(4) == 0) {
        return STRINGS[r.nextInt(STRINGS.length)];
      }
      StringBuilder s = new StringBuilder();
      for (int i = r.nextInt(20); i > 0; i--) {
        s.append((char) ('a' + r.nextInt(26)));
      }
      return s.toString();
    }
    if (t instanceof BinaryType) {
      byte[] b = new byte[edge ? 0 : r.nextInt(40)];
      r.nextBytes(b);
      return b;
    }
    if (t instanceof ArrayType a) {
      List<Object> l = new ArrayList<>();
      for (int i = r.nextInt(5); i > 0; i--) {
        l.add(value(a.elementType(), r, a.containsNull() ? 0.2 : 0));
      }
      return l;
    }
    if (t instanceof MapType m) {
      List<Object> keys = new ArrayList<>();
      List<Object> values = new ArrayList<>();
      for (int i = r.nextInt(4); i > 0; i--) {
        keys.add(value(m.keyType(), r, 0));
        values.add(value(m.valueType(), r, m.valueContainsNull() ? 0.2 : 0));
      }
      return new MapVal(keys, values);
    }
    if (t instanceof StructType s) {
      List<Object> fields = new ArrayList<>();
      for (var f : s.fields()) {
        fields.add(value(f.dataType(), r, f.nullable() ? 0.2 : 0));
      }
      return new Row(fields);
    }
    throw new IllegalArgumentException("no test values for " + t);
  }

  @SafeVarargs
  private static <T> T pick(Random r, T... choices) {
    return choices[r.nextInt(choices.length)];
  }

  // ---- filling vectors ----

  /** Writes values into rows [0, n) of a vector that was just allocated or reset. */
  static void fill(WritableColumnVector v, DataType t, List<Object> values, Random garbage) {
    if (t instanceof NullType) {
      return; // an all-null vector holds nothing
    }
    Filler f = new Filler(garbage);
    for (int i = 0; i < values.size(); i++) {
      f.put(v, t, i, values.get(i));
    }
  }

  /**
   * Writes a dictionary-encoded batch: ids index dict (physical values), -1 for a null row, whose
   * id is left as garbage, as Spark's reader may.
   */
  static void fillDictionary(WritableColumnVector v, Object[] dict, int[] ids) {
    v.setDictionary(new ArrayDictionary(dict));
    WritableColumnVector idv = v.reserveDictionaryIds(ids.length);
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0) {
        v.putNull(i);
        idv.putInt(i, GARBAGE_ID);
      } else {
        v.putNotNull(i);
        idv.putInt(i, ids[i]);
      }
    }
  }

  /** Parquet's physical form of a value, as a dictionary holds it. */
  static Object physical(DataType t, Object value) {
    if (value instanceof Byte || value instanceof Short) {
      return ((Number) value).intValue(); // Parquet INT32
    }
    if (value instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    if (value instanceof BigDecimal d) {
      DecimalType dt = (DecimalType) t;
      if (dt.precision() <= Decimal.MAX_INT_DIGITS()) {
        return d.unscaledValue().intValueExact();
      }
      if (dt.precision() <= Decimal.MAX_LONG_DIGITS()) {
        return d.unscaledValue().longValueExact();
      }
      return d.unscaledValue().toByteArray();
    }
    return value;
  }

  /** Writes values row by row, appending array and map elements to the children. */
  private static final class Filler {
    private final Random garbage;
    private final Map<WritableColumnVector, Integer> used = new IdentityHashMap<>();

    Filler(Random garbage) {
      this.garbage = garbage;
    }

    /** Reserves n element rows of a list's children; returns the first. */
    private int elements(WritableColumnVector list, int n, WritableColumnVector... children) {
      int first = used.getOrDefault(list, 0);
      used.put(list, first + n);
      for (WritableColumnVector c : children) {
        reserve(c, first + n);
      }
      return first;
    }

    /** Reserves rows in c and, as a struct's fields have its rows, in its fields. */
    private static void reserve(WritableColumnVector c, int rows) {
      c.reserve(rows);
      if (c.dataType() instanceof StructType) {
        for (int i = 0; i < c.getNumChildren(); i++) {
          reserve(c.getChild(i), rows);
        }
      }
    }

    void put(WritableColumnVector v, DataType t, int row, Object x) {
      if (x == null) {
        putNull(v, t, row);
        return;
      }
      v.putNotNull(row);
      if (t instanceof BooleanType) {
        v.putBoolean(row, (Boolean) x);
      } else if (t instanceof ByteType) {
        v.putByte(row, (Byte) x);
      } else if (t instanceof ShortType) {
        v.putShort(row, (Short) x);
      } else if (x instanceof Integer i) {
        v.putInt(row, i);
      } else if (x instanceof Long l) {
        v.putLong(row, l);
      } else if (x instanceof Float fl) {
        v.putFloat(row, fl);
      } else if (x instanceof Double d) {
        v.putDouble(row, d);
      } else if (x instanceof BigDecimal d) {
        int precision = ((DecimalType) t).precision();
        v.putDecimal(row, Decimal.apply(d, precision, d.scale()), precision);
      } else if (x instanceof String s) {
        v.putByteArray(row, s.getBytes(StandardCharsets.UTF_8));
      } else if (x instanceof byte[] b) {
        v.putByteArray(row, b);
      } else if (t instanceof ArrayType a) {
        List<?> l = (List<?>) x;
        WritableColumnVector child = v.arrayData();
        int first = elements(v, l.size(), child);
        for (int i = 0; i < l.size(); i++) {
          put(child, a.elementType(), first + i, l.get(i));
        }
        v.putArray(row, first, l.size());
      } else if (t instanceof MapType m) {
        MapVal mv = (MapVal) x;
        WritableColumnVector keys = v.getChild(0);
        WritableColumnVector values = v.getChild(1);
        int first = elements(v, mv.keys().size(), keys, values);
        for (int i = 0; i < mv.keys().size(); i++) {
          put(keys, m.keyType(), first + i, mv.keys().get(i));
          put(values, m.valueType(), first + i, mv.values().get(i));
        }
        v.putArray(row, first, mv.keys().size());
      } else if (t instanceof StructType s) {
        for (int i = 0; i < s.fields().length; i++) {
          put(v.getChild(i), s.fields()[i].dataType(), row, ((Row) x).fields().get(i));
        }
      } else {
        throw new IllegalArgumentException("cannot write " + x + " as " + t);
      }
    }

    /** A null row; spans of lists and strings point anywhere, as nothing may read them. */
    private void putNull(WritableColumnVector v, DataType t, int row) {
      v.putNull(row);
      if (t instanceof StructType s) {
        // Spark's reader flags a null struct in the struct only: its fields hold garbage
        for (int i = 0; i < s.fields().length; i++) {
          putGarbage(v.getChild(i), s.fields()[i].dataType(), row);
        }
      } else if (hasSpans(t)) {
        putGarbageSpan(v, row);
      }
    }

    /**
     * A span no row owns: past this batch's elements, but inside the child's capacity (every
     * child holds at least 256 rows here), which Spark's off-heap putArray asserts.
     */
    private void putGarbageSpan(WritableColumnVector v, int row) {
      v.putArray(row, garbage.nextInt(128), garbage.nextInt(128));
    }

    /** A non-null row of garbage, under a null struct. */
    private void putGarbage(WritableColumnVector v, DataType t, int row) {
      if (t instanceof NullType) {
        return;
      }
      v.putNotNull(row);
      if (t instanceof StructType s) {
        for (int i = 0; i < s.fields().length; i++) {
          putGarbage(v.getChild(i), s.fields()[i].dataType(), row);
        }
      } else if (hasSpans(t)) {
        putGarbageSpan(v, row);
      } else if (t instanceof BooleanType || t instanceof ByteType) {
        v.putByte(row, (byte) garbage.nextInt());
      } else if (t instanceof ShortType) {
        v.putShort(row, (short) garbage.nextInt());
      } else if (t instanceof FloatType) {
        v.putFloat(row, Float.intBitsToFloat(garbage.nextInt()));
      } else if (t instanceof DoubleType) {
        v.putDouble(row, Double.longBitsToDouble(garbage.nextLong()));
      } else if (ChunkTypes.width(t) == 4) {
        v.putInt(row, garbage.nextInt());
      } else {
        v.putLong(row, garbage.nextLong());
      }
    }

    private static boolean hasSpans(DataType t) {
      return ChunkTypes.kind(t) == ChunkFormat.VAR || t instanceof ArrayType
          || t instanceof MapType;
    }
  }

  // ---- checking vectors ----

  /** Checks rows [0, expected.size()) of v through the ColumnVector getters. */
  static void check(ColumnVector v, DataType t, List<Object> expected, String where) {
    for (int row = 0; row < expected.size(); row++) {
      checkRow(v, t, row, expected.get(row), where + " row " + row);
    }
  }

  static void checkRow(ColumnVector v, DataType t, int row, Object x, String where) {
    assertThat(v.isNullAt(row)).as("%s: null flag", where).isEqualTo(x == null);
    if (x == null) {
      checkNullObjects(v, t, row, where);
      return;
    }
    if (t instanceof BooleanType) {
      assertThat(v.getBoolean(row)).as(where).isEqualTo(x);
    } else if (t instanceof ByteType) {
      assertThat(v.getByte(row)).as(where).isEqualTo(x);
    } else if (t instanceof ShortType) {
      assertThat(v.getShort(row)).as(where).isEqualTo(x);
    } else if (x instanceof Integer i) {
      assertThat(v.getInt(row)).as(where).isEqualTo(i);
    } else if (x instanceof Long l) {
      assertThat(v.getLong(row)).as(where).isEqualTo(l);
    } else if (x instanceof Float f) {
      assertThat(Float.floatToIntBits(v.getFloat(row))).as("%s: %s", where, f)
          .isEqualTo(Float.floatToIntBits(f));
    } else if (x instanceof Double d) {
      assertThat(Double.doubleToLongBits(v.getDouble(row))).as("%s: %s", where, d)
          .isEqualTo(Double.doubleToLongBits(d));
    } else if (x instanceof BigDecimal d) {
      DecimalType dt = (DecimalType) t;
      assertThat(v.getDecimal(row, dt.precision(), dt.scale()).toJavaBigDecimal()).as(where)
          .isEqualTo(d);
    } else if (x instanceof String s) {
      assertThat(v.getUTF8String(row)).as(where).isEqualTo(UTF8String.fromString(s));
      assertThat(v.getBinary(row)).as(where).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
    } else if (x instanceof byte[] b) {
      assertThat(v.getBinary(row)).as(where).isEqualTo(b);
    } else if (t instanceof ArrayType a) {
      List<?> l = (List<?>) x;
      ColumnarArray arr = v.getArray(row);
      assertThat(arr.numElements()).as("%s: elements", where).isEqualTo(l.size());
      for (int i = 0; i < l.size(); i++) {
        checkGetter(arr, i, a.elementType(), l.get(i), where + "[" + i + "]");
      }
    } else if (t instanceof MapType m) {
      MapVal mv = (MapVal) x;
      ColumnarMap map = v.getMap(row);
      checkMap(map, m, mv, where);
    } else if (t instanceof StructType s) {
      assertThat(v.getStruct(row)).as(where).isNotNull();
      for (int i = 0; i < s.fields().length; i++) {
        checkRow(v.getChild(i), s.fields()[i].dataType(), row, ((Row) x).fields().get(i),
            where + "." + s.fields()[i].name());
      }
    } else {
      throw new IllegalArgumentException("cannot check " + x + " as " + t);
    }
  }

  private static void checkNullObjects(ColumnVector v, DataType t, int row, String where) {
    if (t instanceof StringType) {
      assertThat(v.getUTF8String(row)).as(where).isNull();
    } else if (t instanceof BinaryType) {
      assertThat(v.getBinary(row)).as(where).isNull();
    } else if (t instanceof DecimalType d) {
      assertThat(v.getDecimal(row, d.precision(), d.scale())).as(where).isNull();
    } else if (t instanceof ArrayType) {
      assertThat(v.getArray(row)).as(where).isNull();
    } else if (t instanceof MapType) {
      assertThat(v.getMap(row)).as(where).isNull();
    } else if (t instanceof StructType) {
      assertThat(v.getStruct(row)).as(where).isNull();
    }
  }

  private static void checkMap(MapData map, MapType m, MapVal mv, String where) {
    assertThat(map.numElements()).as("%s: entries", where).isEqualTo(mv.keys().size());
    ArrayData keys = map.keyArray();
    ArrayData values = map.valueArray();
    for (int i = 0; i < mv.keys().size(); i++) {
      checkGetter(keys, i, m.keyType(), mv.keys().get(i), where + " key " + i);
      checkGetter(values, i, m.valueType(), mv.values().get(i), where + " value " + i);
    }
  }

  /** Checks element or field ord of an array, map side or struct row (Spark's row views). */
  static void checkGetter(SpecializedGetters g, int ord, DataType t, Object x, String where) {
    assertThat(g.isNullAt(ord)).as("%s: null flag", where).isEqualTo(x == null);
    if (x == null) {
      return;
    }
    if (t instanceof BooleanType) {
      assertThat(g.getBoolean(ord)).as(where).isEqualTo(x);
    } else if (t instanceof ByteType) {
      assertThat(g.getByte(ord)).as(where).isEqualTo(x);
    } else if (t instanceof ShortType) {
      assertThat(g.getShort(ord)).as(where).isEqualTo(x);
    } else if (x instanceof Integer i) {
      assertThat(g.getInt(ord)).as(where).isEqualTo(i);
    } else if (x instanceof Long l) {
      assertThat(g.getLong(ord)).as(where).isEqualTo(l);
    } else if (x instanceof Float f) {
      assertThat(Float.floatToIntBits(g.getFloat(ord))).as(where)
          .isEqualTo(Float.floatToIntBits(f));
    } else if (x instanceof Double d) {
      assertThat(Double.doubleToLongBits(g.getDouble(ord))).as(where)
          .isEqualTo(Double.doubleToLongBits(d));
    } else if (x instanceof BigDecimal d) {
      DecimalType dt = (DecimalType) t;
      assertThat(g.getDecimal(ord, dt.precision(), dt.scale()).toJavaBigDecimal()).as(where)
          .isEqualTo(d);
    } else if (x instanceof String s) {
      assertThat(g.getUTF8String(ord)).as(where).isEqualTo(UTF8String.fromString(s));
    } else if (x instanceof byte[] b) {
      assertThat(g.getBinary(ord)).as(where).isEqualTo(b);
    } else if (t instanceof ArrayType a) {
      List<?> l = (List<?>) x;
      ArrayData arr = g.getArray(ord);
      assertThat(arr.numElements()).as("%s: elements", where).isEqualTo(l.size());
      for (int i = 0; i < l.size(); i++) {
        checkGetter(arr, i, a.elementType(), l.get(i), where + "[" + i + "]");
      }
    } else if (t instanceof MapType m) {
      checkMap(g.getMap(ord), m, (MapVal) x, where);
    } else if (t instanceof StructType s) {
      SpecializedGetters row = g.getStruct(ord, s.fields().length);
      for (int i = 0; i < s.fields().length; i++) {
        checkGetter(row, i, s.fields()[i].dataType(), ((Row) x).fields().get(i),
            where + "." + s.fields()[i].name());
      }
    } else {
      throw new IllegalArgumentException("cannot check " + x + " as " + t);
    }
  }
}
