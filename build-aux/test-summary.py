#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Prints one closing line for a meson test run ("tests: N passed, N failed") from its log,
# and exits non-zero when anything failed or nothing ran.
import json
import sys
from pathlib import Path

log = Path(sys.argv[1]) / "meson-logs" / "testlog.json"
passed = failed = skipped = 0
for line in log.read_text().splitlines():
    result = json.loads(line).get("result")
    if result in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif result == "SKIP":
        skipped += 1
    else:
        failed += 1
        print(f"FAILED: {json.loads(line).get('name')} ({result})")
print(f"tests: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed or passed == 0 else 0)
