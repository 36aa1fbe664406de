// SPDX-License-Identifier: Apache-2.0
// PoolLockedException.java -- a persistent pool file is held by another process or cache
package io.cellar.vmem;

/**
 * A persistent pool file is locked by another process, or by another cache of this process: one
 * file serves one cache at a time. The message names the file. Raised for an explicit pool file
 * ({@link Tier#poolFile}); a directory pool ({@link Tier#persistent()})
 * takes another file instead. Its {@link #code()} is {@link ErrorCode#EBUSY}.
 */
public class PoolLockedException extends CacheIOException {
  private static final long serialVersionUID = 1L;

  PoolLockedException(int errno, String message) {
    super(errno, message);
  }
}
