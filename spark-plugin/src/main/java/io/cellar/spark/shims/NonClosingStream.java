// SPDX-License-Identifier: Apache-2.0
// NonClosingStream -- a view of a shared stream that close leaves open
package io.cellar.spark.shims;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Delegates every read to a shared stream; closing it does nothing, so that each reader of a
 * split may close what it was handed. It delegates what every Spark line's Parquet has; a line
 * whose Parquet adds reads (vectored reads, Parquet 1.15+) extends it with those.
 */
class NonClosingStream extends SeekableInputStream {
  final SeekableInputStream in;

  NonClosingStream(SeekableInputStream in) {
    this.in = in;
  }

  @Override
  public long getPos() throws IOException {
    return in.getPos();
  }

  @Override
  public void seek(long newPos) throws IOException {
    in.seek(newPos);
  }

  @Override
  public void readFully(byte[] bytes) throws IOException {
    in.readFully(bytes);
  }

  @Override
  public void readFully(byte[] bytes, int start, int len) throws IOException {
    in.readFully(bytes, start, len);
  }

  @Override
  public int read(ByteBuffer buf) throws IOException {
    return in.read(buf);
  }

  @Override
  public void readFully(ByteBuffer buf) throws IOException {
    in.readFully(buf);
  }

  @Override
  public int read() throws IOException {
    return in.read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return in.read(b, off, len);
  }

  @Override
  public long skip(long n) throws IOException {
    return in.skip(n);
  }

  @Override
  public int available() throws IOException {
    return in.available();
  }

  @Override
  public void close() {
    // the split's stream outlives each reader of it
  }
}
