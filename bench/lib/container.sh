# bench/lib/container.sh - sourced by the container benchmarks: boots the
# tests' container (tests/container/, root cached in target/container/)
# with a copy of $BIN as /opt/mgmt/mgmt, sets pid1, defines `inside CMD...`
# (run in the container) and `stop_agent PID` (an agent started with
# `inside ... &`), and tears everything down on exit. Needs root.
# Before sourcing: here (the source tree), BIN, and name (for temp paths).
root=$here/target/container/root
"$here/tests/container/build-root.sh" "$root"
work=$(mktemp -d "/tmp/mgmt-bench-$name-XXXXXX")
cgroup=mgmt-bench-$$
mkdir -p "$work/run/test" "$work/bin"
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
pid1=$(cut -d' ' -f1 "/proc/$unshare/task/$unshare/children")
inside() { nsenter -t "$pid1" -a -- "$@"; }
# nsenter forks the agent and passes no signal on: stop the agent itself.
stop_agent() {
  kill -TERM "$(cut -d' ' -f1 "/proc/$1/task/$1/children")"
  wait "$1" || true
}
