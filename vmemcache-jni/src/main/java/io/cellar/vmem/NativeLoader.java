// SPDX-License-Identifier: Apache-2.0
// NativeLoader.java -- finds, loads and checks libcellar_jni.so, once per JVM
package io.cellar.vmem;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads the JNI library {@code libcellar_jni.so} once per JVM.
 *
 * <p>Where it looks, in order:
 *
 * <ol>
 *   <li>System property {@value #DIR_PROPERTY}: a directory holding {@code libcellar_jni.so}, for
 *       development. When it is set nothing else is tried.
 *   <li>The jar resource {@code cellar/native/<os>-<arch>/libcellar_jni.so} (for example {@code
 *       linux-x86_64}), copied to a uniquely named file (mode 0600, in a fresh 0700 directory)
 *       under system property {@value #TMPDIR_PROPERTY} or else {@code java.io.tmpdir}, loaded, and
 *       deleted again; the mapping stays valid after the file is gone.
 * </ol>
 *
 * <p>After loading, the library's {@code cellar_abi_version()} must equal {@link #ABI_VERSION}. A
 * failure is remembered: every later call throws the same error, whose message lists every path
 * tried. {@code -D}{@value #DEBUG_PROPERTY}{@code =true} prints each attempt to stderr.
 *
 * <p>Thread-safe; the first caller loads, the others wait for it.
 */
public final class NativeLoader {
  /** The engine ABI this Java code was written for: {@code CELLAR_ABI_VERSION} of cellar.h. */
  public static final int ABI_VERSION = 4;

  /** System property: a directory holding {@code libcellar_jni.so}, used instead of the jar. */
  public static final String DIR_PROPERTY = "cellar.native.dir";

  /** System property: where the library is extracted, instead of {@code java.io.tmpdir}. */
  public static final String TMPDIR_PROPERTY = "cellar.native.tmpdir";

  /** System property: {@code true} prints every load attempt to stderr. */
  public static final String DEBUG_PROPERTY = "cellar.native.debug";

  /** File name of the library. */
  public static final String LIBRARY_FILE = "libcellar_jni.so";

  /** Platforms the loader knows; a jar may carry fewer. */
  public static final List<String> SUPPORTED_PLATFORMS = List.of("linux-x86_64", "linux-aarch64");

  private static final Object LOCK = new Object();
  private static volatile boolean loaded;
  private static UnsatisfiedLinkError failure; // guarded by LOCK
  private static String loadedFrom; // guarded by LOCK

  private NativeLoader() {}

  /**
   * Loads the library unless this JVM already did.
   *
   * @throws UnsatisfiedLinkError when the library cannot be found, loaded, or has another ABI
   *     version; the message lists every path tried, and later calls throw the same error
   */
  public static void ensureLoaded() {
    if (loaded) {
      return;
    }
    synchronized (LOCK) {
      if (loaded) {
        return;
      }
      if (failure != null) {
        throw failure;
      }
      List<String> tried = new ArrayList<>();
      try {
        loadedFrom = load(tried);
        checkAbi(loadedFrom);
        loaded = true;
        debug("loaded " + loadedFrom);
      } catch (Throwable t) {
        failure = failed(tried, t);
        debug(failure.getMessage());
        throw failure;
      }
    }
  }

  /**
   * The resource folder name of this machine, such as {@code linux-x86_64}.
   *
   * @return {@code <os>-<arch>}
   * @throws UnsupportedOperationException on an OS or architecture Cellar does not support; the
   *     message lists the supported platforms
   */
  public static String platform() {
    return platform(System.getProperty("os.name"), System.getProperty("os.arch"));
  }

  /** Where the library was loaded from, or null before a successful load. */
  static String loadedFrom() {
    synchronized (LOCK) {
      return loadedFrom;
    }
  }

  static String platform(String osName, String osArch) {
    String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
    String arch = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
    if (!os.equals("linux")) {
      throw unsupported("OS '" + osName + "'");
    }
    switch (arch) {
      case "amd64":
      case "x86_64":
        return "linux-x86_64";
      case "aarch64":
      case "arm64":
        return "linux-aarch64";
      default:
        throw unsupported("architecture '" + osArch + "'");
    }
  }

  static String resourceName(String platform) {
    return "cellar/native/" + platform + "/" + LIBRARY_FILE;
  }

  private static UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException(
        "Cellar's native library does not support the "
            + what
            + "; supported platforms: "
            + String.join(", ", SUPPORTED_PLATFORMS));
  }

  private static String load(List<String> tried) throws IOException {
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir != null && !dir.isEmpty()) {
      Path lib = Path.of(dir).resolve(LIBRARY_FILE).toAbsolutePath();
      tried.add(lib + " (from -D" + DIR_PROPERTY + ")");
      debug("trying " + lib);
      System.load(lib.toString());
      return lib.toString();
    }
    String resource = resourceName(platform());
    tried.add("jar resource " + resource);
    debug("trying jar resource " + resource);
    try (InputStream in = NativeLoader.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("resource " + resource + " is not on the class path");
      }
      return extractAndLoad(in, resource, tried);
    }
  }

  private static String extractAndLoad(InputStream in, String resource, List<String> tried)
      throws IOException {
    String base = System.getProperty(TMPDIR_PROPERTY, System.getProperty("java.io.tmpdir"));
    Path dir =
        Files.createTempDirectory(
            Path.of(base),
            "cellar-native-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path lib = null;
    try {
      lib =
          Files.createTempFile(
              dir,
              "libcellar_jni-",
              ".so",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      tried.add(lib + " (extracted)");
      Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
      debug("extracted " + resource + " to " + lib);
      System.load(lib.toString());
      return "jar resource " + resource + " via " + lib;
    } finally {
      if (lib != null) {
        Files.deleteIfExists(lib);
      }
      Files.deleteIfExists(dir);
    }
  }

  private static void checkAbi(String from) {
    int nativeAbi;
    try {
      nativeAbi = Native.abiVersion();
    } catch (UnsatisfiedLinkError e) {
      throw new UnsatisfiedLinkError(
          from + " has no cellar_abi_version(): not Cellar's JNI library, or a very old one");
    }
    if (nativeAbi != ABI_VERSION) {
      throw new UnsatisfiedLinkError(
          "native ABI version "
              + nativeAbi
              + " of "
              + from
              + " does not match the Java ABI version "
              + ABI_VERSION
              + " of cellar-vmemcache-jni");
    }
  }

  private static UnsatisfiedLinkError failed(List<String> tried, Throwable cause) {
    UnsatisfiedLinkError e =
        new UnsatisfiedLinkError(
            "Cellar's native library could not be loaded: "
                + cause.getMessage()
                + "; tried: "
                + (tried.isEmpty() ? "nothing" : String.join(", ", tried)));
    e.initCause(cause);
    return e;
  }

  private static void debug(String message) {
    if (Boolean.getBoolean(DEBUG_PROPERTY)) {
      System.err.println("[cellar.native] " + message);
    }
  }
}
