// SPDX-License-Identifier: Apache-2.0
// FooterCache -- Parquet footers and row-group choices an executor keeps in its heap
package io.cellar.spark.exec;

import io.cellar.scheduler.FileId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * The footer of each split read lately (only its row groups, as Spark's reader selects them),
 * with the row groups each pushed-down predicate kept. A scan served from the cache needs nothing
 * else, so it opens no file. Entries are keyed by file identity, so a rewritten file is never
 * described by its old footer, and by the reader's security scope, so a footer is served only to
 * readers of the scope that read it. Thread-safe; least recently used entries go first.
 */
public final class FooterCache {
  /** One split of one file, as a reader of one security scope (hex) sees it. */
  public record Split(FileId file, long start, long length, String scope) {}

  /** What is known of a split. */
  public static final class Meta {
    /** The footer, with the split's row groups. */
    public final ParquetMetadata footer;
    /** Per pushed-down predicate, the starts of the row groups it kept. */
    public final Map<String, long[]> selected = new ConcurrentHashMap<>();

    public Meta(ParquetMetadata footer) {
      this.footer = footer;
    }
  }

  private final int capacity;
  private final LinkedHashMap<Split, Meta> map;

  public FooterCache(int capacity) {
    this.capacity = capacity;
    this.map = new LinkedHashMap<>(16, 0.75f, true);
  }

  /** What is known of a split, or null. */
  public synchronized Meta get(Split s) {
    return map.get(s);
  }

  /** Remembers what is known of a split. */
  public synchronized void put(Split s, Meta m) {
    if (capacity <= 0) {
      return;
    }
    map.put(s, m);
    if (map.size() > capacity) {
      var it = map.entrySet().iterator();
      it.next();
      it.remove();
    }
  }

  /** Forgets every footer (CELLAR CLEAR ALL). */
  public synchronized void clear() {
    map.clear();
  }

  synchronized int size() {
    return map.size();
  }
}
