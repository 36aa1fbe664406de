// SPDX-License-Identifier: Apache-2.0
// InventoryTrackerTest -- chunk counting, batching bounds, cancel-out, sequences, resync
package io.cellar.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InventoryTrackerTest {
  private static final long SECOND = 1_000_000_000L;
  private static final FileId F = new FileId("f.parquet", 10_000L, 1L);
  private static final FileId G = new FileId("g.parquet", 20_000L, 2L);

  /** A tracker whose first (empty, full) inventory has been taken at time 0. */
  private static InventoryTracker started(int maxEntries, long interval) {
    InventoryTracker t = new InventoryTracker("3", maxEntries, interval);
    InventoryDelta first = t.poll(0).orElseThrow();
    assertThat(first.isFullInventory()).isTrue();
    assertThat(first.changes()).isZero();
    return t;
  }

  @Test
  void firstPollIsAnEmptyFullInventoryWithSequenceOne() {
    InventoryTracker t = new InventoryTracker("3", 10, SECOND);
    InventoryDelta d = t.poll(0).orElseThrow();
    assertThat(d.isFullInventory()).isTrue();
    assertThat(d.sequence()).isEqualTo(1);
    assertThat(d.executorId()).isEqualTo("3");
    assertThat(Changes.of(d)).isEmpty();
    assertThat(t.poll(5 * SECOND)).isEmpty();
  }

  @Test
  void rowGroupStaysHeldUntilItsLastChunkIsEvicted() {
    InventoryTracker t = started(10, 0);
    t.chunkAdded(F, 2, 100L, 50L);
    t.chunkAdded(F, 2, 100L, 50L);
    assertThat(Changes.of(t.poll(1).orElseThrow())).containsExactly("+f.parquet#2@100:50");
    t.chunkEvicted(F, 2);
    assertThat(t.poll(2)).isEmpty();
    assertThat(t.heldRowGroups()).isEqualTo(1);
    t.chunkEvicted(F, 2);
    assertThat(Changes.of(t.poll(3).orElseThrow())).containsExactly("-f.parquet#2");
    assertThat(t.heldRowGroups()).isZero();
  }

  @Test
  void addedThenEvictedBeforeAPollSendsNothing() {
    InventoryTracker t = started(10, 0);
    t.chunkAdded(F, 0, 4L, 50L);
    t.chunkAdded(G, 1, 60L, 50L);
    t.chunkEvicted(F, 0);
    assertThat(t.pendingChanges()).isEqualTo(1);
    assertThat(Changes.of(t.poll(1).orElseThrow())).containsExactly("+g.parquet#1@60:50");
  }

  @Test
  void evictedThenCachedAgainBeforeAPollSendsNothing() {
    InventoryTracker t = started(10, 0);
    t.chunkAdded(F, 0, 4L, 50L);
    t.poll(1).orElseThrow();
    t.chunkEvicted(F, 0);
    t.chunkAdded(F, 0, 4L, 50L);
    assertThat(t.pendingChanges()).isZero();
    assertThat(t.poll(2)).isEmpty();
  }

  @Test
  void evictionOfAnUnknownRowGroupIsIgnored() {
    InventoryTracker t = started(10, 0);
    t.chunkEvicted(F, 7);
    assertThat(t.pendingChanges()).isZero();
    assertThat(t.poll(1)).isEmpty();
  }

  @Test
  void deltaCarriesAtMostMaxEntriesAndTheRestWaitsForTheNextPoll() {
    InventoryTracker t = started(4, 0);
    for (int rg = 0; rg < 10; rg++) {
      t.chunkAdded(F, rg, 100L * rg + 4, 100L);
    }
    List<Integer> sizes = new ArrayList<>();
    List<String> all = new ArrayList<>();
    for (long now = 1; now < 10; now++) {
      t.poll(now).ifPresent(d -> {
        sizes.add(d.changes());
        all.addAll(Changes.of(d));
      });
    }
    assertThat(sizes).containsExactly(4, 4, 2);
    assertThat(all).hasSize(10).doesNotHaveDuplicates();
  }

  @Test
  void deltasGoAtMostOncePerInterval() {
    InventoryTracker t = started(100, SECOND);
    t.chunkAdded(F, 0, 4L, 10L);
    assertThat(t.poll(SECOND / 2)).isEmpty();
    assertThat(t.poll(SECOND)).isPresent();
    t.chunkAdded(F, 1, 14L, 10L);
    assertThat(t.poll(SECOND + 1)).isEmpty();
    assertThat(t.poll(2 * SECOND - 1)).isEmpty();
    assertThat(Changes.of(t.poll(2 * SECOND).orElseThrow())).containsExactly("+f.parquet#1@14:10");
  }

  @Test
  void fullInventoryGoesAtOnceDespiteTheInterval() {
    InventoryTracker t = started(100, SECOND);
    t.chunkAdded(F, 0, 4L, 10L);
    t.requestFullInventory();
    InventoryDelta d = t.poll(1).orElseThrow();
    assertThat(d.isFullInventory()).isTrue();
    assertThat(Changes.of(d)).containsExactly("+f.parquet#0@4:10");
  }

  @Test
  void sequenceNumbersIncreaseByOneAndIncarnationIsFixed() {
    InventoryTracker t = new InventoryTracker("3", 1, 0);
    List<InventoryDelta> sent = new ArrayList<>();
    t.poll(0).ifPresent(sent::add);
    for (int rg = 0; rg < 5; rg++) {
      t.chunkAdded(F, rg, 4L + rg, 1L);
      t.poll(rg + 1).ifPresent(sent::add);
    }
    assertThat(sent).extracting(InventoryDelta::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(sent).extracting(InventoryDelta::incarnation)
        .containsOnly(sent.get(0).incarnation());
    assertThat(new InventoryTracker("3", 1, 0).poll(0).orElseThrow().incarnation())
        .isNotEqualTo(sent.get(0).incarnation());
  }

  @Test
  void resyncReplacesTheRecordWithTheListingAndSendsItAsAFullInventory() {
    InventoryTracker t = started(100, SECOND);
    t.chunkAdded(G, 0, 4L, 10L);
    t.resync(List.of(
        new ChunkRef(F, 1, 20L, 10L), new ChunkRef(F, 1, 20L, 10L), new ChunkRef(F, 3, 40L, 10L)));
    InventoryDelta d = t.poll(1).orElseThrow();
    assertThat(d.isFullInventory()).isTrue();
    assertThat(Changes.of(d)).containsExactlyInAnyOrder("+f.parquet#1@20:10", "+f.parquet#3@40:10");
    // row group 1 had two chunks listed: one eviction leaves it held
    t.chunkEvicted(F, 1);
    t.chunkEvicted(G, 0);
    assertThat(t.pendingChanges()).isZero();
  }

  @Test
  void resetSendsAnEmptyFullInventory() {
    InventoryTracker t = started(100, SECOND);
    t.chunkAdded(F, 0, 4L, 10L);
    t.reset();
    InventoryDelta d = t.poll(1).orElseThrow();
    assertThat(d.isFullInventory()).isTrue();
    assertThat(Changes.of(d)).isEmpty();
    assertThat(t.heldRowGroups()).isZero();
  }

  @Test
  void largeFullInventoryIsSplitAndOnlyItsFirstPartIsFull() {
    InventoryTracker t = new InventoryTracker("3", 3, 0);
    for (int rg = 0; rg < 7; rg++) {
      t.chunkAdded(F, rg, 4L + rg, 1L);
    }
    List<InventoryDelta> parts = new ArrayList<>();
    for (long now = 0; now < 5; now++) {
      t.poll(now).ifPresent(parts::add);
    }
    assertThat(parts).extracting(InventoryDelta::isFullInventory)
        .containsExactly(true, false, false);
    assertThat(parts).extracting(InventoryDelta::changes).containsExactly(3, 3, 1);
  }

  @Test
  void badArgumentsAreRejectedWithTheirValues() {
    assertThatThrownBy(() -> new InventoryTracker("1", 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("were 0 and 0");
    InventoryTracker t = started(1, 0);
    assertThatThrownBy(() -> t.chunkAdded(F, -1, 0L, 1L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was -1");
    assertThatThrownBy(() -> t.chunkAdded(F, 0, -4L, 1L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("were -4 and 1");
  }
}
