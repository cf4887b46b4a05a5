#!/usr/bin/env python3
"""Checks that the two facades have the same public surface, except where documented.

    python3 tools/facade_surface.py          # exit 1, listing every undocumented difference

Reads api/acs_chat_blocking.txt and api/acs_chat_async.txt (written by tools/api_listing.py),
makes the differences that are the point of the two facades disappear — `async fn` vs `fn`,
`PageStream`/`Stream` vs `PageIterator`/`Iterator` — and compares what is left, line by line
(order aside), with api/facade_differences.txt: each of its lines is `blocking: <line>` or
`async: <line>`, a line only that facade's listing has, under a comment saying why. A difference
missing from that file, or listed there but gone, fails the check.
"""
import os
import re
import sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
API = os.path.join(ROOT, "api")


def normalized(crate):
    lines = open(os.path.join(API, f"{crate}.txt"), encoding="utf-8").read().splitlines()[1:]
    out = []
    for line in lines:
        line = line.replace(crate, "CRATE").replace("pub async fn", "pub fn")
        line = line.replace("PageStream", "PageIterator")
        line = re.sub(r"impl<T(: Unpin)?> Stream for", "impl<T> Iterator for", line)
        out.append(line)
    return Counter(out)


def main():
    blocking, asynchronous = normalized("acs_chat_blocking"), normalized("acs_chat_async")
    found = {("blocking", l) for l in (blocking - asynchronous).elements()}
    found |= {("async", l) for l in (asynchronous - blocking).elements()}
    documented = set()
    path = os.path.join(API, "facade_differences.txt")
    for raw in open(path, encoding="utf-8").read().splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        side, _, line = raw.partition(": ")
        documented.add((side, line))
    missing, stale = sorted(found - documented), sorted(documented - found)
    for side, line in missing:
        print(f"undocumented difference, only in {side}: {line}")
    for side, line in stale:
        print(f"documented difference that is gone ({side}): {line}")
    if missing or stale:
        print("\nMake the facades agree, or document the difference in api/facade_differences.txt.")
        sys.exit(1)
    print(f"facade surfaces: the same but for {len(found)} documented line(s)")


if __name__ == "__main__":
    main()
