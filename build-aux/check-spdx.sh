#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every source file the project tracks opens with its SPDX line (after a #! or <?xml line, where
# there is one). Lists the files that do not and fails.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
while IFS= read -r -d '' file; do
  head -n 3 "$file" | grep -q 'SPDX-License-Identifier: GPL-3.0-or-later' || missing+=("$file")
done < <(git ls-files -z -- '*.c' '*.h' '*.py' '*.sh' '*.js' '*.css' '*.ui' '*.xml' '*.xml.in' \
  'meson.build' '*/meson.build' 'meson_options.txt' '.ci/run')

if [[ ${#missing[@]} -gt 0 ]]; then
  echo "These files lack the line 'SPDX-License-Identifier: GPL-3.0-or-later' at the top:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
echo "SPDX: every source file carries its licence line"
