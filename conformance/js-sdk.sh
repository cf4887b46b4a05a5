#!/usr/bin/env bash
# Runs conformance/js-sdk.mjs (the official JS chat 1.6.0 and identity 1.3.1 SDKs, every chat
# operation) against the emulator over HTTPS. Prints "N passed, M failed".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$here/work/js"
cp "$here/package.json" "$here/js-sdk.mjs" "$here/work/js/"
(cd "$here/work/js" && npm install --silent --no-audit --no-fund >/dev/null)
source "$here/emulator.sh"
if NODE_EXTRA_CA_CERTS="$CA_PEM" ACS_CONNECTION_STRING="$CONNECTION_STRING" ACS_ENDPOINT="$ENDPOINT" \
   timeout 120 node "$here/work/js/js-sdk.mjs"; then
  echo "js-sdk: 1 passed, 0 failed"
else
  echo "js-sdk: 0 passed, 1 failed"
  exit 1
fi
