// SPDX-License-Identifier: Apache-2.0
// DeltaBatch -- row-group changes grouped by file, ready to encode into one delta (internal)
package io.cellar.scheduler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Row-group changes for one delta, grouped by file and sorted by ordinal. Not thread-safe. */
final class DeltaBatch {
  /** The changes of one file: row groups now held (with their layout) and row groups let go. */
  static final class FileChanges {
    final TreeMap<Integer, long[]> added = new TreeMap<>();
    final TreeSet<Integer> removed = new TreeSet<>();
  }

  private final Map<FileId, FileChanges> files = new LinkedHashMap<>();
  private int changes;

  void add(FileId file, int rowGroup, long start, long bytes) {
    if (changes(file).added.put(rowGroup, new long[] {start, bytes}) == null) {
      changes++;
    }
  }

  void remove(FileId file, int rowGroup) {
    if (changes(file).removed.add(rowGroup)) {
      changes++;
    }
  }

  int changes() {
    return changes;
  }

  Map<FileId, FileChanges> files() {
    return files;
  }

  private FileChanges changes(FileId file) {
    return files.computeIfAbsent(file, f -> new FileChanges());
  }
}
