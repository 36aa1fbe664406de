// SPDX-License-Identifier: Apache-2.0
// NativeLoaderTest.java -- jar extraction, the directory override, failures, the ABI check
package io.cellar.vmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLoaderTest {
  @TempDir Path tmp;

  /** Output and exit code of {@link LoaderProbe} run in a new JVM. */
  private record Probe(int exit, String out, String err) {}

  private static Path codeSource(Class<?> c) throws URISyntaxException {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static Path classesDir() throws URISyntaxException {
    return codeSource(NativeLoader.class);
  }

  private Probe runProbe(String... properties) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-ea");
    cmd.add("-Xcheck:jni");
    cmd.add("-cp");
    cmd.add(classesDir() + java.io.File.pathSeparator + codeSource(LoaderProbe.class));
    cmd.addAll(List.of(properties));
    cmd.add(LoaderProbe.class.getName());
    Path out = tmp.resolve("probe.out");
    Path err = tmp.resolve("probe.err");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("probe JVM ends").isTrue();
    return new Probe(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void thisJvmLoadsTheLibraryFromTheJarResourceAndDeletesTheExtractedCopy() {
    assertThat(System.getProperty(NativeLoader.DIR_PROPERTY))
        .as("surefire must not set -D%s: this test covers the jar path", NativeLoader.DIR_PROPERTY)
        .isNull();
    NativeLoader.ensureLoaded();
    NativeLoader.ensureLoaded();
    String from = NativeLoader.loadedFrom();
    String prefix =
        "jar resource cellar/native/" + NativeLoader.platform() + "/libcellar_jni.so via ";
    assertThat(from).startsWith(prefix);
    Path extracted = Path.of(from.substring(prefix.length()));
    assertThat(extracted.getFileName().toString()).startsWith("libcellar_jni-").endsWith(".so");
    assertThat(extracted).doesNotExist();
    assertThat(extracted.getParent()).doesNotExist();
  }

  @Test
  void nativeAbiVersionEqualsTheJavaConstantAndCellarH() throws Exception {
    NativeLoader.ensureLoaded();
    assertThat(Native.abiVersion()).isEqualTo(NativeLoader.ABI_VERSION);

    // surefire runs in the module directory; the header is the C contract's source of truth
    Path header = Path.of("../native/include/cellar.h");
    Matcher m =
        Pattern.compile("#define CELLAR_ABI_VERSION (\\d+)")
            .matcher(Files.readString(header, StandardCharsets.UTF_8));
    assertThat(m.find()).as("%s defines CELLAR_ABI_VERSION", header).isTrue();
    assertThat(NativeLoader.ABI_VERSION).isEqualTo(Integer.parseInt(m.group(1)));
  }

  @Test
  void platformMapsKnownArchitecturesAndNamesTheSupportedOnesOtherwise() {
    assertThat(NativeLoader.platform("Linux", "amd64")).isEqualTo("linux-x86_64");
    assertThat(NativeLoader.platform("Linux", "x86_64")).isEqualTo("linux-x86_64");
    assertThat(NativeLoader.platform("Linux", "aarch64")).isEqualTo("linux-aarch64");
    assertThat(NativeLoader.platform("Linux", "arm64")).isEqualTo("linux-aarch64");
    assertThatThrownBy(() -> NativeLoader.platform("Linux", "ppc64le"))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessage(
            "Cellar's native library does not support the architecture 'ppc64le'; "
                + "supported platforms: linux-x86_64, linux-aarch64");
    assertThatThrownBy(() -> NativeLoader.platform("Mac OS X", "aarch64"))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessage(
            "Cellar's native library does not support the OS 'Mac OS X'; "
                + "supported platforms: linux-x86_64, linux-aarch64");
  }

  @Test
  void theDirectoryPropertyLoadsTheBuiltLibraryInAFreshJvm() throws Exception {
    Path libDir = classesDir().resolve("cellar/native").resolve(NativeLoader.platform());
    assertThat(libDir.resolve(NativeLoader.LIBRARY_FILE)).exists();

    Probe probe = runProbe("-D" + NativeLoader.DIR_PROPERTY + "=" + libDir);

    assertThat(probe.exit()).as(probe.err()).isZero();
    assertThat(probe.out())
        .contains("loaded " + libDir.resolve(NativeLoader.LIBRARY_FILE).toAbsolutePath())
        .contains("cache works: true")
        .doesNotContain("failed");
  }

  @Test
  void aMissingLibraryFailsNamingThePathAndLaterCallsRethrowTheSameError() throws Exception {
    Path empty = Files.createDirectory(tmp.resolve("no-library-here"));

    Probe probe = runProbe("-D" + NativeLoader.DIR_PROPERTY + "=" + empty);

    assertThat(probe.exit()).as(probe.err()).isZero();
    List<String> failures = probe.out().lines().filter(l -> l.startsWith("failed #")).toList();
    assertThat(failures).hasSize(2);
    assertThat(failures.get(0))
        .as("the same error instance both times")
        .isEqualTo(failures.get(1))
        .contains("Cellar's native library could not be loaded")
        .contains("tried: " + empty.resolve("libcellar_jni.so") + " (from -Dcellar.native.dir)");
  }

  @Test
  void extractionUsesTheTmpdirPropertyLeavesNothingBehindAndDebugPrintsEachAttempt()
      throws Exception {
    Path extractTo = Files.createDirectory(tmp.resolve("extract"));

    Probe probe =
        runProbe(
            "-D" + NativeLoader.TMPDIR_PROPERTY + "=" + extractTo,
            "-D" + NativeLoader.DEBUG_PROPERTY + "=true");

    assertThat(probe.exit()).as(probe.err()).isZero();
    assertThat(probe.out()).contains("loaded jar resource").contains(extractTo.toString());
    assertThat(probe.err())
        .contains("[cellar.native] trying jar resource cellar/native/")
        .contains("[cellar.native] extracted ")
        .contains("[cellar.native] loaded ");
    try (Stream<Path> left = Files.list(extractTo)) {
      assertThat(left).as("extracted files are deleted after loading").isEmpty();
    }
  }

  @Test
  void anUnwritableExtractionDirectoryFailsListingTheResourceTried() throws Exception {
    Path notADir = Files.writeString(tmp.resolve("file"), "x");

    Probe probe = runProbe("-D" + NativeLoader.TMPDIR_PROPERTY + "=" + notADir);

    assertThat(probe.exit()).as(probe.err()).isZero();
    assertThat(probe.out())
        .contains("failed #")
        .contains(
            "tried: jar resource cellar/native/" + NativeLoader.platform() + "/libcellar_jni.so");
  }
}
