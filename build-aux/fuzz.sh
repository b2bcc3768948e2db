#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer targets of tests/fuzz with clang under AddressSanitizer and
# UndefinedBehaviorSanitizer, then fuzzes each for a bounded time with its dictionary
# (tests/fuzz/dict), starting from a copy of its seed corpus so that the tree is never written.
# Fails when any target crashes, leaks, hangs or runs out of memory, and names the input.
# Usage: fuzz.sh [seconds per target, default 30] [target name ...]  (names: tests/fuzz/corpus/*)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
build=_build/fuzz
runs=$build/fuzz-runs

[[ -f "$build/build.ninja" ]] || CC=clang meson setup "$build" -Dfuzzing=true \
  -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized
ninja -C "$build" fuzz-targets

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for corpus in tests/fuzz/corpus/*/; do targets+=("$(basename "$corpus")"); done
fi

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions="$PWD/build-aux/lsan.supp":print_suppressions=0

rm -rf "$runs"
status=0
for name in "${targets[@]}"; do
  exe=$PWD/$build/tests/fuzz/fuzz-$name
  work=$PWD/$runs/$name
  mkdir -p "$work/corpus"
  [[ ! -d tests/fuzz/corpus/$name ]] || cp -R tests/fuzz/corpus/"$name"/. "$work/corpus/"
  dict=()
  [[ ! -f tests/fuzz/dict/$name.dict ]] || dict=(-dict="$PWD/tests/fuzz/dict/$name.dict")
  # -timeout: one input running 10 s is a hang; artifacts (crash-*, leak-*, timeout-*, oom-*)
  # land in $work.
  if (cd "$work" && "$exe" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    "${dict[@]}" -artifact_prefix="$work/" corpus >"$work/log" 2>&1); then
    runs_done=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
    coverage=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n 1 || true)
    echo "fuzz-$name: no finding in ${seconds} s (${runs_done:-?} inputs, ${coverage:-cov: ?})"
  else
    status=1
    echo "fuzz-$name: FAILED, log in $work/log:"
    tail -n 40 "$work/log"
    for input in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
      if [[ -e "$input" ]]; then
        echo "fuzz-$name: crashing input: $input"
      fi
    done
  fi
done
exit $status
