#!/usr/bin/env bash
# Builds the acs-emulator Python wheel (maturin, bindings = "bin"), installs it in a fresh virtual
# environment with the official Python SDKs and pytest, and runs conformance/python-wheel-test.py
# there: the official chat samples against the emulator the wheel's pytest fixture starts, a 429
# the official identity SDK recovers from, `python -m acs_emulator`. Nothing on the test's side
# uses Rust. Prints "python-wheel: N passed, M failed".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
work="$here/work"
mkdir -p "$work"
python="${PYTHON:-python3}"

# The documented build command (README, "From Python and JS test suites").
if [ ! -x "$work/build-venv/bin/maturin" ]; then
  "$python" -m venv "$work/build-venv"
  "$work/build-venv/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.5,<2"
fi
rm -rf "$root/target/wheels"
(cd "$root" && "$work/build-venv/bin/maturin" build --quiet --release \
  -m crates/acs-emulator/Cargo.toml -o target/wheels)
wheel=$(ls "$root"/target/wheels/acs_emulator-*.whl)

# A fresh environment: the wheel, the official SDKs, pytest.
rm -rf "$work/wheel-venv"
"$python" -m venv "$work/wheel-venv"
"$work/wheel-venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" pytest \
  "azure-communication-chat==1.2.0" "azure-communication-identity==1.5.0" aiohttp
source "$here/chat-samples.sh"
fetch_chat_samples "$work/wheel-venv/bin/pip"

set +e
CHAT_SAMPLES_DIR="$work/azure-communication-chat-1.2.0/samples" \
  "$work/wheel-venv/bin/python" -m pytest -q -p no:cacheprovider "$here/python-wheel-test.py" \
  | tee "$work/python-wheel.log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -oE '[0-9]+ passed' "$work/python-wheel.log" | tail -1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -oE '[0-9]+ failed' "$work/python-wheel.log" | tail -1 | grep -oE '[0-9]+' || echo 0)
echo "python-wheel: $passed passed, $failed failed"
exit "$status"
