#!/usr/bin/env bash
# bench/cluster-scale.sh - ten agents against a real etcd (Debian's
# etcd-server), each exporting 99 files (11 to each of its 9 peers) and
# collecting what the others export to it: 990 collected files in all.
#   1. full convergence: from starting the ten agents until every host holds
#      its 99 collected files; the baseline, in the same run, is one agent
#      writing 990 files from its own program with the in-process store;
#   2. one change: host h0's version file changes, which changes one export
#      to each peer (9 of its 99); the time until all 9 collectors have
#      written the new content (p50/max over CHANGES changes), and the etcd
#      requests it cost (etcd's own counter of committed proposals, read
#      from its /metrics before and after), which must not grow with the 90
#      unchanged exports;
#   3. memory: each agent's peak RSS (VmHWM) with its 99 collected files.
# Usage: bench/cluster-scale.sh [CHANGES]   (MGMT_BIN defaults to target/release/mgmt)
set -euo pipefail
BIN=${MGMT_BIN:-$(dirname "$0")/../target/release/mgmt}
CHANGES=${1:-10}
HOSTS=10
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
work=$(mktemp -d /tmp/mgmt-bench-scale-XXXXXX)
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

client=$((20000 + RANDOM % 20000)); peer=$((client + 1)); metrics=$((client + 2))
etcd --name bench --data-dir "$work/etcd" \
  --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
  --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
  --initial-cluster "bench=http://127.0.0.1:$peer" \
  --listen-metrics-urls "http://127.0.0.1:$metrics" >/dev/null 2>&1 &
pids+=($!)
until curl -sf "http://127.0.0.1:$metrics/metrics" >/dev/null; do sleep 0.05; done
proposals() {
  curl -sf "http://127.0.0.1:$metrics/metrics" | awk '$1 == "etcd_server_proposals_committed_total" { print int($2) }'
}

root=$work/root
hosts=$(seq -s, 0 $((HOSTS - 1)) | sed 's/\([0-9]\+\)/"h\1"/g')
cat > "$work/main.mcl" <<MCL
import "os"
import "iter"
import "fmt"
import "world/collect"

\$root = "$root"
\$version = os.readfile("\${root}/version-\${hostname}") <|> "v0"

file "\${root}/\${hostname}/" {
	state => "exists",
}

for \$i, \$peer in [$hosts] {
	if \$peer != \$hostname {
		for \$j, \$n in iter.range(0, 11) {
			file fmt.printf("%s/%s/from-%s-%d", \$root, \$peer, \$hostname, \$n) {
				content => if \$n == 0 { "export \${version}\n" } else { "export\n" },

				Meta:export => [\$peer],
				Meta:hidden => true,
			}
		}
	}
}

collect file collect.res("file") {}
MCL
mkdir -p "$root"
"$BIN" compile "$work/main.mcl" >/dev/null
collected() { find "$root" -name 'from-*' | wc -l; }

start=$(now)
for index in $(seq 0 $((HOSTS - 1))); do
  "$BIN" run --hostname "h$index" --seeds "http://127.0.0.1:$client" "$work/main.mcl" 2>"$work/h$index.log" &
  pids+=($!)
done
until [ "$(collected)" = $((HOSTS * (HOSTS - 1) * 11)) ]; do sleep 0.01; done
converged=$(ms "$start" "$(now)")
sleep 2

# Baseline: the same 990 files from one program, no store.
mkdir -p "$work/local"
{
  echo "import \"iter\""
  echo "import \"fmt\""
  echo "for \$i, \$n in iter.range(0, 990) {"
  echo "	file fmt.printf(\"$work/local/f%d\", \$n) {"
  echo "		content => \"export\\n\","
  echo "	}"
  echo "}"
} > "$work/local.mcl"
start=$(now)
"$BIN" run --converged-timeout 0 "$work/local.mcl" 2>/dev/null
local_ms=$(ms "$start" "$(now)")

changed() { grep -l "export v$1" "$root"/h*/from-h0-0 2>/dev/null | wc -l; }
times=()
costs=()
for change in $(seq 1 "$CHANGES"); do
  before=$(proposals)
  start=$(now)
  printf 'v%s' "$change" > "$root/version-h0.tmp"
  mv "$root/version-h0.tmp" "$root/version-h0"
  until [ "$(changed "$change")" = $((HOSTS - 1)) ]; do sleep 0.002; done
  times+=($(ms "$start" "$(now)"))
  sleep 1
  costs+=($(( $(proposals) - before )))
done
memory=$(for pid in "${pids[@]:1}"; do awk '/VmHWM/ { print $2 }' "/proc/$pid/status"; done | sort -n)

p50() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
max() { printf '%s\n' "$@" | sort -n | tail -1; }
echo "full convergence of $HOSTS agents ($((HOSTS * (HOSTS - 1) * 11)) collected files): $converged ms; single-host baseline (990 files): $local_ms ms"
echo "one change (9 exports of h0) until all 9 collectors applied it: p50 $(p50 "${times[@]}") ms, max $(max "${times[@]}") ms (${times[*]})"
echo "etcd proposals per change: ${costs[*]}"
echo "agent peak RSS with 99 collected files (kB): min $(echo "$memory" | head -1), max $(echo "$memory" | tail -1)"
