#!/usr/bin/env bash
# Runs scripts/nightly.sh --quick end to end, three times, in a scratch directory:
#   1. a first night: no baseline for this machine, so it saves one (exit 0);
#   2. a second night against that baseline: no regression (exit 0);
#   3. a night against a doctored baseline (pointer-passing's allocations per span, and its
#      largest dhat site, lowered by one, so the run looks one allocation per span worse there):
#      it must fail, and its summary must name that site;
#   4. a night whose sweep measures nothing (a scenario that crashes, run by the test binary):
#      it must fail and publish nothing — no history line, no baseline, results.json kept.
# Each report must have its criterion and iai-callgrind sections.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SPANALLOC_OUT="$work/out" SPANALLOC_BASELINES="$work/baselines" SPANALLOC_BENCH_HOME="$work/benches"
export GITHUB_STEP_SUMMARY="$work/summary.md"

night() { # EXPECTED-STATUS LABEL
    local want=$1 label=$2 got=0
    scripts/nightly.sh --quick >"$work/night.log" 2>&1 || got=$?
    if { [ "$want" = 0 ] && [ "$got" != 0 ]; } || { [ "$want" != 0 ] && [ "$got" = 0 ]; }; then
        tail -40 "$work/night.log"
        echo "check-nightly: $label: exit $got, expected $([ "$want" = 0 ] && echo 0 || echo 'non-zero')" >&2
        exit 1
    fi
    for section in "criterion: wall time" "iai-callgrind: instructions"; do
        grep -q "$section" "$SPANALLOC_OUT/index.html" || { echo "check-nightly: $label: the report has no '$section' section" >&2; exit 1; }
    done
    echo "check-nightly: $label: exit $got, as expected"
}

night 0 "first night (saves the baseline)"
ls "$SPANALLOC_BASELINES"/nightly-*.json >/dev/null
night 0 "second night (against it)"
grep -q "spanalloc: 0 regressed, .* against nightly-" "$GITHUB_STEP_SUMMARY"
baseline=$(ls "$SPANALLOC_BASELINES"/nightly-*.json)
sites=$(python3 - "$baseline" <<'PY'
import json, sys
path = sys.argv[1]
r = json.load(open(path))
for s in r["scenarios"]:
    if s["name"] == "pointer-passing":
        s["metrics"]["allocs"] -= s["spans"]
        s["metrics"]["allocs_per_span"] = s["metrics"]["allocs"] / s["spans"]
        site = s["dhat"]["sites"][0]
        site["blocks_per_span"] -= 1.0
        print(site["site"])
json.dump(r, open(path, "w"))
PY
)
night 1 "third night (against a doctored baseline)"
grep -q "spanalloc: [1-9][0-9]* regressed" "$GITHUB_STEP_SUMMARY"
grep -q "Where it changed" "$GITHUB_STEP_SUMMARY"
while read -r site; do
    grep -qF "\`$site\`" "$GITHUB_STEP_SUMMARY" || { echo "check-nightly: the summary does not name $site" >&2; exit 1; }
done <<<"$sites"
cargo build --release -q -p spanalloc-testbin
history="$SPANALLOC_OUT/history.jsonl"
lines_before=$(wc -l <"$history")
results_before=$(sha256sum <"$SPANALLOC_OUT/results.json")
baselines_before=$(cat "$SPANALLOC_BASELINES"/*.json | sha256sum)
export GITHUB_OUTPUT="$work/output"
got=0
SPANALLOC_BIN=target/release/spanalloc-testbin SPANALLOC_SCENARIOS=test-crash SPANALLOC_GO=0 SPANALLOC_BENCHES=0 \
    scripts/nightly.sh --quick >"$work/night.log" 2>&1 || got=$?
[ "$got" != 0 ] || { tail -20 "$work/night.log"; echo "check-nightly: a night that measured nothing exited 0" >&2; exit 1; }
grep -qx "publish=false" "$GITHUB_OUTPUT" && ! grep -q "publish=true" "$GITHUB_OUTPUT" ||
    { cat "$GITHUB_OUTPUT"; echo "check-nightly: a night that measured nothing was to be published" >&2; exit 1; }
[ "$(wc -l <"$history")" = "$lines_before" ] || { echo "check-nightly: a failed night appended history" >&2; exit 1; }
[ "$(sha256sum <"$SPANALLOC_OUT/results.json")" = "$results_before" ] || { echo "check-nightly: a failed night replaced results.json" >&2; exit 1; }
[ "$(cat "$SPANALLOC_BASELINES"/*.json | sha256sum)" = "$baselines_before" ] || { echo "check-nightly: a failed night changed a baseline" >&2; exit 1; }
grep -q "the sweep measured nothing" "$GITHUB_STEP_SUMMARY" || { echo "check-nightly: the summary does not say the sweep failed" >&2; exit 1; }
echo "check-nightly: fourth night (measured nothing): exit $got, nothing published, as expected"
echo "check-nightly: ok; the night's timings:"
cat "$SPANALLOC_OUT/timings.txt"
