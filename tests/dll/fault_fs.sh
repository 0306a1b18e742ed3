#!/usr/bin/env bash
# CTest fixture for tests/dll/fault_fs_test.cpp: a tiny tmpfs the accounting folder can fill up,
# and a watcher that remounts it read-only or read-write when the test (a Wine process, which
# cannot call mount) asks through files in a control folder outside the mount.
#   fault_fs.sh setup <mount-dir> <control-dir> <size>
#   fault_fs.sh cleanup <mount-dir> <control-dir>
# setup never fails for lack of privilege: it writes <control-dir>/mount-failed with the reason
# and the tests skip. On success it writes <control-dir>/mounted.
# Control protocol: the test creates request-ro or request-rw; the watcher removes it, runs
# `mount -o remount,<mode>` and writes ack-<mode> ("ok", or the error) by rename, so the test
# never reads half an answer.
set -uo pipefail
action=$1
mount_dir=$2
control=$3

stop_watcher() {
  if [ -f "$control/watcher.pid" ]; then
    kill "$(cat "$control/watcher.pid")" 2>/dev/null || true
    rm -f "$control/watcher.pid"
  fi
}

unmount() {
  if mountpoint -q "$mount_dir"; then
    umount "$mount_dir" 2>/dev/null || umount -l "$mount_dir" 2>/dev/null || true
  fi
}

case "$action" in
  setup)
    size=$4
    stop_watcher
    unmount
    rm -rf "$control"
    mkdir -p "$mount_dir" "$control"
    chmod 0777 "$control"
    if ! error=$(mount -t tmpfs -o "size=$size,mode=0777" raswarden-fault "$mount_dir" 2>&1); then
      echo "mount -t tmpfs -o size=$size at $mount_dir failed (needs root or CAP_SYS_ADMIN): $error" \
        > "$control/mount-failed"
      exit 0
    fi
    echo "tmpfs size=$size" > "$control/mounted"
    # The watcher ends by itself when the mount goes away or after an hour, so a run interrupted
    # before cleanup leaves nothing behind for long.
    setsid bash -c '
      mount_dir=$1; control=$2
      end=$((SECONDS + 3600))
      while [ $SECONDS -lt $end ] && mountpoint -q "$mount_dir"; do
        for mode in ro rw; do
          if [ -e "$control/request-$mode" ]; then
            rm -f "$control/request-$mode"
            if out=$(mount -o "remount,$mode" "$mount_dir" 2>&1); then
              echo ok > "$control/ack-$mode.tmp"
            else
              echo "mount -o remount,$mode failed: $out" > "$control/ack-$mode.tmp"
            fi
            mv -f "$control/ack-$mode.tmp" "$control/ack-$mode"
          fi
        done
        sleep 0.02
      done' fault-fs-watcher "$mount_dir" "$control" < /dev/null > "$control/watcher.log" 2>&1 &
    echo $! > "$control/watcher.pid"
    ;;
  cleanup)
    stop_watcher
    unmount
    rm -rf "$control"
    rmdir "$mount_dir" 2>/dev/null || true
    ;;
  *)
    echo "usage: $0 setup <mount-dir> <control-dir> <size> | cleanup <mount-dir> <control-dir>" >&2
    exit 2
    ;;
esac
