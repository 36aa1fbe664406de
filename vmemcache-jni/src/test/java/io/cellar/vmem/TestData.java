// SPDX-License-Identifier: Apache-2.0
// TestData.java -- keys, deterministic values and cache builders shared by the tests
package io.cellar.vmem;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

final class TestData {
  static final long MiB = 1L << 20;

  private TestData() {}

  static byte[] key(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] key(int i) {
    return key("key-" + i);
  }

  /** {@code size} bytes that differ per seed and per position, so misplaced bytes show. */
  static byte[] value(int size, int seed) {
    byte[] v = new byte[size];
    long x = 0x9E3779B97F4A7C15L * (seed + 1);
    for (int i = 0; i < size; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      v[i] = (byte) x;
    }
    return v;
  }

  static ByteBuffer direct(byte[] bytes) {
    ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
    b.put(bytes).flip();
    return b;
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  static Tier dram(long size) {
    return Tier.dram().size(size);
  }

  static Tier dir(Path dir, long size) {
    return Tier.directory(dir).size(size);
  }

  /** A stack of one tier with an eviction journal of {@code capacity} keys. */
  static TierStack journaled(Tier tier, int capacity) {
    return TierStack.builder().tier(tier).evictionJournal(capacity).build();
  }
}
