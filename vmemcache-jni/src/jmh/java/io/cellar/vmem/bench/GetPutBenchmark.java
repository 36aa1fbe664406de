// SPDX-License-Identifier: Apache-2.0
// GetPutBenchmark.java -- get into a direct buffer and replace, with every key a hit
package io.cellar.vmem.bench;

import io.cellar.vmem.TierStack;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hot paths: the working set is a quarter of a 256 MiB pool, so every get hits and no write evicts.
 * Compare with {@link CopyBaselineBenchmark} of the same size: the difference is the JNI crossing,
 * the lock and the index. Run with {@code -t 1} and {@code -t 2}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
@State(Scope.Benchmark)
public class GetPutBenchmark {
  static final long POOL = 256 * BenchCaches.MiB;

  @Param({"dram", "shm"})
  public String medium;

  @Param({"4096", "1048576"})
  public int valueSize;

  TierStack cache;
  byte[][] keys;

  @Setup(Level.Trial)
  public void open() {
    cache = BenchCaches.open(medium, POOL, 256);
    keys = BenchCaches.keys((int) (POOL / 4 / valueSize));
    ByteBuffer value = BenchCaches.randomDirect(valueSize);
    for (byte[] k : keys) {
      cache.put(k, value);
    }
    BenchCaches.checkResident(cache, keys);
  }

  @TearDown(Level.Trial)
  public void close() {
    cache.close();
  }

  /** Per-thread cursor and buffers. */
  @State(Scope.Thread)
  public static class Cursor {
    ByteBuffer dst;
    ByteBuffer src;
    int next;

    @Setup(Level.Trial)
    public void setup(GetPutBenchmark b) {
      dst = ByteBuffer.allocateDirect(b.valueSize);
      src = BenchCaches.randomDirect(b.valueSize);
      next = (int) (Thread.currentThread().getId() * 7919 % b.keys.length);
    }

    byte[] key(byte[][] keys) {
      next = next + 1 == keys.length ? 0 : next + 1;
      return keys[next];
    }
  }

  /** A whole value copied into a direct buffer. */
  @Benchmark
  public long getHot(Cursor c) {
    c.dst.clear();
    return cache.get(c.key(keys), c.dst, 0);
  }

  /** A whole value written over an existing key; the pool stays half full. */
  @Benchmark
  public void replaceHot(Cursor c) {
    cache.replace(c.key(keys), c.src);
  }
}
