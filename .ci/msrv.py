#!/usr/bin/env python3
"""Fails when a workspace crate does not declare `rust-version`, or when any locked dependency
needs a newer Rust than the workspace declares. Reads `cargo metadata --locked`."""
import json
import subprocess
import sys


def version(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


metadata = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
members = set(metadata["workspace_members"])
locked = {node["id"] for node in metadata["resolve"]["nodes"]}
declared = {}
failures = []
for package in metadata["packages"]:
    if package["id"] in members:
        if not package.get("rust_version"):
            failures.append(f"{package['name']} declares no rust-version")
        else:
            declared[package["name"]] = version(package["rust_version"])
msrv = min(declared.values()) if declared else (0, 0, 0)
newest = max(
    (
        (version(p["rust_version"]), p["name"], p["version"])
        for p in metadata["packages"]
        if p["id"] in locked and p["id"] not in members and p.get("rust_version")
    ),
    default=((0, 0, 0), "-", "-"),
)
for package in metadata["packages"]:
    if package["id"] in locked and package["id"] not in members and package.get("rust_version"):
        if version(package["rust_version"]) > msrv:
            failures.append(
                f"{package['name']} {package['version']} needs Rust {package['rust_version']}, "
                f"above the declared MSRV {'.'.join(map(str, msrv))}"
            )
print(
    f"MSRV {'.'.join(map(str, msrv))} declared by {len(declared)} crates; newest locked "
    f"requirement: {newest[1]} {newest[2]} ({'.'.join(map(str, newest[0]))})"
)
for failure in failures:
    print(f"error: {failure}")
sys.exit(1 if failures else 0)
