// SPDX-License-Identifier: Apache-2.0
// ErrorCode.java -- the Java side of the engine's error code table (errno values)
package io.cellar.vmem;

import java.util.HashMap;
import java.util.Map;

/**
 * The errors the engine reports, by their {@code errno} name and Linux number.
 *
 * <p>The engine follows libvmemcache's convention: a failing call sets {@code errno}, and the
 * calling thread's {@code vmemcache_errormsg()} describes it. The C side of this table is the
 * engine's {@code cellar_errno_name()}, which gives the same names; a unit test drives every
 * constant through the native glue and checks both. The numbers are Linux's generic ones, the same
 * on x86_64 and aarch64. The two tables list the same codes: add a code to both or to neither.
 *
 * <p>Which exception a code becomes is documented on {@link CellarException}.
 */
public enum ErrorCode {
  /** Operation not permitted. */
  EPERM(1),
  /** No such file or directory (a missing pool directory). */
  ENOENT(2),
  /** No such process (nothing can be evicted). */
  ESRCH(3),
  /** Input/output error. */
  EIO(5),
  /** No such device or address. */
  ENXIO(6),
  /** Resource temporarily unavailable. */
  EAGAIN(11),
  /** Cannot allocate memory. */
  ENOMEM(12),
  /** Permission denied. */
  EACCES(13),
  /** Device or resource busy (a cache that already has a pool). */
  EBUSY(16),
  /** File exists (a put of a present key; the Java API returns {@code false} instead). */
  EEXIST(17),
  /** No such device. */
  ENODEV(19),
  /** Not a directory (a pool path that is a regular file). */
  ENOTDIR(20),
  /** Invalid argument. */
  EINVAL(22),
  /** Too many open files in system. */
  ENFILE(23),
  /** Too many open files. */
  EMFILE(24),
  /** File too large. */
  EFBIG(27),
  /** No space left on device (a full cache, or a pool the file system cannot hold). */
  ENOSPC(28),
  /** Read-only file system. */
  EROFS(30),
  /** Numerical result out of range. */
  ERANGE(34),
  /** Value too large for defined data type (a value too large for a {@code byte[]}). */
  EOVERFLOW(75),
  /** Operation not supported. */
  EOPNOTSUPP(95),
  /** Connection timed out. */
  ETIMEDOUT(110),
  /** Operation already in progress (a setter called after the pool was added). */
  EALREADY(114),
  /** A code this table does not know; {@link CellarException#errno()} has the number. */
  UNKNOWN(-1);

  private static final Map<Integer, ErrorCode> BY_ERRNO = new HashMap<>();

  static {
    for (ErrorCode code : values()) {
      if (code != UNKNOWN) {
        BY_ERRNO.put(code.errno, code);
      }
    }
  }

  private final int errno;

  ErrorCode(int errno) {
    this.errno = errno;
  }

  /**
   * The Linux {@code errno} value of this code.
   *
   * @return the number, or -1 for {@link #UNKNOWN}
   */
  public int errno() {
    return errno;
  }

  /**
   * The code of an {@code errno} value.
   *
   * @param errno a Linux errno value
   * @return its code, or {@link #UNKNOWN} when the table has none
   */
  public static ErrorCode of(int errno) {
    return BY_ERRNO.getOrDefault(errno, UNKNOWN);
  }
}
