#!/usr/bin/env bash
# bench/pkg.sh - twenty packages installed through PackageKit in one grouped
# transaction vs one at a time, against the real PackageKit and apt of the
# tests' container (tests/container/). Three measurements, each from the
# same state (none of the twenty installed, apt's download cache empty, so
# each pays for its downloads), in the same run:
#   1. grouped: one program with twenty pkg resources (autogrouped, the
#      default): `mgmt run --converged-timeout 0` start to exit;
#   2. one at a time: the same program with `Meta:autogroup => false`, as
#      Puppet and Ansible loops install them;
#   3. the baseline: `apt-get install -y` of the twenty in one command.
# Then the time a watching agent takes to put back a package removed by hand
# (`dpkg --remove hello` until it is installed again), TRIES times.
# Usage: sudo bench/pkg.sh [RUNS] [TRIES]   (MGMT_BIN defaults to target/release/mgmt)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "${MGMT_BIN:-$here/target/release/mgmt}")
RUNS=${1:-3}
TRIES=${2:-10}
PACKAGES="hello figlet tree pv dos2unix ed pwgen dc bc units jq nano less file zip unzip lsof xxd time strace"
name=pkg
. "$here/bench/lib/container.sh"
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
program() { # $1: extra line in each resource
  for package in $PACKAGES; do
    printf 'pkg "%s" {\n\tstate => "installed",\n%s}\n' "$package" "$1"
  done
}
clean() {
  inside sh -c "dpkg --purge $PACKAGES >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -qq >/dev/null 2>&1; apt-get clean" || true
}
history() { grep -c '^Start-Date' "/proc/$pid1/root/var/log/apt/history.log" 2>/dev/null || echo 0; }
timed() { # $@: the command, inside; prints its milliseconds and apt transactions
  clean
  local start end before
  before=$(history)
  start=$(now)
  inside "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }
  end=$(now)
  for package in $PACKAGES; do
    inside dpkg-query -W -f '${Status}' "$package" | grep -q "install ok installed" ||
      { echo "$package was not installed" >&2; cat "$work/last.log" >&2; exit 1; }
  done
  echo "$(ms "$start" "$end") $(( $(history) - before ))"
}
program "" > "$work/run/test/grouped.mcl"
program $'\tMeta:autogroup => false,\n' > "$work/run/test/alone.mcl"
inside apt-get update -qq
grouped=() alone=() apt=() counts=()
for _ in $(seq "$RUNS"); do
  read -r time count < <(timed /opt/mgmt/mgmt run --converged-timeout 0 /run/test/grouped.mcl)
  grouped+=("$time"); counts+=("grouped:$count")
  read -r time count < <(timed /opt/mgmt/mgmt run --converged-timeout 0 /run/test/alone.mcl)
  alone+=("$time"); counts+=("alone:$count")
  read -r time count < <(timed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES)
  apt+=("$time"); counts+=("apt-get:$count")
done

# A package removed by hand, put back by a watching agent.
printf 'pkg "hello" {\n\tstate => "installed",\n}\n' > "$work/run/test/main.mcl"
inside /opt/mgmt/mgmt run /run/test/main.mcl 2>"$work/agent.log" &
entered=$!
until inside dpkg-query -W -f '${Status}' hello 2>/dev/null | grep -q "install ok installed"; do sleep 0.05; done
sleep 1
repairs=()
for _ in $(seq "$TRIES"); do
  inside dpkg --remove hello >/dev/null 2>&1
  start=$(now)
  until inside dpkg-query -W -f '${Status}' hello 2>/dev/null | grep -q "install ok installed"; do sleep 0.02; done
  repairs+=($(ms "$start" "$(now)"))
  sleep 1
done
stop_agent "$entered"

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
max() { printf '%s\n' "$@" | sort -n | tail -1; }
echo "twenty packages, grouped (one transaction): ${grouped[*]} ms, median $(median "${grouped[@]}")"
echo "twenty packages, one at a time:              ${alone[*]} ms, median $(median "${alone[@]}")"
echo "baseline, apt-get install of the twenty:     ${apt[*]} ms, median $(median "${apt[@]}")"
echo "apt transactions (apt's history log) per measurement: ${counts[*]}"
echo "hello removed by hand until installed again: median $(median "${repairs[@]}") ms, max $(max "${repairs[@]}") ms (${repairs[*]})"
