#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Quick start: build Herald and launch it in demo mode (a built-in simulator feeds five
# demo accounts; nothing is written to your accounts or your keyring).
set -euo pipefail
cd "$(dirname "$0")/.."

build-aux/deps.sh build
[[ -f _build/release/build.ninja ]] || meson setup _build/release --buildtype=release
ninja -C _build/release
# Run from the build tree: the compiled settings schema, the icons and the translations are
# found there.
export GSETTINGS_SCHEMA_DIR="$PWD/_build/release/data"
export XDG_DATA_DIRS="$PWD/data:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"
# The translations meson compiled, so that e.g. LANGUAGE=de shows the demo in German.
export HERALD_LOCALEDIR="$PWD/_build/release/po"
exec _build/release/src/app/herald --demo "$@"
