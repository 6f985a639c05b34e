#!/usr/bin/env bash
# A real history for the change-point tests: N short sweeps of the built-in rows, one after the
# other on this machine, each appended to a history file as the nightly appends its night.
# It made harness/record/tests/fixtures/history-real.jsonl; the night-to-night spread in
# docs/change-points.md is read off such a history (`history changes` leaves the figures alone).
#
# usage: scripts/real-history.sh N HISTORY [SPANS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:?usage: real-history.sh N HISTORY [SPANS]}
history=${2:?usage: real-history.sh N HISTORY [SPANS]}
spans=${3:-20000}
cargo build --release -q -p spanalloc
bin=target/release/spanalloc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$n"); do
    "$bin" run --spans "$spans" --repeat 3 --trace-state 0,4 --no-dhat --out "$work/run" --baseline none >/dev/null 2>&1
    "$bin" history append "$work/run/results.json" --file "$history" >/dev/null
    echo "real-history: night $i of $n"
done
