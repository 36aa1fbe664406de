// SPDX-License-Identifier: Apache-2.0
// RegistryMemoryTest -- retained heap for 10^6 cached chunks on 100 executors; query time printed
package io.cellar.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Builds a registry through the real path (trackers, encoded deltas, apply) and measures what it
 * retains, both from the heap after full collections and from the registry's own estimate. Also
 * prints the time of preferred-location queries for every split; no timing is asserted.
 */
class RegistryMemoryTest {
  private static final int EXECUTORS = 100;
  private static final long MB = 1L << 20;
  private static final long ROW_GROUP_BYTES = 128 * MB;
  private static final long LIMIT = 100 * MB;

  private static String path(int f) {
    return String.format("s3a://warehouse-bucket/db/sales/date=2024-%02d-%02d/part-%05d-"
        + "8f2c1a7e-3b4d-4c5e-9f60-a1b2c3d4e5f6.c000.snappy.parquet", f % 12 + 1, f % 28 + 1, f);
  }

  private static FileId file(int f, int rowGroups) {
    return new FileId(path(f), 4 + rowGroups * ROW_GROUP_BYTES + 10_000, 1_700_000_000_000L + f);
  }

  /** Executor {@code h} of a row group's holders: neighbours on a stride that spreads files. */
  private static int owner(int f, int rg, int rowGroups, int h) {
    return (f * rowGroups + rg + h * 37) % EXECUTORS;
  }

  @ParameterizedTest(name = "{0} files x {1} row groups x {2} chunks on each of {3} executors")
  @CsvSource({"10000, 10, 10, 1", "100000, 1, 10, 1", "10000, 10, 5, 2"})
  void millionChunksOnHundredExecutorsRetainWellUnderHundredMegabytes(
      int files, int rowGroups, int chunks, int holders) {
    assertThat((long) files * rowGroups * chunks * holders).isEqualTo(1_000_000L);
    long before = usedHeapAfterGc();
    CacheRegistry registry = build(files, rowGroups, chunks, holders);
    long after = usedHeapAfterGc();
    long measured = after - before;
    long estimated = registry.estimatedHeapBytes();
    System.out.printf("registry, %d files x %d row groups x %d chunks x %d holders: "
        + "retained %.1f MB measured, %.1f MB estimated, %d row groups held%n",
        files, rowGroups, chunks, holders, measured / (double) MB, estimated / (double) MB,
        registry.rowGroupsHeld());
    assertThat(registry.rowGroupsHeld()).isEqualTo((long) files * rowGroups * holders);
    assertThat(measured).isLessThan(LIMIT / 2);
    assertThat(estimated).isLessThan(LIMIT / 2);

    timeQueries(registry, files, rowGroups, holders);
    Reference.reachabilityFence(registry);
  }

  private static CacheRegistry build(int files, int rowGroups, int chunks, int holders) {
    CacheRegistry registry = new CacheRegistry();
    List<InventoryTracker> trackers = new ArrayList<>();
    for (int e = 0; e < EXECUTORS; e++) {
      registry.executorAdded(Integer.toString(e), "host-" + e / 4);
      InventoryTracker t = new InventoryTracker(Integer.toString(e), 10_000, 0);
      registry.apply(t.poll(0).orElseThrow());
      trackers.add(t);
    }
    for (int f = 0; f < files; f++) {
      FileId id = file(f, rowGroups);
      for (int rg = 0; rg < rowGroups; rg++) {
        for (int h = 0; h < holders; h++) {
          InventoryTracker t = trackers.get(owner(f, rg, rowGroups, h));
          for (int c = 0; c < chunks; c++) {
            t.chunkAdded(id, rg, 4 + rg * ROW_GROUP_BYTES, ROW_GROUP_BYTES);
          }
        }
      }
    }
    long deltas = 0;
    long bytes = 0;
    for (InventoryTracker t : trackers) {
      while (t.pendingChanges() > 0) {
        InventoryDelta d = t.poll(System.nanoTime()).orElseThrow();
        assertThat(registry.apply(d)).isEqualTo(ApplyResult.APPLIED);
        deltas++;
        bytes += d.sizeBytes();
      }
    }
    System.out.printf("deltas: %d messages, %.1f bytes per row group on the wire%n",
        deltas, bytes / (double) ((long) files * rowGroups * holders));
    return registry;
  }

  private static void timeQueries(CacheRegistry registry, int files, int rowGroups, int holders) {
    List<SplitRef> splits = new ArrayList<>(files * rowGroups);
    for (int f = 0; f < files; f++) {
      FileId id = file(f, rowGroups);
      for (int rg = 0; rg < rowGroups; rg++) {
        splits.add(new SplitRef(id, rg * ROW_GROUP_BYTES, ROW_GROUP_BYTES));
      }
    }
    for (int warm = 0; warm < 2; warm++) {
      registry.preferredExecutors(splits, 3);
    }
    long t0 = System.nanoTime();
    int found = 0;
    for (SplitRef s : splits) {
      found += registry.preferredExecutors(s.file(), s.start(), s.length(), 3).size();
    }
    long t1 = System.nanoTime();
    List<List<String>> batch = registry.preferredExecutors(splits, 3);
    long t2 = System.nanoTime();
    System.out.printf("preferredExecutors for %d splits: %.1f ms one by one, %.1f ms batched%n",
        splits.size(), (t1 - t0) / 1e6, (t2 - t1) / 1e6);
    assertThat(found).isEqualTo(splits.size() * holders);
    int f = files / 3;
    int rg = rowGroups - 1;
    assertThat(batch.get(f * rowGroups + rg))
        .contains(Integer.toString(owner(f, rg, rowGroups, 0)))
        .hasSize(holders);
  }

  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
