// SPDX-License-Identifier: Apache-2.0
// ParquetReaderShims -- Spark 3.5: Spark's reader opens the file itself; Parquet's reads a view
package io.cellar.spark.shims;

import java.io.IOException;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.spark.sql.execution.datasources.parquet.VectorizedParquetRecordReader;
import scala.Option;

/**
 * How the cached reader opens Parquet readers on Spark 3.5 (Parquet 1.13): Spark's vectorized
 * reader takes the footer already read but opens the file itself; Parquet's file reader takes
 * only an input file, so it is handed one whose every stream is a view of the split's open
 * stream: it reads the footer again, but opens and looks up nothing.
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
    return new ParquetFileReader(new SharedStreamFile(file, stream), options);
  }

  /** A view of a shared stream that its readers may close without closing the stream. */
  public static SeekableInputStream nonClosing(SeekableInputStream stream) {
    return new NonClosingStream(stream);
  }

  /** A file whose streams are all views of one open stream. */
  private static final class SharedStreamFile implements InputFile {
    private final HadoopInputFile file;
    private final SeekableInputStream stream;

    SharedStreamFile(HadoopInputFile file, SeekableInputStream stream) {
      this.file = file;
      this.stream = stream;
    }

    @Override
    public long getLength() {
      return file.getLength();
    }

    @Override
    public SeekableInputStream newStream() {
      return new NonClosingStream(stream);
    }

    @Override
    public String toString() {
      return file.toString();
    }
  }
}
