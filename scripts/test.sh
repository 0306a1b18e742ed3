#!/usr/bin/env bash
# Runs every test RasWarden has, on a fresh Debian 12 machine or an old one:
#   1. installs the Debian packages it needs (skipped when present),
#   2. the portable core's tests natively under ASan+UBSan and under TSan, and plain,
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

run_native native
run_native native-asan
run_native native-tsan

echo "== mingw-x86: DLL build (export names)"
cmake --preset mingw-x86 >/dev/null
cmake --build --preset mingw-x86 -j2

echo "== mingw-x64: build, then tests under Wine"
cmake --preset mingw-x64 >/dev/null
cmake --build --preset mingw-x64 -j2
# Create the test Wine prefix once, before tests start in parallel, then keep one persistent
# wineserver for the whole run: a test process started in the instant an idle wineserver is
# exiting can fail to start at all (seen once in CI: a test failed in 0.00 s with no output).
export WINEPREFIX="$PWD/build/mingw-x64/wineprefix" WINEDEBUG=-all
wineboot -i >/dev/null 2>&1 || true
wineserver -w
wineserver -p
trap 'wineserver -k 2>/dev/null || true' EXIT
ctest --preset mingw-x64
