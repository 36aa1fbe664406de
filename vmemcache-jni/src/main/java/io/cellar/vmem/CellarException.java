// SPDX-License-Identifier: Apache-2.0
// CellarException.java -- an error reported by the native engine
package io.cellar.vmem;

/**
 * An error the native engine reported, with its {@link ErrorCode}.
 *
 * <p>The message carries the engine's own text and the errno's name and meaning, for example {@code
 * vmemcache_add: open: Not a directory (ENOTDIR: Not a directory)}. The glue chooses the exception
 * by code:
 *
 * <ul>
 *   <li>{@code ENOSPC}: {@link CacheFullException};
 *   <li>{@code EIO}, {@code EACCES}, {@code EPERM}, {@code EROFS}, {@code ENOTDIR}, {@code ENOENT},
 *       {@code ENXIO}, {@code ENODEV}, {@code EFBIG}, {@code EMFILE}, {@code ENFILE}, and the
 *       file-system errors without an {@link ErrorCode} yet ({@code EBADF}, {@code EISDIR}, {@code
 *       ENAMETOOLONG}, {@code ELOOP}, {@code EDQUOT}; their {@link #code()} is {@link
 *       ErrorCode#UNKNOWN}): {@link CacheIOException} (the pool's medium failed or refused);
 *   <li>{@code EINVAL}: {@link IllegalArgumentException} (Java checks arguments first, so this
 *       means the engine disagreed with them);
 *   <li>{@code EBUSY}, {@code EALREADY}: {@link IllegalStateException};
 *   <li>every other code, {@code ENOMEM} included: a plain {@code CellarException}. {@code ENOMEM}
 *       is deliberately not an {@link OutOfMemoryError}: the engine running out of memory for its
 *       pool or index is a reason to run without the cache, not to take the executor down.
 * </ul>
 *
 * <p>Misses, present keys on put and empty caches on eviction are results, never exceptions.
 */
public class CellarException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The engine's errno value, kept raw so codes outside {@link ErrorCode} are not lost. */
  private final int errno;

  /**
   * Made by the native glue.
   *
   * @param errno the engine's errno value
   * @param message the engine's text with the errno's name and meaning
   */
  CellarException(int errno, String message) {
    super(message);
    this.errno = errno;
  }

  /**
   * The error's code.
   *
   * @return the code, {@link ErrorCode#UNKNOWN} for a number the table does not know
   */
  public ErrorCode code() {
    return ErrorCode.of(errno);
  }

  /**
   * The raw errno value, useful when {@link #code()} is {@link ErrorCode#UNKNOWN}.
   *
   * @return the engine's errno value
   */
  public int errno() {
    return errno;
  }
}
