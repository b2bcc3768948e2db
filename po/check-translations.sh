#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates the template from the sources in po/POTFILES.in and checks each catalogue in
# po/LINGUAS against it: complete, nothing fuzzy, formats intact. TAP. Usage: SOURCE_ROOT
set -eu

root=${1:?usage: check-translations.sh SOURCE_ROOT}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The arguments of meson's i18n 'glib' preset (po/meson.build), so this template is the one
# `meson compile herald-pot` writes, without touching the source tree.
xgettext --package-name=herald -p "$tmp" -f "$root/po/POTFILES.in" -D "$root" -k_ \
  -o herald.pot --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
  --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
  --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format
template_count=$(grep -c '^msgid ' "$tmp/herald.pot")
template_count=$((template_count - 1))

languages=$(sed -e 's/#.*//' "$root/po/LINGUAS" | tr -s ' \t' '\n\n' | grep -v '^$' || true)
for file in "$root"/po/*.po; do
  [ -e "$file" ] || continue
  name=$(basename "$file" .po)
  echo "$languages" | grep -qx "$name" || languages="$languages
$name#unlisted"
done

# Prints the msgids of a catalogue, one per line, for the TAP diagnostics.
msgids() {
  msgattrib --no-wrap --no-obsolete "$1" 2>/dev/null | sed -n 's/^msgid "\(..*\)"$/#   \1/p' | head -20
}

# Counts the entries of a catalogue msgattrib wrote, not the header; msgattrib writes no
# file at all when nothing was selected.
count_entries() {
  if [ -f "$1" ]; then
    grep -c '^msgid ' "$1" | awk '{ print ($1 > 0 ? $1 - 1 : 0) }'
  else
    echo 0
  fi
}

status=0
number=0
tap() { # ok|not-ok description
  number=$((number + 1))
  if [ "$1" = ok ]; then echo "ok $number - $2"; else echo "not ok $number - $2"; status=1; fi
}

for lang in $languages; do
  case "$lang" in
  *'#unlisted')
    tap not-ok "po/${lang%#unlisted}.po is listed in po/LINGUAS"
    continue
    ;;
  esac
  po="$root/po/$lang.po"
  if [ ! -f "$po" ]; then
    tap not-ok "$lang: po/$lang.po exists"
    continue
  fi

  # The catalogue as committed: well-formed, formats match, header complete.
  if msgfmt --check --check-format -o /dev/null "$po" 2> "$tmp/err"; then
    tap ok "$lang: msgfmt --check"
  else
    tap not-ok "$lang: msgfmt --check"
    sed 's/^/# /' "$tmp/err"
  fi

  # Merged with the fresh template: a msgid the catalogue lacks comes out untranslated, a
  # changed format flag is checked against the translation.
  msgmerge --quiet --no-fuzzy-matching -o "$tmp/$lang.po" "$po" "$tmp/herald.pot"
  msgattrib --untranslated --no-obsolete -o "$tmp/missing.po" "$tmp/$lang.po"
  msgattrib --only-fuzzy --no-obsolete -o "$tmp/fuzzy.po" "$tmp/$lang.po"
  missing=$(count_entries "$tmp/missing.po")
  fuzzy=$(count_entries "$tmp/fuzzy.po")
  if [ "$missing" -eq 0 ]; then
    tap ok "$lang: all $template_count strings of the template are translated"
  else
    tap not-ok "$lang: $missing of $template_count strings are not translated"
    msgids "$tmp/missing.po"
    echo "# update with: msgmerge --update --backup=none --no-fuzzy-matching po/$lang.po po/herald.pot"
  fi
  if [ "$fuzzy" -eq 0 ]; then
    tap ok "$lang: nothing fuzzy"
  else
    tap not-ok "$lang: $fuzzy fuzzy translations"
    msgids "$tmp/fuzzy.po"
  fi
  if msgfmt --check-format -o /dev/null "$tmp/$lang.po" 2> "$tmp/err"; then
    tap ok "$lang: formats agree with the current sources"
  else
    tap not-ok "$lang: formats agree with the current sources"
    sed 's/^/# /' "$tmp/err"
  fi
done

if [ "$number" -eq 0 ]; then
  tap not-ok "po/LINGUAS lists at least one language"
fi
echo "1..$number"
exit "$status"
