#!/usr/bin/env bash
# The nightly job: measure the sweep with repeats, compare with the saved baseline, record
# history and render the report. Exit status: 0 fine, 1 a regression or a failed scenario,
# 2 the comparison could not be made. The first night, with no baseline yet, saves one.
#
# Settings (environment): SPANALLOC_BASELINE (default nightly), SPANALLOC_OUT (reports/latest),
# SPANALLOC_REPEAT (5), SPANALLOC_TRACE_STATE (0,1,4,32).
set -uo pipefail
cd "$(dirname "$0")/.."

baseline="${SPANALLOC_BASELINE:-nightly}"
out="${SPANALLOC_OUT:-reports/latest}"
bin=target/release/spanalloc
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"

cargo build --release -p spanalloc || exit 2

status=0
"$bin" run --repeat "${SPANALLOC_REPEAT:-5}" --trace-state "${SPANALLOC_TRACE_STATE:-0,1,4,32}" --out "$out" || status=1
[ -f "$out/results.json" ] || exit "${status:-1}"

"$bin" history append "$out/results.json" || status=2

if [ -f "reports/baselines/$baseline.json" ]; then
    "$bin" compare "$baseline" "$out/results.json" --format markdown > "$out/compare.md"
    compare_status=$?
    cat "$out/compare.md" >> "$summary"
    "$bin" compare "$baseline" "$out/results.json" --format text || true
    if [ "$compare_status" -gt "$status" ]; then status=$compare_status; fi
else
    echo "no baseline '$baseline' yet: saving this run as it"
    "$bin" baseline save "$baseline" --from "$out/results.json" || status=2
fi

"$bin" report "$out" --baseline "$baseline" || status=1
exit "$status"
