#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# build.sh -- builds and tests Cellar's native engine; Maven calls it, people can too
#
# Usage (from any directory):
#   native/build.sh release          configure + build the engine, C tests, bench and fuzz
#                                    driver in native/target/build-release
#   native/build.sh test             all of the below, in order; stops at the first failure
#   native/build.sh test-release     ctest on the release build
#   native/build.sh test-asan        AddressSanitizer+UBSan build (native/target/build-asan), ctest
#   native/build.sh test-tsan        ThreadSanitizer build (native/target/build-tsan), ctest -L threaded
#   native/build.sh fuzz [SECONDS]   libFuzzer build with clang (native/target/build-fuzz), runs
#                                    fuzz_api for SECONDS (default $CELLAR_FUZZ_SECONDS or 60);
#                                    skipped with a warning when no clang is installed
#   native/build.sh jni HEADERS OUT [BUILD]
#                                    builds libcellar_jni.so against the javac -h headers in
#                                    HEADERS (in BUILD, default HEADERS/../native-build) and
#                                    copies it to OUT/cellar/native/<platform>/libcellar_jni.so
#   native/build.sh jni-asan HEADERS OUT
#                                    the same library with ASan+UBSan into OUT, and OUT/bin/java: a
#                                    JVM launcher that preloads the sanitizer runtime
#   native/build.sh platform         prints <platform>, e.g. linux-x86_64
#   native/build.sh clean            removes native/target
#
# Environment:
#   CELLAR_JOBS          parallel build and ctest jobs (default 2)
#   CELLAR_FUZZ_SECONDS  default fuzzing time in seconds (default 60)
#   CELLAR_SKIP_TESTS    "true" makes `test` do nothing (Maven passes -DskipTests here)
#   JAVA_HOME            the JDK whose jni.h the jni build uses (default: the javac on PATH)
set -euo pipefail

NATIVE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TARGET_DIR="$NATIVE_DIR/target"
JOBS="${CELLAR_JOBS:-2}"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"

# platforms a jar may carry; adding one means a case below and a build on that machine
SUPPORTED_PLATFORMS="linux-x86_64, linux-aarch64"

log() {
	printf '[native/build.sh] %s\n' "$*" >&2
}

die() {
	printf '[native/build.sh] ERROR: %s\n' "$*" >&2
	exit 1
}

usage() {
	sed -n '3,30s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

# platform -- the resource folder name of this machine, as NativeLoader computes it in Java
platform() {
	local os arch
	case "$(uname -s)" in
	Linux) os=linux ;;
	*) die "unsupported OS '$(uname -s)'; supported platforms: $SUPPORTED_PLATFORMS" ;;
	esac
	case "$(uname -m)" in
	x86_64 | amd64) arch=x86_64 ;;
	aarch64 | arm64) arch=aarch64 ;;
	*) die "unsupported architecture '$(uname -m)'; supported platforms: $SUPPORTED_PLATFORMS" ;;
	esac
	echo "$os-$arch"
}

# CMake: the machine's, else the one Maven unpacked from Maven Central's cmake-binaries
# artifact into target/cmake (the native module's pom does that), so that a machine with only
# a JDK, Maven and gcc builds Cellar
find_cmake() {
	if command -v cmake >/dev/null && command -v ctest >/dev/null; then
		CMAKE=cmake
		CTEST=ctest
	elif [[ -f "$TARGET_DIR/cmake/bin/cmake" ]]; then
		# the jar does not keep the executable bits
		chmod +x "$TARGET_DIR/cmake/bin/"*
		CMAKE="$TARGET_DIR/cmake/bin/cmake"
		CTEST="$TARGET_DIR/cmake/bin/ctest"
		log "no cmake on PATH: using $CMAKE (from Maven Central)"
	else
		die "cmake not found: install it (apt-get install cmake) or build through Maven, which fetches one"
	fi
}

# configure_and_build DIR TARGET [cmake options...] -- one CMake build tree
configure_and_build() {
	local dir="$1" target="$2"
	shift 2
	log "configure $dir $*"
	"$CMAKE" -S "$NATIVE_DIR" -B "$dir" "$@"
	log "build $dir (target $target, -j$JOBS)"
	"$CMAKE" --build "$dir" --target "$target" -j"$JOBS"
}

# run_ctest DIR [ctest options...] -- runs a build's tests; a build without tests is an error
run_ctest() {
	local dir="$1"
	shift
	log "ctest $dir $*"
	"$CTEST" --test-dir "$dir" --output-on-failure -j"$JOBS" --no-tests=error --timeout 900 "$@"
}

cmd_release() {
	configure_and_build "$TARGET_DIR/build-release" all
}

cmd_test_release() {
	[[ -f "$TARGET_DIR/build-release/CMakeCache.txt" ]] || cmd_release
	"$CMAKE" --build "$TARGET_DIR/build-release" -j"$JOBS"
	run_ctest "$TARGET_DIR/build-release"
}

cmd_test_asan() {
	configure_and_build "$TARGET_DIR/build-asan" all -DCELLAR_SANITIZE=address,undefined
	run_ctest "$TARGET_DIR/build-asan"
}

cmd_test_tsan() {
	configure_and_build "$TARGET_DIR/build-tsan" all -DCELLAR_SANITIZE=thread
	run_ctest "$TARGET_DIR/build-tsan" -L threaded
}

cmd_fuzz() {
	local seconds="${1:-${CELLAR_FUZZ_SECONDS:-60}}" clang="" dir="$TARGET_DIR/build-fuzz"
	[[ "$seconds" =~ ^[0-9]+$ ]] || die "fuzz seconds must be a whole number, got '$seconds'"
	if command -v clang-14 >/dev/null; then
		clang="$(command -v clang-14)"
	elif command -v clang >/dev/null; then
		clang="$(command -v clang)"
	else
		log "WARNING: no clang-14 or clang on PATH: the libFuzzer build and the fuzz_api run are SKIPPED"
		log "WARNING: install clang-14 libclang-rt-14-dev libfuzzer-14-dev to fuzz"
		return 0
	fi
	# CC only matters when the tree is first configured, so the fuzz tree is always its own
	CC="$clang" configure_and_build "$dir" fuzz_api -DCELLAR_SANITIZE=fuzzer
	local driver
	driver="$(find "$dir" -type f -name fuzz_api -perm -u+x -print -quit)"
	[[ -n "$driver" ]] || die "target fuzz_api built, but no fuzz_api executable under $dir"

	local corpus="$TARGET_DIR/fuzz-corpus" artifacts="$TARGET_DIR/fuzz-artifacts/"
	local seeds=()
	mkdir -p "$corpus" "$artifacts"
	[[ -d "$NATIVE_DIR/fuzz/corpus" ]] && seeds+=("$NATIVE_DIR/fuzz/corpus")
	log "fuzz_api for ${seconds}s (corpus $corpus, crashes in $artifacts)"
	"$driver" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="$artifacts" "$corpus" "${seeds[@]}"
}

cmd_test() {
	if [[ "${CELLAR_SKIP_TESTS:-false}" == "true" ]]; then
		log "native tests skipped (skipTests=true)"
		return 0
	fi
	cmd_test_release
	cmd_test_asan
	cmd_test_tsan
	cmd_fuzz
}

cmd_jni() {
	[[ $# -ge 2 && $# -le 3 ]] || usage
	local headers="$1" out="$2" build="${3:-}" plat
	[[ -d "$headers" ]] || die "JNI header directory '$headers' does not exist (javac -h makes it)"
	headers="$(cd "$headers" && pwd)"
	[[ -n "$build" ]] || build="$(dirname "$headers")/native-build"
	plat="$(platform)"
	if [[ -z "${JAVA_HOME:-}" ]] && command -v javac >/dev/null; then
		JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
		export JAVA_HOME
	fi
	configure_and_build "$build" cellar_jni -DCELLAR_JNI=ON -DCELLAR_TESTS=OFF \
		-DCELLAR_JNI_HEADERS="$headers"
	install -D -m 0755 "$build/libcellar_jni.so" "$out/cellar/native/$plat/libcellar_jni.so"
	log "installed $out/cellar/native/$plat/libcellar_jni.so"
}

# jni-asan HEADERS OUT: the JNI library built with AddressSanitizer and UBSan into OUT, and
# OUT/bin/java, a JVM launcher that preloads the sanitizer runtime (it must come before the JVM's
# own libraries) with the options a JVM needs; surefire runs the JNI tests with it
cmd_jni_asan() {
	[[ $# -eq 2 ]] || usage
	local headers="$1" out="$2" asan
	[[ -d "$headers" ]] || die "JNI header directory '$headers' does not exist (javac -h makes it)"
	headers="$(cd "$headers" && pwd)"
	if [[ -z "${JAVA_HOME:-}" ]] && command -v javac >/dev/null; then
		JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
		export JAVA_HOME
	fi
	asan="$(gcc -print-file-name=libasan.so)"
	[[ -f "$asan" ]] || die "no libasan.so for gcc (install libasan or gcc's sanitizer runtime)"
	configure_and_build "$(dirname "$headers")/native-build-asan" cellar_jni -DCELLAR_JNI=ON \
		-DCELLAR_TESTS=OFF -DCELLAR_JNI_HEADERS="$headers" -DCELLAR_SANITIZE=address,undefined
	mkdir -p "$out/bin"
	install -m 0755 "$(dirname "$headers")/native-build-asan/libcellar_jni.so" "$out/libcellar_jni.so"
	# the JVM handles SIGSEGV itself and never frees some memory on purpose
	cat >"$out/bin/java" <<LAUNCHER
#!/bin/sh
# made by native/build.sh jni-asan: a JVM with the sanitizer runtime preloaded
export LD_PRELOAD="$asan"
export ASAN_OPTIONS="detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
exec "$JAVA_HOME/bin/java" "\$@"
LAUNCHER
	chmod 0755 "$out/bin/java"
	log "installed $out/libcellar_jni.so (ASan+UBSan) and its launcher $out/bin/java"
}

main() {
	[[ $# -ge 1 ]] || usage
	local cmd="$1"
	shift
	case "$cmd" in
	platform | clean | -h | --help | help) ;;
	*) find_cmake ;;
	esac
	case "$cmd" in
	release) cmd_release ;;
	test) cmd_test ;;
	test-release) cmd_test_release ;;
	test-asan) cmd_test_asan ;;
	test-tsan) cmd_test_tsan ;;
	fuzz) cmd_fuzz "$@" ;;
	jni) cmd_jni "$@" ;;
	jni-asan) cmd_jni_asan "$@" ;;
	platform) platform ;;
	clean) rm -rf "$TARGET_DIR" ;;
	-h | --help | help) usage ;;
	*) log "unknown command '$cmd'"; usage ;;
	esac
}

main "$@"
