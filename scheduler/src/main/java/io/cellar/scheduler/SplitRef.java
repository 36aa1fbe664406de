// SPDX-License-Identifier: Apache-2.0
// SplitRef -- a byte range of a file that one task reads
package io.cellar.scheduler;

import java.util.Objects;

/**
 * A file split: the byte range {@code [start, start + length)} of one file. A row group belongs to
 * the split that contains its midpoint, as Parquet and Spark assign them.
 *
 * @param file the file
 * @param start the split's first byte
 * @param length the split's length in bytes
 */
public record SplitRef(FileId file, long start, long length) {
  /**
   * @throws IllegalArgumentException when {@code start} or {@code length} is negative
   */
  public SplitRef {
    Objects.requireNonNull(file, "file");
    if (start < 0 || length < 0) {
      throw new IllegalArgumentException(
          "split start and length must be 0 or more, were " + start + " and " + length);
    }
  }

  /** A stable key for {@link ExecutorRing#assign}: the path and the split's start. */
  public String key() {
    return file.path() + '@' + start;
  }
}
