// SPDX-License-Identifier: Apache-2.0
// MediaInfo.java -- facts about a pool's medium (struct cellar_media)
package io.cellar.vmem;

/**
 * Facts about a cache's pool medium; mirrors the engine's {@code struct cellar_media}.
 *
 * @param dram the pool is anonymous memory
 * @param devdax the pool is a device-DAX character device
 * @param libpmem libpmem was found and loaded at run time
 * @param pmem libpmem says the mapping is persistent memory: flushing happens in user space
 * @param mapSync the pool was mapped with {@code MAP_SYNC}
 */
public record MediaInfo(
    boolean dram, boolean devdax, boolean libpmem, boolean pmem, boolean mapSync) {

  /** Number of fields, the length of the array the glue fills. */
  static final int FIELDS = 5;

  static MediaInfo of(int[] v) {
    return new MediaInfo(v[0] != 0, v[1] != 0, v[2] != 0, v[3] != 0, v[4] != 0);
  }
}
