#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/ab.sh — the engine and hub of two commits, measured in the same minutes: each commit is
# built in release mode from a clone of its own, then the cases alternate A, B, A, B… so that
# the host's drift hits both alike. Prints herald-bench's report for each side.
#
#   bench/ab.sh BEFORE AFTER [N]    e.g. bench/ab.sh 4f6f8b4 HEAD 200000
#   REPEATS=6 bench/ab.sh …         runs per case and side (default 5)
#
# Producer: the replay (the simulator's stream at memory speed), recorded once by BEFORE's
# tree and sent to both, so both sides take in exactly the same bytes.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BEFORE AFTER [N]" >&2
  exit 2
fi
N=${3:-200000}
REPEATS=${REPEATS:-5}
export LC_ALL=C.UTF-8

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work=$root/_build/ab
mkdir -p "$work"

build_side () {
  local side=$1 rev=$2 tree=$work/$1
  rm -rf "$tree"
  git clone -q --no-checkout "$root" "$tree"
  git -C "$tree" checkout -q "$(git -C "$root" rev-parse "$rev")"
  meson setup "$tree/_rel" "$tree" -Dbuildtype=release -Dtests=false >/dev/null
  ninja -C "$tree/_rel" bench/herald-bench src/sim/herald-simulator >/dev/null
  echo "$side = $rev ($(git -C "$tree" rev-parse --short HEAD))" >&2
}

build_side a "$1"
build_side b "$2"

replay=$work/replay-$N.bin
replay1=$work/replay-1.bin
"$work/a/_rel/bench/herald-bench" --simulator="$work/a/_rel/src/sim/herald-simulator" \
  --events="$N" --replay="$replay" record
"$work/a/_rel/bench/herald-bench" --simulator="$work/a/_rel/src/sim/herald-simulator" \
  --events=1 --replay="$replay1" record

stamp=$(date -u +%Y%m%d-%H%M%S)
for side in a b; do
  : >"$work/$side-$stamp.jsonl"
done

run () {
  local side=$1 name=$2 events=$3 file=$replay
  shift 3
  [ "$events" = 1 ] && file=$replay1
  "$work/$side/_rel/bench/herald-bench" --producer=replay --replay="$file" \
    --name="$name" --events="$events" "$@" >>"$work/$side-$stamp.jsonl" || true
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for rep in $(seq 1 "$REPEATS"); do
  echo "== run $rep of $REPEATS" >&2
  for side in a b; do
    # The one-event runs let the report take start-up out of the per-event figures.
    run "$side" engine 1 engine
    run "$side" engine "$N" engine
    run "$side" hub 1 hub
    run "$side" hub "$N" hub
    run "$side" hub-pinned 1 hub --pin
    run "$side" hub-pinned "$N" hub --pin
  done
done

echo "## A/B, $N events, replay producer, $REPEATS runs per case"
echo
echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- Command: \`REPEATS=$REPEATS bench/ab.sh $1 $2 $N\`"
for side in a b; do
  echo
  echo "### $side: $(git -C "$work/$side" log -1 --format='%h %s')"
  "$work/a/_rel/bench/herald-bench" report "$work/$side-$stamp.jsonl"
done
