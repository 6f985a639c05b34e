#!/usr/bin/env bash
# The gate on rows whose counts move, checked against the machine: a five-repeat baseline of
# every such row, then RERUNS identical runs judged against it — none may be flagged — and the
# same runs with one allocation per span planted in each row — every one must be caught. Prints
# per row and count the baseline's spread and the smallest change the gate is sure to catch
# (compare's `detectable`), reruns flagged and planted runs caught. Exit 0 when none of the
# identical reruns was flagged and every planted one caught; 1 otherwise; 2 bad setup.
#
# usage: scripts/check-spread.sh [RERUNS]        (default 20)
# environment:
#   SPANALLOC_SPREAD_SPANS   spans per pass (20000)     SPANALLOC_SPREAD_TS   trace-state size (4)
#   SPANALLOC_SPREAD_OUT     where the runs go (a temporary directory, removed after)
#   SPANALLOC_SPREAD_REPEAT  repeats per rerun (5, as the night runs: compare takes their median;
#                            1 is harsher — go-pool's single passes crossed its band once in 20)
#   SPANALLOC_GO=0           leave the Go twin's rows out (Go is installed when missing)
# Rows: the SDK row and its releases, tracing-opentelemetry, fastrace and the Go twin's rows —
# every row whose counts are not exact. A rerun has five repeats and the baseline five, as the
# night's.
set -uo pipefail
cd "$(dirname "$0")/.."
reruns="${1:-20}"
case "$reruns" in '' | *[!0-9]*) echo "check-spread: RERUNS must be a number, not '$reruns'" >&2; exit 2 ;; esac
spans="${SPANALLOC_SPREAD_SPANS:-20000}"
ts="${SPANALLOC_SPREAD_TS:-4}"
rerun_repeat="${SPANALLOC_SPREAD_REPEAT:-5}"
target_dir="${CARGO_TARGET_DIR:-target}"
if [ -n "${SPANALLOC_SPREAD_OUT:-}" ]; then
    out="$SPANALLOC_SPREAD_OUT"
    mkdir -p "$out" || exit 2
else
    out=$(mktemp -d) || exit 2
    trap 'rm -rf "$out"' EXIT
fi

echo "== check-spread: build" >&2
cargo build --release -q --manifest-path scenarios/real-stacks/Cargo.toml --target-dir "$target_dir" \
    -p spanalloc-stacks -p spanalloc-sdk-releases || exit 2
stacks="$target_dir/release/spanalloc-stacks"
releases="$target_dir/release/spanalloc-releases"
go=()
if [ "${SPANALLOC_GO:-1}" = 1 ]; then
    bash scripts/install-go.sh >&2 || exit 2
    go=(--go)
fi

# One family per binary: the stacks binary has the built-ins, the stacks and the Go twin; the
# releases binary the SDK's releases.
measure() { # measure BIN DIR REPEAT ROWS...
    local bin="$1" dir="$2" repeat="$3"
    shift 3
    "$bin" run --spans "$spans" --trace-state "$ts" --repeat "$repeat" --no-dhat "$@" --out "$dir" >"$dir.log" 2>&1
}
families=(stacks releases)
rows_stacks=(--scenario otel-sdk --scenario tracing-otel --scenario fastrace "${go[@]}")
rows_releases=(--scenario otel-sdk@0.28 --scenario otel-sdk@0.29 --scenario otel-sdk@0.30 --scenario otel-sdk@0.31 --scenario otel-sdk@0.32)

status=0
for family in "${families[@]}"; do
    if [ "$family" = stacks ]; then bin="$stacks" rows=("${rows_stacks[@]}"); else bin="$releases" rows=("${rows_releases[@]}"); fi
    echo "== check-spread: $family baseline (5 repeats, $spans spans, ts $ts)" >&2
    if ! measure "$bin" "$out/$family-base" 5 "${rows[@]}"; then
        echo "check-spread: the $family baseline run failed: $out/$family-base.log" >&2
        exit 1
    fi
    for i in $(seq 1 "$reruns"); do
        echo "== check-spread: $family rerun $i of $reruns" >&2
        run="$out/$family-run-$i"
        if ! measure "$bin" "$run" "$rerun_repeat" "${rows[@]}"; then
            echo "check-spread: $family rerun $i failed: $run.log" >&2
            status=1
            continue
        fi
        "$bin" compare "$out/$family-base/results.json" "$run/results.json" --metrics counts --format json \
            >"$run/compare.json" 2>"$run/compare.err"
        python3 scripts/plant_allocation.py "$run/results.json" "$run/planted.json" || exit 2
        "$bin" compare "$out/$family-base/results.json" "$run/planted.json" --metrics counts --format json \
            >"$run/planted-compare.json" 2>"$run/planted-compare.err"
    done
done
python3 scripts/plant_allocation.py --table "$out" "$reruns" || status=1
exit "$status"
