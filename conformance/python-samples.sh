#!/usr/bin/env bash
# Runs the official Python SDK samples (azure-communication-chat 1.2.0 sdist, unmodified) against
# the emulator over HTTPS, then conformance/python-entra.py (azure-communication-identity with
# azure-identity's ClientSecretCredential, the emulator as its authority). Prints "N passed, M failed"; exits non-zero when any sample fails.
#
# chat_thread_client_sample_async.py is left out: it fails against any server with every
# azure-core that chat 1.2.0 allows (it reuses a closed aio client; see official-sdk-wire.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
work="$here/work"
mkdir -p "$work"

python="${PYTHON:-python3}"
if [ ! -x "$work/.venv/bin/python" ]; then
  "$python" -m venv "$work/.venv"
fi
"$work/.venv/bin/pip" install --quiet --disable-pip-version-check \
  "azure-communication-chat==1.2.0" "azure-communication-identity==1.5.0" aiohttp \
  "azure-identity==1.27.0"
source "$here/chat-samples.sh"
fetch_chat_samples "$work/.venv/bin/pip"

source "$here/emulator.sh"

export COMMUNICATION_SAMPLES_CONNECTION_STRING="$CONNECTION_STRING"
export AZURE_COMMUNICATION_SERVICE_ENDPOINT="$ENDPOINT"
export REQUESTS_CA_BUNDLE="$CA_PEM" SSL_CERT_FILE="$CA_PEM"

passed=0
failed=0
# run NAME SCRIPT: one PASS or FAIL line (with the log's tail), counted.
run() {
  if timeout 120 "$work/.venv/bin/python" "$2" >"$work/$1.log" 2>&1; then
    echo "PASS $1"
    passed=$((passed + 1))
  else
    echo "FAIL $1"
    tail -n 20 "$work/$1.log"
    failed=$((failed + 1))
  fi
}
cd "$work/azure-communication-chat-1.2.0/samples"
for sample in chat_client_sample.py chat_client_sample_async.py chat_thread_client_sample.py \
              user_credential_sample.py user_credential_sample_async.py; do
  run "$sample" "$sample"
done
# Entra ID and the Teams exchange with the official identity SDK and azure-identity (not a
# sample of the chat sdist).
run python-entra.py "$here/python-entra.py"
echo "python-samples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
