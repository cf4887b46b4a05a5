#!/usr/bin/env python3
"""The public API of the SDK crates, as rustdoc renders it, one line per item, field and method.

    python3 tools/api_listing.py          # rewrites api/<crate>.txt from target/doc
    python3 tools/api_listing.py --check  # exits 1 and prints the diff if they differ

Run `cargo doc --workspace --no-deps --all-features` first. CI runs `--check`, so every change of the public
surface shows up in review as a diff of api/*.txt (and wants a CHANGELOG line). Read from
rustdoc's HTML (stable Rust has no JSON output): declarations, inherent methods and trait
impls written in this workspace; auto-trait and blanket impls are left out (they follow from
the rest, and from the standard library's version).
"""
import difflib
import html
import os
import re
import sys

CRATES = ["acs_chat_core", "acs_chat_blocking", "acs_chat_async"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "target", "doc")


def text(fragment):
    plain = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    return re.sub(r"\s+", " ", plain).replace("( ", "(").replace(", )", ")").strip()


def listing(crate):
    index = open(os.path.join(DOC, crate, "all.html"), encoding="utf-8").read()
    lines = []
    for kind, block in re.findall(r'<h3 id="([a-z]+)">.*?</h3><ul class="all-items">(.*?)</ul>', index, re.S):
        for href, name in re.findall(r'<a href="([^"]+)">([^<]+)</a>', block):
            page = open(os.path.join(DOC, crate, href), encoding="utf-8").read()
            page = re.split(r'<h2 id="(?:synthetic|blanket)-implementations"', page)[0]
            decl = re.search(r'<pre class="rust item-decl">(.*?)</pre>', page, re.S)
            lines.append(f"{kind} {name}: {text(decl.group(1)) if decl else ''}")
            for header in re.findall(r'<h4 class="code-header">(.*?)</h4>', page, re.S):
                lines.append(f"    {text(header)}")
            for header in re.findall(r'<h3 class="code-header">(impl.*?)</h3>', page, re.S):
                lines.append(f"  {text(header)}")
    names = [l.split(" ", 1)[1].split(": ", 1)[0] for l in lines if not l.startswith(" ")]
    root = sum(1 for name in names if "::" not in name)
    return [f"# {crate}: {root} items at the root"] + lines


def main():
    check = "--check" in sys.argv
    changed = False
    for crate in CRATES:
        path = os.path.join(ROOT, "api", f"{crate}.txt")
        new = "\n".join(listing(crate)) + "\n"
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
        if new == old:
            continue
        changed = True
        if check:
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), new.splitlines(True), f"api/{crate}.txt (checked in)", f"api/{crate}.txt (this build)"))
        else:
            open(path, "w", encoding="utf-8").write(new)
            print(f"wrote api/{crate}.txt")
    if check and changed:
        print("\nThe public API changed: run `cargo doc --workspace --no-deps --all-features && python3 tools/api_listing.py`,"
              " commit api/*.txt, and say what changed in CHANGELOG.md.")
        sys.exit(1)


if __name__ == "__main__":
    main()
