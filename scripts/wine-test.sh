#!/usr/bin/env bash
# CTest's launcher for Windows test programs (CMAKE_CROSSCOMPILING_EMULATOR): runs the program
# under Wine with stderr merged into stdout, as CTest shows them anyway. Under load, Wine 8 now
# and then fails to start a process at all: it exits non-zero having printed nothing, in no
# time. Every test program prints something first (Google Test its filter line), so that one
# case is tried once more; any other failure is the program's own and is returned as it is.
set -u
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for attempt in 1 2; do
  "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  if [[ $status -eq 0 || -s $log ]]; then exit "$status"; fi
  echo "wine-test.sh: $1 exited with status $status before printing anything (attempt $attempt)" >&2
done
exit "$status"
