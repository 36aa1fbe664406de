// SPDX-License-Identifier: Apache-2.0
// VmemCache.java -- one native cache: a pool in a directory, on device DAX or in DRAM
package io.cellar.vmem;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * One cache of the native engine, with its pool in a directory (a file that disappears with the
 * cache, or, with {@link Builder#persistent()}, one that survives it), in one persistent pool file,
 * on a device-DAX character device, or in anonymous memory.
 *
 * <pre>{@code
 * try (VmemCache cache =
 *     VmemCache.builder().directory(Path.of("/mnt/pmem")).size(1L << 30).build()) {
 *   cache.put(key, value);
 *   long size = cache.get(key, directBuffer, 0);
 * }
 * }</pre>
 *
 * <p>Thread-safety: every method may be called by any number of threads at once. {@link #close()}
 * waits for calls in flight; calls after it throw {@code IllegalStateException("cache is closed")}.
 *
 * <p>Lifecycle: {@link #builder()}, {@link Builder#build()} maps the pool, {@link #close()} frees
 * it, or, while {@link Pin}s are open, the last pin's close does. A cache that is garbage collected
 * without {@code close()} is reported as a leak; its memory is not freed until the process ends.
 */
public final class VmemCache extends NativeCache {
  /** Smallest pool: 1 MiB ({@code VMEMCACHE_MIN_POOL}). */
  public static final long MIN_POOL_SIZE = 1L << 20;

  /** Largest pool: just under 2^56 bytes. */
  public static final long MAX_POOL_SIZE = (1L << 56) - 1;

  /** Smallest extent: 256 B ({@code VMEMCACHE_MIN_EXTENT}). */
  public static final long MIN_EXTENT_SIZE = 256;

  /** Longest owner tag of a persistent pool ({@code CELLAR_OWNER_MAX}). */
  public static final int MAX_OWNER_BYTES = 32;

  private VmemCache(long handle, String description, boolean journal, boolean persistent) {
    super(Native.KIND_CACHE, handle, description, journal, persistent);
  }

  /**
   * A builder with policy {@link Policy#LRU}, the engine's default size (1 MiB) and extent (256 B).
   *
   * @return a new builder; choose a medium before {@link Builder#build()}
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Evicts the least recently used entry.
   *
   * @return true when an entry was evicted, false when nothing can be (an empty cache, policy
   *     {@link Policy#NONE}, or every entry pinned)
   * @throws IllegalStateException when the cache is closed
   * @throws CellarException for an engine error
   */
  public boolean evictLeastRecentlyUsed() {
    long h = enter();
    try {
      return Native.evictLeastRecentlyUsed(h);
    } finally {
      exit();
    }
  }

  /**
   * All counters, read at once.
   *
   * @return the statistics
   * @throws IllegalStateException when the cache is closed
   */
  public CacheStats stats() {
    long[] out = new long[CacheStats.FIELDS];
    long h = enter();
    try {
      Native.stats(h, out);
    } finally {
      exit();
    }
    return CacheStats.of(out);
  }

  /**
   * Facts about the pool's medium.
   *
   * @return the media facts
   * @throws IllegalStateException when the cache is closed
   */
  public MediaInfo media() {
    int[] out = new int[MediaInfo.FIELDS];
    long h = enter();
    try {
      Native.media(h, out);
    } finally {
      exit();
    }
    return MediaInfo.of(out);
  }

  @Override
  public Optional<ReattachReport> reattach() {
    long[] out = new long[Native.REATTACH_OUT_LENGTH];
    String[] text;
    long h = enter();
    try {
      text = Native.reattach(h, out);
    } finally {
      exit();
    }
    return text == null ? Optional.empty() : Optional.of(ReattachReport.of(text, out));
  }

  /** The native handle, for a {@link TierStack} built over this cache. Caller holds a ref. */
  long handleForTier() {
    long h = enter();
    exit();
    return h;
  }

  @Override
  void destroy(long handle) {
    Native.delete(handle);
  }

  /**
   * Configures and builds a {@link VmemCache}. Each setter checks its argument at once; {@link
   * #build()} checks them together. Not thread-safe; a builder may build several caches.
   */
  public static final class Builder {
    private enum Medium {
      DIRECTORY,
      POOL_FILE,
      DEVDAX,
      DRAM
    }

    private Medium medium;
    private Path path;
    private long size;
    private long extentSize;
    private Policy policy = Policy.LRU;
    private long putWaitMillis = -1;
    private boolean persistent;
    private byte[] owner;
    private int journalCapacity;

    private Builder() {}

    /**
     * Puts the pool in a new file in {@code dir}, gone when the cache is closed or the process
     * ends. Replaces any medium chosen before.
     *
     * @param dir an existing, writable directory
     * @return this builder
     * @throws IllegalArgumentException when {@code dir} is null
     */
    public Builder directory(Path dir) {
      if (dir == null) {
        throw new IllegalArgumentException("directory is null");
      }
      this.medium = Medium.DIRECTORY;
      this.path = dir;
      return this;
    }

    /**
     * Makes the {@link #directory(Path)} pool persistent: the cache takes the first file {@code
     * <dir>/cellar-<n>.pool} no other process or cache holds, preferring one with contents (so a
     * restarted executor finds its predecessor's entries), else creates the next free name. The
     * file survives the cache; {@link #close()} closes it cleanly and a later cache reattaches it
     * (see {@link ReattachReport}). An existing pool keeps its own size and extent size.
     *
     * @return this builder
     */
    public Builder persistent() {
      this.persistent = true;
      return this;
    }

    /**
     * Tags the persistent pool with its owner ({@code cellar_set_owner}): a new pool records the
     * tag, and a {@link #directory(Path)} pool reattaches only files of the same owner, passing
     * over the others (another owner makes a pool of its own beside them); a {@link
     * #poolFile(Path)} of another owner fails with {@link CacheIOException} ({@code EACCES}) and
     * is left untouched. Default: no tag, which is an owner of its own.
     *
     * @param tag 1 to {@link #MAX_OWNER_BYTES} bytes (copied), for example a digest of the
     *     principal whose data the pool holds
     * @return this builder
     * @throws IllegalArgumentException when {@code tag} is null, empty or too long
     */
    public Builder owner(byte[] tag) {
      if (tag == null || tag.length == 0 || tag.length > MAX_OWNER_BYTES) {
        throw new IllegalArgumentException("owner tag must have 1 to " + MAX_OWNER_BYTES
            + " bytes, had " + (tag == null ? "none" : tag.length));
      }
      this.owner = tag.clone();
      return this;
    }

    /**
     * Puts the pool in one persistent file, created when absent (its directory must exist), held
     * by this cache alone: a second cache on it fails with {@link PoolLockedException}. As {@link
     * #persistent()} otherwise. Replaces any medium chosen before.
     *
     * @param file the pool file
     * @return this builder
     * @throws IllegalArgumentException when {@code file} is null or a directory
     */
    public Builder poolFile(Path file) {
      if (file == null) {
        throw new IllegalArgumentException("pool file is null");
      }
      if (Files.isDirectory(file)) {
        throw new IllegalArgumentException(
            "pool file " + file + " is a directory; use directory(Path).persistent()");
      }
      this.medium = Medium.POOL_FILE;
      this.path = file;
      return this;
    }

    /**
     * Keeps a journal of the keys that leave the cache (LRU evictions and {@link #evict}), read
     * with {@link ByteCache#drainEvicted(int)}. When it is full, later keys are not kept and the
     * next drain reports an overflow. Not for a tier of a {@link TierStack}: use {@link
     * TierStack.Builder#evictionJournal(int)}, which does not count demotions.
     *
     * @param capacity most keys held between two drains, 1 or more
     * @return this builder
     * @throws IllegalArgumentException when {@code capacity} is less than 1
     */
    public Builder evictionJournal(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("evictionJournal capacity must be 1 or more, was " + capacity);
      }
      this.journalCapacity = capacity;
      return this;
    }

    /** The journal capacity asked for, 0 for none (a tier stack refuses one). */
    int journalCapacity() {
      return journalCapacity;
    }

    /**
     * Maps a device-DAX character device (whole, or {@link #size(long)} bytes of it). Replaces any
     * medium chosen before.
     *
     * @param device the device, e.g. {@code /dev/dax0.0}
     * @return this builder
     * @throws IllegalArgumentException when {@code device} is null or a directory
     */
    public Builder devdax(Path device) {
      if (device == null) {
        throw new IllegalArgumentException("devdax device is null");
      }
      if (Files.isDirectory(device)) {
        throw new IllegalArgumentException(
            "devdax device " + device + " is a directory; use directory(Path) for a file pool");
      }
      this.medium = Medium.DEVDAX;
      this.path = device;
      return this;
    }

    /**
     * Puts the pool in anonymous memory: no file at all. Replaces any medium chosen before.
     *
     * @return this builder
     */
    public Builder dram() {
      this.medium = Medium.DRAM;
      this.path = null;
      return this;
    }

    /**
     * The pool's size; the engine rounds it up to the page size. Default: 1 MiB for a directory or
     * DRAM pool, the whole device for device DAX.
     *
     * @param bytes from {@link #MIN_POOL_SIZE} to {@link #MAX_POOL_SIZE}
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder size(long bytes) {
      if (bytes < MIN_POOL_SIZE || bytes > MAX_POOL_SIZE) {
        throw new IllegalArgumentException(
            "size must be from "
                + MIN_POOL_SIZE
                + " (1 MiB) to "
                + MAX_POOL_SIZE
                + " (2^56 - 1) bytes, was "
                + bytes);
      }
      this.size = bytes;
      return this;
    }

    /**
     * The allocation unit: a value takes whole extents. Default 256 B.
     *
     * @param bytes at least {@link #MIN_EXTENT_SIZE}, and at most the pool size
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder extentSize(long bytes) {
      if (bytes < MIN_EXTENT_SIZE || bytes > MAX_POOL_SIZE) {
        throw new IllegalArgumentException(
            "extentSize must be from " + MIN_EXTENT_SIZE + " bytes to the pool size, was " + bytes);
      }
      this.extentSize = bytes;
      return this;
    }

    /**
     * The replacement policy. Default {@link Policy#LRU}.
     *
     * @param policy the policy
     * @return this builder
     * @throws IllegalArgumentException when {@code policy} is null
     */
    public Builder policy(Policy policy) {
      if (policy == null) {
        throw new IllegalArgumentException(
            "policy is null; allowed: " + Arrays.toString(Policy.values()));
      }
      this.policy = policy;
      return this;
    }

    /**
     * How long a put may wait for pins of evicted entries to release the space it needs before
     * failing with {@link CacheFullException} ({@code cellar_set_put_wait}); the engine's default
     * is 1000 ms.
     *
     * @param millis 0 or more
     * @return this builder
     * @throws IllegalArgumentException when {@code millis} is negative
     */
    public Builder putWaitMillis(long millis) {
      if (millis < 0) {
        throw new IllegalArgumentException("putWaitMillis " + millis + " is negative");
      }
      this.putWaitMillis = millis;
      return this;
    }

    /**
     * Loads the native library if needed, creates the cache and maps its pool.
     *
     * @return the open cache
     * @throws IllegalArgumentException when no medium was chosen, or the extent is larger than the
     *     pool
     * @throws CacheIOException when the pool's path is missing, not a directory, not writable, ...
     * @throws CacheFullException when the file system cannot hold the pool
     * @throws CellarException for any other engine error (ENOMEM: no memory for a DRAM pool)
     * @throws UnsatisfiedLinkError when the native library cannot be loaded
     */
    public VmemCache build() {
      if (medium == null) {
        throw new IllegalArgumentException(
            "no medium chosen: call directory(Path), poolFile(Path), devdax(Path) or dram()");
      }
      if (persistent && medium != Medium.DIRECTORY) {
        throw new IllegalArgumentException(
            "persistent() needs directory(Path); poolFile(Path) is persistent by itself, "
                + medium.name().toLowerCase(Locale.ROOT)
                + " pools cannot be");
      }
      boolean durable = persistent || medium == Medium.POOL_FILE;
      long poolSize = size == 0 ? MIN_POOL_SIZE : size;
      if (extentSize > poolSize && !(medium == Medium.DEVDAX && size == 0)) {
        throw new IllegalArgumentException(
            "extentSize " + extentSize + " is larger than the pool size " + poolSize);
      }
      NativeLoader.ensureLoaded();
      byte[] nativePath = path == null ? null : pathBytes(path);
      long handle =
          Native.open(
              policy.nativeValue(),
              size,
              extentSize,
              nativePath,
              durable ? Native.MODE_PERSISTENT : Native.MODE_TEMPORARY,
              journalCapacity,
              durable ? owner : null);
      if (putWaitMillis >= 0) {
        Native.setPutWait(handle, putWaitMillis);
      }
      return new VmemCache(handle, describe(), journalCapacity > 0, durable);
    }

    private String describe() {
      String where =
          medium == Medium.DRAM
              ? "dram"
              : medium.name().toLowerCase(Locale.ROOT)
                  + (persistent ? " persistent " : " ")
                  + path;
      return "VmemCache["
          + where
          + ", size "
          + (size == 0 ? "default" : size + " B")
          + ", extent "
          + (extentSize == 0 ? "default" : extentSize + " B")
          + ", "
          + policy
          + "]";
    }

    /** The path as the OS sees it: encoded like the JDK's own file calls, NUL-free. */
    private static byte[] pathBytes(Path p) {
      String s = p.toString();
      if (s.indexOf('\0') >= 0) {
        throw new IllegalArgumentException(
            "path contains a NUL character: " + s.replace('\0', '?'));
      }
      String jnu = System.getProperty("sun.jnu.encoding");
      Charset cs = StandardCharsets.UTF_8;
      if (jnu != null && Charset.isSupported(jnu)) {
        cs = Charset.forName(jnu);
      }
      return s.getBytes(cs);
    }
  }
}
