// SPDX-License-Identifier: Apache-2.0
// ReattachReport.java -- what opening a persistent pool found and did (struct cellar_reattach)
package io.cellar.vmem;

import java.nio.file.Path;

/**
 * What opening a persistent pool found and did; mirrors the engine's {@code struct
 * cellar_reattach}. A pool that could not be reattached was renamed to {@code
 * <file>.bad-<seconds>-<pid>} and replaced by a new one: {@link State#RECREATED}, with the reason in
 * {@link #message()}, which callers should log as a warning.
 *
 * @param poolFile the pool file
 * @param state how the pool was attached
 * @param entriesRecovered entries found intact and indexed
 * @param entriesDropped entry headers found but rejected (torn, corrupt, stale or duplicate)
 * @param bytesRecovered value bytes of the recovered entries
 * @param elapsedNanos time to open and reattach
 * @param message what happened, in words
 */
public record ReattachReport(
    Path poolFile,
    State state,
    long entriesRecovered,
    long entriesDropped,
    long bytesRecovered,
    long elapsedNanos,
    String message) {

  /** How a persistent pool was attached ({@code enum cellar_pool_state}). */
  public enum State {
    /** A new, empty file. */
    NEW,
    /** Reattached after a clean close: headers checked, values checked at their first read. */
    CLEAN,
    /** Reattached after an unclean stop: flagged extents checked, values at their first read. */
    RECOVERED,
    /** The old file was set aside as unusable and a new one made. */
    RECREATED
  }

  static ReattachReport of(String[] text, long[] v) {
    return new ReattachReport(
        Path.of(text[0]),
        State.values()[(int) v[Native.REATTACH_STATE]],
        v[Native.REATTACH_RECOVERED],
        v[Native.REATTACH_DROPPED],
        v[Native.REATTACH_BYTES],
        v[Native.REATTACH_NANOS],
        text[1]);
  }
}
