// SPDX-License-Identifier: Apache-2.0
// BenchCaches.java -- the caches, keys and values the benchmarks share
package io.cellar.vmem.bench;

import io.cellar.vmem.Tier;
import io.cellar.vmem.TierStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** Helpers, not a benchmark: media, keys and values. */
final class BenchCaches {
  static final long MiB = 1L << 20;

  private BenchCaches() {}

  /**
   * A cache (a stack of one tier) on a medium: {@code dram} (anonymous memory) or {@code shm} (a
   * file pool in a new directory under /dev/shm; the pool file goes with the cache, the empty
   * directory at exit).
   */
  static TierStack open(String medium, long size, long extent) {
    switch (medium) {
      case "dram":
        return Tier.dram().size(size).extentSize(extent).open();
      case "shm":
        try {
          Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "cellar-jmh-");
          dir.toFile().deleteOnExit();
          return Tier.directory(dir).size(size).extentSize(extent).open();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      default:
        throw new IllegalArgumentException("medium must be dram or shm, was " + medium);
    }
  }

  /** Fixed-width keys, so every key costs the same to hash and copy. */
  static byte[][] keys(int count) {
    byte[][] keys = new byte[count][];
    for (int i = 0; i < count; i++) {
      keys[i] = key(0, i);
    }
    return keys;
  }

  /** A 16-byte key: thread and sequence number. */
  static byte[] key(int thread, long seq) {
    return ByteBuffer.allocate(16).putLong(thread).putLong(seq).array();
  }

  /** Writes a sequence number into a 16-byte key made by {@link #key}. */
  static void setSeq(byte[] key, long seq) {
    ByteBuffer.wrap(key).putLong(8, seq);
  }

  /**
   * Fails the trial when a hot benchmark's keys do not all fit: its numbers would mix in misses.
   */
  static void checkResident(TierStack cache, byte[][] keys) {
    for (byte[] k : keys) {
      if (!cache.exists(k)) {
        throw new IllegalStateException(
            "hot set of " + keys.length + " keys does not fit in " + cache + "; shrink it");
      }
    }
  }

  static ByteBuffer randomDirect(int size) {
    byte[] bytes = new byte[size];
    ThreadLocalRandom.current().nextBytes(bytes);
    ByteBuffer b = ByteBuffer.allocateDirect(size);
    b.put(bytes).flip();
    return b;
  }
}
