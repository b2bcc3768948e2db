#!/usr/bin/env bash
# Makes sure the Debian 12 packages Herald needs are installed: as root it installs the
# missing ones; otherwise it prints the exact command and fails. Usage: deps.sh build|test
set -euo pipefail

build_packages=(
  meson ninja-build gcc pkg-config gettext
  libglib2.0-dev libglib2.0-bin libgtk-3-dev libsoup-3.0-dev libjson-glib-dev
  libsecret-1-dev libsqlite3-dev libnotify-dev libayatana-appindicator3-dev
  desktop-file-utils appstream
)
# Real peers for the tests: a private bus, a Secret Service, a notification daemon,
# an X server, a Socket.IO server this project did not write.
test_packages=(
  dbus-daemon dbus-x11 gnome-keyring libsecret-tools xvfb xauth
  python3 python3-dbusmock python3-socketio python3-aiohttp python3-websockets
  clang-format python3-gi gir1.2-gtk-3.0 librsvg2-common hicolor-icon-theme
  x11-utils at-spi2-core python3-pyatspi
)

case "${1:-build}" in
  build) wanted=("${build_packages[@]}") ;;
  test) wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

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
