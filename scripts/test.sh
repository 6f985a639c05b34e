#!/usr/bin/env bash
# The project's tests, whole, as .github/workflows/tests.yml runs them on every push and pull
# request and as .ci/run runs them: formatting, the crate layout, clippy, and `cargo test
# --workspace` with the Go twin and valgrind required (both installed from Debian's packages when
# missing), so that no test skips where it should run.
#
# usage: scripts/test.sh
# Settings: SPANALLOC_BUSY_LOOPS=N runs the tests beside N busy loops: a loaded 2-core runner, on
# which no test may lean on an idle machine (.ci/run loads it with the fuzzers and loom instead).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-go.sh
bash scripts/install-valgrind.sh
export SPANALLOC_REQUIRE_GO=1 SPANALLOC_REQUIRE_VALGRIND=1
if command -v rustup >/dev/null 2>&1; then
    rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi

timed() { # LABEL CMD...
    local label=$1 started=$SECONDS
    shift
    echo "== test: $label"
    "$@"
    echo "   ($label: $((SECONDS - started)) s)"
}
timed "cargo fmt --check" cargo fmt --all -- --check
timed "the crate layout (crates depend down only; no module imports its importer)" python3 scripts/check_layout.py
timed "cargo clippy" cargo clippy --workspace --all-targets -- -D warnings
timed "cargo test --workspace --no-run (the build)" cargo test --workspace --no-run -q

busy=()
stop_busy() { for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null || true; done; busy=(); }
trap stop_busy EXIT
for ((i = 0; i < ${SPANALLOC_BUSY_LOOPS:-0}; i++)); do
    sh -c 'while :; do :; done' &
    busy+=("$!")
done
timed "cargo test --workspace${busy[*]:+, beside ${#busy[@]} busy loops}" cargo test --workspace
