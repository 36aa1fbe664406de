// SPDX-License-Identifier: Apache-2.0
// FileIds -- the identity of a split's file, as the query's own listing saw it
package io.cellar.spark.key;

import io.cellar.scheduler.FileId;
import java.util.Map;
import org.apache.spark.sql.execution.datasources.PartitionedFile;

/**
 * Builds the one file-identity type that the cache's keys, its footers, the stale sweep and the
 * driver's registry share ({@link FileId}: path, length, modification time and ETag) from a
 * split's file. A file rewritten in place gets a new identity, so old entries are never served
 * for it; and the cache serves a query only identities that the query obtained with its own
 * listing.
 *
 * <p>The ETag matters on object stores, whose modification times have a resolution of one
 * second: an object overwritten within that second by content of the same length keeps its
 * length and time, but not its ETag.
 */
public final class FileIds {
  private FileIds() {}

  /**
   * The identity of the file a split belongs to, with the ETag its scan's listing gave (see
   * {@link ListedEtags}); on the driver, outside a task, without one.
   */
  public static FileId of(PartitionedFile file) {
    String path = file.urlEncodedPath();
    return new FileId(path, file.fileSize(), file.modificationTime(), ListedEtags.ofTask(path));
  }

  /** The identity of a split's file, with the given ETag map of its scan (path to ETag). */
  public static FileId of(PartitionedFile file, Map<String, String> etags) {
    String path = file.urlEncodedPath();
    return new FileId(path, file.fileSize(), file.modificationTime(),
        etags.getOrDefault(path, ""));
  }
}
