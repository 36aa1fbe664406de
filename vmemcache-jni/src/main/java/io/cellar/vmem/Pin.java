// SPDX-License-Identifier: Apache-2.0
// Pin.java -- a pinned entry: zero-copy, read-only views of a value's memory
package io.cellar.vmem;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pinned cache entry: read-only {@link ByteBuffer} views of the value's memory in the pool, valid
 * and unchanged until {@link #close()}, even if the entry is evicted or replaced meanwhile.
 *
 * <p><b>The buffers must not be used after {@code close()}.</b> They point into native memory that
 * the engine reuses once the pin is released, or unmaps when the cache is gone; reading them then
 * returns other data or crashes the JVM. Copy what must outlive the pin.
 *
 * <p>Lifecycle: from {@link ByteCache#pin(byte[])} to {@code close()}, which is idempotent. A pin
 * keeps its cache's native memory alive: closing the cache while pins are open defers freeing it to
 * the last pin's close. A pin that is garbage collected without {@code close()} is reported as a
 * leak and its memory stays pinned.
 *
 * <p>Thread-safety: the accessors and {@code close()} may be called from any thread; each call of
 * {@link #buffer()} or {@link #buffers()} returns new buffer objects, so threads do not share
 * positions. Closing while another thread still reads the buffers is the caller's error.
 */
public final class Pin implements AutoCloseable {
  private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0).asReadOnlyBuffer();

  private final NativeCache owner;
  private final long handle;
  private final long size;
  private final int tier;
  private final boolean contiguous;
  private final long address;
  private final ByteBuffer[] pieces;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Leaks.Tracker leak;

  Pin(
      NativeCache owner,
      long handle,
      long size,
      int tier,
      boolean oneEnginePiece,
      long address,
      ByteBuffer[] pieces) {
    this.owner = owner;
    this.handle = handle;
    this.size = size;
    this.tier = tier;
    this.contiguous = oneEnginePiece && pieces.length <= 1;
    this.address = address;
    this.pieces = pieces;
    this.leak = Leaks.track(this, "pin of " + size + " B in " + owner);
  }

  /**
   * The value's full size.
   *
   * @return bytes, the sum of the buffers' capacities
   */
  public long size() {
    return size;
  }

  /**
   * Whether the value is one piece of memory, so {@link #buffer()} works. A fresh cache places
   * values contiguously whenever it can; a value over 1 GiB always comes in several buffers.
   *
   * @return true when the value is in a single buffer (an empty value counts as contiguous)
   */
  public boolean contiguous() {
    return contiguous;
  }

  /**
   * The native address of a contiguous value's first byte, for readers that access the pinned
   * memory directly (as {@code sun.misc.Unsafe}-style code does). The memory is read-only and
   * valid until this pin is closed.
   *
   * @return the address; 0 for an empty value
   * @throws IllegalStateException when the pin is closed or the value is not {@link #contiguous()}
   */
  public long address() {
    checkOpen();
    if (!contiguous) {
      throw new IllegalStateException(
          "value of " + size + " B is in " + pieces.length + " pieces, not contiguous");
    }
    return address;
  }

  /**
   * The tier of the {@link TierStack} that held the entry when it was pinned: 0 for the top (and
   * for a stack of one tier).
   *
   * @return the tier index, top is 0
   */
  public int tier() {
    return tier;
  }

  /**
   * The whole value as one read-only buffer, position 0, limit {@link #size()}.
   *
   * @return a new read-only view
   * @throws IllegalStateException when the pin is closed, or the value is not {@link #contiguous()}
   *     (use {@link #buffers()})
   */
  public ByteBuffer buffer() {
    checkOpen();
    if (!contiguous) {
      throw new IllegalStateException(
          "value of "
              + size
              + " B is in "
              + pieces.length
              + " pieces, not contiguous; use buffers()");
    }
    return pieces.length == 0 ? EMPTY.duplicate() : pieces[0].asReadOnlyBuffer();
  }

  /**
   * The value's pieces in order, each a read-only buffer with position 0 and limit its length.
   *
   * @return new read-only views; empty for an empty value
   * @throws IllegalStateException when the pin is closed
   */
  public ByteBuffer[] buffers() {
    checkOpen();
    ByteBuffer[] views = new ByteBuffer[pieces.length];
    for (int i = 0; i < pieces.length; i++) {
      views[i] = pieces[i].asReadOnlyBuffer();
    }
    return views;
  }

  /** Releases the pin; the buffers must no longer be used. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      Native.pinRelease(handle);
      leak.closed();
      owner.release();
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("pin is closed");
    }
  }
}
