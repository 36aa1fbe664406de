// SPDX-License-Identifier: Apache-2.0
// ParquetReaderShims -- Spark 4.1 and 4.2: readers that take an open file, stream and footer
package io.cellar.spark.shims;

import java.io.IOException;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.spark.sql.execution.datasources.parquet.VectorizedParquetRecordReader;
import scala.Option;

/**
 * How the cached reader opens Parquet readers on this Spark line (4.1, 4.2; Parquet 1.16+):
 * Spark's vectorized reader and Parquet's file reader both take the split's open stream and the
 * footer already read, so neither looks the file up or reads the footer again.
 */
public final class ParquetReaderShims {
  private ParquetReaderShims() {}

  /** Starts Spark's vectorized reader on one split of an open file whose footer is known. */
  public static void initDecoder(VectorizedParquetRecordReader reader, InputSplit split,
      TaskAttemptContext context, HadoopInputFile file, SeekableInputStream stream,
      ParquetMetadata footer) throws IOException, InterruptedException {
    reader.initialize(split, context, Option.apply(file), Option.apply(stream),
        Option.apply(footer));
  }

  /** Parquet's reader of an open file whose footer is known, for its row-group filters. */
  public static ParquetFileReader rowGroupReader(HadoopInputFile file, ParquetMetadata footer,
      ParquetReadOptions options, SeekableInputStream stream) throws IOException {
    return new ParquetFileReader(file, footer, options, stream);
  }

  /** A view of a shared stream that its readers may close without closing the stream. */
  public static SeekableInputStream nonClosing(SeekableInputStream stream) {
    return new VectoredNonClosingStream(stream);
  }
}
