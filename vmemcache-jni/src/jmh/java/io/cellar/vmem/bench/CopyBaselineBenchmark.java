// SPDX-License-Identifier: Apache-2.0
// CopyBaselineBenchmark.java -- direct-to-direct ByteBuffer copies: the memcpy floor for a get
package io.cellar.vmem.bench;

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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code ByteBuffer.put(ByteBuffer)} between direct buffers, no Unsafe: what copying a value costs
 * with no cache at all. Sources rotate over 128 MiB, like the hot benchmarks' working set, so the
 * copy reads memory, not a warm cache line. Report cache numbers as ratios to this one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
@State(Scope.Thread)
public class CopyBaselineBenchmark {
  @Param({"4096", "1048576"})
  public int valueSize;

  ByteBuffer[] sources;
  ByteBuffer dst;
  int next;

  @Setup(Level.Trial)
  public void setup() {
    int count = (int) (128 * BenchCaches.MiB / valueSize);
    ByteBuffer all = BenchCaches.randomDirect(count * valueSize);
    sources = new ByteBuffer[count];
    for (int i = 0; i < count; i++) {
      sources[i] = all.slice(i * valueSize, valueSize);
    }
    dst = ByteBuffer.allocateDirect(valueSize);
  }

  /** One value's bytes into a direct buffer. */
  @Benchmark
  public ByteBuffer copy() {
    next = next + 1 == sources.length ? 0 : next + 1;
    dst.clear();
    return dst.put(sources[next].duplicate());
  }
}
