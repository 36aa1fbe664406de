// SPDX-License-Identifier: Apache-2.0
// FileIdentity -- a file's content as the query's own listing saw it
package io.cellar.spark.key;

import java.util.Objects;
import org.apache.spark.sql.execution.datasources.PartitionedFile;

/**
 * Identifies the content of a file, not just its name: the path with the length, modification
 * time and (on object stores) ETag that the query's own file listing returned. A file rewritten
 * in place gets a new identity, so old entries are never served for it; and the cache serves a
 * query only identities that the query obtained with its own credentials.
 *
 * <p>The ETag matters on object stores, whose modification times have a resolution of one
 * second: an object overwritten within that second by content of the same length keeps its
 * length and time, but not its ETag.
 *
 * @param path the file's URL-encoded path
 * @param length bytes, as listed
 * @param modificationTime milliseconds since the epoch, as listed
 * @param etag the ETag the listing gave (Hadoop's {@code EtagSource}), empty when it gave none
 */
public record FileIdentity(String path, long length, long modificationTime, String etag) {
  public FileIdentity {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(etag, "etag");
  }

  /** An identity without an ETag (a file system that has none). */
  public FileIdentity(String path, long length, long modificationTime) {
    this(path, length, modificationTime, "");
  }

  /**
   * The identity of the file a split belongs to, with the ETag its scan's listing gave (see
   * {@link ListedEtags}); on the driver, outside a task, without one.
   */
  public static FileIdentity of(PartitionedFile file) {
    String path = file.urlEncodedPath();
    return new FileIdentity(path, file.fileSize(), file.modificationTime(),
        ListedEtags.ofTask(path));
  }

  /** The identity of a split's file, with the given ETag map of its scan (path to ETag). */
  public static FileIdentity of(PartitionedFile file, java.util.Map<String, String> etags) {
    String path = file.urlEncodedPath();
    return new FileIdentity(path, file.fileSize(), file.modificationTime(),
        etags.getOrDefault(path, ""));
  }
}
