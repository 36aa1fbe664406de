// SPDX-License-Identifier: Apache-2.0
// CacheIOException.java -- the pool's medium failed or refused (EIO, EACCES, ENOTDIR, ...)
package io.cellar.vmem;

/**
 * The pool's medium failed or refused: an I/O error, a permission, a read-only file system, a path
 * that is missing or not a directory. See {@link CellarException} for the full list of codes.
 */
public class CacheIOException extends CellarException {
  private static final long serialVersionUID = 1L;

  CacheIOException(int errno, String message) {
    super(errno, message);
  }
}
