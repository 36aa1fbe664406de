// SPDX-License-Identifier: Apache-2.0
// FileEntry -- the registry's record of one file: row-group layout, holders' bitmaps (internal)
package io.cellar.scheduler;

import java.util.Arrays;

/**
 * What the registry knows of one file: its identity, the layout of the row groups reported so
 * far, and for each executor holding any of them (a holder) a bitmap of the row groups it holds.
 * Everything is in flat primitive arrays sized exactly, with no object per row group or chunk:
 * a file with 10 row groups on 10 executors costs about 400 bytes here.
 *
 * <p>Not thread-safe; the registry guards it.
 */
final class FileEntry {
  private static final long[] NO_LONGS = new long[0];
  private static final int[] NO_INTS = new int[0];
  /** Estimated bytes of this object: header, two longs, four references. */
  private static final int SHALLOW_BYTES = 48;

  final long length;
  final long modificationTime;
  /** The ETag, empty when the file system gives none (then shared, costing nothing). */
  final String etag;
  /** Per ordinal i: [2i] the row group's start, or -1 if not reported yet; [2i+1] its size. */
  private long[] layout = NO_LONGS;
  /** The holders' executor slots. */
  private int[] slots = NO_INTS;
  /** The holders' bitmaps, {@code width()} words each, in the order of {@code slots}. */
  private long[] words = NO_LONGS;

  FileEntry(FileId id) {
    this.length = id.length();
    this.modificationTime = id.modificationTime();
    this.etag = id.etag();
  }

  /** Records where a row group lies; a later report overwrites an earlier one. */
  void learn(int rowGroup, long start, long bytes) {
    int need = 2 * (rowGroup + 1);
    if (layout.length < need) {
      int old = layout.length;
      layout = Arrays.copyOf(layout, need);
      for (int i = old; i < need; i += 2) {
        layout[i] = -1;
      }
    }
    layout[2 * rowGroup] = start;
    layout[2 * rowGroup + 1] = bytes;
  }

  /** Marks a row group held by an executor; returns whether it was not held before. */
  boolean set(int slot, int rowGroup) {
    int h = holder(slot);
    if (h < 0) {
      h = addHolder(slot);
    }
    int word = rowGroup >>> 6;
    if (word >= width()) {
      widen(word + 1);
    }
    int w = h * width() + word;
    long bit = 1L << rowGroup;
    boolean was = (words[w] & bit) != 0;
    words[w] |= bit;
    return !was;
  }

  /** Marks a row group no longer held by an executor; returns whether it was held. */
  boolean clear(int slot, int rowGroup) {
    int h = holder(slot);
    int word = rowGroup >>> 6;
    if (h < 0 || word >= width()) {
      return false;
    }
    int w = h * width() + word;
    long bit = 1L << rowGroup;
    boolean was = (words[w] & bit) != 0;
    words[w] &= ~bit;
    if (was && heldBy(h) == 0) {
      removeHolder(h);
    }
    return was;
  }

  /** Forgets everything an executor holds here; returns how many row groups that was. */
  int drop(int slot) {
    int h = holder(slot);
    if (h < 0) {
      return 0;
    }
    int count = heldBy(h);
    removeHolder(h);
    return count;
  }

  boolean hasHolders() {
    return slots.length > 0;
  }

  /** How many (executor, row group) pairs are held. */
  long heldRowGroups() {
    long n = 0;
    for (long w : words) {
      n += Long.bitCount(w);
    }
    return n;
  }

  /**
   * Bytes of the split's row groups that each holder holds, as pairs {slot, bytes}, only for
   * holders with more than 0 bytes; null if there are none.
   */
  long[] heldBytes(long splitStart, long splitLength) {
    int width = width();
    if (width == 0) {
      return null;
    }
    long[] mask = new long[width];
    boolean any = false;
    int n = Math.min(layout.length / 2, width * 64);
    for (int i = 0; i < n; i++) {
      long start = layout[2 * i];
      if (start >= 0 && RowGroups.inSplit(start, layout[2 * i + 1], splitStart, splitLength)) {
        mask[i >>> 6] |= 1L << i;
        any = true;
      }
    }
    if (!any) {
      return null;
    }
    long[] out = new long[2 * slots.length];
    int found = 0;
    for (int h = 0; h < slots.length; h++) {
      long bytes = 0;
      for (int k = 0; k < width; k++) {
        long bits = words[h * width + k] & mask[k];
        while (bits != 0) {
          int i = (k << 6) + Long.numberOfTrailingZeros(bits);
          bytes += layout[2 * i + 1];
          bits &= bits - 1;
        }
      }
      if (bytes > 0) {
        out[2 * found] = slots[h];
        out[2 * found + 1] = bytes;
        found++;
      }
    }
    return found == 0 ? null : Arrays.copyOf(out, 2 * found);
  }

  /** Estimated heap bytes of this entry and its arrays, with compressed references. */
  long estimatedBytes() {
    return SHALLOW_BYTES + arrayBytes(8L * layout.length) + arrayBytes(4L * slots.length)
        + arrayBytes(8L * words.length);
  }

  static long arrayBytes(long payload) {
    return payload == 0 ? 0 : (16 + payload + 7) & ~7L;
  }

  private int width() {
    return slots.length == 0 ? 0 : words.length / slots.length;
  }

  private int holder(int slot) {
    for (int h = 0; h < slots.length; h++) {
      if (slots[h] == slot) {
        return h;
      }
    }
    return -1;
  }

  private int heldBy(int h) {
    int width = width();
    int n = 0;
    for (int k = 0; k < width; k++) {
      n += Long.bitCount(words[h * width + k]);
    }
    return n;
  }

  private int addHolder(int slot) {
    int width = Math.max(1, width());
    int h = slots.length;
    slots = Arrays.copyOf(slots, h + 1);
    slots[h] = slot;
    words = Arrays.copyOf(words, (h + 1) * width);
    return h;
  }

  private void removeHolder(int h) {
    int width = width();
    int last = slots.length - 1;
    if (last == 0) {
      slots = NO_INTS;
      words = NO_LONGS;
      return;
    }
    int[] s = new int[last];
    long[] w = new long[last * width];
    System.arraycopy(slots, 0, s, 0, h);
    System.arraycopy(slots, h + 1, s, h, last - h);
    System.arraycopy(words, 0, w, 0, h * width);
    System.arraycopy(words, (h + 1) * width, w, h * width, (last - h) * width);
    slots = s;
    words = w;
  }

  private void widen(int width) {
    int old = width();
    long[] w = new long[slots.length * width];
    for (int h = 0; h < slots.length; h++) {
      System.arraycopy(words, h * old, w, h * width, old);
    }
    words = w;
  }
}
