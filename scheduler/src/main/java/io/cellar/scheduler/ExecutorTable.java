// SPDX-License-Identifier: Apache-2.0
// ExecutorTable -- live executors interned to small slots, with their report streams (internal)
package io.cellar.scheduler;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The live executors, each interned to a small int slot that file bitmaps refer to, with its host
 * and the state of its report stream. A freed slot is reused only after the registry has cleared
 * it from every file. Ids of removed executors are remembered so that their late reports are
 * told apart from early ones.
 *
 * <p>Not thread-safe; the registry guards it.
 */
final class ExecutorTable {
  /**
   * Numeric-aware order of executor ids ("2" before "10"), used to break ties deterministically.
   */
  static final Comparator<String> ID_ORDER =
      Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder());

  private final Map<String, Integer> slotById = new HashMap<>();
  private final Set<String> removed = new HashSet<>();
  private final ArrayDeque<Integer> free = new ArrayDeque<>();
  private String[] ids = new String[0];
  private String[] hosts = new String[0];
  private long[] incarnation = new long[0];
  private long[] lastSequence = new long[0];
  private boolean[] hasBase = new boolean[0];

  /** Adds an executor or updates its host; returns its slot. */
  int add(String id, String host) {
    removed.remove(id);
    Integer existing = slotById.get(id);
    if (existing != null) {
      hosts[existing] = host;
      return existing;
    }
    int slot = free.isEmpty() ? grow() : free.pop();
    slotById.put(id, slot);
    ids[slot] = id;
    hosts[slot] = host;
    incarnation[slot] = 0;
    lastSequence[slot] = 0;
    hasBase[slot] = false;
    return slot;
  }

  /** Removes an executor; returns its former slot, or -1 if it was not live. */
  int remove(String id) {
    Integer slot = slotById.remove(id);
    if (slot == null) {
      return -1;
    }
    removed.add(id);
    ids[slot] = null;
    hosts[slot] = null;
    free.push(slot);
    return slot;
  }

  /** The executor's slot, or -1 if it is not live. */
  int slot(String id) {
    Integer slot = slotById.get(id);
    return slot == null ? -1 : slot;
  }

  boolean wasRemoved(String id) {
    return removed.contains(id);
  }

  String id(int slot) {
    return ids[slot];
  }

  String host(int slot) {
    return hosts[slot];
  }

  Set<String> liveIds() {
    return Set.copyOf(slotById.keySet());
  }

  int live() {
    return slotById.size();
  }

  boolean hasBase(int slot) {
    return hasBase[slot];
  }

  long incarnation(int slot) {
    return incarnation[slot];
  }

  long lastSequence(int slot) {
    return lastSequence[slot];
  }

  /** Records the delta just applied from a slot's stream; a full inventory starts a new base. */
  void advance(int slot, long newIncarnation, long sequence) {
    incarnation[slot] = newIncarnation;
    lastSequence[slot] = sequence;
    hasBase[slot] = true;
  }

  private int grow() {
    int slot = ids.length;
    int n = slot + 1;
    ids = Arrays.copyOf(ids, n);
    hosts = Arrays.copyOf(hosts, n);
    incarnation = Arrays.copyOf(incarnation, n);
    lastSequence = Arrays.copyOf(lastSequence, n);
    hasBase = Arrays.copyOf(hasBase, n);
    return slot;
  }
}
