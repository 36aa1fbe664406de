// SPDX-License-Identifier: Apache-2.0
// Leaks.java -- reports caches and pins that were never closed; frees nothing
package io.cellar.vmem;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reports native objects whose Java owner became unreachable without {@code close()}. It never
 * frees native memory: a leaked pin may still be read by native code we cannot see, and a leaked
 * cache may still have pins. It logs a warning and counts, so tests can fail on a leak.
 */
final class Leaks {
  private static final Cleaner CLEANER = Cleaner.create();
  private static final System.Logger LOG = System.getLogger("io.cellar.vmem");
  private static final AtomicLong REPORTED = new AtomicLong();

  private Leaks() {}

  /** Leaks reported so far in this JVM. */
  static long reported() {
    return REPORTED.get();
  }

  /**
   * Watches {@code owner}; call {@link Tracker#closed()} from its {@code close()}.
   *
   * @param owner the Java object holding native memory
   * @param what what leaks if it is never closed, e.g. "cache dram 1048576 B"
   */
  static Tracker track(Object owner, String what) {
    Tracker tracker = new Tracker(what);
    tracker.cleanable = CLEANER.register(owner, tracker::collected);
    return tracker;
  }

  /** The leak state of one object; holds no reference to it. */
  static final class Tracker {
    private final String what;
    private volatile boolean closed;
    private Cleaner.Cleanable cleanable;

    private Tracker(String what) {
      this.what = what;
    }

    /** The owner was closed: no report, and the Cleaner forgets it. */
    void closed() {
      closed = true;
      cleanable.clean();
    }

    private void collected() {
      if (!closed) {
        REPORTED.incrementAndGet();
        LOG.log(
            System.Logger.Level.WARNING,
            "Cellar leak: " + what + " was never closed; its native memory stays allocated");
      }
    }
  }
}
