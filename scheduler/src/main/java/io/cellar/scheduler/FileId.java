// SPDX-License-Identifier: Apache-2.0
// FileId -- a file's content as a listing saw it: path, length and modification time
package io.cellar.scheduler;

import java.io.Serializable;
import java.util.Objects;

/**
 * Identifies the content of a file, not just its name. A file rewritten in place keeps its path
 * but gets a new length or modification time, and so a new identity; the registry then forgets
 * what it knew about the old one. The Spark adapter builds it from the same fields as the cache's
 * own file identity ({@code urlEncodedPath}, {@code fileSize}, {@code modificationTime}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param path the file's path, as the cache keys it
 * @param length bytes, as listed
 * @param modificationTime milliseconds since the epoch, as listed
 */
public record FileId(String path, long length, long modificationTime) implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * @throws NullPointerException when {@code path} is null
   * @throws IllegalArgumentException when {@code length} is negative
   */
  public FileId {
    Objects.requireNonNull(path, "path");
    if (length < 0) {
      throw new IllegalArgumentException("file length must be 0 or more, was " + length);
    }
  }

  /** Whether this identity has the given length and modification time (same path assumed). */
  boolean sameContent(long otherLength, long otherModificationTime) {
    return length == otherLength && modificationTime == otherModificationTime;
  }
}
