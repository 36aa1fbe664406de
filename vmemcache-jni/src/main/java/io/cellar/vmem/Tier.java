// SPDX-License-Identifier: Apache-2.0
// Tier.java -- what one tier of a TierStack is made of: its pool's medium, size, extent and policy
package io.cellar.vmem;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The description of one tier of a {@link TierStack}: its pool in a directory (a file that
 * disappears with the stack, or, with {@link #persistent()}, one that survives it), in one
 * persistent pool file, on a device-DAX character device, or in anonymous memory. A single cache is
 * a stack of one tier:
 *
 * <pre>{@code
 * try (TierStack cache = Tier.directory(Path.of("/mnt/pmem")).size(1L << 30).open()) {
 *   cache.put(key, value);
 *   long size = cache.get(key, directBuffer, 0);
 * }
 * }</pre>
 *
 * <p>Start from the medium ({@link #dram()}, {@link #directory(Path)}, {@link #poolFile(Path)},
 * {@link #devdax(Path)}); each setter checks its argument at once, opening checks them together.
 * A description is a plain value: not thread-safe, and it may open several stacks (each gets its
 * own pool). Nothing native exists until {@link #open()} or {@link TierStack#of(List)}.
 */
public final class Tier {
  /** Smallest pool: 1 MiB ({@code VMEMCACHE_MIN_POOL}). */
  public static final long MIN_POOL_SIZE = 1L << 20;

  /** Largest pool: just under 2^56 bytes. */
  public static final long MAX_POOL_SIZE = (1L << 56) - 1;

  /** Smallest extent: 256 B ({@code VMEMCACHE_MIN_EXTENT}). */
  public static final long MIN_EXTENT_SIZE = 256;

  /** Longest owner tag of a persistent pool ({@code CELLAR_OWNER_MAX}). */
  public static final int MAX_OWNER_BYTES = 32;

  private enum Medium {
    DIRECTORY,
    POOL_FILE,
    DEVDAX,
    DRAM
  }

  private final Medium medium;
  private final Path path;
  private long size;
  private long extentSize;
  private Policy policy = Policy.LRU;
  private long putWaitMillis = -1;
  private boolean persistent;
  private byte[] owner;

  private Tier(Medium medium, Path path) {
    this.medium = medium;
    this.path = path;
  }

  /**
   * A pool in anonymous memory: no file at all. Policy {@link Policy#LRU}, the engine's default
   * size (1 MiB) and extent (256 B) until set.
   *
   * @return a new description
   */
  public static Tier dram() {
    return new Tier(Medium.DRAM, null);
  }

  /**
   * A pool in a new file in {@code dir}, gone when the stack is closed or the process ends (unless
   * {@link #persistent()}).
   *
   * @param dir an existing, writable directory
   * @return a new description
   * @throws IllegalArgumentException when {@code dir} is null
   */
  public static Tier directory(Path dir) {
    if (dir == null) {
      throw new IllegalArgumentException("directory is null");
    }
    return new Tier(Medium.DIRECTORY, dir);
  }

  /**
   * A pool in one persistent file, created when absent (its directory must exist), held by this
   * tier alone: a second stack on it fails with {@link PoolLockedException}. As {@link
   * #persistent()} otherwise.
   *
   * @param file the pool file
   * @return a new description
   * @throws IllegalArgumentException when {@code file} is null or a directory
   */
  public static Tier poolFile(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("pool file is null");
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(
          "pool file " + file + " is a directory; use directory(Path).persistent()");
    }
    return new Tier(Medium.POOL_FILE, file);
  }

  /**
   * A pool on a device-DAX character device (whole, or {@link #size(long)} bytes of it).
   *
   * @param device the device, e.g. {@code /dev/dax0.0}
   * @return a new description
   * @throws IllegalArgumentException when {@code device} is null or a directory
   */
  public static Tier devdax(Path device) {
    if (device == null) {
      throw new IllegalArgumentException("devdax device is null");
    }
    if (Files.isDirectory(device)) {
      throw new IllegalArgumentException(
          "devdax device " + device + " is a directory; use directory(Path) for a file pool");
    }
    return new Tier(Medium.DEVDAX, device);
  }

  /**
   * Makes the {@link #directory(Path)} pool persistent: the tier takes the first file {@code
   * <dir>/cellar-<n>.pool} no other process or cache holds, preferring one with contents (so a
   * restarted executor finds its predecessor's entries), else creates the next free name. The file
   * survives the stack; {@link TierStack#close()} closes it cleanly and a later stack reattaches it
   * (see {@link ReattachReport}). An existing pool keeps its own size and extent size.
   *
   * @return this description
   */
  public Tier persistent() {
    this.persistent = true;
    return this;
  }

  /**
   * Tags the persistent pool with its owner ({@code cellar_set_owner}): a new pool records the
   * tag, and a {@link #directory(Path)} pool reattaches only files of the same owner, passing over
   * the others (another owner makes a pool of its own beside them); a {@link #poolFile(Path)} of
   * another owner fails with {@link CacheIOException} ({@code EACCES}) and is left untouched.
   * Default: no tag, which is an owner of its own.
   *
   * @param tag 1 to {@link #MAX_OWNER_BYTES} bytes (copied), for example a digest of the principal
   *     whose data the pool holds
   * @return this description
   * @throws IllegalArgumentException when {@code tag} is null, empty or too long
   */
  public Tier owner(byte[] tag) {
    if (tag == null || tag.length == 0 || tag.length > MAX_OWNER_BYTES) {
      throw new IllegalArgumentException("owner tag must have 1 to " + MAX_OWNER_BYTES
          + " bytes, had " + (tag == null ? "none" : tag.length));
    }
    this.owner = tag.clone();
    return this;
  }

  /**
   * The pool's size; the engine rounds it up to the page size. Default: 1 MiB for a directory or
   * DRAM pool, the whole device for device DAX.
   *
   * @param bytes from {@link #MIN_POOL_SIZE} to {@link #MAX_POOL_SIZE}
   * @return this description
   * @throws IllegalArgumentException when out of range
   */
  public Tier size(long bytes) {
    if (bytes < MIN_POOL_SIZE || bytes > MAX_POOL_SIZE) {
      throw new IllegalArgumentException("size must be from " + MIN_POOL_SIZE + " (1 MiB) to "
          + MAX_POOL_SIZE + " (2^56 - 1) bytes, was " + bytes);
    }
    this.size = bytes;
    return this;
  }

  /**
   * The allocation unit: a value takes whole extents. Default 256 B.
   *
   * @param bytes at least {@link #MIN_EXTENT_SIZE}, and at most the pool size
   * @return this description
   * @throws IllegalArgumentException when out of range
   */
  public Tier extentSize(long bytes) {
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
   * @return this description
   * @throws IllegalArgumentException when {@code policy} is null
   */
  public Tier policy(Policy policy) {
    if (policy == null) {
      throw new IllegalArgumentException(
          "policy is null; allowed: " + Arrays.toString(Policy.values()));
    }
    this.policy = policy;
    return this;
  }

  /**
   * How long a put may wait for pins of evicted entries to release the space it needs before
   * failing with {@link CacheFullException} ({@code cellar_set_put_wait}); the engine's default is
   * 1000 ms.
   *
   * @param millis 0 or more
   * @return this description
   * @throws IllegalArgumentException when {@code millis} is negative
   */
  public Tier putWaitMillis(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("putWaitMillis " + millis + " is negative");
    }
    this.putWaitMillis = millis;
    return this;
  }

  /**
   * Opens a stack of this one tier: the single-cache case, {@code TierStack.of(List.of(this))}.
   *
   * @return the open stack
   * @throws IllegalArgumentException as {@link TierStack#of(List)}
   * @throws CellarException as {@link TierStack#of(List)}
   * @throws UnsatisfiedLinkError when the native library cannot be loaded
   */
  public TierStack open() {
    return TierStack.of(List.of(this));
  }

  /** Whether the pool survives the stack: {@link #persistent()} or a {@link #poolFile(Path)}. */
  boolean durable() {
    return persistent || medium == Medium.POOL_FILE;
  }

  /**
   * Checks the settings together, as tier {@code index} of a stack.
   *
   * @throws IllegalArgumentException when they do not go together
   */
  void check(int index) {
    if (persistent && medium != Medium.DIRECTORY) {
      throw new IllegalArgumentException("tier " + index
          + ": persistent() needs directory(Path); poolFile(Path) is persistent by itself, "
          + medium.name().toLowerCase(Locale.ROOT) + " pools cannot be");
    }
    long poolSize = size == 0 ? MIN_POOL_SIZE : size;
    if (extentSize > poolSize && !(medium == Medium.DEVDAX && size == 0)) {
      throw new IllegalArgumentException("tier " + index + ": extentSize " + extentSize
          + " is larger than the pool size " + poolSize);
    }
  }

  /** Writes the numbers {@link Native#stackOpen} reads for this tier at {@code out[at...]}. */
  void settings(long[] out, int at) {
    out[at + Native.TIER_POLICY] = policy.nativeValue();
    out[at + Native.TIER_SIZE] = size;
    out[at + Native.TIER_EXTENT] = extentSize;
    out[at + Native.TIER_MODE] = durable() ? Native.MODE_PERSISTENT : Native.MODE_TEMPORARY;
    out[at + Native.TIER_PUT_WAIT] = putWaitMillis;
  }

  /** The owner tag the native open gets: only a durable pool records one. */
  byte[] nativeOwner() {
    return durable() ? owner : null;
  }

  /** The path as the OS sees it (encoded like the JDK's own file calls, NUL-free), null for DRAM. */
  byte[] nativePath() {
    if (path == null) {
      return null;
    }
    String s = path.toString();
    if (s.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("path contains a NUL character: " + s.replace('\0', '?'));
    }
    String jnu = System.getProperty("sun.jnu.encoding");
    Charset cs = StandardCharsets.UTF_8;
    if (jnu != null && Charset.isSupported(jnu)) {
      cs = Charset.forName(jnu);
    }
    return s.getBytes(cs);
  }

  @Override
  public String toString() {
    String where =
        medium == Medium.DRAM
            ? "dram"
            : medium.name().toLowerCase(Locale.ROOT) + (persistent ? " persistent " : " ") + path;
    return "Tier[" + where
        + ", size " + (size == 0 ? "default" : size + " B")
        + ", extent " + (extentSize == 0 ? "default" : extentSize + " B")
        + ", " + policy + "]";
  }
}
