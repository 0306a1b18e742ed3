#!/usr/bin/env python3
"""raswarden report and tail over a file RasWarden still has open: records, then the zero padding
of its memory-mapped window. Both must read the records and treat the padding as the end, never
as a corrupt or truncated line.  Usage: padded_log_test.py <raswarden> <scratch folder>"""
import json
import os
import subprocess
import sys

raswarden, scratch = sys.argv[1], sys.argv[2]
logs = os.path.join(scratch, "logs")
os.makedirs(logs, exist_ok=True)
records = [
    {"schema": 1, "ts": "2026-11-30T10:00:00.000Z", "event": "service-start", "server": "vpn1",
     "callback": "MprAdminInitializeDllEx", "seq": 1},
    {"schema": 1, "ts": "2026-11-30T10:00:01.000Z", "event": "connection-accept", "server": "vpn1",
     "callback": "MprAdminAcceptNewConnectionEx", "session_id": "s1", "user": "alice", "tunnel": "sstp",
     "decision": "accept", "rule": "staff", "reason": "matched rule \"staff\"", "enforced": True, "seq": 2},
]
with open(os.path.join(logs, "accounting-20261130.jsonl"), "wb") as f:
    for r in records:
        f.write((json.dumps(r) + "\n").encode())
    f.write(b"\0" * 65536)

def run(*args):
    done = subprocess.run([raswarden, *args], capture_output=True, text=True, errors="replace")
    if done.returncode != 0:
        sys.exit(f"FAIL: raswarden {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done.stdout

report = json.loads(run("report", logs, "--json", "--utc"))
lines = report["lines"]
if report["bad_lines"] or lines["corrupt"] or lines["truncated"] or lines["records"] != 2 or lines["total"] != 2:
    sys.exit(f"FAIL: the padding was read as a line: {json.dumps(lines)} {json.dumps(report['bad_lines'])}")
open_sessions = [s["session_id"] for s in report["still_open"]]
if open_sessions != ["s1"]:
    sys.exit(f"FAIL: expected session s1 still open, found {open_sessions}")

tail = run("tail", logs, "--utc")
lines = [line for line in tail.splitlines() if line.strip()]
if len(lines) != 2 or "alice" not in lines[1] or any("corrupt" in l or "truncated" in l for l in lines):
    sys.exit(f"FAIL: tail should print the two records and nothing else:\n{tail}")
print("OK: report and tail stop at the padding")
