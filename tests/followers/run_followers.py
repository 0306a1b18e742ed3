#!/usr/bin/env python3
"""Real log followers on RasWarden's accounting files while rrashost drives load through the DLL
under Wine; then check_followers.py compares what each follower shipped with the public files.

    run_followers.py --scenario SCENARIO --work DIR --rrashost rrashost.exe --dll raswarden.dll
                     [--wine wine] [--accounting JSON] [--lifecycles N] [--rate R]
                     [--kill-after-acks N]
    run_followers.py --scenario date-rotation --work DIR --pipeline-driver pipeline_driver.exe
                     [--wine wine] [--start-day YYYYMMDD] [--records N] [--rotate-bytes B]
                     [--seconds-before-midnight S] [--rate R]

Scenarios (rotate_mb 1 in all, so every run rotates by size):
  size-rotation   one run of 15,000 lifecycles as fast as rrashost goes;
  paced-rotation  the same at --rate 3000 arrivals/s, so the followers read files while they grow;
  kill-restart    a run killed with SIGKILL after --kill-after-acks acknowledged callbacks, then a
                  run of 2,000 on the same folder (the next start recovers what the killed one left);
  stop-start      two runs of 6,000 one after the other on the same folder.
Every run has an --ack-journal; each callback rrashost acknowledged must have its record.
  date-rotation   no rrashost: pipeline_driver.exe (tests/win32) feeds the accounting pipeline
                  --records records (20,000) at --rate (4,000/s) with a clock that starts
                  --seconds-before-midnight (5) before the end of --start-day (20261231) and
                  crosses midnight half-way, rotating by size (--rotate-bytes, 256 KiB) on both
                  days; tail -F is given both days' names (from --start-day). Checked as well:
                  both days have files, every record is in its own day's file, all records once.

Each scenario gets DIR (wiped first) to itself: DIR/logs is the accounting folder, DIR/raswarden.json
the configuration (RASWARDEN_CONFIG), DIR/rsyslog a private rsyslogd (imfile in inotify mode on
DIR/logs/accounting-*.jsonl, omfile with a "%msg%\\n" template), DIR/tail.out the stdout of one
`tail -q -n +1 -F` over every file name the run may create. Both followers are running, and have
shipped a probe line from a file created after they started, before rrashost starts.

--accounting (or the environment variable RASWARDEN_FOLLOWERS_ACCOUNTING) is a JSON object merged
into the configuration's "accounting" object, e.g. '{"write_method":"append"}'.

WINEPREFIX and WINEDEBUG are inherited (CTest gets them from scripts/test.sh); when unset,
WINEPREFIX defaults to the wineprefix folder beside rrashost.exe and WINEDEBUG to -all.
Exit code: 0 when every check passed, 1 when one failed, 2 on bad usage or a harness error.
"""
import argparse
import ctypes
import datetime
import fnmatch
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_followers  # noqa: E402

PROBE_LINE = b'{"probe":"followers-ready"}\n'
RECORD_BYTES_ESTIMATE = 1024  # measured: about 575 bytes a record; doubled for the name bound
RECORDS_PER_LIFECYCLE = 4  # connection-accept, link-accept, link-stop, connection-stop (1 link)


class HarnessError(Exception):
    pass


def log(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def _die_with_parent():
    """Children get SIGKILL if this script dies (a CTest timeout kills only its direct child)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def start(args, out_path, err_path, env=None):
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                preexec_fn=_die_with_parent)


def stop(proc, name, timeout=15):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        log(f"{name} did not stop within {timeout} s of SIGTERM; killing it")
        proc.kill()
        proc.wait()


def size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def public_bytes(logs):
    return sum(size(os.path.join(logs, n)) for n in os.listdir(logs)
               if fnmatch.fnmatchcase(n, check_followers.PUBLIC_GLOB))


class Followers:
    """A private rsyslogd (imfile) and a tail -F, both on the accounting folder."""

    def __init__(self, work, logs, names, rsyslogd, tail):
        self.work, self.logs, self.names = work, logs, names
        self.rsyslogd_path, self.tail_path = rsyslogd, tail
        self.rdir = os.path.join(work, "rsyslog")
        self.rsyslog_out = os.path.join(self.rdir, "records.out")
        self.rsyslog_probe = os.path.join(self.rdir, "probe.out")
        self.tail_out = os.path.join(work, "tail.out")
        self.names_file = os.path.join(work, "tail-names.txt")
        self.rsyslogd = self.tail = None

    def config(self):
        # Parameters that matter are explained in tests/followers/README.md.
        return f"""# written by tests/followers/run_followers.py
global(workDirectory="{self.rdir}/work" maxMessageSize="64k")
module(load="imfile" mode="inotify")
template(name="msg_only" type="string" string="%msg%\\n")
template(name="origin" type="string" string="%$!metadata!filename% %$!metadata!fileoffset%\\n")
ruleset(name="records") {{
  action(type="omfile" file="{self.rsyslog_out}" template="msg_only")
  action(type="omfile" file="{self.rdir}/origin.out" template="origin")
}}
ruleset(name="probe") {{
  action(type="omfile" file="{self.rsyslog_probe}" template="msg_only")
}}
input(type="imfile" file="{self.logs}/accounting-*.jsonl" tag="raswarden" ruleset="records"
      addMetadata="on" freshStartTail="off" reopenOnTruncate="off")
input(type="imfile" file="{self.logs}/probe-*.txt" tag="probe" ruleset="probe")
# rsyslogd's own messages (imfile's warnings about truncated files, ...), for diagnosis
*.* action(type="omfile" file="{self.rdir}/internal.log")
"""

    def start(self):
        os.makedirs(os.path.join(self.rdir, "work"), exist_ok=True)
        conf = os.path.join(self.rdir, "rsyslog.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(self.config())
        checked = subprocess.run([self.rsyslogd_path, "-N1", "-f", conf], capture_output=True, text=True)
        if checked.returncode != 0:
            raise HarnessError(f"rsyslogd rejects {conf}:\n{checked.stdout}{checked.stderr}")
        self.rsyslogd = start([self.rsyslogd_path, "-n", "-f", conf, "-i", os.path.join(self.rdir, "rsyslogd.pid")],
                              os.path.join(self.rdir, "stdout.log"), os.path.join(self.rdir, "stderr.log"))
        probe = os.path.join(self.logs, "probe-ready.txt")
        with open(self.names_file, "w", encoding="utf-8") as f:
            f.write("".join(n + "\n" for n in self.names))
        self.tail = start([self.tail_path, "-q", "-n", "+1", "-F", probe, *self.names],
                          self.tail_out, os.path.join(self.work, "tail.err"))
        # Ready when both have shipped a line of a file created after they started (the path
        # every accounting file takes). tail reports each missing name once it has looked at it.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not self._read(os.path.join(self.work, "tail.err")):
            self._alive()
            time.sleep(0.05)
        time.sleep(0.5)
        with open(probe, "wb") as f:
            f.write(PROBE_LINE)
        while time.monotonic() < deadline:
            self._alive()
            if self._read(self.rsyslog_probe) == PROBE_LINE and self._read(self.tail_out) == PROBE_LINE:
                log(f"followers ready: rsyslogd pid {self.rsyslogd.pid}, tail pid {self.tail.pid} "
                    f"({len(self.names)} names)")
                return
            time.sleep(0.05)
        raise HarnessError("the followers did not ship the probe line within 30 s: "
                           f"rsyslog {self._read(self.rsyslog_probe)!r}, tail {self._read(self.tail_out)!r}")

    @staticmethod
    def _read(path):
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError:
            return b""

    def _alive(self):
        for proc, name in ((self.rsyslogd, "rsyslogd"), (self.tail, "tail")):
            if proc is not None and proc.poll() is not None:
                raise HarnessError(f"{name} exited with {proc.returncode} (see {self.work})")

    def cpu_ticks(self):
        """CPU time both followers have used (all threads): a follower still working through a
        backlog is not idle even when CPU starvation keeps its output from growing for a while."""
        total = 0
        for proc in (self.rsyslogd, self.tail):
            try:
                with open(f"/proc/{proc.pid}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                pass
        return total

    def wait_caught_up(self, quiet_s=2.0, limit_s=60.0):
        """Until the outputs hold as many bytes as the public files (and stay so for 0.5 s), or
        neither the files, the outputs nor the followers' CPU time changed for quiet_s; at most
        limit_s."""
        begin = time.monotonic()
        last, last_change = None, begin
        while True:
            self._alive()
            now = time.monotonic()
            target = public_bytes(self.logs)
            state = (target, size(self.rsyslog_out), size(self.tail_out), self.cpu_ticks())
            if state != last:
                last, last_change = state, now
            caught_up = state[1] == target and state[2] == target + len(PROBE_LINE)
            if (caught_up and now - last_change >= 0.5) or now - last_change >= quiet_s or now - begin >= limit_s:
                log(f"followers {'caught up' if caught_up else 'stopped growing'} after {now - begin:.1f} s: "
                    f"public {target} bytes, rsyslog {state[1]}, tail {state[2] - len(PROBE_LINE)}")
                return
            time.sleep(0.1)

    def stop(self):
        stop(self.rsyslogd, "rsyslogd")
        stop(self.tail, "tail")

    def outputs(self):
        """(label, path) of each follower's records; the probe line is cut off tail's output."""
        data = self._read(self.tail_out)
        if not data.startswith(PROBE_LINE):
            raise HarnessError(f"{self.tail_out} does not start with the probe line")
        records = os.path.join(self.work, "tail.records")
        with open(records, "wb") as f:
            f.write(data[len(PROBE_LINE):])
        del data
        os.remove(self.tail_out)
        return [("rsyslog imfile", self.rsyslog_out), ("tail -F", records)]


class Host:
    """Runs rrashost.exe under Wine on the scenario's configuration."""

    def __init__(self, a, work, config):
        self.a, self.work = a, work
        self.env = dict(os.environ)
        self.env.setdefault("WINEPREFIX", os.path.join(os.path.dirname(os.path.abspath(a.rrashost)), "wineprefix"))
        self.env.setdefault("WINEDEBUG", "-all")
        self.env["RASWARDEN_CONFIG"] = "Z:" + config
        self.runs = 0

    def command(self, lifecycles, seed, ack):
        rate = ["--rate", str(self.a.rate)] if self.a.rate else []
        return [self.a.wine, self.a.rrashost, "--dll", "Z:" + os.path.abspath(self.a.dll), "--load", str(lifecycles),
                "--threads", "2", "--concurrency", "1000", *rate, "--seed", str(seed), "--json",
                "--ack-journal", "Z:" + ack]

    def spawn(self, lifecycles, seed):
        self.runs += 1
        n = self.runs
        ack = os.path.join(self.work, f"ack-{n}.jsonl")
        out, err = os.path.join(self.work, f"rrashost-{n}.json"), os.path.join(self.work, f"rrashost-{n}.err")
        log(f"rrashost run {n}: {' '.join(self.command(lifecycles, seed, ack)[4:])}")
        return start(self.command(lifecycles, seed, ack), out, err, self.env), ack, out, err

    def run(self, lifecycles, seed, timeout=180):
        proc, ack, out, err = self.spawn(lifecycles, seed)
        begin = time.monotonic()
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise HarnessError(f"rrashost did not finish within {timeout} s")
        with open(out, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if rc != 0:
            raise HarnessError(f"rrashost exited {rc}: {open(err, errors='replace').read()[-2000:]}")
        try:
            report = json.loads(text)
            accepted = report["connections"]["accepted"]
        except (ValueError, KeyError, TypeError):
            raise HarnessError(f"rrashost printed no JSON report: {text[-2000:]!r}")
        log(f"rrashost run {self.runs}: {report['lifecycles']} lifecycles in {time.monotonic() - begin:.1f} s "
            f"({report.get('lifecycles_per_s', 0):.0f}/s in the load), {accepted} accepted")
        return report, ack

    def run_and_kill(self, seed, kill_after_acks, timeout=120):
        """A run that does not end by itself, killed with SIGKILL once kill_after_acks callbacks
        were acknowledged. Returns the ack journal."""
        proc, ack, _, err = self.spawn(10_000_000, seed)
        deadline = time.monotonic() + timeout
        seen, offset = 0, 0
        while seen < kill_after_acks:
            if proc.poll() is not None:
                raise HarnessError(f"rrashost ended by itself ({proc.returncode}) before the kill: "
                                   f"{open(err, errors='replace').read()[-2000:]}")
            if time.monotonic() > deadline:
                raise HarnessError(f"only {seen} callbacks acknowledged after {timeout} s")
            try:
                with open(ack, "rb") as f:
                    f.seek(offset)
                    chunk = f.read()
                offset += len(chunk)
                seen += chunk.count(b"\n")
            except OSError:
                pass
            time.sleep(0.01)
        pid = self.linux_pid(proc, ack)
        os.kill(pid, signal.SIGKILL)
        proc.wait(30)
        log(f"killed rrashost (Linux pid {pid}, SIGKILL) after {seen} acknowledged callbacks; "
            f"exit status {proc.returncode}")
        return ack

    @staticmethod
    def linux_pid(proc, ack):
        """The Linux process that runs rrashost.exe. Under Wine 8 `wine` execs (script -> wine64 ->
        preloader) into it, so it is the process we started; checked by its command line, which
        names our own ack journal, and searched for in /proc otherwise."""
        marker = ("Z:" + ack).encode()

        def cmdline(pid):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    return f.read()
            except OSError:
                return b""

        if b"rrashost.exe" in cmdline(proc.pid) and marker in cmdline(proc.pid):
            return proc.pid
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                line = cmdline(entry)
                if b"rrashost.exe" in line and marker in line:
                    return int(entry)
        raise HarnessError("cannot find the Linux process of rrashost.exe")


class Driver:
    """Runs pipeline_driver.exe under Wine: the accounting pipeline fed across a UTC midnight."""

    def __init__(self, a, work, logs):
        self.a, self.work, self.logs = a, work, logs
        self.env = dict(os.environ)
        self.env.setdefault("WINEPREFIX",
                            os.path.join(os.path.dirname(os.path.abspath(a.pipeline_driver)), "wineprefix"))
        self.env.setdefault("WINEDEBUG", "-all")

    def run(self, timeout=180):
        a = self.a
        command = [a.wine, a.pipeline_driver, "--dir", "Z:" + self.logs, "--count", str(a.records),
                   "--start-day", a.start_day, "--seconds-before-midnight", str(a.seconds_before_midnight),
                   "--rotate-bytes", str(a.rotate_bytes), "--rate", str(a.rate or 0),
                   "--publish-interval-ms", "100", "--flush-interval-ms", "200"]
        out, err = os.path.join(self.work, "driver.json"), os.path.join(self.work, "driver.err")
        log(f"pipeline_driver: {' '.join(command[2:])}")
        begin = time.monotonic()
        proc = start(command, out, err, self.env)
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise HarnessError(f"pipeline_driver did not finish within {timeout} s")
        with open(out, encoding="utf-8", errors="replace") as f:
            text = f.read()
        with open(err, encoding="utf-8", errors="replace") as f:
            errors = f.read()
        lines = text.strip().splitlines()
        try:
            summary = json.loads(lines[-1])
        except (ValueError, IndexError):
            raise HarnessError(f"pipeline_driver exited {rc} without its summary: {text[-1000:]!r} {errors[-2000:]}")
        log(f"pipeline_driver: {summary['records']} records ({summary['before_midnight']} before midnight, "
            f"{summary['first_ts']} .. {summary['last_ts']}) in {time.monotonic() - begin:.1f} s, "
            f"{summary['retries']} retries on a full journal, exit {rc}; files {summary['days']}: "
            f"{len(summary['files'])}")
        if errors.strip():
            log("pipeline_driver stderr:\n" + errors.strip()[-3000:])
        return rc, summary


def names_to_follow(logs, rotate_mb, lifecycles, first_day=None, records=None):
    """Every public file name a run of about `lifecycles` (or `records`) may create: the first
    day's (today, UTC, unless given) and the next day's (a run may cross midnight), rotation
    indexes up to a bound from the expected volume. `rotate_mb` may be a fraction."""
    if records is None:
        records = lifecycles * RECORDS_PER_LIFECYCLE
    volume = records * RECORD_BYTES_ESTIMATE + (64 << 10)
    per_day = math.ceil(volume / (rotate_mb * (1 << 20))) + 3
    today = first_day or datetime.datetime.now(datetime.timezone.utc).date()
    names = []
    for day in (today, today + datetime.timedelta(days=1)):
        stem = day.strftime("accounting-%Y%m%d")
        names += [os.path.join(logs, f"{stem}.jsonl")]
        names += [os.path.join(logs, f"{stem}-{i}.jsonl") for i in range(1, per_day)]
    return names


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", required=True,
                   choices=["size-rotation", "paced-rotation", "kill-restart", "stop-start", "date-rotation"])
    p.add_argument("--work", required=True, help="this scenario's private folder (wiped first)")
    p.add_argument("--rrashost", help="rrashost.exe (every scenario but date-rotation)")
    p.add_argument("--dll", help="raswarden.dll (every scenario but date-rotation)")
    p.add_argument("--pipeline-driver", help="date-rotation: pipeline_driver.exe (tests/win32)")
    p.add_argument("--start-day", default="20261231",
                   help="date-rotation: the UTC day (YYYYMMDD) whose midnight the run crosses")
    p.add_argument("--records", type=int, default=20000, help="date-rotation: records to write")
    p.add_argument("--rotate-bytes", type=int, default=256 << 10, help="date-rotation: rotation size")
    p.add_argument("--seconds-before-midnight", type=int, default=5,
                   help="date-rotation: the first record's stamp before midnight (half the records before)")
    p.add_argument("--wine", default="wine")
    p.add_argument("--rsyslogd", default=shutil.which("rsyslogd") or "/usr/sbin/rsyslogd")
    p.add_argument("--tail", default=shutil.which("tail") or "/usr/bin/tail")
    p.add_argument("--accounting", default="",
                   help="JSON object merged into the configuration's accounting object (default: the "
                        "environment variable RASWARDEN_FOLLOWERS_ACCOUNTING)")
    p.add_argument("--lifecycles", type=int, help="load of the main run (default per scenario)")
    p.add_argument("--rate", type=float, help="rrashost --rate: arrivals per second (default: as fast as possible)")
    p.add_argument("--keep", action="store_true", help="keep the records and outputs of a passing run too")
    p.add_argument("--kill-after-acks", type=int, default=20000,
                   help="kill-restart: acknowledged callbacks before the kill (4 per lifecycle)")
    a = p.parse_args()

    a.accounting = a.accounting or os.environ.get("RASWARDEN_FOLLOWERS_ACCOUNTING", "")
    if a.scenario == "date-rotation":
        if not a.pipeline_driver:
            p.error("date-rotation needs --pipeline-driver")
        try:
            first_day = datetime.datetime.strptime(a.start_day, "%Y%m%d").date()
        except ValueError:
            p.error(f"--start-day {a.start_day!r} is no YYYYMMDD date")
        if a.records <= 0 or a.rotate_bytes <= 0 or a.seconds_before_midnight <= 0:
            p.error("--records, --rotate-bytes and --seconds-before-midnight must be positive")
        return date_rotation(a, first_day)
    if not a.rrashost or not a.dll:
        p.error(f"{a.scenario} needs --rrashost and --dll")
    if a.scenario == "paced-rotation" and a.rate is None:
        a.rate = 3000.0
    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    logs = os.path.join(work, "logs")
    os.makedirs(logs)
    accounting = {"directory": "Z:" + logs, "rotate_mb": 1, "min_free_mb": 0, "flush_interval_ms": 200}
    if a.accounting.strip():
        try:
            extra = json.loads(a.accounting)
        except ValueError as e:
            p.error(f"--accounting is not JSON: {e}")
        if not isinstance(extra, dict):
            p.error("--accounting must be a JSON object")
        accounting.update(extra)
    config = os.path.join(work, "raswarden.json")
    with open(config, "w", encoding="utf-8") as f:
        json.dump({"schema": 1, "accounting": accounting}, f)
    log(f"scenario {a.scenario} in {work}; accounting {json.dumps(accounting)}")

    if a.scenario in ("size-rotation", "paced-rotation"):
        plan = [a.lifecycles or 15000]
    elif a.scenario == "stop-start":
        plan = [a.lifecycles or 6000] * 2
    else:
        plan = [a.kill_after_acks // 4, a.lifecycles or 2000]
    volume = sum(plan) + (2 * plan[0] if a.scenario == "kill-restart" else 0)  # room for the kill's overshoot
    names = names_to_follow(logs, int(accounting.get("rotate_mb", 64)), volume)

    followers = Followers(work, logs, names, a.rsyslogd, a.tail)
    host = Host(a, work, config)
    begin = time.monotonic()
    try:
        followers.start()
        acks, accepted, allow_double = [], 0, 0
        if a.scenario == "kill-restart":
            acks.append(host.run_and_kill(seed=1, kill_after_acks=a.kill_after_acks))
            allow_double = 2  # a stop written just before the kill may also be recovered: one per worker
            report, ack = host.run(plan[1], seed=2)
            acks.append(ack)
            expect_accepts = None  # the killed run's count is unknown; the acks check covers it
        else:
            for i, lifecycles in enumerate(plan):
                report, ack = host.run(lifecycles, seed=i + 1)
                acks.append(ack)
                accepted += report["connections"]["accepted"]
            expect_accepts = accepted
        followers.wait_caught_up()
        followers.stop()
        log(f"load and followers done in {time.monotonic() - begin:.1f} s; checking")
        outputs = followers.outputs()
    except HarnessError as e:
        log(f"harness error: {e}")
        print("followers: 0 passed, 1 failed")
        return 2
    finally:
        followers.stop()
    _, failed = check_followers.check(logs, outputs, acks=acks, expect_accepts=expect_accepts, expect_closed=True,
                                      allow_double_close=allow_double, followed_names=followers.names_file,
                                      summary_path=os.path.join(work, "summary.json"))
    if not failed and not a.keep:
        shutil.rmtree(logs, ignore_errors=True)
        for _, path in outputs:
            os.remove(path)
        os.remove(os.path.join(followers.rdir, "origin.out"))
        where = f"the records and the followers' outputs removed (--keep keeps them); the rest in {work}"
    else:
        where = f"files in {work}"
    log(f"scenario {a.scenario}: {'FAILED' if failed else 'passed'} ({time.monotonic() - begin:.1f} s); {where}")
    return 1 if failed else 0


def date_rotation(a, first_day):
    """The date-rotation scenario: followers on a folder the pipeline driver fills across midnight."""
    if a.rate is None:
        a.rate = 4000.0
    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    logs = os.path.join(work, "logs")
    os.makedirs(logs)
    days = [first_day.strftime("%Y%m%d"), (first_day + datetime.timedelta(days=1)).strftime("%Y%m%d")]
    log(f"scenario date-rotation in {work}: {a.records} records across the midnight after {days[0]}, "
        f"rotate_bytes {a.rotate_bytes}, {a.rate:.0f} records/s")
    names = names_to_follow(logs, a.rotate_bytes / (1 << 20), 0, first_day=first_day, records=a.records)
    followers = Followers(work, logs, names, a.rsyslogd, a.tail)
    driver = Driver(a, work, logs)
    begin = time.monotonic()
    try:
        followers.start()
        rc, summary = driver.run()
        followers.wait_caught_up()
        followers.stop()
        log(f"load and followers done in {time.monotonic() - begin:.1f} s; checking")
        outputs = followers.outputs()
    except HarnessError as e:
        log(f"harness error: {e}")
        print("followers: 0 passed, 1 failed")
        return 2
    finally:
        followers.stop()
    sessions_whole = a.records % 4 == 0  # the driver writes four records a session
    extra = [("driver: exited 0 (the pipeline reported no error)", rc == 0, f"exit {rc}"),
             ("driver: records on both sides of midnight", 0 < summary["before_midnight"] < a.records,
              f"{summary['before_midnight']} of {a.records} before midnight")]
    _, failed = check_followers.check(
        logs, outputs, expect_closed=sessions_whole,
        followed_names=followers.names_file, summary_path=os.path.join(work, "summary.json"),
        expect_records=a.records, expect_days=days, check_file_days=True, extra=extra)
    if not failed and not a.keep:
        shutil.rmtree(logs, ignore_errors=True)
        for _, path in outputs:
            os.remove(path)
        os.remove(os.path.join(followers.rdir, "origin.out"))
        where = f"the records and the followers' outputs removed (--keep keeps them); the rest in {work}"
    else:
        where = f"files in {work}"
    log(f"scenario date-rotation: {'FAILED' if failed else 'passed'} ({time.monotonic() - begin:.1f} s); {where}")
    return 1 if failed else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))
    sys.exit(main())
