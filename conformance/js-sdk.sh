#!/usr/bin/env bash
# Runs conformance/js-sdk.mjs (the official JS chat 1.6.0 and identity 1.3.1 SDKs, every chat
# operation) and conformance/js-entra.mjs (@azure/identity 4.13.0's ClientSecretCredential with
# the emulator as authority host, and the Teams exchange) against the emulator over HTTPS.
# Prints "N passed, M failed".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$here/work/js"
cp "$here/package.json" "$here/js-sdk.mjs" "$here/js-entra.mjs" "$here/work/js/"
(cd "$here/work/js" && npm install --silent --no-audit --no-fund >/dev/null)
source "$here/emulator.sh"
passed=0
failed=0
for script in js-sdk.mjs js-entra.mjs; do
  if NODE_EXTRA_CA_CERTS="$CA_PEM" ACS_CONNECTION_STRING="$CONNECTION_STRING" ACS_ENDPOINT="$ENDPOINT" \
     timeout 120 node "$here/work/js/$script"; then
    passed=$((passed + 1))
  else
    echo "FAIL $script"
    failed=$((failed + 1))
  fi
done
echo "js-sdk: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
