// SPDX-License-Identifier: Apache-2.0
// FileIdentity -- a file's content as the query's own listing saw it
package io.cellar.spark.read;

import org.apache.spark.sql.execution.datasources.PartitionedFile;

/**
 * Identifies the content of a file, not just its name: the path with the length and modification
 * time that the query's own file listing returned. A file rewritten in place gets a new identity,
 * so old entries are never served for it; and the cache serves a query only identities that the
 * query obtained with its own credentials.
 *
 * @param path the file's URL-encoded path
 * @param length bytes, as listed
 * @param modificationTime milliseconds since the epoch, as listed
 */
public record FileIdentity(String path, long length, long modificationTime) {
  /** The identity of the file a split belongs to. */
  public static FileIdentity of(PartitionedFile file) {
    return new FileIdentity(file.urlEncodedPath(), file.fileSize(), file.modificationTime());
  }
}
