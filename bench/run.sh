#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/run.sh — Herald's ingest benchmark as one reproducible command: a release build, every
# case run REPEATS times interleaved against the same feed, medians and ratios as Markdown.
#
#   bench/run.sh [N]              N events per run (default 200000)
#   REPEATS=5 bench/run.sh        runs per case (default 3)
#   PRODUCERS=simulator bench/run.sh   only the first table
#   APP=no bench/run.sh           without the application cases (app-tray, app-window)
#   APP_SETTLE=5 bench/run.sh     read herald's memory 5 s after the burst (default 30)
#   APP_EVENTS=100000 bench/run.sh 10000   another N for the application cases
#
# Two producers, each a process of its own: "simulator" is herald-simulator's burst, which
# costs it about as much CPU per event as libsoup's receive does, so it bounds the rate of the
# fastest consumers; "replay" sends a recording of that same stream at memory speed, so every
# consumer runs flat out and the ratios to raw libsoup are the consumers' own. ("blaster",
# shared/bench/blaster.js, also works.)
#
# The reference consumers (shared/bench) are built or run from ../shared/bench next to the
# checkout, never copied into it. Results: _build/bench/bench/results-*.jsonl and .md.
#
# The application cases run this build's herald executable against the same producer, in a
# private session that herald-bench sets up for each run (bus, keyring, notification daemon,
# tray host) on an Xvfb display that this script starts; see BENCHMARKS.md.
set -euo pipefail

N=${1:-200000}
REPEATS=${REPEATS:-3}
PRODUCERS=${PRODUCERS:-simulator replay}
APP=${APP:-yes}
APP_SETTLE=${APP_SETTLE:-30}
APP_EVENTS=${APP_EVENTS:-$N}
export LC_ALL=C.UTF-8

case $N in
  '' | *[!0-9]*) echo "run.sh: N must be a whole number, not '$N'" >&2; exit 2 ;;
esac
case $APP_EVENTS$APP_SETTLE in
  '' | *[!0-9]*) echo "run.sh: APP_EVENTS and APP_SETTLE must be whole numbers" >&2; exit 2 ;;
esac
if [ "$N" -lt 2 ]; then
  echo "run.sh: N must be at least 2" >&2
  exit 2
fi

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
# Next to the checkout, or next to the main checkout when this is a git worktree.
common=$(cd "$(git -C "$root" rev-parse --git-common-dir)/.." && pwd)
shared=$(cd "$root/../shared/bench" 2>/dev/null || cd "$common/../shared/bench" 2>/dev/null && pwd) || {
  echo "run.sh: the reference consumers are expected in $root/../shared/bench" >&2
  exit 2
}
build=$root/_build/bench
out=$build/bench
ref=$out/ref
stamp=$(date -u +%Y%m%d-%H%M%S)
results=$out/results-$stamp.jsonl
report=$out/results-$stamp.md

# --- build ---------------------------------------------------------------------------------
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$root" -Dbuildtype=release >/dev/null
else
  meson configure "$build" -Dbuildtype=release >/dev/null
fi
ninja -C "$build" -j2 bench/herald-bench src/sim/herald-simulator src/app/herald \
  data/gschemas.compiled >/dev/null
bench=$out/herald-bench
simulator=$build/src/sim/herald-simulator
mkdir -p "$ref"

# shellcheck disable=SC2046 # pkg-config's flags are separate words
gcc -O2 -o "$ref/soup_consumer" "$shared/soup_consumer.c" \
  $(pkg-config --cflags --libs libsoup-3.0 json-glib-1.0)

notes=()
have_python=no
if /usr/bin/python3 -c 'import websockets' 2>/dev/null; then
  have_python=yes
else
  notes+=("Python skipped: /usr/bin/python3 cannot import websockets (Debian: python3-websockets).")
fi

# Node's ws goes into a scratch directory of the build tree; NODE_PATH points both the
# consumer and the blaster at it.
have_node=no
if command -v node >/dev/null && command -v npm >/dev/null; then
  if [ ! -d "$ref/node/node_modules/ws" ]; then
    mkdir -p "$ref/node"
    (cd "$ref/node" && npm install --no-save --no-audit --no-fund --silent ws@8 >/dev/null 2>&1) || true
  fi
  if [ -d "$ref/node/node_modules/ws" ]; then
    have_node=yes
    export NODE_PATH=$ref/node/node_modules
  else
    notes+=("Node skipped: \`npm install ws@8\` failed (no registry?).")
  fi
else
  notes+=("Node skipped: node or npm is not installed.")
fi
# The application cases need an X display (an Xvfb of our own, so nothing else on a
# desktop disturbs them or is disturbed), and the peers herald-bench starts for herald.
have_app=no
xvfb_pid=
cleanup () {
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
if [ "$APP" != no ]; then
  missing=()
  for program in Xvfb dbus-daemon gnome-keyring-daemon; do
    command -v "$program" >/dev/null || missing+=("$program")
  done
  /usr/bin/python3 -c 'import dbusmock' 2>/dev/null || missing+=("python3-dbusmock")
  if [ ${#missing[@]} -gt 0 ]; then
    notes+=("The application cases are skipped: missing ${missing[*]} (build-aux/deps.sh bench).")
  else
    xvfb_fifo=$out/xvfb-display
    rm -f "$xvfb_fifo"
    mkfifo "$xvfb_fifo"
    Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset -extension GLX 3>"$xvfb_fifo" 2>/dev/null &
    xvfb_pid=$!
    if read -r -t 20 display_number <"$xvfb_fifo" && [ -n "$display_number" ]; then
      export DISPLAY=:$display_number
      have_app=yes
    else
      notes+=("The application cases are skipped: Xvfb did not start.")
    fi
    rm -f "$xvfb_fifo"
  fi
fi

if [ "$have_node" = no ] && [[ " $PRODUCERS " == *" blaster "* ]]; then
  PRODUCERS=${PRODUCERS//blaster/}
  notes+=("The blaster table is skipped: it needs Node's ws.")
fi

# --- cases ---------------------------------------------------------------------------------
# name|events|herald-bench arguments. Every name also runs once per repeat with one event, so
# the report can take start-up (process, connect, store) out of the per-event figures.
cases_for () {
  local producer=$1
  echo "raw|$N|raw"
  echo "engine|$N|engine"
  echo "hub|$N|hub"
  echo "hub-pinned|$N|hub --pin"
  if [ "$producer" = simulator ]; then
    # 4N with the same cap: the history's memory must not grow with N.
    echo "raw|$((4 * N))|raw"
    echo "engine|$((4 * N))|engine"
    echo "hub|$((4 * N))|hub"
  fi
  echo "soup-count|$N|exec -- $ref/soup_consumer {url} 0"
  echo "soup-json|$N|exec -- $ref/soup_consumer {url} 1"
  if [ "$have_python" = yes ]; then
    echo "python|$N|exec -- /usr/bin/python3 $shared/py_consumer.py {url}"
  fi
  if [ "$have_node" = yes ]; then
    echo "node|$N|exec -- node $shared/node_consumer.js {url}"
  fi
  if [ "$have_app" = yes ]; then
    echo "app-tray|$APP_EVENTS|app --settle=$APP_SETTLE"
    echo "app-window|$APP_EVENTS|app --window --settle=$APP_SETTLE"
  fi
}

run_case () {
  local producer=$1 name=$2 events=$3 args=$4
  # shellcheck disable=SC2086 # the arguments are split on purpose
  "$bench" --producer="$producer" --simulator="$simulator" --blaster="$shared/blaster.js" \
    --replay="$out/replay-$events.bin" --name="$name" --events="$events" $args >>"$results" || true
}

machine () {
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' (with local changes)')"
  echo "- CPU: $(nproc) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); $(uname -sr)"
  echo "- Load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- GLib $(pkg-config --modversion glib-2.0), libsoup $(pkg-config --modversion libsoup-3.0), json-glib $(pkg-config --modversion json-glib-1.0), SQLite $(pkg-config --modversion sqlite3), Python $(/usr/bin/python3 -c 'import sys, websockets; print(sys.version.split()[0], "websockets", websockets.__version__)' 2>/dev/null || echo '–'), Node $(node --version 2>/dev/null || echo '–')"
  echo "- Command: \`bench/run.sh $N\` (REPEATS=$REPEATS, PRODUCERS=$PRODUCERS, APP=$APP$([ "$have_app" = yes ] && echo ", APP_EVENTS=$APP_EVENTS, APP_SETTLE=$APP_SETTLE"))"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$results"
for producer in $PRODUCERS; do
  if [ "$producer" = replay ]; then
    # Recorded afresh, so the replay is what this tree's simulator sends.
    lengths=(1 "$N")
    [ "$have_app" = no ] || lengths+=("$APP_EVENTS")
    for events in $(printf '%s\n' "${lengths[@]}" | sort -un); do
      "$bench" --simulator="$simulator" --events="$events" --replay="$out/replay-$events.bin" record
    done
  fi
  mapfile -t cases < <(cases_for "$producer")
  for rep in $(seq 1 "$REPEATS"); do
    echo "== $producer, run $rep of $REPEATS" >&2
    declare -A calibrated=()
    for line in "${cases[@]}"; do
      IFS='|' read -r name events args <<<"$line"
      # The application cases are net of herald's idle rate instead: a one-event run of a
      # whole desktop session would cost seconds and tell nothing more.
      if [ -z "${calibrated[$name]:-}" ] && [[ $args != app* ]]; then
        run_case "$producer" "$name" 1 "$args" 2>/dev/null
        calibrated[$name]=1
      fi
      run_case "$producer" "$name" "$events" "$args"
    done
    unset calibrated
  done
done

{
  echo "## Ingest benchmark, $N events"
  echo
  machine
  for note in "${notes[@]}"; do
    echo "- $note"
  done
  "$bench" report "$results"
} >"$report"
cat "$report"
echo >&2
echo "JSON lines: $results" >&2
echo "Report:     $report" >&2
