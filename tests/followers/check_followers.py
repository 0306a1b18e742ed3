#!/usr/bin/env python3
"""Checks what real log followers shipped from a RasWarden accounting folder against the folder.

    check_followers.py --dir LOGS --outputs [LABEL=]FILE... [--acks FILE...]
                       [--expect-accepts N] [--expect-closed] [--allow-double-close N]
                       [--followed-names FILE] [--json-summary FILE]
                       [--expect-records N] [--expect-days YYYYMMDD...] [--check-file-days]

LOGS is the accounting folder (accounting-YYYYMMDD.jsonl, accounting-YYYYMMDD-N.jsonl, see
include/raswarden/log_format.hpp). Each output is what one follower wrote: one shipped line per
line (rsyslog's omfile with a "%msg%\\n" template, the stdout of `tail -F`, ...).

Checked, each as one named check that passes or fails:
  public files   no NUL byte; every file ends in '\\n' and every line is a JSON record; names follow
                 log_format; no record twice; `seq` continues by one within each run of the service
                 (records of several runs may interleave); optionally: as many connection-accept
                 records as rrashost reported, every accepted session closed (connection-stop or
                 session-recovered), every callback rrashost acknowledged (--acks) has its record,
                 every public file name was given to the name-based follower (--followed-names),
                 as many records as expected (--expect-records), files of every expected UTC day
                 (--expect-days), every record in the file of the UTC day its `ts` names
                 (--check-file-days).
  each output    no NUL byte; every line parses as JSON (no torn or garbled line); the multiset of
                 its lines equals the multiset of the public files' lines (every record exactly
                 once: nothing missing, nothing duplicated, nothing extra).

Prints counts (records, files, duplicates, missing, extra) and the first offending lines, ends with
`followers: N passed, M failed` and exits 1 if any check failed (2 on bad usage). The scenario
runner (run_followers.py) imports check() from here; date-rotation tests can call this directly.
"""
import argparse
import collections
import fnmatch
import json
import os
import re
import sys

PUBLIC_GLOB = "accounting-*.jsonl"
PUBLIC_NAME = re.compile(r"^accounting-(\d{8})(?:-([1-9][0-9]*))?\.jsonl$")


def _show(line, limit=160):
    """A short printable form of a (bytes) line."""
    nul = line.count(b"\0")
    text = line.replace(b"\0", b"")
    shown = text[:limit].decode("utf-8", "backslashreplace")
    if len(text) > limit:
        shown += f"...(+{len(text) - limit} bytes)"
    if nul:
        shown = f"[{nul} NUL bytes] " + shown
    return shown


def _parse_json(line):
    try:
        value = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _file_order(name):
    m = PUBLIC_NAME.match(name)
    if not m:
        return (1, 0, 0, name)
    return (0, int(m.group(1)), int(m.group(2) or 0), name)


class Public:
    """The public files of an accounting folder, read once."""

    def __init__(self, directory):
        self.directory = directory
        names = [n for n in os.listdir(directory) if fnmatch.fnmatchcase(n, PUBLIC_GLOB)]
        self.names = sorted(names, key=_file_order)
        self.bad_names = [n for n in self.names if not PUBLIC_NAME.match(n)]
        self.bytes = 0
        self.nul_bytes = 0
        self.nul_files = []
        self.unterminated = []  # (file, size of the fragment after the last '\n')
        self.lines = []  # (bytes, file, line number), complete lines in file order
        self.not_json = []  # (file, line number, line)
        self.records = []  # parsed records, in file order
        self.record_files = []  # the file of each of them
        for name in self.names:
            with open(os.path.join(directory, name), "rb") as f:
                data = f.read()
            self.bytes += len(data)
            nul = data.count(b"\0")
            if nul:
                self.nul_bytes += nul
                self.nul_files.append((name, nul))
            parts = data.split(b"\n")
            tail = parts.pop()  # after the last '\n': b"" when the file ends in one
            if tail:
                self.unterminated.append((name, len(tail)))
            for number, line in enumerate(parts, 1):
                self.lines.append((line, name, number))
                record = _parse_json(line)
                if record is None:
                    self.not_json.append((name, number, line))
                else:
                    self.records.append(record)
                    self.record_files.append(name)
        self.counts = collections.Counter(line for line, _, _ in self.lines)


class Output:
    """What one follower wrote."""

    def __init__(self, label, path):
        self.label = label
        self.path = path
        data = b""
        self.exists = os.path.exists(path)
        if self.exists:
            with open(path, "rb") as f:
                data = f.read()
        self.bytes = len(data)
        self.nul_bytes = data.count(b"\0")
        parts = data.split(b"\n")
        if parts and parts[-1] == b"":
            parts.pop()
        self.lines = parts  # a last line without '\n' is kept: it is a torn line
        self.unterminated = bool(data) and not data.endswith(b"\n")
        self.not_json = [(n, line) for n, line in enumerate(parts, 1) if _parse_json(line) is None]
        self.counts = collections.Counter(parts)


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def check(self, name, ok, detail=""):
        status = "PASS" if ok else "FAIL"
        print(f"  [{status}] {name}" + (f": {detail}" if detail else ""))
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(name)
        return ok

    def note(self, text):
        print(f"         {text}")


def _seq_breaks(records):
    """Records whose seq continues no run: a run starts at seq 1 (or with service-start) and goes
    up by one; runs may interleave (the next start publishing what a killed run journaled)."""
    lasts = collections.Counter()  # last seq of each open run -> number of runs ending there
    breaks = []
    for index, r in enumerate(records):
        seq = r.get("seq")
        if not isinstance(seq, int):
            breaks.append((index, r, "no integer seq"))
            continue
        if lasts[seq - 1] > 0:
            lasts[seq - 1] -= 1
            lasts[seq] += 1
        elif seq == 1 or r.get("event") == "service-start":
            lasts[seq] += 1
        else:
            breaks.append((index, r, f"seq {seq} continues no run"))
            lasts[seq] += 1  # resynchronise so one gap is one break
    return breaks


def _read_acks(paths):
    acks = []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        for line in data.split(b"\n")[:-1]:  # a last line cut by a kill has no '\n'
            ack = _parse_json(line)
            if ack is not None:
                acks.append(ack)
    return acks


def _check_acks(report, public, acks):
    by_event_guid = collections.Counter()
    by_event = collections.Counter()
    for r in public.records:
        event = r.get("event")
        by_event[event] += 1
        if "guid" in r:
            by_event_guid[(event, r["guid"])] += 1
    wanted_guid = collections.Counter()
    wanted_total = collections.Counter()
    for a in acks:
        callback, answer = a.get("callback"), a.get("answer")
        if callback == "AcceptNewConnection":
            wanted_guid[("connection-accept" if answer == "accept" else "connection-reject", a.get("guid"))] += 1
        elif callback == "ConnectionHangupNotification":
            wanted_guid[("connection-stop", a.get("guid"))] += 1
        elif callback == "AcceptNewLink":
            wanted_total["link-accept" if answer == "accept" else "link-reject"] += 1
        elif callback == "LinkHangupNotification":
            wanted_total["link-stop"] += 1
    missing = [(key, n - by_event_guid[key]) for key, n in wanted_guid.items() if by_event_guid[key] < n]
    short = [(event, n, by_event[event]) for event, n in wanted_total.items() if by_event[event] < n]
    detail = (f"{len(acks)} acknowledged callbacks ({sum(wanted_guid.values())} connection, "
              f"{sum(wanted_total.values())} link); {sum(n for _, n in missing)} connection callbacks without "
              f"their record")
    ok = report.check("acks: every acknowledged callback has its record", not missing and not short, detail)
    for (event, guid), n in missing[:5]:
        report.note(f"acknowledged, no {event} record for guid {guid} (x{n})")
    for event, n, have in short:
        report.note(f"{n} acknowledged link callbacks, only {have} {event} records")
    return ok


def _check_closed(report, public, allow_double):
    accepted = collections.OrderedDict()
    closes = collections.Counter()
    for r in public.records:
        event = r.get("event")
        sid = r.get("session_id")
        if event == "connection-accept":
            accepted[sid] = r
        elif event in ("connection-stop", "session-recovered"):
            closes[sid] += 1
    unclosed = [sid for sid in accepted if closes[sid] == 0]
    double = [sid for sid in accepted if closes[sid] > 1]
    recovered = sum(1 for r in public.records if r.get("event") == "session-recovered")
    ok = report.check(
        "public: every accepted session is closed (connection-stop or session-recovered)",
        not unclosed and len(double) <= allow_double,
        f"{len(accepted)} accepted, {recovered} session-recovered, {len(unclosed)} never closed, "
        f"{len(double)} closed twice (allowed {allow_double})")
    for sid in unclosed[:5]:
        report.note(f"never closed: {sid}")
    return ok


def _check_days(report, public, expect_days, check_file_days):
    """Files of each expected UTC day exist; each record is in a file of the day its ts names."""
    if expect_days:
        have = collections.Counter(PUBLIC_NAME.match(n).group(1) for n in public.names if PUBLIC_NAME.match(n))
        absent = [d for d in expect_days if have[d] == 0]
        report.check("public: files of every expected UTC day exist", not absent,
                     ", ".join(f"{d}: {have[d]} files" for d in expect_days))
    if check_file_days:
        misfiled = []
        for record, name in zip(public.records, public.record_files):
            ts = record.get("ts")
            day = ts[:10].replace("-", "") if isinstance(ts, str) and len(ts) >= 10 else None
            if day is None or not name.startswith(f"accounting-{day}"):
                misfiled.append((name, ts))
        report.check("public: every record is in the file of its own UTC day (ts)", not misfiled,
                     f"{len(misfiled)} records elsewhere" if misfiled else f"{len(public.records)} records")
        for name, ts in misfiled[:3]:
            report.note(f"ts {ts!r} in {name}")


def check(directory, outputs, acks=(), expect_accepts=None, expect_closed=False, allow_double_close=0,
          followed_names=None, summary_path=None, expect_records=None, expect_days=(), check_file_days=False,
          extra=()):
    """Runs every check and prints them; returns (passed, failed). `extra` is (name, ok, detail)
    of checks the caller made (a driver's exit status), reported with the others."""
    report = Report()
    public = Public(directory)
    print(f"public files in {directory}: {len(public.names)} files, {len(public.lines)} lines, "
          f"{len(public.records)} records, {public.bytes} bytes, {public.nul_bytes} NUL bytes")
    events = collections.Counter(r.get("event") for r in public.records)
    print("  events: " + ", ".join(f"{e} {n}" for e, n in sorted(events.items(), key=lambda x: str(x[0]))))

    report.check("public: at least one record", len(public.records) > 0)
    report.check("public: no NUL byte", public.nul_bytes == 0,
                 ", ".join(f"{n} ({c} NUL)" for n, c in public.nul_files[:5]))
    report.check("public: every file ends in a newline", not public.unterminated,
                 ", ".join(f"{n} (+{c} bytes after the last newline)" for n, c in public.unterminated[:5]))
    report.check("public: every line is a JSON record", not public.not_json,
                 f"{len(public.not_json)} lines are not" if public.not_json else "")
    for name, number, line in public.not_json[:3]:
        report.note(f"{name}:{number}: {_show(line)}")
    report.check("public: file names follow log_format", not public.bad_names, " ".join(public.bad_names[:5]))
    public_dups = sum(n - 1 for n in public.counts.values() if n > 1)
    report.check("public: no record twice", public_dups == 0, f"{public_dups} repeated lines" if public_dups else "")
    breaks = _seq_breaks(public.records)
    report.check("public: seq continues by one within each run", not breaks,
                 f"{len(breaks)} breaks (lost or repeated records)" if breaks else "")
    for index, r, why in breaks[:3]:
        report.note(f"record {index}: {why}: {json.dumps(r)[:160]}")
    if expect_records is not None:
        report.check("public: as many records as were written", len(public.records) == expect_records,
                     f"{len(public.records)} records, {expect_records} written")
    _check_days(report, public, expect_days, check_file_days)
    for name, ok, detail in extra:
        report.check(name, ok, detail)
    if expect_accepts is not None:
        got = events.get("connection-accept", 0)
        report.check("public: one connection-accept per accepted connection rrashost reported",
                     got == expect_accepts, f"{got} records, rrashost reported {expect_accepts}")
    if expect_closed:
        _check_closed(report, public, allow_double_close)
    if acks:
        _check_acks(report, public, _read_acks(acks))
    if followed_names is not None:
        with open(followed_names, encoding="utf-8") as f:
            told = {os.path.basename(line.strip()) for line in f if line.strip()}
        untold = [n for n in public.names if n not in told]
        report.check("harness: the name-based follower was given every public file name", not untold,
                     f"not given: {' '.join(untold[:5])}" if untold else f"{len(told)} names given")

    summary = {"public": {"files": len(public.names), "records": len(public.records), "bytes": public.bytes,
                          "nul_bytes": public.nul_bytes}, "outputs": {}}
    for label, path in outputs:
        out = Output(label, path)
        dup = missing = extra = 0
        extra_lines = []
        for line, n in out.counts.items():
            have = public.counts.get(line, 0)
            if have == 0:
                extra += n
                extra_lines.append(line)
            elif n > have:
                dup += n - have
        missing_by_file = collections.Counter()
        remaining = collections.Counter(out.counts)
        for line, name, _ in public.lines:
            if remaining[line] > 0:
                remaining[line] -= 1
            else:
                missing += 1
                missing_by_file[name] += 1
        print(f"{label} ({path}): {len(out.lines)} lines, {out.bytes} bytes, {out.nul_bytes} NUL bytes, "
              f"{len(out.not_json)} not JSON; {len(public.lines)} public lines: {missing} missing, "
              f"{dup} duplicates, {extra} extra")
        summary["outputs"][label] = {"lines": len(out.lines), "bytes": out.bytes, "nul_bytes": out.nul_bytes,
                                     "not_json": len(out.not_json), "missing": missing, "duplicates": dup,
                                     "extra": extra}
        report.check(f"{label}: output exists", out.exists)
        report.check(f"{label}: no NUL byte", out.nul_bytes == 0, f"{out.nul_bytes} NUL bytes" if out.nul_bytes else "")
        report.check(f"{label}: every line is JSON", not out.not_json and not out.unterminated,
                     f"{len(out.not_json)} lines are not" + (" (the last has no newline)" if out.unterminated else "")
                     if out.not_json or out.unterminated else "")
        for number, line in out.not_json[:3]:
            report.note(f"line {number}: {_show(line)}")
        report.check(f"{label}: every record exactly once", missing == 0 and dup == 0 and extra == 0,
                     f"{missing} missing, {dup} duplicates, {extra} extra")
        if missing_by_file:
            report.note("missing from: " + ", ".join(f"{n} ({c})" for n, c in sorted(
                missing_by_file.items(), key=lambda x: _file_order(x[0]))[:8]))
        if dup:
            first = next(line for line, n in out.counts.items() if n > public.counts.get(line, 0) > 0)
            report.note(f"duplicated (x{out.counts[first]}): {_show(first)}")

    print(f"followers: {report.passed} passed, {report.failed} failed")
    if summary_path:
        summary["passed"], summary["failed"], summary["failures"] = report.passed, report.failed, report.failures
        with open(summary_path, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
    return report.passed, report.failed


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dir", required=True, help="the accounting folder")
    p.add_argument("--outputs", nargs="+", default=[], metavar="[LABEL=]FILE", help="what each follower wrote")
    p.add_argument("--acks", nargs="*", default=[], metavar="FILE", help="rrashost --ack-journal files")
    p.add_argument("--expect-accepts", type=int, help="connection-accept records expected")
    p.add_argument("--expect-closed", action="store_true", help="every accepted session must be closed")
    p.add_argument("--allow-double-close", type=int, default=0,
                   help="sessions allowed both a stop and a session-recovered (one per worker thread per kill)")
    p.add_argument("--followed-names", help="file listing the names given to tail -F, one a line")
    p.add_argument("--json-summary", help="also write the counts as JSON here")
    p.add_argument("--expect-records", type=int, help="records expected in the public files")
    p.add_argument("--expect-days", nargs="*", default=[], metavar="YYYYMMDD",
                   help="UTC days that must each have at least one public file")
    p.add_argument("--check-file-days", action="store_true",
                   help="every record must be in a file of the UTC day its ts names")
    a = p.parse_args(argv)
    if not os.path.isdir(a.dir):
        p.error(f"{a.dir} is not a folder")
    outputs = []
    for spec in a.outputs:
        label, sep, path = spec.partition("=")
        outputs.append((label, path) if sep else (os.path.basename(spec), spec))
    _, failed = check(a.dir, outputs, a.acks, a.expect_accepts, a.expect_closed, a.allow_double_close,
                      a.followed_names, a.json_summary, a.expect_records, a.expect_days, a.check_file_days)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
