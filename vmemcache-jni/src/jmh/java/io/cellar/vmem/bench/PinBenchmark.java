// SPDX-License-Identifier: Apache-2.0
// PinBenchmark.java -- pin and release: zero-copy reads, by value size
package io.cellar.vmem.bench;

import io.cellar.vmem.Pin;
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
 * Pin, read one byte, release. The cost should not grow with the value's size, unlike {@link
 * GetPutBenchmark#getHot}. Run with {@code -t 1} and {@code -t 2}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
@State(Scope.Benchmark)
public class PinBenchmark {
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

  /** Per-thread cursor. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    @Setup(Level.Trial)
    public void setup(PinBenchmark b) {
      next = (int) (Thread.currentThread().getId() * 7919 % b.keys.length);
    }
  }

  /** Pin a hot key, read its last byte, release. */
  @Benchmark
  public byte pinRelease(Cursor c) {
    c.next = c.next + 1 == keys.length ? 0 : c.next + 1;
    try (Pin pin = cache.pin(keys[c.next]).orElseThrow()) {
      ByteBuffer b = pin.buffer();
      return b.get(b.limit() - 1);
    }
  }
}
