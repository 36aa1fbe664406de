// SPDX-License-Identifier: Apache-2.0
// RowGroups -- argument checks and the midpoint rule shared by tracker and registry (internal)
package io.cellar.scheduler;

/** Shared checks and the split assignment rule for row groups. */
final class RowGroups {
  /**
   * Highest row-group ordinal accepted. Parquet files have far fewer; the bound keeps a corrupt
   * or hostile message from making the registry allocate huge bitmaps.
   */
  static final int MAX_ORDINAL = (1 << 20) - 1;

  private RowGroups() {}

  static void check(int rowGroup, long start, long bytes) {
    if (rowGroup < 0 || rowGroup > MAX_ORDINAL) {
      throw new IllegalArgumentException(
          "row group ordinal must be in [0, " + MAX_ORDINAL + "], was " + rowGroup);
    }
    if (start < 0 || bytes < 0) {
      throw new IllegalArgumentException(
          "row group start and size must be 0 or more, were " + start + " and " + bytes);
    }
  }

  /**
   * Whether a row group belongs to the split {@code [splitStart, splitStart + splitLength)}: its
   * midpoint {@code start + bytes / 2} lies in the range (parquet-mr's
   * {@code ParquetMetadataConverter.filterFileMetaDataByMidpoint}).
   */
  static boolean inSplit(long start, long bytes, long splitStart, long splitLength) {
    long mid = start + bytes / 2;
    return mid >= splitStart && mid - splitStart < splitLength;
  }
}
