#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/perf-threads.py — turns `perf script -F tid,comm,ip,sym,dso` output (with call chains)
# into per-thread tables: inclusive and self time per function, in % and in µs per event.
"""Usage: perf script -F tid,comm,ip,sym,dso | perf-threads.py --events N --freq F [--top K]
       [--thread TEXT] [--callers SYMBOL] [--callees SYMBOL]"""

import argparse
import collections
import sys


def frame_name(text):
    """'7f12 g_log (/usr/lib/libglib-2.0.so.0)' -> 'g_log [libglib-2.0.so.0]'."""
    parts = text.strip().split(None, 1)
    sym = parts[1] if len(parts) > 1 else "?"
    sym = sym.replace(" (inlined)", "")
    if " (" not in sym:
        return sym  # an inlined frame: perf names no object for it
    name, _, dso = sym.rpartition(" (")
    dso = dso.rstrip(")").rsplit("/", 1)[-1]
    if not name or name.startswith("[unknown]") or name.startswith("0x"):
        return "(unknown in " + dso + ")"
    return name + " [" + dso + "]" if dso else name


def samples(stream):
    thread, stack = None, []
    for line in stream:
        if not line.strip():
            if thread is not None and stack:
                yield thread, stack
            thread, stack = None, []
        elif line[0] not in " \t":
            fields = line.split()
            thread, stack = "%s (tid %s)" % (fields[0], fields[1]), []
        else:
            stack.append(frame_name(line))
    if thread is not None and stack:
        yield thread, stack


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, required=True, help="events in the profiled run")
    parser.add_argument("--freq", type=float, required=True, help="perf record -F value")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--thread", help="only threads whose name contains this")
    parser.add_argument("--callers", help="also list the call paths into this function")
    parser.add_argument("--callees", help="also list what this function's time is spent calling")
    args = parser.parse_args()

    counts = collections.defaultdict(int)
    inclusive = collections.defaultdict(collections.Counter)
    exclusive = collections.defaultdict(collections.Counter)
    callers = collections.defaultdict(collections.Counter)
    callees = collections.defaultdict(collections.Counter)
    for thread, stack in samples(sys.stdin):
        if args.thread and args.thread not in thread:
            continue
        counts[thread] += 1
        exclusive[thread][stack[0]] += 1
        for name in set(stack):
            inclusive[thread][name] += 1
        if args.callers:
            for i, name in enumerate(stack):
                if name.split(" [")[0] == args.callers:
                    callers[thread][" ← ".join(stack[i + 1:i + 5]) or "(root)"] += 1
                    break
        if args.callees:
            for i, name in enumerate(stack):
                if name.split(" [")[0] == args.callees:
                    callees[thread][stack[i - 1] if i > 0 else "(itself)"] += 1
                    break

    per_sample_us = 1e6 / args.freq / args.events
    for thread in sorted(counts, key=counts.get, reverse=True):
        n = counts[thread]
        if n < 20:
            continue
        print("\n### %s: %d samples ≈ %.2f µs CPU per event\n" % (thread, n, n * per_sample_us))
        for title, table in (("inclusive", inclusive[thread]), ("self", exclusive[thread])):
            print("%s:" % title)
            for name, c in table.most_common(args.top):
                print("  %5.1f%%  %6.3f µs  %s" % (100.0 * c / n, c * per_sample_us, name))
        if args.callers and callers[thread]:
            print("call paths into %s:" % args.callers)
            for path, c in callers[thread].most_common(8):
                print("  %5.1f%%  %s" % (100.0 * c / n, path))
        if args.callees and callees[thread]:
            print("%s calls:" % args.callees)
            for callee, c in callees[thread].most_common(args.top):
                print("  %5.1f%%  %6.3f µs  %s" % (100.0 * c / n, c * per_sample_us, callee))


if __name__ == "__main__":
    main()
