// SPDX-License-Identifier: Apache-2.0
// InventoryDelta -- one executor's batch of row-group changes, as sent to the driver
package io.cellar.scheduler;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;

/**
 * A batch of changes to what one executor's cache holds, at row-group granularity, made by an
 * {@link InventoryTracker} and applied by a {@link CacheRegistry}. It travels Java-serialized
 * (Spark plugin messages), so the changes are one byte array rather than an object graph; the
 * format is described in {@code DeltaCodec}.
 *
 * <p>A full inventory ({@link #isFullInventory()}) replaces the driver's view of the executor
 * instead of amending it; a large one is split, and only the first part is marked full, the rest
 * being ordinary deltas that follow it. Deltas of one tracker carry its {@link #incarnation()}
 * and increasing sequence numbers, starting with a full inventory.
 *
 * <p>Immutable and thread-safe.
 */
public final class InventoryDelta implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Receives a delta's changes, file by file; see {@link InventoryDelta#forEach}. */
  public interface Visitor {
    /** The following changes concern this file, until the next call. */
    void file(FileId file);

    /** The executor now holds (some column chunks of) this row group. */
    void added(int rowGroup, long rowGroupStart, long rowGroupBytes);

    /** The executor no longer holds any column chunk of this row group. */
    void removed(int rowGroup);
  }

  private final String executorId;
  private final long incarnation;
  private final long sequence;
  private final boolean full;
  private final int changes;
  private final byte[] payload;

  InventoryDelta(
      String executorId, long incarnation, long sequence, boolean full, int changes,
      byte[] payload) {
    this.executorId = executorId;
    this.incarnation = incarnation;
    this.sequence = sequence;
    this.full = full;
    this.changes = changes;
    this.payload = payload;
  }

  /** The reporting executor's id, as Spark names it. */
  public String executorId() {
    return executorId;
  }

  /** A random number fixed for the life of the tracker that made this delta. */
  public long incarnation() {
    return incarnation;
  }

  /** The delta's position in its tracker's stream, from 1, increasing by one per delta. */
  public long sequence() {
    return sequence;
  }

  /** Whether this delta replaces the driver's view of the executor rather than amending it. */
  public boolean isFullInventory() {
    return full;
  }

  /** How many row-group changes the delta carries. */
  public int changes() {
    return changes;
  }

  /** The encoded changes' size in bytes, plus the fixed fields; about what goes on the wire. */
  public int sizeBytes() {
    return payload.length + executorId.length() + 8 + 8 + 1 + 4;
  }

  /**
   * Decodes the changes into {@code visitor}, in order.
   *
   * @throws IllegalArgumentException when the payload is malformed; callbacks made before the
   *     fault was found stay made, so a receiver that must not apply half a delta validates first
   *     with a visitor that does nothing
   */
  public void forEach(Visitor visitor) {
    DeltaCodec.decode(payload, visitor);
  }

  @Override
  public String toString() {
    return (full ? "InventoryDelta[full, " : "InventoryDelta[") + executorId + " #" + sequence
        + ", " + changes + " changes, " + payload.length + " bytes]";
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    if (executorId == null || payload == null || sequence < 1 || changes < 0) {
      throw new InvalidObjectException("malformed inventory delta");
    }
  }
}
