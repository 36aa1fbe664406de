// SPDX-License-Identifier: Apache-2.0
// CellarUiListener -- keeps Cellar's samples in an application's status store
package io.cellar.spark.ui;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.util.kvstore.KVStore;

/**
 * Writes each {@link CellarSampleEvent} into the status store the Cellar page reads, keeping the
 * newest {@link #RETAINED}; the live driver and the history server's replay both use it.
 */
public final class CellarUiListener extends SparkListener {
  /** Samples kept: an hour at the default interval of 5 seconds. */
  static final int RETAINED = 720;

  private final KVStore store;
  private final Deque<Long> kept = new ArrayDeque<>();

  public CellarUiListener(KVStore store) {
    this.store = store;
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    if (!(event instanceof CellarSampleEvent e)) {
      return;
    }
    try {
      store.write(new CellarSample(e));
      kept.addLast(e.time);
      while (kept.size() > RETAINED) {
        store.delete(CellarSample.class, kept.removeFirst());
      }
    } catch (Exception ex) {
      throw new IllegalStateException("Cellar: cannot keep a UI sample", ex);
    }
  }

  /** Every sample in a store, oldest first. */
  public static List<CellarSampleEvent> samples(KVStore store) {
    List<CellarSampleEvent> out = new ArrayList<>();
    try {
      for (CellarSample s : store.view(CellarSample.class)) {
        out.add(s.event);
      }
    } catch (Exception e) {
      throw new IllegalStateException("Cellar: cannot read the UI samples", e);
    }
    return out;
  }

  /** Whether a store holds any sample (the history server shows the tab only then). */
  public static boolean any(KVStore store) {
    try {
      return store.count(CellarSample.class) > 0;
    } catch (Exception e) {
      return false;
    }
  }
}
