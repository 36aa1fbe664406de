// SPDX-License-Identifier: Apache-2.0
// ChunkRef -- one cached column chunk as a cache listing reports it, for a resync
package io.cellar.scheduler;

import java.util.Objects;

/**
 * One cached column chunk, as the executor's cache lists it when the tracker is rebuilt
 * ({@link InventoryTracker#resync}). Only the row group matters to the scheduler; the column is
 * not needed, since every chunk of a row group counts once towards holding it.
 *
 * @param file the file the chunk belongs to
 * @param rowGroup the row group's ordinal in the file (0-based, as in the footer)
 * @param rowGroupStart the row group's first byte in the file
 * @param rowGroupBytes the row group's total compressed size
 */
public record ChunkRef(FileId file, int rowGroup, long rowGroupStart, long rowGroupBytes) {
  /**
   * @throws IllegalArgumentException when an ordinal, offset or size is negative
   */
  public ChunkRef {
    Objects.requireNonNull(file, "file");
    RowGroups.check(rowGroup, rowGroupStart, rowGroupBytes);
  }
}
