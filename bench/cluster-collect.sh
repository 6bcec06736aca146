#!/usr/bin/env bash
# bench/cluster-collect.sh - one agent collecting 1,000 files that another
# exports to it over a real etcd (Debian's etcd-server): the time from the
# collector's start until all 1,000 are written, and its peak RSS (VmHWM)
# once they are; the baseline, in the same run, is one agent managing the
# same 1,000 files from its own program with the in-process store.
# Usage: bench/cluster-collect.sh [COUNT]   (MGMT_BIN defaults to target/release/mgmt)
set -euo pipefail
BIN=${MGMT_BIN:-$(dirname "$0")/../target/release/mgmt}
COUNT=${1:-1000}
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
work=$(mktemp -d /tmp/mgmt-bench-collect-XXXXXX)
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
client=$((20000 + RANDOM % 20000)); peer=$((client + 1))
etcd --name bench --data-dir "$work/etcd" \
  --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
  --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
  --initial-cluster "bench=http://127.0.0.1:$peer" >/dev/null 2>&1 &
pids+=($!)
until etcdctl --endpoints "http://127.0.0.1:$client" endpoint health >/dev/null 2>&1; do sleep 0.05; done
count() { find "$1" -type f | wc -l; }
rss() { awk '/VmHWM/ { print $2 }' "/proc/$1/status"; }

cat > "$work/exporter.mcl" <<MCL
import "iter"
import "fmt"

for \$i, \$n in iter.range(0, $COUNT) {
	file fmt.printf("$work/collected/f%d", \$n) {
		content => "collected\n",

		Meta:export => ["collector"],
		Meta:hidden => true,
	}
}
MCL
cat > "$work/collector.mcl" <<'MCL'
import "world/collect"

collect file collect.res("file") {}
MCL
sed -e "s#$work/collected/#$work/local/#" -e '/Meta:export/d' -e '/Meta:hidden/d' \
  "$work/exporter.mcl" > "$work/local.mcl"
mkdir -p "$work/collected" "$work/local"

"$BIN" run --hostname exporter --seeds "http://127.0.0.1:$client" "$work/exporter.mcl" 2>"$work/exporter.log" &
pids+=($!)
until [ "$(etcdctl --endpoints "http://127.0.0.1:$client" get --prefix --keys-only /_mgmt/exports/ | grep -c .)" -ge "$COUNT" ]; do sleep 0.05; done
start=$(now)
"$BIN" run --hostname collector --seeds "http://127.0.0.1:$client" "$work/collector.mcl" 2>"$work/collector.log" &
collector=$!
pids+=($collector)
until [ "$(count "$work/collected")" -ge "$COUNT" ]; do sleep 0.01; done
collected_ms=$(ms "$start" "$(now)")
sleep 1
collected_rss=$(rss "$collector")

start=$(now)
"$BIN" run "$work/local.mcl" 2>"$work/local.log" &
alone=$!
pids+=($alone)
until [ "$(count "$work/local")" -ge "$COUNT" ]; do sleep 0.01; done
alone_ms=$(ms "$start" "$(now)")
sleep 1
alone_rss=$(rss "$alone")
echo "collector of $COUNT files: all written after $collected_ms ms, peak RSS $collected_rss kB"
echo "baseline, the same $COUNT files from its own program: $alone_ms ms, peak RSS $alone_rss kB"
