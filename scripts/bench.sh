#!/usr/bin/env bash
# Reproduces every performance table of docs/performance.md in one run:
#   1. the native Google Benchmark tables, from scripts/bench-native.sh when it exists (it prints
#      Markdown only), pasted between <!-- native-tables:begin --> and <!-- native-tables:end -->;
#   2. the end-to-end tables under Wine (issue 7): the same rrashost generated load over three
#      admin DLLs -- baseline_null_admin (accepts, writes nothing: the floor), baseline_naive_admin
#      (a text line per callback with fprintf+fflush, as the public samples do) and raswarden.dll --
#      at 1 and 2 worker threads, each run repeated and the run with the median lifecycles/s kept;
#      pasted between <!-- e2e-tables:begin --> and <!-- e2e-tables:end -->.
# After every run it checks the run: every connection and link accepted, the naive log holding
# exactly four lines per lifecycle, RasWarden's accounting holding exactly one connection-accept,
# link-accept, link-stop and connection-stop record per lifecycle. A missing record fails the run.
#
#   scripts/bench.sh            full run (200,000 lifecycles, 3 repetitions), updates the doc
#   scripts/bench.sh --quick    20,000 lifecycles, 1 repetition, prints the tables only
# Options: --lifecycles N, --repetitions R, --concurrency C, --no-doc (print only), --doc (also
# after --quick), --no-native (skip scripts/bench-native.sh), --raswarden-dll PATH (measure that
# raswarden.dll instead of the one built from the working tree, e.g. an older version's; the
# tables say so). The Markdown goes to stdout, progress to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

lifecycles=200000
repetitions=3
concurrency=1000
update_doc=1
run_native=1
raswarden_dll=
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --quick) lifecycles=20000 repetitions=1 update_doc=0 ;;
    --lifecycles) lifecycles=$2; shift ;;
    --repetitions) repetitions=$2; shift ;;
    --concurrency) concurrency=$2; shift ;;
    --no-doc) update_doc=0 ;;
    --doc) update_doc=1 ;;
    --no-native) run_native=0 ;;
    --raswarden-dll) raswarden_dll=$(realpath "$2"); shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

say() { echo "bench.sh: $*" >&2; }
fail() { echo "bench.sh: FAILED: $*" >&2; exit 1; }
started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- build ---------------------------------------------------------------------------------------
scripts/install-deps.sh >&2
build=$root/build/mingw-x64
say "building raswarden.dll, rrashost.exe and the baseline DLLs (mingw-x64 preset, Release -O2)"
targets=(rrashost baseline_null_admin baseline_naive_admin)
[ -n "$raswarden_dll" ] || targets+=(raswarden)
# One ninja per build tree at a time: other builds on this machine take the same lock.
# shellcheck disable=SC2016 # expanded by the inner sh
flock /tmp/raswarden-build.lock sh -c '
  set -e
  build=$1
  shift
  [ -f "$build/build.ninja" ] || cmake --preset mingw-x64 >/dev/null
  cmake --build --preset mingw-x64 -j2 --target "$@"
' sh "$build" "${targets[@]}" >&2
raswarden_source="built from the working tree"
if [ -n "$raswarden_dll" ]; then
  [ -f "$raswarden_dll" ] || fail "no such DLL: $raswarden_dll"
  raswarden_source="given with --raswarden-dll ($raswarden_dll, $(sha256sum "$raswarden_dll" | cut -c1-12))"
else
  raswarden_dll=$build/raswarden.dll
fi

# ---- native tables (another script, optional) ------------------------------------------------------
native_md=
if [ "$run_native" = 1 ] && [ -f scripts/bench-native.sh ]; then
  say "running scripts/bench-native.sh"
  native_md=$(bash scripts/bench-native.sh) || fail "scripts/bench-native.sh exited with $?"
elif [ "$run_native" = 1 ]; then
  say "scripts/bench-native.sh does not exist: no native tables"
fi

# ---- Wine ----------------------------------------------------------------------------------------
# A prefix of its own, so killing its wineserver at the end never disturbs tests running in the
# test prefix. Set up as scripts/test.sh does: one persistent wineserver started before the
# prefix is created, then wineboot with its output going nowhere.
export WINEPREFIX=$build/bench-wineprefix WINEDEBUG=-all
unset RASWARDEN_CONFIG RASWARDEN_BASELINE_LOG
mkdir -p "$WINEPREFIX"
wineserver -p
trap 'wineserver -k 2>/dev/null || true' EXIT
wineboot -i >/dev/null 2>&1 </dev/null || true

work=$build/bench-e2e
rm -rf "$work"
mkdir -p "$work/results"

# count_event FILE... EVENT: lines of the files carrying that event (the files may be binary-padded).
count_event() {
  local event=${!#}
  set -- "${@:1:$(($# - 1))}"
  cat "$@" | grep -a -c -F "\"event\":\"$event\"" || true
}

# run_one DLL THREADS REPETITION: one rrashost run, its JSON report in results/, then its checks.
run_one() {
  local dll=$1 threads=$2 rep=$3
  local name=$dll-t$threads-r$rep
  local out=$work/results/$name.json err=$work/results/$name.stderr
  local run_dir=$work/run-$name
  mkdir -p "$run_dir"
  local -a env_vars=()
  local dll_path
  case $dll in
    null) dll_path=$build/baseline_null_admin.dll ;;
    naive)
      dll_path=$build/baseline_naive_admin.dll
      env_vars=("RASWARDEN_BASELINE_LOG=Z:$run_dir/naive.log")
      ;;
    raswarden)
      dll_path=$raswarden_dll
      # As tests/CMakeLists.txt's rrashost_load_100k: defaults, the records in a fresh folder.
      printf '{"schema":1,"accounting":{"directory":"Z:%s/logs","min_free_mb":0}}\n' "$run_dir" \
        >"$run_dir/raswarden.json"
      env_vars=("RASWARDEN_CONFIG=Z:$run_dir/raswarden.json")
      ;;
  esac
  if ! env "${env_vars[@]}" wine "$build/rrashost.exe" --dll "Z:$dll_path" --load "$lifecycles" \
    --threads "$threads" --concurrency "$concurrency" --json >"$out" 2>"$err"; then
    cat "$err" >&2
    fail "rrashost over $dll ($threads threads) exited with an error"
  fi
  python3 - "$out" "$lifecycles" <<'PY' || fail "rrashost's report over $dll ($threads threads) is wrong"
import json, sys
r = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
got = (r["lifecycles"], r["connections"]["accepted"], r["connections"]["rejected"],
       r["links"]["accepted"], r["links"]["rejected"])
if got != (n, n, 0, n, 0):
    sys.exit(f"{sys.argv[1]}: lifecycles, connections accepted/rejected, links accepted/rejected = {got}, expected {(n, n, 0, n, 0)}")
PY
  local rate
  rate=$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["lifecycles_per_s"]))' "$out")
  case $dll in
    naive)
      local lines
      lines=$(wc -l <"$run_dir/naive.log")
      [ "$lines" -eq $((4 * lifecycles)) ] ||
        fail "the naive log has $lines lines, expected $((4 * lifecycles)) (4 per lifecycle)"
      ;;
    raswarden)
      local -a files=("$run_dir"/logs/accounting-*.jsonl)
      [ -e "${files[0]}" ] || fail "RasWarden wrote no accounting-*.jsonl in $run_dir/logs"
      local event count
      for event in connection-accept link-accept link-stop connection-stop; do
        count=$(count_event "${files[@]}" "$event")
        [ "$count" -eq "$lifecycles" ] ||
          fail "RasWarden's accounting holds $count $event records for $lifecycles lifecycles ($run_dir/logs kept)"
      done
      # How long records waited in the journal before they were in the public file, as the
      # service-stop record states it.
      grep -h '"event":"service-stop"' "${files[@]}" | tail -1 >"$work/results/$name.publication"
      ;;
  esac
  say "$(printf '%-9s %s thread(s) rep %s: %8s lifecycles/s' "$dll" "$threads" "$rep" "$rate")"
  rm -rf "$run_dir"
}

say "load: $lifecycles lifecycles, concurrency $concurrency, $repetitions repetition(s), load average $load_before"
# Repetitions are interleaved (every DLL and thread count once, then again) so that a slow
# stretch of a shared machine does not land on one DLL only.
for rep in $(seq 1 "$repetitions"); do
  for threads in 1 2; do
    for dll in null naive raswarden; do
      run_one "$dll" "$threads" "$rep"
    done
  done
done

# ---- tables --------------------------------------------------------------------------------------
facts_file=$work/facts.json
python3 - "$facts_file" <<PY
import json, sys
json.dump({
  "nproc": "$(nproc)",
  "cpu": "$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)",
  "wine": "$(wine --version 2>/dev/null)",
  "date": "$(date -u '+%Y-%m-%d %H:%M UTC')",
  "git": "$(git describe --always --dirty 2>/dev/null || echo unknown)",
  "compiler": "$(x86_64-w64-mingw32-g++-posix --version | head -1)",
  "load_before": "$load_before",
  "load_after": "$(cut -d' ' -f1-3 /proc/loadavg)",
  "seconds": $(($(date +%s) - started)),
  "raswarden": "$raswarden_source",
}, open(sys.argv[1], "w"))
PY

e2e_md=$(python3 - "$work/results" "$facts_file" "$lifecycles" "$repetitions" "$concurrency" <<'PY'
import json, os, statistics, sys

results_dir, facts_file = sys.argv[1], sys.argv[2]
lifecycles, repetitions, concurrency = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
facts = json.load(open(facts_file))
dlls = [("null", "null (floor)"), ("naive", "naive (fprintf + fflush)"), ("raswarden", "RasWarden")]
callbacks = ["AcceptNewConnection", "AcceptNewLink", "LinkHangupNotification", "ConnectionHangupNotification"]

runs = {}
for name in os.listdir(results_dir):
    if not name.endswith(".json"):
        continue
    dll, threads, _ = name[:-5].split("-")
    run = json.load(open(os.path.join(results_dir, name)))
    run["_name"] = name[:-5]
    runs.setdefault((dll, int(threads[1:])), []).append(run)
median = {}
for key, rs in runs.items():
    rs.sort(key=lambda r: r["lifecycles_per_s"])
    median[key] = rs[(len(rs) - 1) // 2]  # the median run (the lower middle one for an even count)

def rate(x):
    return f"{x:,.0f}"

out = []
p = out.append
minutes, seconds = divmod(facts["seconds"], 60)
p(f"Generated by `scripts/bench.sh` on {facts['date']} at `{facts['git']}`: {facts['nproc']} CPUs "
  f"(`{facts['cpu']}`), {facts['wine']}, `{facts['compiler']}` with `-O2 -DNDEBUG`. Load average "
  f"{facts['load_before']} before the runs, {facts['load_after']} after; the whole script took {minutes} min {seconds} s. "
  f"raswarden.dll: {facts['raswarden']}.")
p("")
p(f"Load: `rrashost --load {lifecycles:,} --threads T --concurrency {concurrency:,} --json`, "
  f"{repetitions} repetition(s) per row; each row is the run with the median lifecycles/s "
  f"(range over the repetitions in brackets), and the latencies below are that run's.")
p("")
p("| DLL | threads | lifecycles/s | range | × naive | × null |")
p("|---|---:|---:|---|---:|---:|")
for threads in (1, 2):
    for dll, label in dlls:
        r = median[(dll, threads)]
        all_rates = [x["lifecycles_per_s"] for x in runs[(dll, threads)]]
        naive = median[("naive", threads)]["lifecycles_per_s"]
        null = median[("null", threads)]["lifecycles_per_s"]
        v = r["lifecycles_per_s"]
        p(f"| {label} | {threads} | **{rate(v)}** | {rate(min(all_rates))}–{rate(max(all_rates))} | "
          f"{v / naive:.2f} | {v / null:.3f} |")
p("")
def us(l, field):
    return f"{l[field]:,.1f}" if field in l else "–"

def count(l, field):
    return f"{l[field]:,}" if field in l else "–"

def latency_table(key, title):
    # The callbacks, then every call of the four pooled (rrashost's "<key>_overall"). pN is exact
    # (rrashost sorts every sample); > 1 ms and > 10 ms count the calls that took longer.
    p(title)
    p("")
    p("| DLL | threads | callback | p50 | p99 | p99.9 | p99.99 | max | > 1 ms | > 10 ms |")
    p("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for threads in (1, 2):
        for dll, label in dlls:
            run = median[(dll, threads)]
            lat = run.get(key, {})
            rows = [(cb, lat[cb]) for cb in callbacks if cb in lat]
            if f"{key}_overall" in run:
                rows.append(("all four", run[f"{key}_overall"]))
            for cb, l in rows:
                p(f"| {label} | {threads} | {cb} | {us(l, 'p50_us')} | {us(l, 'p99_us')} | {us(l, 'p99_9_us')} | "
                  f"{us(l, 'p99_99_us')} | {us(l, 'max_us')} | {count(l, 'over_1ms')} | {count(l, 'over_10ms')} |")
    p("")
p("Publication (RasWarden): how long records waited in the journal before the publisher had appended them to "
  "the public file, from each median run's `service-stop` record (ms):")
p("")
p("| threads | p50 | p99 | max |")
p("|---:|---:|---:|---:|")
for threads in (1, 2):
    publication = os.path.join(results_dir, median[("raswarden", threads)]["_name"] + ".publication")
    text = open(publication).read().strip() if os.path.exists(publication) else ""
    stop = json.loads(text) if text else {}
    p(f"| {threads} | {stop.get('publish_p50_ms', '–')} | "
      f"{stop.get('publish_p99_ms', '–')} | {stop.get('publish_max_ms', '–')} |")
p("")
latency_table("latency", "Per-callback latency in the DLL (µs; rrashost times each call after its serialization lock is held, so this is the callback's own time; the last two columns count the calls that took more than 1 ms and 10 ms, and each DLL's \"all four\" row pools its four callbacks' calls):")
latency_table("latency_with_wait", "The same calls timed around the call into the chain (µs), which adds the wait for the serialization lock while the other worker's callback holds it (the same as the table above at 1 thread):")
p("RasWarden against the targets:")
p("")
p("| target | threads | measured | met |")
p("|---|---:|---|---|")
def verdict(ok):
    return "yes" if ok else "**no**"
for threads in (1, 2):
    v = median[("raswarden", threads)]["lifecycles_per_s"]
    null = median[("null", threads)]["lifecycles_per_s"]
    if threads == 1 and null < 500000:
        p(f"| ≥ 100,000 lifecycles/s when the null floor is ≥ 500,000 | 1 | {rate(v)}; null floor {rate(null)} | "
          f"not applicable in this run |")
    else:
        p(f"| ≥ 100,000 lifecycles/s | {threads} | {rate(v)} ({v / 100000:.0%} of the target; null floor {rate(null)}) | "
          f"{verdict(v >= 100000) if threads == 1 else 'reported (not a target at 2 threads)'} |")
for threads in (1, 2):
    lat = median[("raswarden", threads)]["latency"]
    worst = max(callbacks, key=lambda cb: lat[cb]["p99_us"])
    w = lat[worst]["p99_us"]
    p(f"| every callback's p99 < 20 µs | {threads} | worst {w:.1f} µs ({worst}) | {verdict(w < 20)} |")
for threads in (1, 2):
    ratio = median[("raswarden", threads)]["lifecycles_per_s"] / median[("naive", threads)]["lifecycles_per_s"]
    p(f"| ≥ 2× the naive DLL's throughput | {threads} | {ratio:.2f}× | "
      f"{verdict(ratio >= 2) if threads == 1 else 'reported (not a target at 2 threads)'} |")
p("")
p(f"Every run was checked: all {lifecycles:,} connections and links accepted, the naive log "
  f"{4 * lifecycles:,} lines, RasWarden's accounting exactly {lifecycles:,} `connection-accept`, "
  f"`link-accept`, `link-stop` and `connection-stop` records.")
print("\n".join(out))
PY
)

echo "$e2e_md"
if [ -n "$native_md" ]; then
  echo
  echo "$native_md"
fi

# ---- the doc -------------------------------------------------------------------------------------
if [ "$update_doc" = 1 ]; then
  python3 - docs/performance.md "$e2e_md" "$native_md" <<'PY' || fail "cannot update docs/performance.md"
import sys
path, e2e, native = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path, encoding="utf-8").read()

def replace(text, name, body, required):
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    i, j = text.find(begin), text.find(end)
    if i < 0 or j < i:
        if required:
            sys.exit(f"{path}: no {begin} ... {end} region")
        return text
    return text[: i + len(begin)] + "\n" + body.strip("\n") + "\n" + text[j:]

text = replace(text, "e2e-tables", e2e, True)
if native:
    text = replace(text, "native-tables", native, False)
open(path, "w", encoding="utf-8").write(text)
PY
  say "docs/performance.md updated"
fi
say "done in $(($(date +%s) - started)) s"
