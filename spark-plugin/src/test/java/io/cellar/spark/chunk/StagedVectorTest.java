// SPDX-License-Identifier: Apache-2.0
// StagedVectorTest -- a chunk built from staged copies is the chunk built from Spark's batches
package io.cellar.spark.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellar.spark.chunk.VectorFixtures.Memory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StagedVectorTest {
  private static final int CAPACITY = 256;
  private static final int[] BATCHES = {1, 17, 256, 3, 100, 256, 40};

  /** The flat types of the round-trip test's kinds. */
  static Stream<DataType> flatTypes() {
    return ChunkRoundTripTest.everyKind().map(a -> (DataType) a.get()[1])
        .filter(StagedVector::canStage).distinct();
  }

  /** The types the round-trip test feeds dictionary-encoded batches. */
  static Stream<DataType> dictionaryTypes() {
    return ChunkRoundTripTest.dictionaryTypes().map(a -> (DataType) a.get()[0]).distinct();
  }

  @ParameterizedTest
  @MethodSource("flatTypes")
  void plainBatchesWithNullsBuildTheSameChunkFromTheirCopies(DataType t) {
    Random r = new Random(t.hashCode());
    compare(t, (v, b, n) -> {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        values.add(VectorFixtures.value(t, r, b % 3 == 0 ? 0 : 0.2));
      }
      VectorFixtures.fill(v, t, values, r);
    }, r);
  }

  @ParameterizedTest
  @MethodSource("dictionaryTypes")
  void dictionaryBatchesThenPlainOnesBuildTheSameChunkFromTheirCopies(DataType t) {
    Random r = new Random(t.hashCode() * 31L);
    Object[] dict = new Object[12];
    for (int i = 0; i < dict.length; i++) {
      dict[i] = VectorFixtures.physical(t, VectorFixtures.value(t, r, 0));
    }
    compare(t, (v, b, n) -> {
      if (b < 4) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
          ids[i] = r.nextInt(8) == 0 ? -1 : r.nextInt(dict.length);
        }
        VectorFixtures.fillDictionary(v, dict, ids);
      } else {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          values.add(VectorFixtures.value(t, r, 0.1));
        }
        VectorFixtures.fill(v, t, values, r);
      }
    }, r);
  }

  /** Fills batch b of n rows into a vector that was just reset. */
  private interface Batch {
    void fill(WritableColumnVector v, int b, int n);
  }

  /**
   * Builds one chunk from Spark's batches and one from their staged copies, each batch's source
   * overwritten with other values before its copy is appended, and requires the same bytes.
   */
  private static void compare(DataType t, Batch batch, Random r) {
    try (WritableColumnVector v = Memory.OFF_HEAP.allocate(CAPACITY, t);
        StagedVector staged = new StagedVector(t, CAPACITY);
        ChunkWriter direct = new ChunkWriter(t);
        ChunkWriter fromCopies = new ChunkWriter(t)) {
      for (int b = 0; b < BATCHES.length; b++) {
        int n = BATCHES[b];
        v.reset();
        v.setDictionary(null);
        batch.fill(v, b, n);
        direct.append(v, n);
        if (v.hasDictionary() && ChunkTypes.width(t) == 0) {
          // byte-array dictionaries are not thread-safe to share: the task appends these itself
          assertThat(staged.stage(v, n)).isEqualTo(-1);
          fromCopies.append(v, n);
          continue;
        }
        assertThat(staged.stage(v, n)).isGreaterThanOrEqualTo(0);
        // the reader decodes its next batch into the same vector: the copy must not care
        v.reset();
        v.setDictionary(null);
        List<Object> other = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          other.add(VectorFixtures.value(t, r, 0.5));
        }
        VectorFixtures.fill(v, t, other, r);
        fromCopies.append(staged.vector(), n);
      }
      assertThat(fromCopies.rows()).isEqualTo(direct.rows());
      assertThat(bytes(fromCopies.finish())).isEqualTo(bytes(direct.finish()));
    }
  }

  private static byte[] bytes(ChunkLayout l) {
    byte[] out = new byte[Math.toIntExact(l.totalBytes())];
    long at = 0;
    for (int i = 0; i < l.addresses().length; i++) {
      Platform.copyMemory(null, l.addresses()[i], out, Platform.BYTE_ARRAY_OFFSET + at,
          l.lengths()[i]);
      at += l.lengths()[i];
    }
    return out;
  }

  @Test
  void onlyFlatTypesAndOffHeapBatchesAreStaged() {
    assertThat(StagedVector.canStage(DataTypes.IntegerType)).isTrue();
    assertThat(StagedVector.canStage(DataTypes.StringType)).isTrue();
    assertThat(StagedVector.canStage(DataTypes.createArrayType(DataTypes.IntegerType))).isFalse();
    assertThat(StagedVector.canStage(DataTypes.NullType)).isFalse();
    assertThatThrownBy(() -> new StagedVector(DataTypes.createArrayType(DataTypes.LongType), 8))
        .isInstanceOf(IllegalArgumentException.class);
    try (WritableColumnVector onHeap = Memory.ON_HEAP.allocate(8, DataTypes.IntegerType);
        WritableColumnVector big = Memory.OFF_HEAP.allocate(16, DataTypes.IntegerType);
        StagedVector s = new StagedVector(DataTypes.IntegerType, 8)) {
      onHeap.putInt(0, 5);
      assertThat(s.stage(onHeap, 1)).isEqualTo(-1);
      // more rows than the copy holds
      assertThat(s.stage(big, 16)).isEqualTo(-1);
      big.putInt(0, 7);
      assertThat(s.stage(big, 1)).isEqualTo(4);
      assertThat(s.vector().getInt(0)).isEqualTo(7);
    }
  }
}
