#!/usr/bin/env bash
# bench/cluster.sh - the three-host demo against a real etcd (Debian's
# etcd-server): how long from the third agent's start until all three hosts
# hold all 24 files (their own four and two from each peer), next to a
# baseline measured in the same run: one agent writing the same eight files
# of one host from its own program with the in-process store, start to exit
# (`--converged-timeout 0`).
#
# Usage: bench/cluster.sh [RUNS]   (MGMT_BIN defaults to target/release/mgmt)
set -euo pipefail
BIN=${MGMT_BIN:-$(dirname "$0")/../target/release/mgmt}
RUNS=${1:-5}
EXAMPLE=$(dirname "$0")/../examples/cluster/main.mcl
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

for run in $(seq 1 "$RUNS"); do
  work=$(mktemp -d)
  client=$((20000 + RANDOM % 20000)); peer=$((client + 1))
  etcd --name bench --data-dir "$work/etcd" \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "bench=http://127.0.0.1:$peer" >/dev/null 2>&1 &
  etcd_pid=$!
  until ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$client" get probe >/dev/null 2>&1; do sleep 0.05; done
  sed "s#/tmp/mgmt-cluster#$work/root#" "$EXAMPLE" > "$work/main.mcl"
  "$BIN" run --hostname a --seeds "http://127.0.0.1:$client" "$work/main.mcl" 2>/dev/null & a=$!
  "$BIN" run --hostname b --seeds "http://127.0.0.1:$client" "$work/main.mcl" 2>/dev/null & b=$!
  until [ "$(ls "$work/root/a" 2>/dev/null | grep -c from-b)" = 2 ]; do sleep 0.01; done
  start=$(now)
  "$BIN" run --hostname c --seeds "http://127.0.0.1:$client" "$work/main.mcl" 2>/dev/null & c=$!
  until [ "$(ls "$work/root/a" "$work/root/b" "$work/root/c" 2>/dev/null | grep -c -E '^(f[1-4]|from-)')" = 24 ]; do
    sleep 0.002
  done
  cluster=$(ms "$start" "$(now)")
  kill $a $b $c; wait $a $b $c 2>/dev/null || true
  kill $etcd_pid; wait $etcd_pid 2>/dev/null || true

  # Baseline: the same eight files of one host, from one program, no store.
  mkdir -p "$work/local"
  {
    echo "file \"$work/local/\" { state => \"exists\", }"
    for f in f1 f2 f3 f4 from-a-1 from-a-2 from-b-1 from-b-2; do
      echo "file \"$work/local/$f\" { content => \"$f\\n\", }"
    done
  } > "$work/local.mcl"
  start=$(now)
  "$BIN" run --converged-timeout 0 "$work/local.mcl" 2>/dev/null
  local_ms=$(ms "$start" "$(now)")
  echo "run $run: cluster $cluster ms, single-host baseline $local_ms ms"
  rm -rf "$work"
done
