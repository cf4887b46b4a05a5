#!/usr/bin/env bash
# Instructions per send, counted by valgrind (callgrind) for each send workload of acs-bench, in
# the client and in the emulator: a measure that does not drift with the machine's speed (the
# timed benchmark's ratios move by tens of percent on a shared VM). Each workload runs twice,
# with 500 and 2,500 sends; the difference over 2,000 is the cost of one send without start-up.
# Needs valgrind (apt-get install valgrind). Takes a few minutes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 1; }
cargo build --quiet --release -p acs-bench
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# Total instructions of the acs-bench process whose command line has word $2, among files $1.*
total() {
  local file
  for file in "$1".*; do
    if grep -q -e "^cmd: .*acs-bench .*$2" "$file"; then
      awk '/^summary:/ {print $2}' "$file"
      return
    fi
  done
  echo 0
}

printf '| workload | client instructions/send | emulator instructions/send |\n|---|---|---|\n'
for workload in raw blocking raw_reqwest async; do
  for sends in 500 2500; do
    valgrind --tool=callgrind --trace-children=yes \
      --callgrind-out-file="$out/$workload.$sends.%p" \
      target/release/acs-bench --reps 1 --sends "$sends" --list 1 --rss-max 1 --only "$workload" \
      >/dev/null 2>&1
  done
  client_small=$(total "$out/$workload.500" "--only")
  client_large=$(total "$out/$workload.2500" "--only")
  emulator_small=$(total "$out/$workload.500" "serve")
  emulator_large=$(total "$out/$workload.2500" "serve")
  printf '| %s | %d | %d |\n' "$workload" \
    $(( (client_large - client_small) / 2000 )) $(( (emulator_large - emulator_small) / 2000 ))
done
