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
name=svc
. "$here/bench/lib/container.sh"
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
stop_agent "$entered"
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
