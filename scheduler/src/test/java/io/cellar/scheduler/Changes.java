// SPDX-License-Identifier: Apache-2.0
// Changes -- test helper: a delta's changes as readable strings
package io.cellar.scheduler;

import java.util.ArrayList;
import java.util.List;

/** Decodes a delta into strings: {@code "+a.parquet#3@100:50"} (added), {@code "-a.parquet#4"}. */
final class Changes implements InventoryDelta.Visitor {
  private final List<String> out = new ArrayList<>();
  private FileId file;

  static List<String> of(InventoryDelta delta) {
    Changes c = new Changes();
    delta.forEach(c);
    return c.out;
  }

  @Override
  public void file(FileId f) {
    file = f;
  }

  @Override
  public void added(int rowGroup, long start, long bytes) {
    out.add("+" + file.path() + "#" + rowGroup + "@" + start + ":" + bytes);
  }

  @Override
  public void removed(int rowGroup) {
    out.add("-" + file.path() + "#" + rowGroup);
  }
}
