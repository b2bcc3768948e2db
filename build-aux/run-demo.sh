#!/usr/bin/env bash
# Quick start: build Herald and launch it in demo mode (a built-in simulator feeds five
# demo accounts; nothing is written to your accounts or your keyring).
set -euo pipefail
cd "$(dirname "$0")/.."

build-aux/deps.sh build
[[ -f _build/release/build.ninja ]] || meson setup _build/release --buildtype=release
ninja -C _build/release
exec _build/release/src/app/herald --demo "$@"
