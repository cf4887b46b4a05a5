# Sourced by the conformance scripts: builds and starts the emulator on HTTPS with a free port,
# stops it on exit, and exports CONNECTION_STRING, ENDPOINT and CA_PEM. With EMULATOR_DATA_DIR
# set, the emulator keeps its state there (--data-dir).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/conformance/work"
mkdir -p "$work"
(cd "$root" && cargo build --quiet -p acs-emulator --bin acs-emulator)
emulator_out="$(mktemp "$work/emulator.XXXXXX.out")"
data_args=()
if [ -n "${EMULATOR_DATA_DIR:-}" ]; then
  data_args=(--data-dir "$EMULATOR_DATA_DIR")
fi
"$root/target/debug/acs-emulator" --port 0 --cert-dir "$work/certs" "${data_args[@]}" >"$emulator_out" 2>"$emulator_out.log" &
emulator_pid=$!
trap 'kill $emulator_pid 2>/dev/null || true; wait $emulator_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$emulator_out" ] && break
  sleep 0.1
done
CONNECTION_STRING="$(head -n 1 "$emulator_out")"
case "$CONNECTION_STRING" in
  endpoint=https://*) ;;
  *) echo "the emulator did not print a connection string"; cat "$emulator_out.log"; exit 1 ;;
esac
ENDPOINT="${CONNECTION_STRING#endpoint=}"
ENDPOINT="${ENDPOINT%%/;*}"
CA_PEM="$work/certs/ca.pem"
export CONNECTION_STRING ENDPOINT CA_PEM
