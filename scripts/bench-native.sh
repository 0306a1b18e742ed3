#!/usr/bin/env bash
# Reproduces every native table of docs/performance.md: builds the native-bench preset (Release,
# -O2 -DNDEBUG, Google Benchmark), runs raswarden_policy_bench and raswarden_core_bench with
# --benchmark_format=json and raswarden_memory_bench, and prints the tables as Markdown on stdout:
# the run's machine, one table per benchmark group (medians of the repetitions), and memory per
# live session. stdout is only that Markdown (scripts/bench.sh pastes it between the
# native-tables markers of docs/performance.md); progress and build output go to stderr.
#
# Usage: scripts/bench-native.sh [--repetitions N] [--min-time SECONDS] [--sessions "N ..."]
#   defaults: 3 repetitions, Google Benchmark's default minimum time, sessions "100000 1000000".
# Exits non-zero, printing nothing on stdout, if any benchmark reports an error (every benchmark
# checks its own result) or the memory program fails its checks.
set -euo pipefail
cd "$(dirname "$0")/.."

repetitions=3
min_time=""
sessions="100000 1000000"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repetitions) repetitions=$2; shift 2 ;;
    --min-time) min_time=$2; shift 2 ;;
    --sessions) sessions=$2; shift 2 ;;
    *) echo "usage: $0 [--repetitions N] [--min-time SECONDS] [--sessions \"N ...\"]" >&2; exit 2 ;;
  esac
done

build=build/native-bench
{
  cmake --preset native-bench >/dev/null
  # One ninja per build tree at a time: other scripts on this machine build through the same lock.
  flock /tmp/raswarden-build.lock cmake --build --preset native-bench -j2
} 1>&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
benchmark_args=(--benchmark_format=json --benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true)
[[ -n "$min_time" ]] && benchmark_args+=(--benchmark_min_time="$min_time")
for bench in policy core; do
  echo "== raswarden_${bench}_bench" >&2
  "$build/raswarden_${bench}_bench" "${benchmark_args[@]}" >"$work/$bench.json"
done
echo "== raswarden_memory_bench $sessions" >&2
# shellcheck disable=SC2086  # the session counts are separate arguments
"$build/raswarden_memory_bench" --format=json $sessions >"$work/memory.jsonl"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

cpu_model=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)
compiler=$(g++ --version | head -n1)
benchmark_version=$(dpkg-query -W -f='${Version}' libbenchmark-dev 2>/dev/null || echo unknown)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git status --porcelain 2>/dev/null)" ]]; then commit="$commit plus uncommitted changes"; fi

export RW_NPROC RW_CPU RW_COMPILER RW_BENCHMARK RW_COMMIT RW_LOAD_BEFORE RW_LOAD_AFTER RW_REPETITIONS RW_DATE
RW_NPROC=$(nproc)
RW_CPU=$cpu_model
RW_COMPILER=$compiler
RW_BENCHMARK=$benchmark_version
RW_COMMIT=$commit
RW_LOAD_BEFORE=$load_before
RW_LOAD_AFTER=$load_after
RW_REPETITIONS=$repetitions
RW_DATE=$(date -u +%Y-%m-%dT%H:%MZ)

python3 - "$work/policy.json" "$work/core.json" "$work/memory.jsonl" <<'PYTHON'
import json
import os
import sys

policy_path, core_path, memory_path = sys.argv[1:4]
env = os.environ

def fail(message):
    print(f"bench-native.sh: {message}", file=sys.stderr)
    sys.exit(1)

def load_medians(path):
    with open(path) as f:
        doc = json.load(f)
    rows = []
    for b in doc["benchmarks"]:
        if b.get("error_occurred"):
            fail(f"{b.get('run_name', b['name'])}: {b.get('error_message', 'error')}")
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        rows.append(b)
    if not rows:
        fail(f"{path}: no benchmark results")
    return rows

NS_PER = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

def fmt_time(value, unit):
    ns = value * NS_PER[unit]
    if ns < 1000:
        return f"{ns:.3g} ns" if ns < 100 else f"{ns:.0f} ns"
    us = ns / 1000
    if us < 1000:
        return f"{us:.3g} µs" if us < 100 else f"{us:.0f} µs"
    return f"{us / 1000:.3g} ms"

def fmt_rate(value):
    for scale, suffix in ((1e9, " G/s"), (1e6, " M/s"), (1e3, " k/s")):
        if value >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g} /s"

def fmt_count(value):
    if value is None:
        return "–"
    if value == 0:
        return "0"
    return f"{value:.3g}" if value < 100 else f"{value:,.0f}"

def group_of(name):
    return name.split("/")[0]

def print_group_tables(rows):
    groups = {}
    for b in rows:
        name = b.get("run_name", b["name"])
        groups.setdefault(group_of(name), []).append((name, b))
    for group, members in groups.items():
        print(f"**{group}**")
        print()
        print("| Benchmark | Time/op | CPU/op | items/s | allocs/op | bytes/op |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, b in members:
            unit = b.get("time_unit", "ns")
            print(f"| `{name}` | {fmt_time(b['real_time'], unit)} | {fmt_time(b['cpu_time'], unit)} | "
                  f"{fmt_rate(b.get('items_per_second', 0))} | {fmt_count(b.get('allocs_per_op'))} | "
                  f"{fmt_count(b.get('bytes_per_op'))} |")
        print()

memory = []
with open(memory_path) as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        row = json.loads(line)
        if "error" in row:
            fail(f"memory bench, N = {row['n']}: {row['error']}")
        memory.append(row)
if not memory:
    fail("memory bench: no results")

policy_rows = load_medians(policy_path)
core_rows = load_medians(core_path)

print("| Run | |")
print("|---|---|")
print(f"| Date (UTC) | {env['RW_DATE']} |")
print(f"| Commit | `{env['RW_COMMIT']}` |")
print(f"| Machine | `{env['RW_CPU']}` (lscpu), `nproc` = {env['RW_NPROC']}, shared with other jobs |")
print(f"| Load average (1, 5, 15 min) | {env['RW_LOAD_BEFORE']} before, {env['RW_LOAD_AFTER']} after |")
print(f"| Compiler | {env['RW_COMPILER']}, `-O2 -DNDEBUG`, C++20 |")
print(f"| Google Benchmark | {env['RW_BENCHMARK']} (Debian `libbenchmark-dev`) |")
print(f"| Statistic | median of {env['RW_REPETITIONS']} repetitions; items/s from CPU time |")
print()
print_group_tables(policy_rows)
print_group_tables(core_rows)

print("**Memory per live session** (one link each; `raswarden_memory_bench`)")
print()
print("| Live sessions | Heap B/session | = connection | + link | + store index | Heap blocks/session | "
      "RSS B/session | + `sessions.state` (file-backed) |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|")
for m in memory:
    store = m["store_index_heap_bytes_per_session"]
    print(f"| {m['n']:,} | **{m['heap_bytes_per_session']:.0f}** | "
          f"{m['connection_heap_bytes_per_session'] - store:.0f} | {m['link_heap_bytes_per_session']:.0f} | "
          f"{store:.0f} | {m['heap_blocks_per_session']:.1f} | **{m['rss_bytes_per_session']:.0f}** | "
          f"{m['state_file_bytes_per_session']:.0f} B |")
print()
sizes = memory[0]["sizeof"]
print("Structure sizes (`sizeof`, x86-64): " + ", ".join(f"`{k}` {v} B" for k, v in sizes.items()) + ".")
PYTHON
