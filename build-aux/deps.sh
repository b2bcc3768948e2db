#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Makes sure the Debian 12 packages Herald needs are installed: as root it installs the
# missing ones; otherwise it prints the exact command and fails. Usage: deps.sh build|test|bench
set -euo pipefail

build_packages=(
  meson ninja-build gcc pkg-config gettext
  libglib2.0-dev libglib2.0-bin libgtk-3-dev libsoup-3.0-dev libjson-glib-dev
  libsecret-1-dev libsqlite3-dev libnotify-dev libayatana-appindicator3-dev
  desktop-file-utils appstream
)
# Real peers for the tests: a private bus, a Secret Service, a notification daemon,
# an X server, a Socket.IO server this project did not write, a TLS backend and openssl
# for a throwaway certificate; imagemagick's import grabs the screenshots under Xvfb.
test_packages=(
  dbus-daemon dbus-x11 gnome-keyring libsecret-tools xvfb xauth
  python3 python3-dbusmock python3-socketio python3-aiohttp python3-websockets
  clang-format python3-gi gir1.2-gtk-3.0 librsvg2-common hicolor-icon-theme
  locales openssl glib-networking
  imagemagick
  x11-utils at-spi2-core python3-pyatspi
)
# The money test formats amounts on a German desktop (it skips without this locale).
test_locales=(de_DE.UTF-8)
# bench/run.sh: Python's websockets for a reference consumer, and for the application
# cases an X server, a private bus, a Secret Service and a notification daemon for the
# herald executable. Node (nodejs and npm, for the node consumer) is optional: run.sh says
# when it skips it, and NodeSource's nodejs, which brings its own npm, conflicts with npm.
bench_packages=(
  python3 python3-websockets
  xvfb dbus-daemon gnome-keyring python3-dbusmock
)

# The fuzz targets (meson -Dfuzzing=true): clang, its sanitizer and libFuzzer runtimes
# (libclang-rt-dev), and llvm-symbolizer (llvm) so that a crash report names the lines.
fuzz_packages=(clang libclang-rt-dev llvm)

case "${1:-build}" in
  build) wanted=("${build_packages[@]}") ;;
  test) wanted=("${build_packages[@]}" "${test_packages[@]}" "${fuzz_packages[@]}") ;;
  bench) wanted=("${build_packages[@]}" "${bench_packages[@]}") ;;
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "Installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "Herald needs these Debian packages first:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

[[ "${1:-build}" == test ]] || exit 0
# Only the one locale is compiled, with localedef: locale-gen would rebuild every locale
# listed in /etc/locale.gen.
for name in "${test_locales[@]}"; do
  # "de_DE.UTF-8" is listed by locale -a as "de_DE.utf8".
  listed="${name%%.*}.$(tr -d '-' <<<"${name#*.}" | tr '[:upper:]' '[:lower:]')"
  locale -a 2>/dev/null | grep -qx "$listed" && continue
  if [[ $(id -u) -eq 0 ]]; then
    echo "Generating locale $name"
    localedef -i "${name%%.*}" -f "${name#*.}" "$name"
  else
    echo "Herald's tests need the locale $name:" >&2
    echo "  sudo localedef -i ${name%%.*} -f ${name#*.} $name" >&2
    exit 1
  fi
done
