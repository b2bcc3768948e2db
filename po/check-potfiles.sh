#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks po/POTFILES.in against the tree: every file with translatable strings is listed,
# and every listed file exists. Usage: check-potfiles.sh [SOURCE_ROOT] (default: cwd).
set -eu

root=${1:-.}
cd "$root"

if [ ! -f po/POTFILES.in ]; then
  echo "check-potfiles: no po/POTFILES.in under $(pwd)" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Listed files: skip comments and blank lines, drop an "[type: …]" prefix.
sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e 's/^\[[^]]*\][[:space:]]*//' po/POTFILES.in |
  grep -v -e '^#' -e '^$' | LC_ALL=C sort -u > "$tmp/listed" || true

# Files that need listing. The gettext macros are matched with or without a space before
# the parenthesis (GNU style puts one there) and with the string on the next line.
: > "$tmp/needed"
# A mention inside a one-line comment (/* N_("…") */ or // …) does not count.
gettext_call='(^|[^[:alnum:]_])(N|C|NC|Q)?_[[:space:]]*\([[:space:]]*("|$)'
if [ -d src ]; then
  grep -rlIE "$gettext_call" src | while IFS= read -r path; do
    if sed -e 's:/\*.*\*/::g' -e 's://.*$::' "$path" | grep -qE "$gettext_call"; then
      echo "$path"
    fi
  done >> "$tmp/needed" || true
fi
for dir in src data; do
  if [ -d "$dir" ]; then
    find "$dir" -type f -name '*.ui' -exec grep -l 'translatable="yes"' {} + >> "$tmp/needed" || true
  fi
done
if [ -d data ]; then
  find data -maxdepth 1 -type f \( -name '*.desktop.in' -o -name '*.metainfo.xml.in' \
    -o -name '*.gschema.xml' \) >> "$tmp/needed"
fi
LC_ALL=C sort -u -o "$tmp/needed" "$tmp/needed"

status=0

unlisted=$(LC_ALL=C comm -23 "$tmp/needed" "$tmp/listed")
if [ -n "$unlisted" ]; then
  echo "These files have translatable strings but are not in po/POTFILES.in:"
  echo "$unlisted" | sed 's/^/  /'
  status=1
fi

missing=""
while IFS= read -r path; do
  [ -f "$path" ] || missing="$missing  $path
"
done < "$tmp/listed"
if [ -n "$missing" ]; then
  echo "These files are listed in po/POTFILES.in but do not exist:"
  printf '%s' "$missing"
  status=1
fi

if [ "$status" -eq 0 ]; then
  echo "po/POTFILES.in lists all $(wc -l < "$tmp/needed" | tr -d ' ') files with translatable strings"
fi
exit "$status"
