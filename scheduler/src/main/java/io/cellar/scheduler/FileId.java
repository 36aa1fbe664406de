// SPDX-License-Identifier: Apache-2.0
// FileId -- a file's content as a listing saw it: path, length, modification time and ETag
package io.cellar.scheduler;

import java.io.Serializable;
import java.util.Objects;

/**
 * Identifies the content of a file, not just its name. A file rewritten in place keeps its path
 * but gets a new length, modification time or (on an object store) ETag, and so a new identity;
 * the registry then forgets what it knew about the old one. It is the one file identity of all
 * of Cellar: the Spark plugin's chunk keys, footer cache and stale sweep use it too, built from a
 * split's {@code urlEncodedPath}, {@code fileSize}, {@code modificationTime} and the listing's
 * ETag.
 *
 * <p>Immutable and thread-safe.
 *
 * @param path the file's path, as the cache keys it
 * @param length bytes, as listed
 * @param modificationTime milliseconds since the epoch, as listed
 * @param etag the ETag the listing gave, empty when the file system gives none
 */
public record FileId(String path, long length, long modificationTime, String etag)
    implements Serializable {
  private static final long serialVersionUID = 2L;

  /**
   * @throws NullPointerException when {@code path} or {@code etag} is null
   * @throws IllegalArgumentException when {@code length} is negative
   */
  public FileId {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(etag, "etag");
    if (length < 0) {
      throw new IllegalArgumentException("file length must be 0 or more, was " + length);
    }
  }

  /** An identity without an ETag. */
  public FileId(String path, long length, long modificationTime) {
    this(path, length, modificationTime, "");
  }

  /** Whether this identity names the content an entry records (same path assumed). */
  boolean sameContent(FileEntry e) {
    return length == e.length && modificationTime == e.modificationTime && etag.equals(e.etag);
  }
}
