// SPDX-License-Identifier: Apache-2.0
// StagedVector -- a copy of one decoded batch of a flat column, for a writer on another thread
package io.cellar.spark.chunk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.spark.sql.execution.vectorized.Dictionary;
import org.apache.spark.sql.execution.vectorized.OffHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.Platform;

/**
 * A copy of rows [0, n) of a batch that Spark's vectorized reader decoded into an off-heap vector
 * of a fixed-width or variable-width column, made so that a {@link ChunkWriter} can append it
 * after the reader has overwritten the batch. The copy is what the reader left: null flags,
 * values or offsets, lengths and bytes, or dictionary ids and the batch's dictionary (shared by
 * reference; it is reached through the vector's field, for which Spark has no getter).
 *
 * <p>A dictionary is shared only for fixed-width values, which Parquet's dictionaries decode from
 * plain arrays. A dictionary of byte arrays is not safe to share: Parquet's
 * {@code ByteBufferBackedBinary.getBytes} moves the position of the dictionary page's buffer and
 * back, so two threads decoding at once (a writer here, the plan above on the task) can read the
 * wrong bytes or fail. Such batches are not staged; the task appends them itself. Reused batch
 * after batch; owns native memory until {@link #close()}.
 */
public final class StagedVector implements AutoCloseable {
  /** WritableColumnVector's dictionary field, or null when this Spark line has none. */
  private static final VarHandle DICTIONARY =
      field(WritableColumnVector.class, "dictionary", Dictionary.class);
  /**
   * OffHeapColumnVector's address of its null flags (one byte per row), for which Spark has no
   * getter; or null, and the flags are copied row by row.
   */
  private static final VarHandle NULLS = field(OffHeapColumnVector.class, "nulls", long.class);
  private final int width;
  private final int capacity;
  private final OffHeapColumnVector copy;
  private WritableColumnVector current;

  /**
   * @param type the column's type, one {@link #canStage} accepts
   * @param capacity the most rows a batch holds
   */
  public StagedVector(DataType type, int capacity) {
    if (!canStage(type)) {
      throw new IllegalArgumentException("cannot stage " + type.simpleString());
    }
    this.width = ChunkTypes.width(type);
    this.capacity = capacity;
    this.copy = new OffHeapColumnVector(capacity, type);
  }

  /** Whether batches of a column of type t can be staged: flat types, on this Spark line. */
  public static boolean canStage(DataType t) {
    int kind = ChunkTypes.kind(t);
    return DICTIONARY != null && (kind == ChunkFormat.FIXED || kind == ChunkFormat.VAR);
  }

  /** A private field of one of Spark's vector classes, or null when this Spark line lacks it. */
  private static VarHandle field(Class<?> owner, String name, Class<?> type) {
    try {
      return MethodHandles.privateLookupIn(owner, MethodHandles.lookup())
          .findVarHandle(owner, name, type);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Copies rows [0, n) of v.
   *
   * @return the bytes copied, or -1 when v is not a vector this can copy (on-heap, or with
   *     on-heap parts, or variable-width values over a dictionary); then nothing is staged
   */
  public long stage(WritableColumnVector v, int n) {
    if (v.isAllNull()) {
      // a column the file lacks: Spark never writes such a vector again, so it serves as is
      current = v;
      return 0;
    }
    if (!(v instanceof OffHeapColumnVector src) || n > capacity
        || width == 0 && v.hasDictionary()) {
      return -1;
    }
    WritableColumnVector srcIds = v.hasDictionary() ? v.getDictionaryIds() : null;
    WritableColumnVector srcBytes = srcIds == null && width == 0 ? v.arrayData() : null;
    if (srcIds != null && !(srcIds instanceof OffHeapColumnVector)
        || srcBytes != null && !(srcBytes instanceof OffHeapColumnVector)) {
      return -1;
    }
    copy.reset();
    copy.setDictionary(null);
    long bytes = 0;
    boolean nulls = v.hasNull();
    if (nulls && NULLS != null) {
      // one byte per row, 1 for null: copied whole, then one null set again so that the copy
      // knows it has nulls (its null count is not kept: the writers ask only whether)
      long from = (long) NULLS.get(src);
      Platform.copyMemory(null, from, null, (long) NULLS.get(copy), n);
      int first = firstNull(from, n);
      if (first >= 0) {
        copy.putNull(first);
      }
      bytes += n;
    } else if (nulls) {
      for (int i = 0; i < n; i++) {
        if (v.isNullAt(i)) {
          copy.putNull(i);
        }
      }
      bytes += n;
    }
    if (srcIds != null) {
      copy.setDictionary((Dictionary) DICTIONARY.get(v));
      WritableColumnVector ids = copy.reserveDictionaryIds(n);
      Platform.copyMemory(null, ((OffHeapColumnVector) srcIds).valuesNativeAddress(), null,
          ((OffHeapColumnVector) ids).valuesNativeAddress(), 4L * n);
      bytes += 4L * n;
    } else if (width > 0) {
      Platform.copyMemory(null, src.valuesNativeAddress(), null, copy.valuesNativeAddress(),
          (long) width * n);
      bytes += (long) width * n;
    } else {
      int end = 0;
      for (int i = 0; i < n; i++) {
        if (!nulls || !v.isNullAt(i)) {
          end = Math.max(end, v.getArrayOffset(i) + v.getArrayLength(i));
        }
      }
      WritableColumnVector to = copy.arrayData();
      to.reserve(end);
      for (int i = 0; i < n; i++) {
        if (!nulls || !v.isNullAt(i)) {
          copy.putArray(i, v.getArrayOffset(i), v.getArrayLength(i));
        }
      }
      Platform.copyMemory(null, ((OffHeapColumnVector) srcBytes).valuesNativeAddress(), null,
          ((OffHeapColumnVector) to).valuesNativeAddress(), end);
      bytes += 8L * n + end;
    }
    current = copy;
    return bytes;
  }

  /** The first null row among n rows of null flags at address at, or -1. */
  private static int firstNull(long at, int n) {
    int i = 0;
    // eight rows at a time while their flags are all zero
    while (i + 8 <= n && Platform.getLong(null, at + i) == 0) {
      i += 8;
    }
    for (; i < n; i++) {
      if (Platform.getByte(null, at + i) != 0) {
        return i;
      }
    }
    return -1;
  }

  /** The batch last staged (valid until the next {@link #stage}). */
  public WritableColumnVector vector() {
    return current;
  }

  @Override
  public void close() {
    current = null;
    copy.close();
  }
}
