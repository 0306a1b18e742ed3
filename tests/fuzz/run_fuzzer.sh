#!/usr/bin/env bash
# One short libFuzzer run, as the fuzz_* CTest tests do it (tests/fuzz/CMakeLists.txt):
#   run_fuzzer.sh FUZZER CORPUS WORK SECONDS [libFuzzer options...]
# WORK is emptied; the fuzzer writes new inputs into WORK/new (first, so only it is written) and
# reads a copy of CORPUS from WORK/seeds, so the repository's corpus is never touched. A crash
# leaves its reproducer in WORK (crash-*, leak-*, timeout-*) and fails the test.
set -euo pipefail
fuzzer=$1 corpus=$2 work=$3 seconds=$4
shift 4
rm -rf "$work"
mkdir -p "$work/new" "$work/seeds"
cp -R "$corpus/." "$work/seeds/"
exec "$fuzzer" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$@" "$work/new" "$work/seeds"
