// SPDX-License-Identifier: Apache-2.0
// ChunkValidationTest -- bytes read back from a pool are checked before a vector dereferences them
package io.cellar.spark.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellar.spark.chunk.VectorFixtures.Memory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChunkValidationTest {
  private static final int ROWS = 300;

  /** A finished chunk copied into one native buffer. */
  private static final class Chunk implements AutoCloseable {
    private final DataType type;
    private final long address;
    private final long size;

    Chunk(DataType type, long address, long size) {
      this.type = type;
      this.address = address;
      this.size = size;
    }

    DataType type() {
      return type;
    }

    long address() {
      return address;
    }

    long size() {
      return size;
    }

    long node(long off) {
      return address + off;
    }

    long root() {
      return Platform.getLong(null, address + ChunkFormat.H_ROOT);
    }

    /** The offset of child i of the node at off. */
    long child(long off, int i) {
      long table = Platform.getLong(null, node(off) + ChunkFormat.N_CHILD_TABLE);
      return Platform.getLong(null, address + table + 8L * i);
    }

    ChunkVector open() {
      return ChunkVector.open(type, address, size);
    }

    @Override
    public void close() {
      Platform.freeMemory(address);
    }
  }

  /** A chunk of ROWS random values of type t (a fifth of them null when nulls). */
  private static Chunk chunk(DataType t, long seed, boolean nulls) {
    Random r = new Random(seed);
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      values.add(VectorFixtures.value(t, r, nulls ? 0.2 : 0));
    }
    try (WritableColumnVector v = Memory.OFF_HEAP.allocate(ROWS, t);
        ChunkWriter w = new ChunkWriter(t)) {
      VectorFixtures.fill(v, t, values, r);
      w.append(v, ROWS);
      ChunkLayout layout = w.finish();
      return new Chunk(t, ChunkRoundTripTest.concat(layout), layout.totalBytes());
    }
  }

  /** A chunk of ROWS values of t drawn from a dictionary of 5, dictionary-encoded. */
  private static Chunk dictionaryChunk(DataType t, long seed) {
    Random r = new Random(seed);
    Object[] dict = new Object[5];
    Random values = new Random(seed + 1);
    for (int i = 0; i < dict.length; i++) {
      Object x;
      do {
        x = VectorFixtures.value(t, values, 0);
      } while (x == null);
      dict[i] = VectorFixtures.physical(t, x);
    }
    int[] ids = new int[ROWS];
    for (int i = 0; i < ROWS; i++) {
      ids[i] = r.nextInt(8) == 0 ? -1 : r.nextInt(dict.length);
    }
    try (WritableColumnVector v = Memory.OFF_HEAP.allocate(ROWS, t);
        ChunkWriter w = new ChunkWriter(t)) {
      VectorFixtures.fillDictionary(v, dict, ids);
      w.append(v, ROWS);
      ChunkLayout layout = w.finish();
      return new Chunk(t, ChunkRoundTripTest.concat(layout), layout.totalBytes());
    }
  }

  /** Reads every row of a vector the way Spark's operators do: a copy of each row. */
  private static void readAll(ChunkVector v, DataType t) {
    ColumnarBatch batch = new ColumnarBatch(new ColumnVector[] {v}, v.rows());
    for (int i = 0; i < v.rows(); i++) {
      InternalRow row = batch.getRow(i).copy();
      row.get(0, t);
    }
  }

  @Test
  void nullFlagsAreCountedEightAtATimeAsOneByOne() {
    // every byte value, at every alignment and length, among zeros and other values
    Random r = new Random(5);
    long at = Platform.allocateMemory(64);
    try {
      for (int round = 0; round < 2000; round++) {
        int n = r.nextInt(41);
        int offset = r.nextInt(8);
        long expected = 0;
        for (int i = 0; i < n; i++) {
          byte b = r.nextInt(3) == 0 ? 0 : (byte) (round % 256 + i * r.nextInt(2));
          Platform.putByte(null, at + offset + i, b);
          expected += b != 0 ? 1 : 0;
        }
        assertThat(ChunkVector.nonZeroBytes(at + offset, n)).as("round %d", round)
            .isEqualTo(expected);
      }
    } finally {
      Platform.freeMemory(at);
    }
  }

  // ---- each rule, one crafted chunk each ----

  @Test
  void aChildLinkBackToItsParentIsACycleAndIsRejected() {
    DataType t = new StructType().add("a", DataTypes.IntegerType).add("b", DataTypes.LongType);
    try (Chunk c = chunk(t, 1, false)) {
      c.open();
      long table = Platform.getLong(null, c.node(c.root()) + ChunkFormat.N_CHILD_TABLE);
      Platform.putLong(null, c.address() + table + 8, c.root());
      assertThatThrownBy(c::open).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("after a parent");
    }
  }

  @Test
  void aNodeReachedTwiceIsRejected() {
    DataType t = DataTypes.createMapType(DataTypes.IntegerType, DataTypes.IntegerType);
    try (Chunk c = chunk(t, 2, false)) {
      c.open();
      long table = Platform.getLong(null, c.node(c.root()) + ChunkFormat.N_CHILD_TABLE);
      Platform.putLong(null, c.address() + table + 8, c.child(c.root(), 0));
      assertThatThrownBy(c::open).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("reached twice");
    }
  }

  @Test
  void aStringOutsideItsDataIsRejected() {
    try (Chunk c = chunk(DataTypes.StringType, 3, false)) {
      assertThat(Platform.getByte(null, c.node(c.root()) + ChunkFormat.N_KIND))
          .isEqualTo((byte) ChunkFormat.VAR);
      long offs = Platform.getLong(null, c.node(c.root()) + ChunkFormat.N_OFFSETS);
      // the last row's offset, then its length, pushed past the data
      long lastOff = c.address() + offs + 4L * (ROWS - 1);
      int saved = Platform.getInt(null, lastOff);
      Platform.putInt(null, lastOff, saved + 1_000_000);
      assertThatThrownBy(c::open).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("value " + (ROWS - 1));
      Platform.putInt(null, lastOff, saved);
      Platform.putInt(null, lastOff + ChunkFormat.align8(4L * ROWS), -1);
      assertThatThrownBy(c::open).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("value " + (ROWS - 1));
    }
  }

  @Test
  void aDictionaryIdPastTheDictionaryIsRejected() {
    try (Chunk c = dictionaryChunk(DataTypes.LongType, 4)) {
      assertThat(Platform.getByte(null, c.node(c.root()) + ChunkFormat.N_KIND))
          .isEqualTo((byte) ChunkFormat.DICT);
      readAll(c.open(), c.type());
      long ids = Platform.getLong(null, c.node(c.root()) + ChunkFormat.N_DATA);
      long nulls = Platform.getLong(null, c.node(c.root()) + ChunkFormat.N_NULLS);
      int row = 0;
      while (Platform.getByte(null, c.address() + nulls + row) != 0) {
        row++;
      }
      Platform.putInt(null, c.address() + ids + 4L * row, 5);
      assertThatThrownBy(c::open).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("id 5 at row " + row + " of a dictionary of 5");
    }
  }

  @Test
  void aNullCountWithoutNullFlagsOrDisagreeingWithThemIsRejected() {
    try (Chunk c = chunk(DataTypes.IntegerType, 5, false)) {
      long n = c.node(c.root());
      assertThat(Platform.getLong(null, n + ChunkFormat.N_NULLS)).isZero();
      Platform.putInt(null, n + ChunkFormat.N_NULL_COUNT, 1);
      assertThatThrownBy(c::open).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("without null flags");
      Platform.putInt(null, n + ChunkFormat.N_NULL_COUNT, ROWS + 1);
      assertThatThrownBy(c::open).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("nulls in " + ROWS + " rows");
    }
    try (Chunk c = chunk(DataTypes.IntegerType, 6, true)) {
      long n = c.node(c.root());
      Platform.putInt(null, n + ChunkFormat.N_NULL_COUNT,
          Platform.getInt(null, n + ChunkFormat.N_NULL_COUNT) - 1);
      assertThatThrownBy(c::open).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("null flags for a null count");
    }
  }

  @Test
  void aWidthOrKindThatDoesNotFitTheTypeIsRejected() {
    try (Chunk c = chunk(DataTypes.LongType, 7, false)) {
      assertThatThrownBy(() -> ChunkVector.open(DataTypes.IntegerType, c.address(), c.size()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("values of 8 B");
      assertThatThrownBy(() -> ChunkVector.open(DataTypes.StringType, c.address(), c.size()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node kind");
    }
  }

  @Test
  void structFieldsAndListsMustMatchTheirParents() {
    DataType t = new StructType().add("a", DataTypes.IntegerType).add("b", DataTypes.StringType);
    try (Chunk c = chunk(t, 8, false)) {
      long field = c.node(c.child(c.root(), 1));
      Platform.putInt(null, field + ChunkFormat.N_ROWS, ROWS - 1);
      assertThatThrownBy(c::open).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rows in a struct");
    }
    DataType list = DataTypes.createArrayType(DataTypes.IntegerType);
    try (Chunk c = chunk(list, 9, false)) {
      long lens = Platform.getLong(null, c.node(c.root()) + ChunkFormat.N_OFFSETS)
          + ChunkFormat.align8(4L * ROWS);
      Platform.putInt(null, c.address() + lens, Integer.MAX_VALUE);
      assertThatThrownBy(c::open).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("list 0");
    }
  }

  // ---- random mutations of valid chunks of every type ----

  static Stream<Arguments> mutationTypes() {
    List<Arguments> args = new ArrayList<>();
    ChunkRoundTripTest.everyKind()
        .filter(a -> a.get()[2] == Memory.OFF_HEAP)
        .forEach(a -> args.add(Arguments.of(a.get()[0], a.get()[1], false)));
    for (DataType t : new DataType[] {DataTypes.LongType, DataTypes.StringType,
        DataTypes.createDecimalType(30, 2), DataTypes.TimestampType}) {
      args.add(Arguments.of("dictionary " + t.simpleString(), t, true));
    }
    return args.stream();
  }

  /** The values a mutator writes over a field: edges, sizes of this chunk, and random bits. */
  private static long interesting(Random r, long size) {
    long[] edges = {0, 1, -1, 8, 32, 48, ROWS, ROWS + 1, size, size - 8, size + 8,
        Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE};
    return r.nextInt(3) == 0 ? r.nextLong() : edges[r.nextInt(edges.length)];
  }

  /**
   * Mutates valid chunks at random (bit flips anywhere, and edge values written over the header
   * and node table, where the offsets and counts live): each mutant either fails its checks with
   * IllegalArgumentException or reads every row without leaving the chunk; none may crash the
   * JVM or fail in another way. Mutated values themselves are not checked (the pool's checksums
   * are), so a wide decimal may come out unparseable.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("mutationTypes")
  void mutatedChunksAreRejectedOrReadSafely(String name, DataType type, boolean dictionary) {
    Random r = new Random(name.hashCode());
    try (Chunk valid = dictionary ? dictionaryChunk(type, 11) : chunk(type, 11, true)) {
      readAll(valid.open(), type);
      long size = valid.size();
      long meta = Math.min(size, valid.root() + 8L * ChunkFormat.NODE_BYTES);
      int rejected = 0;
      int mutants = 400;
      for (int m = 0; m < mutants; m++) {
        long copy = Platform.allocateMemory(size);
        try {
          Platform.copyMemory(null, valid.address(), null, copy, size);
          for (int k = 1 + r.nextInt(3); k > 0; k--) {
            if (r.nextBoolean()) {
              long at = copy + r.nextLong(size);
              Platform.putByte(null, at, (byte) (Platform.getByte(null, at) ^ (1 << r.nextInt(8))));
            } else if (r.nextBoolean()) {
              long at = r.nextLong(Math.max(1, (meta - 8) / 4)) * 4;
              Platform.putInt(null, copy + at, (int) interesting(r, size));
            } else {
              long at = r.nextLong(Math.max(1, (meta - 8) / 8)) * 8;
              Platform.putLong(null, copy + at, interesting(r, size));
            }
          }
          ChunkVector v;
          try {
            v = ChunkVector.open(type, copy, size);
          } catch (IllegalArgumentException e) {
            rejected++;
            continue;
          }
          try {
            readAll(v, type);
          } catch (ArithmeticException | NumberFormatException e) {
            // a mutated wide decimal's bytes: a value, not a structure, is wrong
            assertThat(name).contains("decimal");
          }
        } finally {
          Platform.freeMemory(copy);
        }
      }
      assertThat(rejected).as("mutants of %s rejected", name).isGreaterThan(mutants / 10);
    }
  }
}
