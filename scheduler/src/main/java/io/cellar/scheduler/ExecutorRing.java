// SPDX-License-Identifier: Apache-2.0
// ExecutorRing -- consistent hashing of split keys onto live executors, for uncached splits
package io.cellar.scheduler;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Gives a split that no executor has cached a stable executor to prefer, so that the first run
 * spreads data the way later runs will look for it. Each executor owns {@code virtualNodes}
 * points on a 64-bit hash ring, and a key goes to the owner of the first point at or after the
 * key's hash. Adding or removing one of N executors moves about 1/N of the keys, and only keys
 * that go to or come from that executor.
 *
 * <p>Thread-safe: {@link #assign} reads an immutable snapshot without locking; membership
 * changes rebuild the snapshot (cost O(N log N) for N executors, which is rare work).
 */
public final class ExecutorRing {
  /** Points per executor by default; the load spread is within a few tens of percent at 128. */
  public static final int DEFAULT_VIRTUAL_NODES = 128;

  private record Snapshot(long[] points, String[] owners) {}

  private final int virtualNodes;
  private final TreeSet<String> members = new TreeSet<>();
  private volatile Snapshot snapshot = new Snapshot(new long[0], new String[0]);

  /** A ring with {@link #DEFAULT_VIRTUAL_NODES} points per executor. */
  public ExecutorRing() {
    this(DEFAULT_VIRTUAL_NODES);
  }

  /**
   * @param virtualNodes points per executor
   * @throws IllegalArgumentException when {@code virtualNodes} is not positive
   */
  public ExecutorRing(int virtualNodes) {
    if (virtualNodes < 1) {
      throw new IllegalArgumentException("virtualNodes must be 1 or more, was " + virtualNodes);
    }
    this.virtualNodes = virtualNodes;
  }

  /** Adds an executor; adding a member again changes nothing. */
  public synchronized void add(String executorId) {
    if (members.add(Objects.requireNonNull(executorId, "executorId"))) {
      rebuild();
    }
  }

  /** Removes an executor; removing a non-member changes nothing. */
  public synchronized void remove(String executorId) {
    if (members.remove(executorId)) {
      rebuild();
    }
  }

  /** The executors on the ring. */
  public synchronized Set<String> members() {
    return Set.copyOf(members);
  }

  /** The executor a key goes to, or empty when the ring has no executor. */
  public Optional<String> assign(String splitKey) {
    Snapshot s = snapshot;
    if (s.points.length == 0) {
      return Optional.empty();
    }
    int i = Arrays.binarySearch(s.points, hash(splitKey));
    if (i < 0) {
      i = -i - 1;
    }
    return Optional.of(s.owners[i == s.points.length ? 0 : i]);
  }

  private void rebuild() {
    int n = members.size() * virtualNodes;
    long[] keyed = new long[n];
    String[] byIndex = members.toArray(new String[0]);
    long[][] pairs = new long[n][];
    int k = 0;
    for (int m = 0; m < byIndex.length; m++) {
      for (int v = 0; v < virtualNodes; v++) {
        pairs[k++] = new long[] {hash(byIndex[m] + '#' + v), m};
      }
    }
    // equal hashes (vanishingly rare) are ordered by member index, so every build agrees
    Arrays.sort(pairs, (a, b) -> a[0] != b[0]
        ? Long.compare(a[0], b[0])
        : Long.compare(a[1], b[1]));
    String[] owners = new String[n];
    for (int i = 0; i < n; i++) {
      keyed[i] = pairs[i][0];
      owners[i] = byIndex[(int) pairs[i][1]];
    }
    snapshot = new Snapshot(keyed, owners);
  }

  /** FNV-1a over the UTF-8 bytes, then MurmurHash3's 64-bit finalizer to spread the bits. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb53fe53a87ffL;
    h ^= h >>> 33;
    return h;
  }
}
