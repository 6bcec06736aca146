#!/usr/bin/env bash
# bench/run.sh - the engine's benchmarks: every figure next to its baselines,
#                all measured in the same run, printed as one markdown report.
#
# Usage (as root on Debian 12; the harness installs its peers with apt-get):
#   bench/run.sh [options]
#
# What it does:
#   1. cargo build --release (mgmt) and bench/direct (the direct Rust baseline
#      and the drift-latency probe);
#   2. bench/extra.py direct: bench/direct's `direct` on W1-W3 through the
#      harness's own measuring code (/usr/bin/time, the same directory layout,
#      the same drift), just before the harness;
#   3. the shared harness, ../shared/bench/peers.sh (the shared folder sits
#      beside the project root), with MGMT_BIN=target/release/mgmt (a copy of
#      it in OUT, so a concurrent rebuild cannot swap the binary): workloads
#      W0-W4 at N=1000, 5 runs, tools phys, phys-fsync, mgmt, cfengine, puppet
#      (its install step apt-gets the peers; a peer that fails to install is
#      reported by the harness and skipped); then W2 again with hyperfine
#      (30 runs each of mgmt and direct on the same directory) as a
#      cross-check of that ratio;
#   4. bench/direct's `drift`: repair latency of a watching `mgmt run` over 100
#      drifts at N=100, beside the floor (the same drifts repaired directly
#      with the same syscalls, fsyncs included);
#   5. bench/extra.py memory: peak RSS of `mgmt run --converged-timeout 0` at
#      N=5000 (W1 create, W2 no-op); then `drift` again at N=5000 (its VmHWM
#      after convergence is the watching agent's memory figure);
#   6. peerbench.py report (the harness's own tables) and bench/extra.py report
#      (one document: machine, tables with ratio columns, latency, memory,
#      targets met / not met), printed and written to OUT/report.md.
#   CFEngine or Puppet daemons that were not running before are stopped at the
#   end (by PID), and no mgmt started here is left running.
#
# Options:
#   --out DIR         results and report (default /tmp/mgmt-bench/run-YYYYmmdd-HHMMSS)
#   --n N             files for W1-W3 (default 1000)
#   --runs K          runs per (tool, workload) (default 5)
#   --tools LIST      harness tools (default phys,phys-fsync,mgmt,cfengine,puppet;
#                     add mgmt-gen to separate compiling from applying)
#   --workloads LIST  harness workloads (default w0,w1,w2,w3,w4)
#   --no-install      skip the harness's apt-get/pip step (peers already there)
#   --no-peers        skip step 3, the harness (only direct, drift, memory)
#   --mem-n N         N for the memory figures and the second drift run (default 5000)
#   --drift-n N       N for the latency figure (default 100)
#   --drift-iterations I   drifts per latency run (default 100)
#
# Environment:
#   PEERBENCH_DIR     the harness's own dir for physconv and its venv (default
#                     /tmp/peerbench); the workloads' files go to OUT/work
#   MGMT_SHARED_BENCH the shared bench/ folder, if it is not ../shared/bench
#
# The machine is usually shared: compare medians, and re-run when the ratios
# look odd. Runs take a lock (/tmp/mgmt-bench/.run.lock): a second run waits. Results: OUT/peers.jsonl (harness), OUT/direct.jsonl,
# OUT/memory.jsonl, OUT/drift-nN.json, OUT/peers.md, OUT/report.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SHARED="${MGMT_SHARED_BENCH:-$(dirname "$0")/../../shared/bench}"
if [[ ! -f "$SHARED/peers.sh" || ! -f "$SHARED/peerbench.py" ]]; then
  echo "!! shared benchmark harness not found: expected peers.sh and peerbench.py in $SHARED" >&2
  echo "   (the shared folder sits beside the project root: <parent>/shared/bench;" >&2
  echo "    or set MGMT_SHARED_BENCH=/path/to/shared/bench)" >&2
  exit 2
fi
SHARED="$(cd "$SHARED" && pwd)"

OUT="/tmp/mgmt-bench/run-$(date +%Y%m%d-%H%M%S)"
N=1000 RUNS=5 TOOLS=phys,phys-fsync,mgmt,cfengine,puppet WORKLOADS=w0,w1,w2,w3,w4
INSTALL=1 PEERS=1 MEM_N=5000 DRIFT_N=100 DRIFT_ITER=100
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --n) N="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --tools) TOOLS="$2"; shift 2 ;;
    --workloads) WORKLOADS="$2"; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    --no-peers) PEERS=0; shift ;;
    --mem-n) MEM_N="$2"; shift 2 ;;
    --drift-n) DRIFT_N="$2"; shift 2 ;;
    --drift-iterations) DRIFT_ITER="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "!! unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
export PEERBENCH_DIR="${PEERBENCH_DIR:-/tmp/peerbench}"
# this run's own scratch directories, so that two runs never share files
WORK="$OUT/work"

# One run at a time: two runs would time each other's fsyncs and builds.
mkdir -p /tmp/mgmt-bench
exec 9>/tmp/mgmt-bench/.run.lock
if ! flock -n 9; then
  echo "== another bench/run.sh is running; waiting for it to finish" >&2
  flock 9
fi
# the binary is copied into OUT after the build, so that a rebuild by someone
# else during the run cannot change what is measured
export MGMT_BIN="$OUT/mgmt"
DIRECT="$HERE/direct/target/release/direct"
DRIFT="$HERE/direct/target/release/drift"
FAILED=()

# Daemons that peer packages may start: whatever runs now is left alone.
DAEMONS="cf-execd cf-serverd cf-monitord cf-hub puppet"
daemon_pids() { local d; for d in $DAEMONS; do pgrep -x "$d" || true; done | sort -n; }
BEFORE="$(daemon_pids | tr '\n' ' ')"

cleanup() {
  local pid stopped=()
  for pid in $(daemon_pids); do
    if [[ " $BEFORE " != *" $pid "* ]]; then
      stopped+=("$pid($(cat "/proc/$pid/comm" 2>/dev/null || echo '?'))")
      kill "$pid" 2>/dev/null || true
    fi
  done
  if [[ ${#stopped[@]} -gt 0 ]]; then
    echo "== stopped daemons started during this run: ${stopped[*]}" | tee -a "$OUT/notes.txt"
  fi
  # any mgmt of this run still alive (a crashed probe, Ctrl-C): $MGMT_BIN is
  # this run's own copy, so these are ours
  for pid in $(pgrep -f "^$MGMT_BIN run" || true); do
    echo "!! mgmt $pid was still running: killed" | tee -a "$OUT/notes.txt"
    kill -9 "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

echo "== build ($ROOT)"
(cd "$ROOT" && cargo build --release)
cargo build --release --locked --manifest-path "$HERE/direct/Cargo.toml"
cp "$ROOT/target/release/mgmt" "$MGMT_BIN"

if COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"; then
  # local changes outside bench/, docs/ and .gitignore: what was built is not HEAD
  DIRTY="$(git -C "$ROOT" status --porcelain -- . ':!bench' ':!docs' ':!.gitignore' | wc -l)"
  COMMIT="$COMMIT (+$DIRTY changed or untracked paths outside bench/ and docs/ in the tree that was built)"
else
  COMMIT="? (not a git checkout)"
fi
{
  echo "commit=$COMMIT"
  echo "rustc=$(cd "$ROOT" && rustc --version)"
} >"$OUT/info.txt"
# the 1-minute load before each step: a hint of what else ran (note that
# mgmt's own parallel fsyncs at N=5000 count as load too: D-state threads)
load_note() { echo "load before $1=$(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/info.txt"; }

# The direct baseline runs just before the harness, whose first tools are
# phys, phys-fsync and mgmt: the figures compared run minutes apart at most.
load_note direct
echo "== direct Rust baseline on W1-W3 (N=$N, runs $RUNS)"
python3 "$HERE/extra.py" direct --harness "$SHARED" --workdir "$WORK" --bin "$DIRECT" \
  --n "$N" --runs "$RUNS" --out "$OUT/direct.jsonl" || FAILED+=("direct rc=$?")

load_note harness
if [[ $PEERS == 1 ]]; then
  echo "== shared harness: $SHARED/peers.sh (tools $TOOLS, N=$N, runs $RUNS, $WORKLOADS)"
  install=()
  [[ $INSTALL == 1 ]] || install=(--no-install)
  # (a later --workdir overrides the one peers.sh passes)
  "$SHARED/peers.sh" "${install[@]}" --tools "$TOOLS" --n "$N" --runs "$RUNS" \
    --workloads "$WORKLOADS" --workdir "$WORK" --out "$OUT/peers.jsonl" \
    || FAILED+=("harness rc=$?")
fi

# W2 once more with many runs, mgmt and direct on the very same directory
# (the harness's mgmt files, converged after its W3): a cross-check of the
# ratio that 5 runs each, minutes apart, may blur on a busy machine.
W2_PROGRAM="$WORK/mgmt/n$N/files.mcl"
if command -v hyperfine >/dev/null && [[ -f "$W2_PROGRAM" ]]; then
  echo "== W2 cross-check with hyperfine (30 runs each, same directory)"
  hyperfine -N --warmup 3 --runs 30 --export-json "$OUT/w2-hyperfine.json" \
    -n mgmt "$MGMT_BIN run --converged-timeout 0 $W2_PROGRAM" \
    -n direct "$DIRECT $WORK/mgmt/n$N/files $N" || FAILED+=("hyperfine rc=$?")
fi

# Repairs are fsync-bound: flush what earlier steps left in the page cache
# first, so that their writeback does not land in the latency figures.
drift_run() {
  sync
  load_note "drift N=$1"
  echo "== drift-repair latency of a watching mgmt run at N=$1 ($DRIFT_ITER drifts)"
  "$DRIFT" --mgmt "$MGMT_BIN" --dir "$WORK/drift-n$1" --n "$1" \
    --iterations "$DRIFT_ITER" >"$OUT/drift-n$1.json" || FAILED+=("drift N=$1 rc=$?")
}
drift_run "$DRIFT_N"

load_note memory
echo "== memory: one-shot mgmt at N=$MEM_N (W1, W2; 3 runs)"
python3 "$HERE/extra.py" memory --harness "$SHARED" --workdir "$WORK" \
  --n "$MEM_N" --runs 3 --out "$OUT/memory.jsonl" || FAILED+=("memory rc=$?")

drift_run "$MEM_N"
load_note report

echo "== report"
if [[ -s "$OUT/peers.jsonl" ]]; then
  python3 "$SHARED/peerbench.py" report "$OUT/peers.jsonl" --md "$OUT/peers.md" >/dev/null
fi
info=()
while IFS= read -r line; do info+=("$line"); done <"$OUT/info.txt"
results=("$OUT/direct.jsonl")
[[ -s "$OUT/peers.jsonl" ]] && results=("$OUT/peers.jsonl" "${results[@]}")
python3 "$HERE/extra.py" report "${results[@]}" --n "$N" --hyperfine "$OUT/w2-hyperfine.json" \
  --memory "$OUT/memory.jsonl" --drift "$OUT/drift-n$DRIFT_N.json" "$OUT/drift-n$MEM_N.json" \
  --info "${info[@]}" --md "$OUT/report.md"
echo
echo "results in $OUT (report.md; peers.md is the harness's own report)"
if [[ ${#FAILED[@]} -gt 0 ]]; then
  echo "!! steps that failed: ${FAILED[*]}" >&2
  exit 1
fi
