// SPDX-License-Identifier: Apache-2.0
// ErrorCodeTest.java -- every error code goes through the real glue and comes out as documented
package io.cellar.vmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorCodeTest {
  private static final Set<ErrorCode> IO =
      EnumSet.of(
          ErrorCode.EIO,
          ErrorCode.EACCES,
          ErrorCode.EPERM,
          ErrorCode.EROFS,
          ErrorCode.ENOTDIR,
          ErrorCode.ENOENT,
          ErrorCode.ENXIO,
          ErrorCode.ENODEV,
          ErrorCode.EFBIG,
          ErrorCode.EMFILE,
          ErrorCode.ENFILE);

  @BeforeAll
  static void load() {
    NativeLoader.ensureLoaded();
  }

  /** The class CellarException's Javadoc promises for a code. */
  private static Class<? extends RuntimeException> expectedClass(ErrorCode code) {
    switch (code) {
      case EINVAL:
        return IllegalArgumentException.class;
      case EBUSY:
      case EALREADY:
        return IllegalStateException.class;
      case ENOSPC:
        return CacheFullException.class;
      default:
        return IO.contains(code) ? CacheIOException.class : CellarException.class;
    }
  }

  @ParameterizedTest
  @EnumSource(value = ErrorCode.class, mode = EnumSource.Mode.EXCLUDE, names = "UNKNOWN")
  void everyCodeBecomesItsExceptionWithTheEngineTextAndTheErrnoNameAndMeaning(ErrorCode code) {
    Throwable t = catchThrowable(() -> Native.raiseForTest(code.errno(), "open: something failed"));

    assertThat(t).isExactlyInstanceOf(expectedClass(code));
    assertThat(t.getMessage())
        .as("the C side (cellar_errno_name) names %d as the Java side does", code.errno())
        .startsWith("raiseForTest: open: something failed (" + code.name() + ": ")
        .endsWith(")")
        .doesNotContain("Unknown error");
    if (t instanceof CellarException) {
      CellarException ce = (CellarException) t;
      assertThat(ce.code()).isEqualTo(code);
      assertThat(ce.errno()).isEqualTo(code.errno());
    }
  }

  @Test
  void theMeaningIsStrerrorOfTheCode() {
    Throwable t = catchThrowable(() -> Native.raiseForTest(ErrorCode.ENOTDIR.errno(), "open: x"));
    assertThat(t).hasMessage("raiseForTest: open: x (ENOTDIR: Not a directory)");
  }

  @Test
  void anEmptyEngineTextLeavesOnlyTheCode() {
    Throwable t = catchThrowable(() -> Native.raiseForTest(ErrorCode.EIO.errno(), ""));
    assertThat(t)
        .isInstanceOf(CacheIOException.class)
        .hasMessage("raiseForTest (EIO: Input/output error)");
  }

  @Test
  void aCodeOutsideTheTableIsAPlainCellarExceptionKeepingItsNumber() {
    Throwable t = catchThrowable(() -> Native.raiseForTest(4000, "odd"));
    assertThat(t)
        .isExactlyInstanceOf(CellarException.class)
        .hasMessageStartingWith("raiseForTest: odd (E?: ");
    assertThat(((CellarException) t).code()).isEqualTo(ErrorCode.UNKNOWN);
    assertThat(((CellarException) t).errno()).isEqualTo(4000);
  }

  @Test
  void fileSystemErrorsTheTableDoesNotNameAreStillCacheIoExceptions() {
    // EBADF, EISDIR, ENAMETOOLONG, ELOOP, EDQUOT: open() or fallocate() of a pool can give them
    for (int errno : new int[] {9, 21, 36, 40, 122}) {
      Throwable t = catchThrowable(() -> Native.raiseForTest(errno, "open"));
      assertThat(t).as("errno %d", errno).isExactlyInstanceOf(CacheIOException.class);
      assertThat(((CellarException) t).errno()).isEqualTo(errno);
    }
  }

  @Test
  void eachErrnoNumberMapsBackToItsOwnCode() {
    for (ErrorCode code : ErrorCode.values()) {
      if (code != ErrorCode.UNKNOWN) {
        assertThat(ErrorCode.of(code.errno())).isEqualTo(code);
      }
    }
    assertThat(ErrorCode.of(0)).isEqualTo(ErrorCode.UNKNOWN);
  }
}
