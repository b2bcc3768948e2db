#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/profile.sh — where the time of one benchmark case goes: a release build with frame
# pointers and debug info, `perf record` with DWARF call chains, per-thread tables in µs/event.
#
#   bench/profile.sh [MODE] [N] [-- perf-threads.py options]
#   bench/profile.sh hub 200000 -- --callers g_log
#
# MODE is raw, engine or hub (default hub); N defaults to 200000; BUILD picks the build tree
# (default _build/bench-prof). The feed is the simulator's stream replayed at memory speed (see
# run.sh), so the consumer runs flat out.
set -euo pipefail

MODE=${1:-hub}
N=${2:-200000}
shift $(($# > 2 ? 2 : $#))
[ "${1:-}" = "--" ] && shift
FREQ=1999
export LC_ALL=C.UTF-8

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
build=${BUILD:-$root/_build/bench-prof}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$root" -Dbuildtype=release \
    -Dc_args='-g -fno-omit-frame-pointer' >/dev/null
fi
ninja -C "$build" -j2 bench/herald-bench src/sim/herald-simulator >/dev/null

bench=$build/bench/herald-bench
replay=$build/bench/replay-$N.bin
data=$build/bench/perf-$MODE-$N.data
"$bench" --simulator="$build/src/sim/herald-simulator" --events="$N" --replay="$replay" record
perf record -q -F "$FREQ" --call-graph dwarf,16384 -o "$data" -- \
  "$bench" --producer=replay --replay="$replay" --events="$N" "$MODE"
perf script -i "$data" -F tid,comm,ip,sym,dso 2>/dev/null |
  python3 "$root/bench/perf-threads.py" --events "$N" --freq "$FREQ" "$@"
