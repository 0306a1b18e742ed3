#!/usr/bin/env bash
# Starts or stops a private rsyslogd on loopback for the forwarding tests: TCP and UDP inputs on
# the given ports, every message written as "<msgid> <msg>" to <dir>/received.log.
#   rsyslog.sh start <dir> <tcp-port> <udp-port>
#   rsyslog.sh stop <dir>
set -euo pipefail
action=$1
dir=$2
case "$action" in
  start)
    tcp_port=$3
    udp_port=$4
    "$0" stop "$dir" || true
    rm -rf "$dir"
    mkdir -p "$dir/work"
    cat > "$dir/rsyslog.conf" <<CONF
global(workDirectory="$dir/work")
module(load="imtcp")
module(load="imudp")
template(name="record" type="string" string="%msgid% %msg%\n")
ruleset(name="raswarden") {
  action(type="omfile" file="$dir/received.log" template="record")
}
input(type="imtcp" address="127.0.0.1" port="$tcp_port" ruleset="raswarden")
input(type="imudp" address="127.0.0.1" port="$udp_port" ruleset="raswarden")
CONF
    rsyslogd -f "$dir/rsyslog.conf" -i "$dir/rsyslogd.pid"
    # Ready when both ports listen.
    for _ in $(seq 1 100); do
      if ss -ltn | grep -q "127.0.0.1:$tcp_port " && ss -lun | grep -q "127.0.0.1:$udp_port "; then exit 0; fi
      sleep 0.1
    done
    echo "rsyslogd did not start listening on 127.0.0.1:$tcp_port/$udp_port" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/rsyslogd.pid" ]; then
      kill "$(cat "$dir/rsyslogd.pid")" 2>/dev/null || true
      rm -f "$dir/rsyslogd.pid"
    fi
    ;;
esac
