#!/usr/bin/env bash
# Runs acs-bench with the official Python SDK (azure-communication-chat 1.2.0, installed with pip
# into bench/work/.venv) on the same emulator and workload, and prints the Rust/Python ratios.
# Extra arguments go to acs-bench (e.g. --reps 5).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/bench/work"
mkdir -p "$work"
python="${PYTHON:-python3}"
if [ ! -x "$work/.venv/bin/python" ]; then
  "$python" -m venv "$work/.venv"
fi
"$work/.venv/bin/pip" install --quiet --disable-pip-version-check "azure-communication-chat==1.2.0"
cd "$root"
cargo run --quiet --release -p acs-bench -- --python "$work/.venv/bin/python" "$@"
