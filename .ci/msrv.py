#!/usr/bin/env python3
"""Fails when a workspace crate does not declare `rust-version`, when a crate's normal
dependencies (default features, as `cargo tree -e normal` resolves them) need a newer Rust than
it declares, or when any locked dependency (dev and optional ones included) needs a newer Rust
than the newest the workspace declares. Prints what each SDK crate's MSRV comes from."""
import json
import re
import subprocess
import sys


def version(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def show(v):
    return ".".join(map(str, v))


metadata = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
members = {p["id"]: p for p in metadata["packages"] if p["id"] in set(metadata["workspace_members"])}
member_names = {p["name"] for p in members.values()}
needs = {(p["name"], p["version"]): p.get("rust_version") for p in metadata["packages"]}
failures = []
declared = {}


def newest_need(name, flags):
    """The dependency of `name`'s normal tree that needs the newest Rust: ((version), "crate v")."""
    tree = subprocess.run(
        ["cargo", "tree", "--locked", "-p", name, "-e", "normal", "--prefix", "none", "-f", "{p}"]
        + flags,
        check=True, capture_output=True, text=True,
    ).stdout
    newest = ((0, 0, 0), "-")
    for line in tree.splitlines():
        m = re.match(r"(\S+) v(\S+)", line)
        if not m or m.group(1) in member_names or not needs.get((m.group(1), m.group(2))):
            continue
        newest = max(newest, (version(needs[(m.group(1), m.group(2))]), f"{m.group(1)} {m.group(2)}"))
    return newest


for package in members.values():
    if not package.get("rust_version"):
        failures.append(f"{package['name']} declares no rust-version")
        continue
    declared[package["name"]] = version(package["rust_version"])
    newest = newest_need(package["name"], [])
    if newest[0] > declared[package["name"]]:
        failures.append(f"{package['name']} declares {show(declared[package['name']])} but "
                        f"{newest[1]} needs {show(newest[0])}")
    if package["name"] in ("acs-chat-core", "acs-chat-blocking", "acs-chat-async"):
        line = (f"{package['name']}: MSRV {show(declared[package['name']])}; newest in its normal "
                f"dependencies: {newest[1]} ({show(newest[0])})")
        if package.get("features"):
            every = newest_need(package["name"], ["--all-features"])
            if every[0] > newest[0]:
                line += f"; with all features: {every[1]} ({show(every[0])})"
        print(line)
ceiling = max(declared.values(), default=(0, 0, 0))
locked = {node["id"] for node in metadata["resolve"]["nodes"]}
for package in metadata["packages"]:
    if package["id"] in locked and package["id"] not in members and package.get("rust_version"):
        if version(package["rust_version"]) > ceiling:
            failures.append(f"{package['name']} {package['version']} needs Rust "
                            f"{package['rust_version']}, above every declared MSRV ({show(ceiling)})")
for failure in failures:
    print(f"error: {failure}")
sys.exit(1 if failures else 0)
