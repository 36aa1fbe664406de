// SPDX-License-Identifier: Apache-2.0
// CacheFullException.java -- ENOSPC: no room for a value, or no room for the pool
package io.cellar.vmem;

/**
 * The engine had no room ({@code ENOSPC}): a value larger than the pool, a full cache whose entries
 * cannot be evicted (policy {@link Policy#NONE}, or every entry pinned), or a file system that
 * cannot hold the pool. Callers usually skip caching the value.
 */
public class CacheFullException extends CellarException {
  private static final long serialVersionUID = 1L;

  CacheFullException(int errno, String message) {
    super(errno, message);
  }
}
