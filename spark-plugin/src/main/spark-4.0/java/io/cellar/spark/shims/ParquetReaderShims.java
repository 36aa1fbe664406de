// SPDX-License-Identifier: Apache-2.0
// ParquetReaderShims -- Spark 4.0: Spark's reader opens the file itself; Parquet's takes a stream
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
 * How the cached reader opens Parquet readers on Spark 4.0 (Parquet 1.15): Spark's vectorized
 * reader takes the footer already read but opens the file itself (on an object store, a status
 * lookup and a new stream per decoder); Parquet's file reader takes the split's open stream and
 * reads the footer from it again.
 */
public final class ParquetReaderShims {
  private ParquetReaderShims() {}

  /** Starts Spark's vectorized reader on one split of a file whose footer is known. */
  public static void initDecoder(VectorizedParquetRecordReader reader, InputSplit split,
      TaskAttemptContext context, HadoopInputFile file, SeekableInputStream stream,
      ParquetMetadata footer) throws IOException, InterruptedException {
    reader.initialize(split, context, Option.apply(footer));
  }

  /** Parquet's reader of an open file, for its row-group filters. */
  public static ParquetFileReader rowGroupReader(HadoopInputFile file, ParquetMetadata footer,
      ParquetReadOptions options, SeekableInputStream stream) throws IOException {
    return new ParquetFileReader(file, options, stream);
  }

  /** A view of a shared stream that its readers may close without closing the stream. */
  public static SeekableInputStream nonClosing(SeekableInputStream stream) {
    return new VectoredNonClosingStream(stream);
  }
}
