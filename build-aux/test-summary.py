#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Prints one closing line for a meson test run ("tests: N passed, N failed") from its log,
# and exits non-zero when anything failed or nothing ran. With --digest FILE it also appends,
# for each failed test, the lines that say why (failed TAP lines, GLib's assertion messages,
# sanitizer reports and the last lines of stderr) to FILE, so run-tests.sh can repeat them at
# the very end of a long CI log, where a reader who sees only its tail still finds them.
import argparse
import json
import sys
from pathlib import Path

WHY_MARKERS = ("not ok", "Bail out", "ERROR:", "CRITICAL", "WARNING", "ERROR: AddressSanitizer",
               "runtime error:", "SUMMARY:", "# ")


def why(test):
    lines = []
    for line in (test.get("stdout") or "").splitlines():
        if any(marker in line for marker in WHY_MARKERS):
            lines.append(line)
    lines = lines[-25:]
    stderr = [line for line in (test.get("stderr") or "").splitlines() if line.strip()]
    lines += ["stderr: " + line for line in stderr[-15:]]
    return lines


parser = argparse.ArgumentParser()
parser.add_argument("build_dir")
parser.add_argument("--digest")
args = parser.parse_args()

log = Path(args.build_dir) / "meson-logs" / "testlog.json"
passed = failed = skipped = 0
digest = []
for line in log.read_text().splitlines():
    test = json.loads(line)
    result = test.get("result")
    if result in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif result == "SKIP":
        skipped += 1
    else:
        failed += 1
        print(f"FAILED: {test.get('name')} ({result})")
        digest.append(f"--- {args.build_dir}: {test.get('name')} ({result}, "
                      f"{test.get('duration', 0):.1f} s)")
        digest += ["  " + line[:300] for line in why(test)]
print(f"tests: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
if args.digest and digest:
    with open(args.digest, "a") as out:
        out.write("\n".join(digest) + "\n")
sys.exit(1 if failed or passed == 0 else 0)
