#!/usr/bin/env bash
# bench/svc.sh - how fast a watching agent puts back a systemd service
# stopped by hand, against a real systemd: the container the tests use
# (tests/container/), examples/service.mcl unchanged, and TRIES times
# `systemctl stop greeter`, then the time from its return until the unit is
# active again (polled with `systemctl is-active`). The baseline, measured
# in the same container in the same run: `systemctl start greeter` alone
# (the time systemd itself needs to start the unit, from a command).
#
# Usage: sudo bench/svc.sh [TRIES]   (MGMT_BIN defaults to target/release/mgmt)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "${MGMT_BIN:-$here/target/release/mgmt}")
TRIES=${1:-50}
root=$here/target/container/root
"$here/tests/container/build-root.sh" "$root"
work=$(mktemp -d /tmp/mgmt-bench-svc-XXXXXX)
cgroup=mgmt-bench-$$
mkdir -p "$work/run" "$work/bin"
cp "$BIN" "$work/bin/mgmt"
for hierarchy in systemd unified; do mkdir "/sys/fs/cgroup/$hierarchy/$cgroup"; done
cleanup() {
  [ -n "${pid1:-}" ] && kill -s RTMIN+4 "$pid1" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$unshare" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$unshare" 2>/dev/null || true; wait "$unshare" 2>/dev/null || true
  for hierarchy in systemd unified; do
    find "/sys/fs/cgroup/$hierarchy/$cgroup" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
python3 - "$work/run/host-notify" > "$work/ready" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(60)
while b"READY=1" not in s.recv(4096): pass
print("ready")
PY
notify=$!
while [ ! -S "$work/run/host-notify" ]; do sleep 0.01; done
sh -c "echo \$\$ > /sys/fs/cgroup/systemd/$cgroup/cgroup.procs && echo \$\$ > /sys/fs/cgroup/unified/$cgroup/cgroup.procs && exec unshare --pid --fork --mount --uts --ipc --cgroup --kill-child=SIGKILL sh $here/tests/container/boot.sh $root $work $work/bin" 2>/dev/null &
unshare=$!
wait $notify
pid1=$(cat "/proc/$unshare/task/$unshare/children" | cut -d' ' -f1)
inside() { nsenter -t "$pid1" -a -- "$@"; }
mkdir -p "$work/run/test"
cp "$here/examples/service.mcl" "$work/run/test/main.mcl"
# systemd refuses a sixth start within 10 s (StartLimitBurst); the bench
# starts the unit a hundred times, so the limit is lifted in a drop-in.
mkdir -p "/proc/$pid1/root/etc/systemd/system/greeter.service.d"
printf '[Unit]\nStartLimitIntervalSec=0\n' > "/proc/$pid1/root/etc/systemd/system/greeter.service.d/bench.conf"
inside /opt/mgmt/mgmt run /run/test/main.mcl 2>"$work/agent.log" &
entered=$!
until [ "$(inside systemctl is-active greeter)" = active ]; do sleep 0.05; done
sleep 1
# Both measurements run inside, so neither pays for nsenter.
cat > "$work/run/test/measure.sh" <<'SH'
now() { date +%s%N; }
tries=$1
for _ in $(seq "$tries"); do
  systemctl stop greeter
  start=$(now)
  until systemctl is-active -q greeter; do :; done
  echo "repair $(( ($(now) - start) / 1000 ))"
  sleep 0.2
done
systemctl disable -q greeter 2>/dev/null
SH
inside sh /run/test/measure.sh "$TRIES" > "$work/repair"
# nsenter forked the agent and passes no signal on: stop the agent itself.
kill -TERM "$(cut -d' ' -f1 "/proc/$entered/task/$entered/children")"
wait "$entered" || true
cat > "$work/run/test/baseline.sh" <<'SH'
now() { date +%s%N; }
for _ in $(seq "$1"); do
  systemctl stop greeter
  start=$(now)
  systemctl start greeter
  echo "start $(( ($(now) - start) / 1000 ))"
  sleep 0.2
done
SH
inside sh /run/test/baseline.sh "$TRIES" > "$work/baseline"
summary() {
  sort -n | awk '{ v[NR] = $1 } END { printf "p50 %.1f ms, max %.1f ms (%d tries)", v[int((NR + 1) / 2)] / 1000, v[NR] / 1000, NR }'
}
echo "agent repair (stop by hand -> active): $(awk '{ print $2 }' "$work/repair" | summary)"
echo "baseline (systemctl start alone):      $(awk '{ print $2 }' "$work/baseline" | summary)"
