// SPDX-License-Identifier: Apache-2.0
// VectoredNonClosingStream -- Spark 4.x (Parquet 1.15+): the non-closing view, vectored reads too
package io.cellar.spark.shims;

import java.io.IOException;
import java.util.List;
import org.apache.parquet.bytes.ByteBufferAllocator;
import org.apache.parquet.io.ParquetFileRange;
import org.apache.parquet.io.SeekableInputStream;

/** A {@link NonClosingStream} that also hands Parquet 1.15's vectored reads to the shared one. */
final class VectoredNonClosingStream extends NonClosingStream {
  VectoredNonClosingStream(SeekableInputStream in) {
    super(in);
  }

  @Override
  public void readVectored(List<ParquetFileRange> ranges, ByteBufferAllocator allocator)
      throws IOException {
    in.readVectored(ranges, allocator);
  }

  @Override
  public boolean readVectoredAvailable(ByteBufferAllocator allocator) {
    return in.readVectoredAvailable(allocator);
  }
}
