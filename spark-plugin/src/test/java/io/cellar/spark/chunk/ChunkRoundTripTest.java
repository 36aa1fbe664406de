// SPDX-License-Identifier: Apache-2.0
// ChunkRoundTripTest -- Spark vectors written as a chunk read back identically through ChunkVector
package io.cellar.spark.chunk;

import static io.cellar.spark.chunk.VectorFixtures.GARBAGE_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellar.spark.chunk.VectorFixtures.Memory;
import io.cellar.spark.chunk.VectorFixtures.Row;
import io.cellar.spark.shims.VectorTestShims;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DayTimeIntervalType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.YearMonthIntervalType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ChunkRoundTripTest {
  /** Batch sizes of one row group, as a reader with a small batch size would append them. */
  private static final int[] BATCHES = {1, 17, 256, 3, 100};

  static Stream<Arguments> everyKind() {
    DataType point = new StructType()
        .add("a", DataTypes.IntegerType)
        .add("b", DataTypes.StringType)
        .add("c", DataTypes.DoubleType)
        .add("d", DataTypes.createDecimalType(30, 6));
    DataType nested = new StructType()
        .add("s", new StructType().add("x", DataTypes.LongType).add("y", DataTypes.BinaryType))
        .add("arr", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("m", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
    DataType[] types = {
      DataTypes.BooleanType,
      DataTypes.ByteType,
      DataTypes.ShortType,
      DataTypes.IntegerType,
      DataTypes.LongType,
      DataTypes.FloatType,
      DataTypes.DoubleType,
      DataTypes.createDecimalType(5, 2),
      DataTypes.createDecimalType(15, 4),
      DataTypes.createDecimalType(30, 6),
      DataTypes.createDecimalType(38, 0),
      DataTypes.StringType,
      DataTypes.BinaryType,
      DataTypes.DateType,
      DataTypes.TimestampType,
      DataTypes.TimestampNTZType,
      YearMonthIntervalType.apply(),
      DayTimeIntervalType.apply(),
      DataTypes.NullType,
      DataTypes.createArrayType(DataTypes.IntegerType),
      DataTypes.createArrayType(DataTypes.StringType),
      DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.LongType)),
      DataTypes.createMapType(DataTypes.StringType, DataTypes.IntegerType),
      DataTypes.createMapType(DataTypes.IntegerType,
          DataTypes.createArrayType(DataTypes.DoubleType)),
      point,
      nested,
      DataTypes.createArrayType(new StructType()
          .add("a", DataTypes.IntegerType).add("b", DataTypes.StringType)),
    };
    List<Arguments> args = new ArrayList<>();
    for (DataType t : types) {
      if (t == DataTypes.NullType && !VectorTestShims.nullTypeVectors()) {
        continue;
      }
      for (Memory m : Memory.values()) {
        args.add(Arguments.of(t.simpleString(), t, m));
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("everyKind")
  void everyKindRoundTripsThroughSeveralBatchesAndSlices(String name, DataType type, Memory m) {
    Random r = new Random(name.hashCode() * 31L + m.ordinal());
    List<Object> values = new ArrayList<>();
    for (int n : BATCHES) {
      for (int i = 0; i < n; i++) {
        values.add(VectorFixtures.value(type, r, 0.15));
      }
    }
    try (WritableColumnVector v = m.allocate(256, type);
        ChunkWriter w = new ChunkWriter(type)) {
      appendInBatches(w, v, type, values, r);
      assertThat(w.rows()).isEqualTo(values.size());
      readBack(w, type, values, name + " " + m);
    }
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("everyKind")
  void aWriterToldItsRowsAheadMakesTheSameChunk(String name, DataType type, Memory m) {
    // sized once for the row group's rows, its buffers do not grow, and the bytes are the same
    Random r = new Random(name.hashCode() * 7L + m.ordinal());
    List<Object> values = new ArrayList<>();
    for (int b = 0; b < BATCHES.length; b++) {
      for (int i = 0; i < BATCHES[b]; i++) {
        values.add(VectorFixtures.value(type, r, b == 0 ? 0 : 0.2));
      }
    }
    try (WritableColumnVector v = m.allocate(256, type);
        ChunkWriter grown = new ChunkWriter(type);
        ChunkWriter sized = new ChunkWriter(type, values.size())) {
      // each batch into both writers: the same bytes in, garbage under nulls included
      int at = 0;
      for (int n : BATCHES) {
        v.reset();
        VectorFixtures.fill(v, type, values.subList(at, at + n), r);
        grown.append(v, n);
        sized.append(v, n);
        at += n;
      }
      assertThat(bytesOf(sized.finish())).isEqualTo(bytesOf(grown.finish()));
      readBack(sized, type, values, "sized " + name + " " + m);
    }
  }

  private static byte[] bytesOf(ChunkLayout l) {
    byte[] out = new byte[Math.toIntExact(l.totalBytes())];
    int at = 0;
    for (int i = 0; i < l.addresses().length; i++) {
      int n = Math.toIntExact(l.lengths()[i]);
      Platform.copyMemory(null, l.addresses()[i], out, Platform.BYTE_ARRAY_OFFSET + at, n);
      at += n;
    }
    return out;
  }

  /** Appends values to w in batches of {@link #BATCHES} sizes, each filled into v anew. */
  private static void appendInBatches(ChunkWriter w, WritableColumnVector v, DataType type,
      List<Object> values, Random r) {
    int at = 0;
    for (int n : BATCHES) {
      v.reset();
      VectorFixtures.fill(v, type, values.subList(at, at + n), r);
      w.append(v, n);
      at += n;
    }
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("everyKind")
  void nullsThatFirstAppearInALaterBatchReadBack(String name, DataType type, Memory m) {
    // the writers keep null flags only from the first batch that may hold a null on
    Random r = new Random(name.hashCode() * 17L + m.ordinal());
    List<Object> values = new ArrayList<>();
    for (int b = 0; b < BATCHES.length; b++) {
      for (int i = 0; i < BATCHES[b]; i++) {
        values.add(VectorFixtures.value(type, r, b < 3 ? 0 : 0.3));
      }
    }
    try (WritableColumnVector v = m.allocate(256, type);
        ChunkWriter w = new ChunkWriter(type)) {
      appendInBatches(w, v, type, values, r);
      readBack(w, type, values, "late nulls " + name + " " + m);
    }
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("everyKind")
  void columnMissingFromTheFileReadsAsNulls(String name, DataType type, Memory m) {
    try (WritableColumnVector v = m.allocate(64, type);
        ChunkWriter w = new ChunkWriter(type)) {
      VectorTestShims.markMissing(v);
      w.append(v, 64);
      w.append(v, 10);
      List<Object> nulls = new ArrayList<>();
      for (int i = 0; i < 74; i++) {
        nulls.add(null);
      }
      readBack(w, type, nulls, "missing " + name);
    }
  }

  @ParameterizedTest
  @EnumSource(Memory.class)
  void structFieldsMissingFromTheFileReadAsNullFields(Memory m) {
    StructType t = new StructType()
        .add("a", DataTypes.IntegerType)
        .add("b", DataTypes.StringType)
        .add("c", DataTypes.createArrayType(DataTypes.IntegerType));
    Random r = new Random(29);
    List<Object> expected = new ArrayList<>();
    try (WritableColumnVector v = m.allocate(256, t);
        ChunkWriter w = new ChunkWriter(t)) {
      VectorTestShims.markMissing(v.getChild(1));
      VectorTestShims.markMissing(v.getChild(2));
      for (int n : BATCHES) {
        v.reset();
        for (int i = 0; i < n; i++) {
          if (r.nextInt(5) == 0) {
            v.putNull(i);
            v.getChild(0).putInt(i, r.nextInt()); // garbage under a null struct
            expected.add(null);
          } else {
            int a = r.nextInt();
            v.putNotNull(i);
            v.getChild(0).putNotNull(i);
            v.getChild(0).putInt(i, a);
            expected.add(new Row(Arrays.asList(a, null, null)));
          }
        }
        w.append(v, n);
      }
      readBack(w, t, expected, "struct with missing fields " + m);
    }
  }

  @Test
  void checksNoticeAWrongValueANullFlagOrAMissingElement() {
    DataType t = DataTypes.createArrayType(new StructType()
        .add("a", DataTypes.IntegerType).add("b", DataTypes.StringType));
    List<Object> right = Arrays.asList(
        List.of(new Row(Arrays.asList(1, "x")), new Row(Arrays.asList(2, null))),
        null,
        List.of());
    try (WritableColumnVector v = Memory.OFF_HEAP.allocate(256, t);
        ChunkWriter w = new ChunkWriter(t)) {
      VectorFixtures.fill(v, t, right, new Random(1));
      w.append(v, right.size());
      readBack(w, t, right, "right");
      List<List<Object>> wrong = List.of(
          Arrays.asList(List.of(new Row(Arrays.asList(1, "y")),
              new Row(Arrays.asList(2, null))), null, List.of()),
          Arrays.asList(List.of(new Row(Arrays.asList(1, "x")),
              new Row(Arrays.asList(2, ""))), null, List.of()),
          Arrays.asList(List.of(new Row(Arrays.asList(1, "x"))), null,
              List.of()),
          Arrays.asList(List.of(new Row(Arrays.asList(1, "x")),
              new Row(Arrays.asList(2, null))), List.of(), List.of()));
      for (List<Object> expected : wrong) {
        assertThatThrownBy(() -> readBack(w, t, expected, "wrong"))
            .isInstanceOf(AssertionError.class);
      }
    }
  }

  @Test
  void closingTwiceIsHarmless() {
    WritableColumnVector v = Memory.OFF_HEAP.allocate(4, DataTypes.StringType);
    ChunkWriter w = new ChunkWriter(DataTypes.StringType);
    try {
      for (int i = 0; i < 4; i++) {
        v.putByteArray(i, new byte[] {(byte) i});
      }
      w.append(v, 4);
      w.finish();
    } finally {
      w.close();
      w.close();
      v.close();
    }
  }

  // ---- dictionary-encoded batches ----

  /** Types Spark's reader gives dictionaries, with a value maker for distinct values. */
  static Stream<Arguments> dictionaryTypes() {
    List<Arguments> args = new ArrayList<>();
    for (Memory m : Memory.values()) {
      args.add(Arguments.of(DataTypes.IntegerType, m));
      args.add(Arguments.of(DataTypes.LongType, m));
      args.add(Arguments.of(DataTypes.FloatType, m));
      args.add(Arguments.of(DataTypes.DoubleType, m));
      args.add(Arguments.of(DataTypes.StringType, m));
      args.add(Arguments.of(DataTypes.createDecimalType(15, 2), m));
      args.add(Arguments.of(DataTypes.createDecimalType(30, 2), m));
      args.add(Arguments.of(DataTypes.BinaryType, m));
      args.add(Arguments.of(DataTypes.ByteType, m));
      args.add(Arguments.of(DataTypes.ShortType, m));
      args.add(Arguments.of(DataTypes.DateType, m));
      args.add(Arguments.of(DataTypes.TimestampType, m));
      args.add(Arguments.of(DataTypes.createDecimalType(5, 2), m));
    }
    return args.stream();
  }

  /** The i-th distinct value of a dictionary of type t. */
  private static Object distinct(DataType t, int i) {
    if (t.equals(DataTypes.ByteType)) {
      return (byte) (i * 37 - 100);
    }
    if (t.equals(DataTypes.ShortType)) {
      return (short) (i * 1000 - 30_000);
    }
    if (t.equals(DataTypes.IntegerType)) {
      return i * 7919 - 40_000;
    }
    if (t.equals(DataTypes.DateType)) {
      return i * 365 - 40_000;
    }
    if (t.equals(DataTypes.LongType)) {
      return i * 1_000_000_007L - (1L << 40);
    }
    if (t.equals(DataTypes.TimestampType)) {
      return i * 86_400_000_000L - 3_000_000_000_000_000L;
    }
    if (t.equals(DataTypes.FloatType)) {
      return i == 1 ? -0.0f : i == 2 ? Float.NaN : i * 0.25f;
    }
    if (t.equals(DataTypes.DoubleType)) {
      return i == 1 ? -0.0 : i == 2 ? Double.NaN : i * 1.5e-3;
    }
    if (t instanceof DecimalType d) {
      long unscaled = d.precision() <= 9 ? i * 123L - 999 : i * 1_234_567L - 999;
      return new BigDecimal(BigInteger.valueOf(unscaled), d.scale());
    }
    if (t.equals(DataTypes.BinaryType)) {
      return new byte[] {(byte) i, 0, (byte) -i};
    }
    return i == 0 ? "" : "value-" + i + (i % 3 == 0 ? "-日本" : "");
  }

  /** A dictionary of `size` distinct values of t, in physical form, and in logical form. */
  private record DictValues(Object[] physical, Object[] logical) {
    static DictValues of(DataType t, int size) {
      Object[] logical = new Object[size];
      Object[] physical = new Object[size];
      for (int i = 0; i < size; i++) {
        logical[i] = distinct(t, i);
        physical[i] = VectorFixtures.physical(t, logical[i]);
      }
      return new DictValues(physical, logical);
    }
  }

  /** Ids of n rows drawn from [0, size), -1 for about one row in ten. */
  private static int[] ids(Random r, int n, int size) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = r.nextInt(10) == 0 ? -1 : r.nextInt(size);
    }
    return ids;
  }

  /**
   * Appends one batch of the values dict's ids stand for (-1: null), dictionary-encoded or plain,
   * and records them in expected.
   */
  private static void appendBatch(ChunkWriter w, WritableColumnVector v, DataType t,
      DictValues dict, int[] ids, boolean encoded, List<Object> expected, Random r) {
    v.reset();
    v.setDictionary(null);
    List<Object> batch = new ArrayList<>();
    for (int id : ids) {
      batch.add(id < 0 ? null : dict.logical()[id]);
    }
    if (encoded) {
      VectorFixtures.fillDictionary(v, dict.physical(), ids);
    } else {
      VectorFixtures.fill(v, t, batch, r);
    }
    w.append(v, ids.length);
    expected.addAll(batch);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("dictionaryTypes")
  void lowCardinalityDictionaryBatchesKeepIdsWhereThatIsSmaller(DataType t, Memory m) {
    Random r = new Random(7);
    DictValues dict = DictValues.of(t, 12);
    List<Object> expected = new ArrayList<>();
    try (WritableColumnVector v = m.allocate(256, t);
        WritableColumnVector plainV = m.allocate(256, t);
        ChunkWriter w = new ChunkWriter(t);
        ChunkWriter plain = new ChunkWriter(t)) {
      List<Object> plainExpected = new ArrayList<>();
      for (int n : BATCHES) {
        int[] ids = ids(r, n, dict.physical().length);
        appendBatch(w, v, t, dict, ids, true, expected, r);
        appendBatch(plain, plainV, t, dict, ids, false, plainExpected, r);
      }
      // 4-byte ids save nothing over values of 4 bytes or fewer: those chunks stay plain
      boolean smaller = ChunkTypes.width(t) == 0 || ChunkTypes.width(t) > 4;
      int kind = readBack(w, t, expected, "dictionary " + t.simpleString() + " " + m);
      assertThat(kind).isEqualTo(smaller ? ChunkFormat.DICT : ChunkFormat.FIXED);
      long plainBytes = plain.finish().totalBytes();
      if (smaller) {
        assertThat(w.finish().totalBytes()).isLessThan(plainBytes);
      } else {
        assertThat(w.finish().totalBytes()).isEqualTo(plainBytes);
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("dictionaryTypes")
  void highCardinalityDictionaryBatchesAreStoredPlain(DataType t, Memory m) {
    Random r = new Random(11);
    int rows = 0;
    for (int n : BATCHES) {
      rows += n;
    }
    DictValues dict = DictValues.of(t, rows);
    List<Object> expected = new ArrayList<>();
    List<Object> plainExpected = new ArrayList<>();
    try (WritableColumnVector v = m.allocate(256, t);
        WritableColumnVector plainV = m.allocate(256, t);
        ChunkWriter w = new ChunkWriter(t);
        ChunkWriter plain = new ChunkWriter(t)) {
      int next = 0;
      for (int n : BATCHES) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
          ids[i] = i % 50 == 7 ? -1 : next++; // every value used once
        }
        appendBatch(w, v, t, dict, ids, true, expected, r);
        appendBatch(plain, plainV, t, dict, ids, false, plainExpected, r);
      }
      int kind = readBack(w, t, expected, "high cardinality " + t.simpleString() + " " + m);
      int width = ChunkTypes.width(t);
      assertThat(kind).isEqualTo(width > 0 ? ChunkFormat.FIXED : ChunkFormat.VAR);
      assertThat(w.finish().totalBytes()).isEqualTo(plain.finish().totalBytes());
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("dictionaryTypes")
  void dictionaryBatchesFollowedByPlainOnesReadBackPlain(DataType t, Memory m) {
    Random r = new Random(13);
    DictValues dict = DictValues.of(t, 5);
    List<Object> expected = new ArrayList<>();
    try (WritableColumnVector v = m.allocate(256, t);
        ChunkWriter w = new ChunkWriter(t)) {
      appendBatch(w, v, t, dict, ids(r, 40, 5), true, expected, r);
      appendBatch(w, v, t, dict, ids(r, 256, 5), true, expected, r);
      appendBatch(w, v, t, dict, ids(r, 100, 5), false, expected, r); // turns plain here
      appendBatch(w, v, t, dict, ids(r, 30, 5), true, expected, r);
      int kind = readBack(w, t, expected, "dictionary then plain " + t.simpleString() + " " + m);
      assertThat(kind).isEqualTo(ChunkTypes.width(t) > 0 ? ChunkFormat.FIXED : ChunkFormat.VAR);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("dictionaryTypes")
  void plainBatchesFollowedByDictionaryOnesReadBackPlain(DataType t, Memory m) {
    Random r = new Random(17);
    DictValues dict = DictValues.of(t, 5);
    List<Object> expected = new ArrayList<>();
    try (WritableColumnVector v = m.allocate(256, t);
        ChunkWriter w = new ChunkWriter(t)) {
      appendBatch(w, v, t, dict, ids(r, 64, 5), false, expected, r);
      appendBatch(w, v, t, dict, ids(r, 200, 5), true, expected, r);
      int kind = readBack(w, t, expected, "plain then dictionary " + t.simpleString() + " " + m);
      assertThat(kind).isEqualTo(ChunkTypes.width(t) > 0 ? ChunkFormat.FIXED : ChunkFormat.VAR);
    }
  }

  @ParameterizedTest
  @EnumSource(Memory.class)
  void nullStructsOverDictionaryFieldsWithGarbageIdsDoNotBreakTheWriter(Memory m) {
    StructType t = new StructType()
        .add("i", DataTypes.IntegerType)
        .add("l", DataTypes.LongType)
        .add("s", DataTypes.StringType);
    DataType[] fieldTypes = {DataTypes.IntegerType, DataTypes.LongType, DataTypes.StringType};
    DictValues[] dicts = new DictValues[3];
    for (int f = 0; f < 3; f++) {
      dicts[f] = DictValues.of(fieldTypes[f], 4);
    }
    Random r = new Random(19);
    List<Object> expected = new ArrayList<>();
    try (WritableColumnVector v = m.allocate(256, t);
        ChunkWriter w = new ChunkWriter(t)) {
      for (int n : BATCHES) {
        v.reset();
        List<Object> fields0 = new ArrayList<>();
        boolean[] structNull = new boolean[n];
        int[][] ids = new int[3][n];
        for (int i = 0; i < n; i++) {
          structNull[i] = r.nextInt(4) == 0;
          for (int f = 0; f < 3; f++) {
            ids[f][i] = r.nextInt(8) == 0 ? -1 : r.nextInt(4);
          }
        }
        for (int f = 0; f < 3; f++) {
          WritableColumnVector field = v.getChild(f);
          field.setDictionary(new VectorFixtures.ArrayDictionary(dicts[f].physical()));
          WritableColumnVector idv = field.reserveDictionaryIds(n);
          for (int i = 0; i < n; i++) {
            // under a null struct the field is flagged non-null and its id is garbage
            boolean fieldNull = !structNull[i] && ids[f][i] < 0;
            if (fieldNull) {
              field.putNull(i);
            } else {
              field.putNotNull(i);
            }
            idv.putInt(i, structNull[i] || ids[f][i] < 0 ? GARBAGE_ID : ids[f][i]);
          }
        }
        for (int i = 0; i < n; i++) {
          if (structNull[i]) {
            v.putNull(i);
            expected.add(null);
          } else {
            v.putNotNull(i);
            fields0.clear();
            for (int f = 0; f < 3; f++) {
              fields0.add(ids[f][i] < 0 ? null : dicts[f].logical()[ids[f][i]]);
            }
            expected.add(new Row(new ArrayList<>(fields0)));
          }
        }
        w.append(v, n);
      }
      assertThat(w.bytes()).as("native bytes held").isLessThan(1L << 20);
      readBack(w, t, expected, "null structs over dictionaries " + m);
    }
  }

  static Stream<Arguments> elementDictionaryTypes() {
    List<Arguments> args = new ArrayList<>();
    for (Memory m : Memory.values()) {
      args.add(Arguments.of(DataTypes.LongType, m));
      args.add(Arguments.of(DataTypes.StringType, m));
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("elementDictionaryTypes")
  void arrayElementsWithADictionaryKeepIdsAndReadBack(DataType elem, Memory m) {
    ArrayType t = DataTypes.createArrayType(elem);
    DictValues dict = DictValues.of(elem, 6);
    Random r = new Random(23);
    List<Object> expected = new ArrayList<>();
    try (WritableColumnVector v = m.allocate(256, t);
        ChunkWriter w = new ChunkWriter(t)) {
      for (int n : BATCHES) {
        v.reset();
        WritableColumnVector child = v.arrayData();
        int[] lengths = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
          lengths[i] = r.nextInt(8) == 0 ? -1 : r.nextInt(6);
          total += Math.max(0, lengths[i]);
        }
        child.reserve(total);
        child.setDictionary(new VectorFixtures.ArrayDictionary(dict.physical()));
        WritableColumnVector ids = child.reserveDictionaryIds(total);
        int at = 0;
        for (int i = 0; i < n; i++) {
          if (lengths[i] < 0) {
            v.putNull(i);
            v.putArray(i, 0, 0);
            expected.add(null);
            continue;
          }
          v.putNotNull(i);
          List<Object> list = new ArrayList<>();
          for (int e = 0; e < lengths[i]; e++) {
            int id = r.nextInt(7) == 0 ? -1 : r.nextInt(6);
            if (id < 0) {
              child.putNull(at + e);
              ids.putInt(at + e, GARBAGE_ID);
              list.add(null);
            } else {
              child.putNotNull(at + e);
              ids.putInt(at + e, id);
              list.add(dict.logical()[id]);
            }
          }
          v.putArray(i, at, lengths[i]);
          at += lengths[i];
          expected.add(list);
        }
        w.append(v, n);
      }
      int kind = readBack(w, t, expected, "array of dictionary " + elem.simpleString() + " " + m);
      assertThat(kind).isEqualTo(ChunkFormat.ARRAY);
      assertThat(childKind(w, 0)).isEqualTo(ChunkFormat.DICT);
    }
  }

  @ParameterizedTest
  @MethodSource("everyKind")
  void emptyChunksOpenWithNoRows(String name, DataType type, Memory m) {
    try (WritableColumnVector v = m.allocate(16, type);
        ChunkWriter w = new ChunkWriter(type)) {
      w.append(v, 0);
      readBack(w, type, List.of(), "empty " + name);
    }
  }

  // ---- the chunk as bytes ----

  @Test
  void openRejectsBytesThatAreNotAWholeChunk() {
    try (WritableColumnVector v = Memory.OFF_HEAP.allocate(8, DataTypes.LongType);
        ChunkWriter w = new ChunkWriter(DataTypes.LongType)) {
      for (int i = 0; i < 8; i++) {
        v.putLong(i, i);
      }
      w.append(v, 8);
      ChunkLayout layout = w.finish();
      long total = layout.totalBytes();
      long buf = concat(layout);
      try {
        assertThatThrownBy(() -> ChunkVector.open(DataTypes.LongType, buf, total - 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("B in");
        assertThatThrownBy(() -> ChunkVector.open(DataTypes.LongType, buf, 16))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(ChunkVector.open(DataTypes.LongType, buf, total + 100).getLong(7)).isEqualTo(7);
        Platform.putInt(null, buf, 0x12345678);
        assertThatThrownBy(() -> ChunkVector.open(DataTypes.LongType, buf, total))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a chunk");
      } finally {
        Platform.freeMemory(buf);
      }
    }
  }

  @Test
  void writerRefusesTypesWithoutALayoutAndAppendsAfterFinish() {
    assertThatThrownBy(() -> new ChunkWriter(DataTypes.CalendarIntervalType))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no chunk layout");
    assertThatThrownBy(() -> new ChunkWriter(new ArrayType(DataTypes.CalendarIntervalType, true)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interval");
    try (WritableColumnVector v = Memory.OFF_HEAP.allocate(4, DataTypes.IntegerType);
        ChunkWriter w = new ChunkWriter(DataTypes.IntegerType)) {
      w.append(v, 4);
      w.finish();
      assertThatThrownBy(() -> w.append(v, 4)).isInstanceOf(IllegalStateException.class);
      assertThat(w.finish()).isSameAs(w.finish());
    }
  }

  /** The kind of child i of a finished chunk's root node. */
  static int childKind(ChunkWriter w, int i) {
    ChunkLayout layout = w.finish();
    long buf = concat(layout);
    try {
      long root = buf + Platform.getLong(null, buf + ChunkFormat.H_ROOT);
      assertThat(Platform.getShort(null, root + ChunkFormat.N_CHILDREN)).isGreaterThan((short) i);
      long table = Platform.getLong(null, root + ChunkFormat.N_CHILD_TABLE);
      long child = Platform.getLong(null, buf + table + 8L * i);
      return Platform.getByte(null, buf + child + ChunkFormat.N_KIND);
    } finally {
      Platform.freeMemory(buf);
    }
  }

  /** Copies a layout's sections into one new native buffer; the caller frees it. */
  static long concat(ChunkLayout layout) {
    long[] addresses = layout.addresses();
    long[] lengths = layout.lengths();
    assertThat(addresses).hasSameSizeAs(lengths);
    long sum = 0;
    for (long l : lengths) {
      sum += l;
    }
    assertThat(sum).as("sections add up to the chunk").isEqualTo(layout.totalBytes());
    for (long l : lengths) {
      assertThat(l % 8).as("sections keep 8-byte alignment").isZero();
    }
    long buf = Platform.allocateMemory(Math.max(1, sum));
    long at = buf;
    for (int i = 0; i < addresses.length; i++) {
      Platform.copyMemory(null, addresses[i], null, at, lengths[i]);
      at += lengths[i];
    }
    return buf;
  }

  /**
   * Finishes the writer, concatenates the chunk, opens it and checks every row in several
   * slices; returns the root node's kind.
   */
  static int readBack(ChunkWriter w, DataType type, List<Object> expected, String what) {
    ChunkLayout layout = w.finish();
    long buf = concat(layout);
    try {
      assertThat(Platform.getInt(null, buf)).isEqualTo(ChunkFormat.MAGIC);
      assertThat(Platform.getInt(null, buf + ChunkFormat.H_ROWS)).isEqualTo(expected.size());
      assertThat(Platform.getLong(null, buf + ChunkFormat.H_TOTAL)).isEqualTo(layout.totalBytes());
      long root = Platform.getLong(null, buf + ChunkFormat.H_ROOT);
      int kind = Platform.getByte(null, buf + root + ChunkFormat.N_KIND);
      ChunkVector cv = ChunkVector.open(type, buf, layout.totalBytes());
      int rows = expected.size();
      assertThat(cv.rows()).isEqualTo(rows);
      int[][] slices = {
        {0, rows}, {0, 1}, {rows - 1, 1}, {1, 16}, {17, Math.min(256, rows - 17)},
        {rows / 3, rows / 3}, {rows, 0},
      };
      for (int[] s : slices) {
        if (s[0] < 0 || s[1] < 0 || s[0] + s[1] > rows) {
          continue;
        }
        cv.slice(s[0], s[1]);
        List<Object> part = expected.subList(s[0], s[0] + s[1]);
        VectorFixtures.check(cv, type, part, what + " slice [" + s[0] + ", +" + s[1] + ")");
        long nulls = part.stream().filter(x -> x == null).count();
        assertThat(cv.numNulls()).as("%s nulls in slice %d", what, s[0]).isEqualTo(nulls);
        if (nulls > 0) {
          assertThat(cv.hasNull()).isTrue();
        }
      }
      // the same rows through Spark's row view of a batch (getStruct via getChild, etc.)
      cv.slice(0, rows);
      ColumnarBatch batch = new ColumnarBatch(new ColumnVector[] {cv}, rows);
      for (int i = 0; i < rows; i++) {
        VectorFixtures.checkGetter(batch.getRow(i), 0, type, expected.get(i), what + " row " + i);
      }
      assertThatThrownBy(() -> cv.slice(1, rows)).isInstanceOf(IndexOutOfBoundsException.class);
      return kind;
    } finally {
      Platform.freeMemory(buf);
    }
  }
}
