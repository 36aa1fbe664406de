// SPDX-License-Identifier: Apache-2.0
// ChunkWriter -- turns the batches Spark decodes for one column of one row group into a chunk
package io.cellar.spark.chunk;

import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;

/**
 * Builds one cached chunk (see {@link ChunkFormat}) from the vectors Spark's vectorized Parquet
 * reader fills for successive batches of one row group. Not thread-safe; owns native memory until
 * {@link #close()}.
 */
public final class ChunkWriter implements AutoCloseable {
  private final NodeWriter root;
  private ChunkLayout layout;

  /**
   * @param type the column's Spark type
   * @throws IllegalArgumentException when {@link ChunkTypes#unsupportedReason} names a reason
   */
  public ChunkWriter(DataType type) {
    this.root = NodeWriter.of(type);
  }

  /**
   * A writer of a chunk of {@code rows} rows (its row group's), which sizes its buffers for them
   * at once.
   *
   * @param type the column's Spark type
   * @param rows the rows the chunk will hold; 0 or less when not known
   * @throws IllegalArgumentException when {@link ChunkTypes#unsupportedReason} names a reason
   */
  public ChunkWriter(DataType type, int rows) {
    this(type);
    if (rows > 0) {
      root.expectRows(rows);
    }
  }

  /** Appends rows [0, n) of a vector Spark's reader just decoded. */
  public void append(WritableColumnVector v, int n) {
    if (layout != null) {
      throw new IllegalStateException("the chunk is finished");
    }
    root.append(v, n);
  }

  /** Rows appended so far. */
  public int rows() {
    return root.rows;
  }

  /** Native bytes held so far. */
  public long bytes() {
    return root.bytes();
  }

  /** Lays the chunk out; the result stays valid until this writer is closed. */
  public ChunkLayout finish() {
    if (layout == null) {
      layout = new ChunkLayout();
      root.layout(layout);
      layout.finish(root.rows);
    }
    return layout;
  }

  @Override
  public void close() {
    if (layout != null) {
      layout.close();
    }
    root.close();
  }
}
