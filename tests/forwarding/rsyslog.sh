#!/usr/bin/env bash
# A private rsyslogd on loopback for the forwarding tests (never the system's): TCP, UDP and RELP
# (imrelp, Debian package rsyslog-relp) inputs on the given ports, every message written as
# "<msgid> <msg>" to <dir>/received.log.
#   rsyslog.sh start <dir> <tcp-port> <udp-port> <relp-port>   fresh folder, rsyslogd, control watcher
#   rsyslog.sh stop <dir>                                      rsyslogd and the watcher
#   rsyslog.sh pause <dir>      stops rsyslogd only (a collector outage); received.log stays
#   rsyslog.sh resume <dir>     starts it again with the same configuration
#   rsyslog.sh freeze <dir>     SIGSTOP: connections are accepted by the kernel, nothing answers
#   rsyslog.sh thaw <dir>       SIGCONT: it reads what waited in its sockets
# The tests run under Wine and cannot start Linux programs, so `start` also runs a watcher that
# pauses or resumes rsyslogd when a test asks through files in <dir>/control (the pattern of
# tests/dll/fault_fs.sh): the test creates request-pause or request-resume; the watcher removes
# it, does it and writes ack-pause or ack-resume ("ok" or the error) by rename; freeze and thaw
# likewise.
set -euo pipefail
action=$1
dir=$2

ports_file="$dir/ports"

listening() {
  local tcp_port udp_port relp_port
  read -r tcp_port udp_port relp_port < "$ports_file"
  ss -ltn | grep -q "127.0.0.1:$tcp_port " && ss -lun | grep -q "127.0.0.1:$udp_port " &&
    ss -ltn | grep -q "127.0.0.1:$relp_port "
}

start_daemon() {
  # -n: no fork, so the pid is ours; setsid and the redirections keep it away from CTest's pipes.
  setsid rsyslogd -n -f "$dir/rsyslog.conf" -i "$dir/rsyslogd.pid" < /dev/null >> "$dir/rsyslogd.log" 2>&1 &
  echo $! > "$dir/daemon.pid"
  for _ in $(seq 1 100); do
    if listening; then return 0; fi
    if ! kill -0 "$(cat "$dir/daemon.pid")" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "rsyslogd did not start listening on 127.0.0.1:$(cat "$ports_file") (see $dir/rsyslogd.log)" >&2
  return 1
}

stop_daemon() {
  if [ -f "$dir/daemon.pid" ]; then
    local pid
    pid=$(cat "$dir/daemon.pid")
    kill -CONT "$pid" 2>/dev/null || true  # a frozen daemon cannot act on SIGTERM
    kill "$pid" 2>/dev/null || true
    # Gone only once the process has exited and its ports are closed.
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/daemon.pid" "$dir/rsyslogd.pid"
  fi
}

stop_watcher() {
  if [ -f "$dir/watcher.pid" ]; then
    kill "$(cat "$dir/watcher.pid")" 2>/dev/null || true
    rm -f "$dir/watcher.pid"
  fi
}

case "$action" in
  start)
    tcp_port=$3
    udp_port=$4
    relp_port=$5
    if [ -d "$dir" ]; then
      stop_watcher
      stop_daemon
    fi
    rm -rf "$dir"
    mkdir -p "$dir/work" "$dir/control"
    chmod 0777 "$dir/control"
    echo "$tcp_port $udp_port $relp_port" > "$ports_file"
    cat > "$dir/rsyslog.conf" <<CONF
global(workDirectory="$dir/work")
# Direct: a message is in received.log before imrelp acknowledges it, so a test that stops
# rsyslogd right after an acknowledgement finds it there.
main_queue(queue.type="Direct")
module(load="imtcp")
module(load="imudp")
module(load="imrelp")
template(name="record" type="string" string="%msgid% %msg%\n")
ruleset(name="raswarden") {
  action(type="omfile" file="$dir/received.log" template="record")
}
input(type="imtcp" address="127.0.0.1" port="$tcp_port" ruleset="raswarden")
input(type="imudp" address="127.0.0.1" port="$udp_port" ruleset="raswarden")
input(type="imrelp" address="127.0.0.1" port="$relp_port" ruleset="raswarden")
CONF
    start_daemon
    # The watcher ends by itself after an hour, so an interrupted run leaves nothing for long.
    setsid bash -c '
      script=$1; dir=$2
      end=$((SECONDS + 3600))
      while [ $SECONDS -lt $end ] && [ -d "$dir/control" ]; do
        for request in pause resume freeze thaw; do
          if [ -e "$dir/control/request-$request" ]; then
            rm -f "$dir/control/request-$request"
            if out=$("$script" "$request" "$dir" 2>&1); then
              echo ok > "$dir/control/ack-$request.tmp"
            else
              echo "rsyslog.sh $request failed: $out" > "$dir/control/ack-$request.tmp"
            fi
            mv -f "$dir/control/ack-$request.tmp" "$dir/control/ack-$request"
          fi
        done
        sleep 0.02
      done' rsyslog-watcher "$0" "$dir" < /dev/null > "$dir/watcher.log" 2>&1 &
    echo $! > "$dir/watcher.pid"
    ;;
  pause)
    stop_daemon
    ;;
  resume)
    stop_daemon
    start_daemon
    ;;
  freeze)
    kill -STOP "$(cat "$dir/daemon.pid")"
    ;;
  thaw)
    kill -CONT "$(cat "$dir/daemon.pid")"
    ;;
  stop)
    stop_watcher
    stop_daemon
    ;;
  *)
    echo "usage: $0 start <dir> <tcp-port> <udp-port> <relp-port> | stop|pause|resume|freeze|thaw <dir>" >&2
    exit 2
    ;;
esac
