// SPDX-License-Identifier: Apache-2.0
// CacheRegistryTest -- report handling, executor removal, file changes, split preferences
package io.cellar.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CacheRegistryTest {
  private static final long MB = 1L << 20;
  /** Four row groups of 100 MB starting at byte 4: midpoints 54, 154, 254 and 354 MB (+4). */
  private static final FileId F = new FileId("f.parquet", 4 + 400 * MB + 1000, 1L);

  private CacheRegistry registry;

  @BeforeEach
  void setUp() {
    registry = new CacheRegistry();
    for (String e : List.of("1", "2", "10")) {
      registry.executorAdded(e, "host-" + e);
    }
  }

  /** A started tracker of executor {@code id} whose empty full inventory the registry applied. */
  private InventoryTracker tracker(String id) {
    InventoryTracker t = new InventoryTracker(id, 1000, 0);
    assertThat(registry.apply(t.poll(0).orElseThrow())).isEqualTo(ApplyResult.APPLIED);
    return t;
  }

  private static void cache(InventoryTracker t, FileId file, int... rowGroups) {
    for (int rg : rowGroups) {
      t.chunkAdded(file, rg, 4 + rg * 100 * MB, 100 * MB);
    }
  }

  private ApplyResult flush(InventoryTracker t) {
    return registry.apply(t.poll(System.nanoTime()).orElseThrow());
  }

  private List<String> preferred(FileId file, long start, long length) {
    return registry.preferredExecutors(file, start, length, 10);
  }

  @Test
  void preferenceOrdersExecutorsByHeldBytesThenId() {
    InventoryTracker one = tracker("1");
    InventoryTracker two = tracker("2");
    InventoryTracker ten = tracker("10");
    cache(one, F, 0);
    cache(two, F, 0, 1);
    cache(ten, F, 1);
    flush(one);
    flush(two);
    flush(ten);
    assertThat(preferred(F, 0, 200 * MB)).containsExactly("2", "1", "10");
    assertThat(registry.preferredExecutors(F, 0, 200 * MB, 1)).containsExactly("2");
    assertThat(preferred(F, 200 * MB, 200 * MB)).isEmpty();
    assertThat(registry.rowGroupsHeld()).isEqualTo(4);
  }

  @Test
  void rowGroupBelongsToTheSplitHoldingItsMidpoint() {
    InventoryTracker one = tracker("1");
    InventoryTracker two = tracker("2");
    cache(one, F, 0, 1);
    cache(two, F, 2);
    flush(one);
    flush(two);
    long mid0 = 4 + 50 * MB;
    // a split ending just at row group 0's midpoint does not get it; one starting there does
    assertThat(preferred(F, 0, mid0)).isEmpty();
    assertThat(preferred(F, mid0, 1)).containsExactly("1");
    // 128 MB splits cut through row groups: [0,128M) holds only midpoint 50M+4 (row group 0)
    assertThat(preferred(F, 0, 128 * MB)).containsExactly("1");
    // [128M,256M) holds row groups 1 (mid 150M+4) and 2 (mid 250M+4): 100 MB each, tie by id
    assertThat(preferred(F, 128 * MB, 128 * MB)).containsExactly("1", "2");
    assertThat(preferred(F, 256 * MB, 256 * MB)).isEmpty();
  }

  @Test
  void executorRemovalDropsEverythingItHeldAndLaterReports() {
    InventoryTracker one = tracker("1");
    InventoryTracker two = tracker("2");
    cache(one, F, 0, 1, 2, 3);
    cache(two, F, 3);
    flush(one);
    flush(two);
    registry.executorRemoved("1");
    assertThat(preferred(F, 0, 400 * MB)).containsExactly("2");
    assertThat(registry.rowGroupsHeld()).isEqualTo(1);
    assertThat(registry.liveExecutors()).containsExactlyInAnyOrder("2", "10");
    assertThat(registry.hostOf("1")).isNull();
    assertThat(registry.ring().members()).doesNotContain("1");
    cache(one, F, 0);
    one.chunkEvicted(F, 3);
    assertThat(flush(one)).isEqualTo(ApplyResult.REMOVED_EXECUTOR);
    assertThat(preferred(F, 0, 100 * MB)).isEmpty();
    registry.executorRemoved("2");
    assertThat(registry.files()).isZero();
    assertThat(registry.rowGroupsHeld()).isZero();
  }

  @Test
  void removingTheLastHolderForgetsTheFile() {
    InventoryTracker one = tracker("1");
    cache(one, F, 0);
    flush(one);
    assertThat(registry.files()).isEqualTo(1);
    one.chunkEvicted(F, 0);
    flush(one);
    assertThat(registry.files()).isZero();
    assertThat(registry.rowGroupsHeld()).isZero();
  }

  @Test
  void deltaFromAnExecutorNotYetAddedIsIgnoredAndAsksForAFullInventory() {
    InventoryTracker late = new InventoryTracker("99", 10, 0);
    cache(late, F, 0);
    ApplyResult r = registry.apply(late.poll(0).orElseThrow());
    assertThat(r).isEqualTo(ApplyResult.UNKNOWN_EXECUTOR);
    assertThat(r.wantsFullInventory()).isTrue();
    registry.executorAdded("99", "h");
    late.requestFullInventory();
    assertThat(flush(late)).isEqualTo(ApplyResult.APPLIED);
    assertThat(preferred(F, 0, 100 * MB)).containsExactly("99");
    assertThat(registry.deltasIgnored()).isEqualTo(1);
  }

  @Test
  void staleDuplicateAndGappedSequencesAreHandled() {
    InventoryTracker t = new InventoryTracker("1", 1, 0);
    InventoryDelta full = t.poll(0).orElseThrow();
    cache(t, F, 0, 1, 2);
    InventoryDelta d2 = t.poll(1).orElseThrow();
    InventoryDelta d3 = t.poll(2).orElseThrow();
    InventoryDelta d4 = t.poll(3).orElseThrow();
    assertThat(registry.apply(d2)).isEqualTo(ApplyResult.NO_BASE);
    assertThat(registry.apply(full)).isEqualTo(ApplyResult.APPLIED);
    assertThat(registry.apply(d3)).isEqualTo(ApplyResult.APPLIED_AFTER_GAP);
    assertThat(registry.apply(d2)).isEqualTo(ApplyResult.STALE);
    assertThat(registry.apply(d3)).isEqualTo(ApplyResult.STALE);
    assertThat(registry.apply(full)).isEqualTo(ApplyResult.STALE);
    assertThat(registry.apply(d4)).isEqualTo(ApplyResult.APPLIED);
    assertThat(registry.rowGroupsHeld()).isEqualTo(2);
    assertThat(registry.deltasApplied()).isEqualTo(3);
    assertThat(registry.deltasIgnored()).isEqualTo(4);
  }

  @Test
  void fullInventoryReplacesTheExecutorsView() {
    InventoryTracker t = tracker("1");
    cache(t, F, 0, 1);
    flush(t);
    t.resync(List.of(new ChunkRef(F, 3, 4 + 300 * MB, 100 * MB)));
    assertThat(flush(t)).isEqualTo(ApplyResult.APPLIED);
    assertThat(preferred(F, 0, 200 * MB)).isEmpty();
    assertThat(preferred(F, 300 * MB, 100 * MB)).containsExactly("1");
    assertThat(registry.rowGroupsHeld()).isEqualTo(1);
  }

  @Test
  void newTrackerIncarnationIsAcceptedThroughItsFullInventory() {
    InventoryTracker old = tracker("1");
    cache(old, F, 0);
    flush(old);
    InventoryTracker restarted = new InventoryTracker("1", 10, 0);
    InventoryDelta full = restarted.poll(0).orElseThrow();
    cache(restarted, F, 1);
    InventoryDelta next = restarted.poll(1).orElseThrow();
    assertThat(registry.apply(next)).isEqualTo(ApplyResult.NO_BASE);
    assertThat(registry.apply(full)).isEqualTo(ApplyResult.APPLIED);
    assertThat(registry.apply(next)).isEqualTo(ApplyResult.APPLIED);
    assertThat(preferred(F, 0, 100 * MB)).isEmpty();
    assertThat(preferred(F, 100 * MB, 100 * MB)).containsExactly("1");
  }

  @Test
  void reportOfANewFileIdentityDropsTheOldContent() {
    FileId rewritten = new FileId(F.path(), F.length() + 1, F.modificationTime() + 1);
    InventoryTracker one = tracker("1");
    InventoryTracker two = tracker("2");
    cache(one, F, 0);
    flush(one);
    cache(two, rewritten, 0);
    flush(two);
    assertThat(preferred(rewritten, 0, 100 * MB)).containsExactly("2");
    assertThat(preferred(F, 0, 100 * MB)).isEmpty();
    assertThat(registry.rowGroupsHeld()).isEqualTo(1);
    // executor 1 later evicts (or re-reports) the old content: the new content is untouched
    one.chunkEvicted(F, 0);
    flush(one);
    cache(one, F, 1);
    flush(one);
    assertThat(preferred(rewritten, 0, 100 * MB)).containsExactly("2");
    assertThat(registry.rowGroupsHeld()).isEqualTo(1);
  }

  @Test
  void queryWithANewFileIdentityGetsNothingAndDropsTheOldContent() {
    FileId rewritten = new FileId(F.path(), F.length(), F.modificationTime() + 1);
    InventoryTracker one = tracker("1");
    cache(one, F, 0);
    flush(one);
    assertThat(preferred(rewritten, 0, 100 * MB)).isEmpty();
    assertThat(preferred(F, 0, 100 * MB)).isEmpty();
    assertThat(registry.rowGroupsHeld()).isZero();
    cache(one, rewritten, 0);
    flush(one);
    assertThat(preferred(rewritten, 0, 100 * MB)).containsExactly("1");
  }

  @Test
  void objectOverwrittenWithinItsMtimeSecondIsANewIdentityByItsEtag() {
    FileId tagged = new FileId("s3a://b/t/f.parquet", F.length(), 1_700_000_000_000L, "\"a1\"");
    FileId overwritten = new FileId(tagged.path(), tagged.length(), tagged.modificationTime(),
        "\"b2\"");
    InventoryTracker one = tracker("1");
    InventoryTracker two = tracker("2");
    cache(one, tagged, 0);
    flush(one);
    assertThat(preferred(tagged, 0, 100 * MB)).containsExactly("1");
    assertThat(preferred(overwritten, 0, 100 * MB)).isEmpty();
    assertThat(preferred(tagged, 0, 100 * MB)).isEmpty();
    assertThat(registry.rowGroupsHeld()).isZero();
    cache(two, overwritten, 0);
    flush(two);
    assertThat(preferred(overwritten, 0, 100 * MB)).containsExactly("2");
  }

  @Test
  void batchQueryAnswersEachSplitInOrder() {
    InventoryTracker one = tracker("1");
    InventoryTracker two = tracker("2");
    cache(one, F, 0);
    cache(two, F, 1);
    flush(one);
    flush(two);
    FileId unknown = new FileId("other.parquet", 1, 1);
    List<List<String>> got = registry.preferredExecutors(List.of(
        new SplitRef(F, 100 * MB, 100 * MB), new SplitRef(unknown, 0, 1),
        new SplitRef(F, 0, 100 * MB)), 5);
    assertThat(got).containsExactly(List.of("2"), List.of(), List.of("1"));
  }

  @Test
  void malformedDeltaIsIgnoredWithoutPartialEffects() {
    tracker("1");
    DeltaBatch batch = new DeltaBatch();
    batch.add(F, 0, 4L, 100 * MB);
    batch.add(new FileId("g.parquet", 1, 1), 0, 4L, 1L);
    byte[] bytes = DeltaCodec.encode(batch);
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 1);
    InventoryDelta bad = new InventoryDelta("1", 0L, 2L, true, 2, cut);
    assertThat(registry.apply(bad)).isEqualTo(ApplyResult.MALFORMED);
    assertThat(registry.files()).isZero();
  }

  @Test
  void ringFollowsLiveExecutorsForUncachedSplits() {
    assertThat(registry.ring().members()).containsExactlyInAnyOrder("1", "2", "10");
    SplitRef split = new SplitRef(F, 0, 128 * MB);
    String owner = registry.assign(split.key()).orElseThrow();
    registry.executorAdded("11", "host-11");
    registry.executorRemoved(owner.equals("1") ? "2" : "1");
    String now = registry.assign(split.key()).orElseThrow();
    assertThat(now).isIn(owner, "11");
    assertThat(registry.hostOf("11")).isEqualTo("host-11");
  }
}
