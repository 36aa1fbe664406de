// SPDX-License-Identifier: Apache-2.0
// SplitInput -- one open stream per split, shared by its footer read and row-group decoders
package io.cellar.spark.read;

import io.cellar.spark.shims.ParquetReaderShims;
import java.io.Closeable;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.spark.sql.execution.datasources.PartitionedFile;

/**
 * The file of a split, opened at most once, and only when something must be read from it. On an
 * object store every open and every status lookup is a request: the file's status is built from
 * what the query's listing gave (length, modification time), so that opening it asks the store
 * for nothing but the bytes, and the footer, the predicate's row-group tests and every row
 * group's decoder share one stream, each seeking where it reads. The decoders close what they are
 * handed; {@link #stream()} therefore hands out a view whose close leaves the stream open (the
 * line's {@code ParquetReaderShims.nonClosing}), and {@link #close()} closes it. Not
 * thread-safe: a split is read by one task thread.
 */
final class SplitInput implements Closeable {
  private final HadoopInputFile file;
  private SeekableInputStream stream;

  SplitInput(PartitionedFile split, Configuration conf) throws IOException {
    FileStatus status = new FileStatus(split.fileSize(), false, 0, 0, split.modificationTime(),
        split.toPath());
    this.file = HadoopInputFile.fromStatus(status, conf);
  }

  /** The file, for readers that take one beside a stream. */
  HadoopInputFile file() {
    return file;
  }

  /** A view of the split's stream (opened at the first call) that stays open when closed. */
  SeekableInputStream stream() throws IOException {
    if (stream == null) {
      stream = file.newStream();
    }
    return ParquetReaderShims.nonClosing(stream);
  }

  @Override
  public void close() throws IOException {
    if (stream != null) {
      SeekableInputStream s = stream;
      stream = null;
      s.close();
    }
  }
}
