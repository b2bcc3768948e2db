#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Quick start: build Herald and run every test suite, twice: warnings as errors, then
# under AddressSanitizer + UndefinedBehaviorSanitizer. Tests bring their own private
# D-Bus buses and keyrings; this script gives them an X server and a session bus.
# Last, every fuzz target runs for 30 s (build-aux/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

build-aux/deps.sh test

echo "== SPDX licence lines"
build-aux/check-spdx.sh

echo "== clang-format"
# shellcheck disable=SC2046
clang-format --dry-run --Werror $(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 2>/dev/null || find src tests -name '*.[ch]')

run_suite() {
  local dir=$1; shift
  [[ -f "$dir/build.ninja" ]] || meson setup "$dir" "$@"
  ninja -C "$dir"
  # A private session bus and a virtual display for the whole run; every test that needs a
  # keyring or a notification daemon starts its own on a bus of its own.
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
    meson test -C "$dir" --print-errorlogs --num-processes 2 || true
  build-aux/test-summary.py "$dir" --digest "$digest"
}

# Why each failed test failed, repeated at the very end of the log (see test-summary.py).
digest=$(mktemp)
trap 'rm -f "$digest"' EXIT
status=0
echo "== build with -Werror"
run_suite _build/test -Dwerror=true --buildtype=debugoptimized || status=1
echo "== build with AddressSanitizer and UndefinedBehaviorSanitizer"
# fast_unwind_on_malloc=0: GLib has no frame pointers, so only the slow unwinder gets past it
# to the frames build-aux/lsan.supp names (a library constructor's allocation, GTK's own leak).
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$PWD/build-aux/lsan.supp":print_suppressions=0 \
  run_suite _build/asan -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true --buildtype=debug || status=1
echo "== fuzzing: every target for 30 s under AddressSanitizer and UndefinedBehaviorSanitizer"
build-aux/fuzz.sh 30 || status=1
if [[ -s "$digest" ]]; then
  echo "== what failed, and why (from the suites above)"
  cat "$digest"
fi
exit $status
