#!/usr/bin/env bash
# Runs every test RasWarden has, on a fresh Debian 12 machine or an old one:
#   1. installs the Debian packages it needs (skipped when present),
#   2. the portable core's tests natively under ASan+UBSan (clang, with a short run of every
#      libFuzzer target) and under TSan (gcc),
#   3. the 32-bit DLL build (its export names are checked by the x64 tests),
#   4. the Windows x64 build and its tests under Wine (the DLL loaded and driven like RRAS does).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

run_native() {
  local preset=$1
  echo "== ${preset}: build and test"
  cmake --preset "${preset}" >/dev/null
  cmake --build --preset "${preset}" -j2
  ctest --preset "${preset}"
}

# No plain native run: the ASan+UBSan (clang) and TSan (gcc) builds run the same tests.
run_native native-asan
run_native native-tsan

echo "== mingw-x86: DLL build (export names)"
cmake --preset mingw-x86 >/dev/null
cmake --build --preset mingw-x86 -j2

echo "== mingw-x64: build, then tests under Wine"
cmake --preset mingw-x64 >/dev/null
cmake --build --preset mingw-x64 -j2
# One persistent wineserver for the whole run, started before the prefix is created: a test
# process started in the instant an idle wineserver is exiting can fail to start at all (seen
# once in CI). wineboot then starts the prefix's services inside it with their output going
# nowhere; services started later by a test would inherit CTest's output pipes and keep them open
# for as long as the server lives, so test discovery would wait on them until it timed out.
export WINEPREFIX="$PWD/build/mingw-x64/wineprefix" WINEDEBUG=-all
mkdir -p "$WINEPREFIX"
wineserver -p
trap 'wineserver -k 2>/dev/null || true' EXIT
wineboot -i >/dev/null 2>&1 </dev/null || true
ctest --preset mingw-x64
