// SPDX-License-Identifier: Apache-2.0
// Traces.java -- the access traces TraceBenchmark replays: generated, as native/bench/traces.h
// makes them, and one recorded from a TPC-DS benchmark run
package io.cellar.vmem.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A sequence of accesses: a key number and its value's size per access. */
final class Traces {
  /** The recorded trace, a resource of the benchmarks jar (from native/bench/traces). */
  static final String RECORDED = "/traces/tpcds-sf1-io9.trace";
  static final String RECORDED_HEADER = "# cellar access trace v1: id size";

  final int[] keys;
  final int[] sizes;
  /** Bytes of the distinct keys' values. */
  final long distinctBytes;
  final int maxSize;

  private Traces(int[] keys, int[] sizes) {
    this.keys = keys;
    this.sizes = sizes;
    long[] seen = new long[Arrays.stream(keys).max().orElse(0) + 1];
    long bytes = 0;
    for (int i = 0; i < keys.length; i++) {
      if (seen[keys[i]] == 0) {
        seen[keys[i]] = sizes[i];
        bytes += sizes[i];
      }
    }
    this.distinctBytes = bytes;
    this.maxSize = Arrays.stream(sizes).max().orElse(0);
  }

  /** A 64-bit LCG step, as traces.h's trace_lcg, so both benches draw the same keys. */
  private static long lcg(long[] s) {
    s[0] = s[0] * 6364136223846793005L + 1442695040888963407L;
    return s[0] >>> 11;
  }

  /**
   * 40 rounds of a hot set of 40% of {@code cap} values, each read once in a shuffled order,
   * then a scan of 1.5 caches of values never seen before (traces.h's trace_hot_scan).
   */
  static Traces hotScan(int cap, int valueSize) {
    int hot = cap * 2 / 5;
    int scan = cap * 3 / 2;
    int[] keys = new int[40 * (hot + scan)];
    int n = 0;
    int next = 1 << 20;
    long[] s = {7};
    for (int round = 0; round < 40; round++) {
      int start = (int) Long.remainderUnsigned(lcg(s), hot);
      for (int i = 0; i < hot; i++) {
        keys[n++] = (int) ((start + (long) i * 7919) % hot);
      }
      for (int i = 0; i < scan; i++) {
        keys[n++] = next++;
      }
    }
    return constant(keys, valueSize);
  }

  /**
   * {@code reads} reads drawn from a Zipf distribution (exponent 0.9) over four caches' worth of
   * keys (traces.h's trace_zipf).
   */
  static Traces zipf(int cap, int reads, int valueSize) {
    int nkeys = 4 * cap;
    double[] cdf = new double[nkeys];
    double sum = 0;
    for (int i = 0; i < nkeys; i++) {
      sum += 1.0 / Math.pow(i + 1, 0.9);
      cdf[i] = sum;
    }
    long[] s = {11};
    int[] keys = new int[reads];
    for (int i = 0; i < reads; i++) {
      double u = (double) Long.remainderUnsigned(lcg(s), 1000000007L) / 1000000007.0 * sum;
      int at = Arrays.binarySearch(cdf, u);
      keys[i] = at >= 0 ? at : Math.min(-at - 1, nkeys - 1);
    }
    return constant(keys, valueSize);
  }

  private static Traces constant(int[] keys, int valueSize) {
    int[] sizes = new int[keys.length];
    Arrays.fill(sizes, valueSize);
    return new Traces(keys, sizes);
  }

  /** The trace recorded from a run (see the plugin's AccessTrace for its format). */
  static Traces recorded() {
    try (InputStream in = Traces.class.getResourceAsStream(RECORDED)) {
      if (in == null) {
        throw new IllegalStateException(RECORDED + " is not in the benchmarks jar");
      }
      return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Traces parse(BufferedReader r) throws IOException {
    String line = r.readLine();
    if (!RECORDED_HEADER.equals(line)) {
      throw new IllegalStateException("not a recorded trace: first line " + line);
    }
    List<int[]> accesses = new ArrayList<>();
    while ((line = r.readLine()) != null) {
      if (line.startsWith("#")) {
        continue;
      }
      int sp = line.indexOf(' ');
      accesses.add(new int[] {Integer.parseInt(line.substring(0, sp)),
          Integer.parseInt(line.substring(sp + 1))});
    }
    int[] keys = new int[accesses.size()];
    int[] sizes = new int[accesses.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = accesses.get(i)[0];
      sizes[i] = accesses.get(i)[1];
    }
    return new Traces(keys, sizes);
  }
}
