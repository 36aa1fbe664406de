// SPDX-License-Identifier: Apache-2.0
// TraceBenchmark.java -- LRU against S3-FIFO on access traces, one tier and a two-tier stack
package io.cellar.vmem.bench;

import io.cellar.vmem.CacheFullException;
import io.cellar.vmem.Pin;
import io.cellar.vmem.Policy;
import io.cellar.vmem.Tier;
import io.cellar.vmem.TierStack;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Replays a trace through JNI, as the plugin reads chunks: a pin, and after a miss a put of the
 * value. The trace repeats from its start when it ends, so the figures are those of its steady
 * state. Traces ({@link Traces}):
 * <ul>
 *   <li>{@code hotScan}: a hot set of 40% of the top cache between scans of 1.5 caches;
 *   <li>{@code zipf}: a Zipf 0.9 mix over four caches' worth of keys;
 *   <li>{@code recorded}: the chunk reads of the TPC-DS benchmark's io9 set at scale factor 1
 *       (a cold pass and three warm ones), with the chunks' real sizes.
 * </ul>
 * Setups: {@code dram}, one DRAM tier; {@code dramOverShm}, that tier over a file pool in
 * /dev/shm. The generated traces run on a 16 MiB top of 4000 B values over a pool of twice that;
 * the recorded one, as the benchmark's tiered mode that recorded it, on a top of 0.2 of its
 * distinct bytes over a pool of 0.78 of them (together a little less than the data). Hit ratio = {@code hits / (hits + misses)}; {@code topHits}
 * counts the hits served by the top tier.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(1)
@State(Scope.Benchmark)
public class TraceBenchmark {
  static final long TOP = 16 * BenchCaches.MiB;
  static final int VALUE = 4000;

  @Param({"hotScan", "zipf", "recorded"})
  public String trace;

  @Param({"lru", "s3fifo"})
  public String policy;

  @Param({"dram", "dramOverShm"})
  public String setup;

  TierStack cache;
  Path dir;
  Traces t;
  byte[][] keys;
  ByteBuffer value;
  int next;

  /** Events per iteration: JMH sums them; the hit ratio is hits / (hits + misses). */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Counts {
    public long hits;
    public long misses;
    public long topHits;

    @Setup(Level.Iteration)
    public void reset() {
      hits = 0;
      misses = 0;
      topHits = 0;
    }
  }

  @Setup(Level.Trial)
  public void open() throws IOException {
    Policy p = "lru".equals(policy) ? Policy.LRU : Policy.S3FIFO;
    long top = TOP;
    long below = 2 * TOP;
    long extent = 4096;
    switch (trace) {
      case "hotScan":
        t = Traces.hotScan(capacity(top, extent), VALUE);
        break;
      case "zipf": {
        int cap = capacity(top, extent);
        t = Traces.zipf(cap, 50 * cap, VALUE);
        break;
      }
      case "recorded":
        t = Traces.recorded();
        top = Math.max(Tier.MIN_POOL_SIZE, t.distinctBytes / 5);
        below = Math.max(Tier.MIN_POOL_SIZE, t.distinctBytes * 78 / 100);
        extent = 16384;
        break;
      default:
        throw new IllegalArgumentException("trace must be hotScan, zipf or recorded: " + trace);
    }
    Tier dram = Tier.dram().size(top).extentSize(extent).policy(p);
    switch (setup) {
      case "dram":
        cache = dram.open();
        break;
      case "dramOverShm":
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "cellar-jmh-");
        cache = TierStack.of(dram,
            Tier.directory(dir).size(below).extentSize(extent).policy(p));
        break;
      default:
        throw new IllegalArgumentException("setup must be dram or dramOverShm: " + setup);
    }
    keys = new byte[t.keys.length][];
    byte[][] byKey = new byte[Arrays.stream(t.keys).max().orElse(-1) + 1][];
    for (int i = 0; i < keys.length; i++) {
      int k = t.keys[i];
      if (byKey[k] == null) {
        byKey[k] = BenchCaches.key(0, k);
      }
      keys[i] = byKey[k];
    }
    value = BenchCaches.randomDirect(t.maxSize);
  }

  /** How many 4000 B values a DRAM cache of {@code size} holds (fills one until it evicts). */
  static int capacity(long size, long extent) {
    ByteBuffer v = BenchCaches.randomDirect(VALUE);
    try (TierStack probe = Tier.dram().size(size).extentSize(extent).open()) {
      for (long k = 0; probe.stats(0).evictions() == 0; k++) {
        probe.put(BenchCaches.key(0, k), v.duplicate());
      }
      return (int) probe.stats(0).entries();
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    cache.close();
    if (dir != null) {
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** One access: a pin; on a miss, a put of the value at its recorded size. */
  @Benchmark
  public int access(Counts c) {
    int i = next;
    next = i + 1 == keys.length ? 0 : i + 1;
    byte[] k = keys[i];
    Optional<Pin> p = cache.pin(k);
    if (p.isPresent()) {
      int tier;
      try (Pin pin = p.get()) {
        tier = pin.tier();
      }
      c.hits++;
      if (tier == 0) {
        c.topHits++;
      }
      return tier;
    }
    c.misses++;
    ByteBuffer v = value.duplicate();
    v.limit(t.sizes[i]);
    try {
      cache.put(k, v);
    } catch (CacheFullException e) {
      // a value larger than the whole cache is not kept, as in the plugin
    }
    return -1;
  }
}
