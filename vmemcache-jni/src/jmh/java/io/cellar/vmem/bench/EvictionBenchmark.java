// SPDX-License-Identifier: Apache-2.0
// EvictionBenchmark.java -- get and put when the pool is full and LRU evicts
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
 * A 64 MiB pool under pressure. {@code getOrPut} cycles through a working set twice the pool, so
 * about half the gets miss and their puts evict (a scan over data larger than the cache); {@code
 * putNew} always puts a new key, so every put evicts. Run with {@code -t 1} and {@code -t 2}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
@State(Scope.Benchmark)
public class EvictionBenchmark {
  static final long POOL = 64 * BenchCaches.MiB;

  @Param({"dram", "shm"})
  public String medium;

  @Param({"4096", "1048576"})
  public int valueSize;

  TierStack cache;
  byte[][] workingSet;

  @Setup(Level.Trial)
  public void open() {
    cache = BenchCaches.open(medium, POOL, 256);
    workingSet = BenchCaches.keys((int) (2 * POOL / valueSize));
    ByteBuffer value = BenchCaches.randomDirect(valueSize);
    for (byte[] k : workingSet) {
      cache.put(k, value);
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    cache.close();
  }

  /** Per-thread cursor, buffers and a key for fresh puts. */
  @State(Scope.Thread)
  public static class Cursor {
    ByteBuffer dst;
    ByteBuffer src;
    byte[] freshKey;
    long seq;
    int next;

    @Setup(Level.Trial)
    public void setup(EvictionBenchmark b) {
      dst = ByteBuffer.allocateDirect(b.valueSize);
      src = BenchCaches.randomDirect(b.valueSize);
      freshKey = BenchCaches.key((int) Thread.currentThread().getId() + 1, 0);
      next = (int) (Thread.currentThread().getId() * 7919 % b.workingSet.length);
    }
  }

  /** Get; on a miss, put the value (evicting the least recently used). */
  @Benchmark
  public long getOrPut(Cursor c) {
    c.next = c.next + 1 == workingSet.length ? 0 : c.next + 1;
    byte[] k = workingSet[c.next];
    c.dst.clear();
    long size = cache.get(k, c.dst, 0);
    if (size == TierStack.MISS) {
      cache.put(k, c.src);
    }
    return size;
  }

  /** Put of a key never seen: every put evicts. */
  @Benchmark
  public boolean putNew(Cursor c) {
    BenchCaches.setSeq(c.freshKey, ++c.seq);
    return cache.put(c.freshKey, c.src);
  }
}
