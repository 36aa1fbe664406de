// SPDX-License-Identifier: Apache-2.0
// ChunkFormat -- the layout of one decoded column chunk as the cache holds it
package io.cellar.spark.chunk;

/**
 * The layout of a cached column chunk: one column of one Parquet row group, decoded.
 *
 * <p>All numbers are little-endian and every section starts 8-byte aligned, so that vectors read
 * the chunk in place, straight from pinned cache memory:
 *
 * <pre>
 * chunk   := header(32) node-table sections...
 * header  := u32 magic 'CCHK' | u16 version | u16 0 | u32 rows | u32 0 | u64 total | u64 root
 * node    := u8 kind | u8 0 | u16 children | u32 width | u32 rows | u32 nulls-count
 *            | u64 nulls | u64 data | u64 offsets | u64 children-table      (48 bytes)
 * </pre>
 *
 * Offsets are from the chunk's first byte; 0 means "absent".
 *
 * <ul>
 *   <li>{@link #FIXED}: {@code rows * width} bytes of values as Spark's off-heap vectors keep them
 *       (booleans and bytes 1, shorts 2, ints, floats, dates and decimals up to 9 digits 4, longs,
 *       doubles, timestamps and decimals up to 18 digits 8).
 *   <li>{@link #VAR}: strings, binaries and decimals over 18 digits (big-endian two's complement,
 *       as Spark stores them): {@code int32 offsets[rows]} then {@code int32 lengths[rows]} into
 *       the data bytes.
 *   <li>{@link #DICT}: {@code int32 ids[rows]} in data; child 0 is the dictionary, a FIXED or VAR
 *       node. Chosen when ids plus dictionary are smaller than the plain values.
 *   <li>{@link #ARRAY} and {@link #MAP}: offsets and lengths into the element rows of child 0
 *       (arrays) or of children 0 (keys) and 1 (values).
 *   <li>{@link #STRUCT}: one child per field, each with the struct's rows.
 *   <li>{@link #NULLS}: every row is null (a column missing from the file, or NullType).
 * </ul>
 *
 * Nulls, where any row is null, are one byte per row (1 = null).
 */
public final class ChunkFormat {
  public static final int MAGIC = 0x4B484343; // "CCHK"
  public static final int VERSION = 1;
  public static final int HEADER_BYTES = 32;
  public static final int NODE_BYTES = 48;

  public static final int FIXED = 1;
  public static final int VAR = 2;
  public static final int DICT = 3;
  public static final int ARRAY = 4;
  public static final int MAP = 5;
  public static final int STRUCT = 6;
  public static final int NULLS = 7;

  // node field offsets
  static final int N_KIND = 0;
  static final int N_CHILDREN = 2;
  static final int N_WIDTH = 4;
  static final int N_ROWS = 8;
  static final int N_NULL_COUNT = 12;
  static final int N_NULLS = 16;
  static final int N_DATA = 24;
  static final int N_OFFSETS = 32;
  static final int N_CHILD_TABLE = 40;

  // header field offsets
  static final int H_MAGIC = 0;
  static final int H_VERSION = 4;
  static final int H_ROWS = 8;
  static final int H_TOTAL = 16;
  static final int H_ROOT = 24;

  private ChunkFormat() {}

  static long align8(long v) {
    return (v + 7) & ~7L;
  }
}
