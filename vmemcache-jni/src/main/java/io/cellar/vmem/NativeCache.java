// SPDX-License-Identifier: Apache-2.0
// NativeCache.java -- TierStack's base: the native stack handle, its lifecycle and the data path
package io.cellar.vmem;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The native stack handle ({@code cellar_tier *}) of a {@link TierStack}, its only subclass, and
 * the rules around it: the data path and the lifecycle, apart from what concerns tiers. Every call
 * takes the read lock and checks that the cache is open; {@link #close()} takes the write lock, so
 * it waits for calls in flight and later calls throw {@code IllegalStateException("cache is
 * closed")}.
 *
 * <p>Native memory is freed when the last reference goes: the cache holds one, each open {@link
 * Pin} one. So a cache closed while pins are open is freed by the last pin's close, and a pin never
 * reads unmapped memory. A persistent pool is closed cleanly by that free; so that a pin that is
 * never closed (leaked, or held by a thread that never ends) cannot keep it from ever being clean,
 * {@link #close()} waits up to {@link #PIN_WAIT_AT_CLOSE_MILLIS} for open pins and then seals the
 * pool as it is (see {@link #close()}).
 */
abstract class NativeCache implements ByteCache {
  /** How long {@link #close()} waits for open pins before it seals a persistent pool. */
  static final long PIN_WAIT_AT_CLOSE_MILLIS = 2000;

  private static final System.Logger LOG = System.getLogger("io.cellar.vmem");

  private final long handle;
  private final String description;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final AtomicLong refs = new AtomicLong(1);
  private final Leaks.Tracker leak;
  private final boolean journal;
  private final boolean persistent;
  private final Object freeing = new Object(); // the free and a seal never overlap
  private boolean freed; // under freeing
  private boolean closed; // written under the write lock, read under the read lock

  NativeCache(long handle, String description, boolean journal, boolean persistent) {
    this.handle = handle;
    this.description = description;
    this.journal = journal;
    this.persistent = persistent;
    this.leak = Leaks.track(this, description);
  }

  /** Whether a tier of the stack has a persistent pool. */
  final boolean persistent() {
    return persistent;
  }

  /**
   * Takes the read lock and returns the handle.
   *
   * @throws IllegalStateException when the cache is closed (the lock is then not held)
   */
  final long enter() {
    lock.readLock().lock();
    if (closed) {
      lock.readLock().unlock();
      throw new IllegalStateException("cache is closed");
    }
    return handle;
  }

  /** Releases the read lock taken by {@link #enter()}. */
  final void exit() {
    lock.readLock().unlock();
  }

  /** Drops one reference; the last one frees the native object. */
  final void release() {
    if (refs.decrementAndGet() == 0) {
      synchronized (freeing) {
        freed = true;
        Native.stackDelete(handle); // the stack, then its caches, top to bottom
      }
    }
  }

  @Override
  public boolean put(byte[] key, byte[] value) {
    checkKey(key);
    checkValue(value);
    long h = enter();
    try {
      return Native.put(h, key, value, 0, value.length);
    } finally {
      exit();
    }
  }

  @Override
  public boolean put(byte[] key, ByteBuffer value) {
    checkKey(key);
    checkValue(value);
    if (!value.isDirect() && !value.hasArray()) {
      return put(key, copyOf(value));
    }
    long h = enter();
    try {
      if (value.isDirect()) {
        return Native.putDirect(h, key, value, value.position(), value.remaining());
      }
      return Native.put(
          h, key, value.array(), value.arrayOffset() + value.position(), value.remaining());
    } finally {
      exit();
    }
  }

  @Override
  public boolean putGather(byte[] key, long[] addresses, long[] lengths) {
    checkKey(key);
    if (addresses == null || lengths == null || addresses.length != lengths.length) {
      throw new IllegalArgumentException(
          "addresses and lengths must be non-null arrays of the same length");
    }
    long h = enter();
    try {
      return Native.putGather(h, key, addresses, lengths);
    } finally {
      exit();
    }
  }

  @Override
  public void replace(byte[] key, byte[] value) {
    checkKey(key);
    checkValue(value);
    long h = enter();
    try {
      Native.replace(h, key, value, 0, value.length);
    } finally {
      exit();
    }
  }

  @Override
  public void replace(byte[] key, ByteBuffer value) {
    checkKey(key);
    checkValue(value);
    if (!value.isDirect() && !value.hasArray()) {
      replace(key, copyOf(value));
      return;
    }
    long h = enter();
    try {
      if (value.isDirect()) {
        Native.replaceDirect(h, key, value, value.position(), value.remaining());
      } else {
        Native.replace(
            h, key, value.array(), value.arrayOffset() + value.position(), value.remaining());
      }
    } finally {
      exit();
    }
  }

  @Override
  public long get(byte[] key, ByteBuffer dst, long valueOffset) {
    checkKey(key);
    if (dst == null) {
      throw new IllegalArgumentException("dst is null");
    }
    if (dst.isReadOnly()) {
      throw new IllegalArgumentException("dst is read-only; a get needs a writable buffer");
    }
    checkValueOffset(valueOffset);
    int pos = dst.position();
    int len = dst.remaining();
    long size;
    long h = enter();
    try {
      size =
          dst.isDirect()
              ? Native.getDirect(h, key, dst, pos, len, valueOffset)
              : Native.get(h, key, dst.array(), dst.arrayOffset() + pos, len, valueOffset);
    } finally {
      exit();
    }
    if (size != MISS) {
      dst.position(pos + (int) copied(size, valueOffset, len));
    }
    return size;
  }

  @Override
  public long get(byte[] key, byte[] dst, int off, int len, long valueOffset) {
    checkKey(key);
    if (dst == null) {
      throw new IllegalArgumentException("dst is null");
    }
    if (off < 0 || len < 0 || len > dst.length - off) {
      throw new IllegalArgumentException(
          "range off=" + off + ", len=" + len + " is outside dst of " + dst.length + " bytes");
    }
    checkValueOffset(valueOffset);
    long h = enter();
    try {
      return Native.get(h, key, dst, off, len, valueOffset);
    } finally {
      exit();
    }
  }

  @Override
  public Optional<byte[]> get(byte[] key) {
    checkKey(key);
    long h = enter();
    try {
      return Optional.ofNullable(Native.getAll(h, key));
    } finally {
      exit();
    }
  }

  @Override
  public Optional<Pin> pin(byte[] key) {
    checkKey(key);
    long[] out = new long[Native.PIN_OUT_LENGTH];
    long h = enter();
    try {
      ByteBuffer[] pieces = Native.pin(h, key, out);
      if (pieces == null) {
        return Optional.empty();
      }
      refs.incrementAndGet(); // under the read lock: close() cannot have dropped the last ref
      return Optional.of(
          new Pin(
              this,
              out[Native.PIN_HANDLE],
              out[Native.PIN_SIZE],
              (int) out[Native.PIN_TIER],
              out[Native.PIN_PARTS] <= 1,
              out[Native.PIN_ADDRESS],
              pieces));
    } finally {
      exit();
    }
  }

  @Override
  public boolean exists(byte[] key) {
    return valueSize(key).isPresent();
  }

  @Override
  public OptionalLong valueSize(byte[] key) {
    checkKey(key);
    long size;
    long h = enter();
    try {
      size = Native.valueSize(h, key, null);
    } finally {
      exit();
    }
    return size < 0 ? OptionalLong.empty() : OptionalLong.of(size);
  }

  @Override
  public boolean evict(byte[] key) {
    checkKey(key);
    long h = enter();
    try {
      return Native.evict(h, key);
    } finally {
      exit();
    }
  }

  @Override
  public void forEachKey(Consumer<byte[]> action) {
    if (action == null) {
      throw new IllegalArgumentException("action is null");
    }
    byte[][] keys;
    long h = enter();
    try {
      keys = Native.keys(h);
    } finally {
      exit();
    }
    for (byte[] key : keys) {
      action.accept(key);
    }
  }

  @Override
  public EvictedKeys drainEvicted(int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be 1 or more, was " + maxKeys);
    }
    if (!journal) {
      throw new IllegalStateException(
          "no eviction journal: enable it with TierStack.Builder.evictionJournal(int)");
    }
    boolean[] overflow = new boolean[1];
    byte[][] keys;
    long h = enter();
    try {
      keys = Native.drainEvicted(h, maxKeys, overflow);
    } finally {
      exit();
    }
    return new EvictedKeys(Arrays.asList(keys), overflow[0]);
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      lock.writeLock().unlock();
    }
    leak.closed();
    release();
    if (persistent) {
      sealIfPinned();
    }
  }

  /**
   * Waits up to {@link #PIN_WAIT_AT_CLOSE_MILLIS} for the open pins to close (the last one frees
   * the cache and closes its pool cleanly); if some are still open then, seals the persistent
   * pools as they are: entries that left the cache while pinned are cleared from the pool, the
   * pool is made durable and marked clean, so a restart reattaches it clean even if those pins are
   * never closed. The pins go on reading their values; their native memory is freed by the last
   * one's close, as before.
   */
  private void sealIfPinned() {
    long start = System.nanoTime();
    long waitNanos = PIN_WAIT_AT_CLOSE_MILLIS * 1_000_000L;
    boolean interrupted = false;
    while (refs.get() > 0 && System.nanoTime() - start < waitNanos && !interrupted) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    synchronized (freeing) {
      if (!freed) {
        long pins = refs.get();
        long waited = (System.nanoTime() - start) / 1_000_000L;
        try {
          int pools = Native.seal(handle);
          LOG.log(
              System.Logger.Level.WARNING,
              "{0}: closed with {1} pin(s) still open after {2} ms; sealed its {3} persistent"
                  + " pool(s) as they are, so a restart finds them clean; the pins keep their"
                  + " values, and the last one to close frees the cache",
              description,
              pins,
              waited,
              pools);
        } catch (CellarException e) {
          LOG.log(
              System.Logger.Level.WARNING,
              description
                  + ": closed with pins still open, and sealing its persistent pool failed; a"
                  + " restart recovers it as after a crash",
              e);
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether {@link #close()} was called; native memory may live on until open pins close.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    lock.readLock().lock();
    try {
      return closed;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public String toString() {
    return description + (isClosed() ? " (closed)" : "");
  }

  static void checkKey(byte[] key) {
    if (key == null) {
      throw new IllegalArgumentException("key is null");
    }
    if (key.length == 0) {
      throw new IllegalArgumentException("key is empty; keys need at least 1 byte");
    }
  }

  private static void checkValue(Object value) {
    if (value == null) {
      throw new IllegalArgumentException("value is null");
    }
  }

  private static void checkValueOffset(long valueOffset) {
    if (valueOffset < 0) {
      throw new IllegalArgumentException("valueOffset must be 0 or more, was " + valueOffset);
    }
  }

  /** Bytes a get copied: what is left of the value past the offset, at most {@code len}. */
  static long copied(long size, long valueOffset, long len) {
    return valueOffset >= size ? 0 : Math.min(len, size - valueOffset);
  }

  private static byte[] copyOf(ByteBuffer value) {
    byte[] copy = new byte[value.remaining()];
    value.duplicate().get(copy);
    return copy;
  }
}
