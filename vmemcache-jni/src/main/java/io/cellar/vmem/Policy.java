// SPDX-License-Identifier: Apache-2.0
// Policy.java -- a cache's replacement policy
package io.cellar.vmem;

/** What a full cache does when a new value needs room. */
public enum Policy {
  /** Never evict: a put into a full cache throws {@link CacheFullException}. */
  NONE(0),
  /** Evict the least recently used entries until the new value fits. */
  LRU(1);

  private final int nativeValue;

  Policy(int nativeValue) {
    this.nativeValue = nativeValue;
  }

  /** The engine's {@code enum vmemcache_repl_p} value. */
  int nativeValue() {
    return nativeValue;
  }
}
