#!/usr/bin/env bash
# The weekly release sweep: the otel-sdk row at every opentelemetry_sdk minor release from 0.28
# to 0.33 (spanalloc-releases, scenarios/real-stacks/sdk-releases), its counts gated exactly
# against the sweep's own counts baseline, and its report with the section "opentelemetry_sdk by
# release" (docs/sdk-releases.md). The nightly workflow runs it once a week.
#
# usage: scripts/releases.sh [--quick]
#   --quick   the same flow at small counts (for CI and a first try; or SPANALLOC_QUICK=1).
#
# Settings (environment):
#   SPANALLOC_OUT         where the run goes (reports/releases)
#   SPANALLOC_BASELINES   the baselines directory ($SPANALLOC_OUT/baselines)
#   SPANALLOC_BASELINE    the baseline's name (releases): NAME-counts-<counts key>
#   SPANALLOC_SPANS, SPANALLOC_REPEAT, SPANALLOC_TRACE_STATE (4): the workload
#   SPANALLOC_ACCEPT=1    accept this week's changes: saved as the counts baseline
#
# The profile is 2,000 spans, within the 2,048-span queue every release keeps by default: 0.28
# to 0.30 drop spans under the profiler beyond it. Their counts are judged net of what each
# export costs, as the number of exports follows the threads' timing (docs/sdk-releases.md,
# "Exports per wake-up").
#
# Exit status: 0 fine; 1 a regression or a failed row (nothing saved); 2 the comparison could not
# be made. The first week with a counts key saves its baseline and gates from the next.
set -uo pipefail
cd "$(dirname "$0")/.."

quick="${SPANALLOC_QUICK:-0}"
for arg in "$@"; do
    case "$arg" in
        --quick) quick=1 ;;
        -h | --help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "releases.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

target_dir=$(cargo metadata --format-version 1 --no-deps 2>/dev/null | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target_dir" ] || { echo "releases.sh: cannot find cargo's target directory (cargo metadata)" >&2; exit 2; }
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
out=$(absolute "${SPANALLOC_OUT:-reports/releases}")
baselines=$(absolute "${SPANALLOC_BASELINES:-$out/baselines}")
name="${SPANALLOC_BASELINE:-releases}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
# Five repeats either way: a release's counts move between runs (its batch processor's thread),
# and compare gates such a row by the spread of the baseline's repeats, from five on.
if [ "$quick" = 1 ]; then spans=20000 repeat=5; else spans=200000 repeat=5; fi
spans="${SPANALLOC_SPANS:-$spans}"
repeat="${SPANALLOC_REPEAT:-$repeat}"
trace_state="${SPANALLOC_TRACE_STATE:-4}"
bin="$target_dir/release/spanalloc-releases"

echo "== releases: build"
# Its own workspace, built into this one's target directory (cargo reads .cargo/config.toml from
# the working directory up, never from beside --manifest-path); the whole of it, as its tests
# build it: `-p spanalloc-sdk-releases` alone resolves other features for shared dependencies
# (syn, once_cell, getrandom: the real stacks enable more), so the project's crates were built
# twice where both ran (CI's lane).
cargo build --release -q --manifest-path scenarios/real-stacks/Cargo.toml --target-dir "$target_dir" \
    --workspace || exit 2
mkdir -p "$out" "$baselines" || exit 2

rows=()
for r in otel-sdk@0.28 otel-sdk@0.29 otel-sdk@0.30 otel-sdk@0.31 otel-sdk@0.32 otel-sdk; do rows+=(--scenario "$r"); done
before=$("$bin" fingerprint "$out/results.json" --run-id 2>/dev/null || true)
echo "== releases: sweep"
"$bin" run --spans "$spans" --repeat "$repeat" --trace-state "$trace_state" --dhat-spans 2000 "${rows[@]}" \
    --out "$out" --baseline none
sweep=$?
run_id=$("$bin" fingerprint "$out/results.json" --run-id 2>/dev/null || true)
if [ -z "$run_id" ] || [ "$run_id" = "$before" ]; then
    printf '### ❌ spanalloc releases: the sweep measured nothing (exit %s)\n' "$sweep" | tee -a "$summary" >&2
    exit 1
fi
results="$out/results.json"
key=$("$bin" fingerprint "$results" --counts-key --id) || exit 2
counts_name="$name-counts-$key"
# Against the counts baseline when there is one (`report` refuses a named baseline that does not exist).
report() {
    local against=none
    [ -f "$baselines/$counts_name.json" ] && against=$counts_name
    "$bin" report "$out" --baseline "$against" --baselines "$baselines" || return 1
}
if [ "$sweep" != 0 ]; then
    printf '### ❌ spanalloc releases: the sweep failed (exit %s): nothing saved\n' "$sweep" | tee -a "$summary" >&2
    report
    exit 1
fi
if [ -f "$baselines/$counts_name.json" ]; then
    "$bin" compare "$counts_name" "$results" --baselines "$baselines" --metrics counts --fail-on exact --format markdown >"$out/compare.md"
    gate=$?
    "$bin" compare "$counts_name" "$results" --baselines "$baselines" --metrics counts --format text || true
    # The headline is compare's own first line: "0 of 6 rows regressed, …, N not gated".
    said=$(head -n 1 "$out/compare.md" | sed 's/^#* *//; s/^[^ ]* spanalloc: //')
    case "$gate" in
        0) head="✅ spanalloc releases: $said" ;;
        1) if [ "${SPANALLOC_ACCEPT:-0}" = 1 ]; then head="✅ spanalloc releases: counts changed and accepted"; gate=0
           else head="❌ spanalloc releases: counts regressed against \`$counts_name\`"; fi ;;
        *) head="❌ spanalloc releases: counts could not be compared (exit $gate)" ;;
    esac
    if [ "${SPANALLOC_ACCEPT:-0}" = 1 ] && [ "$gate" = 0 ]; then
        "$bin" baseline save "$counts_name" --from "$results" --dir "$baselines" --force || gate=2
    fi
else
    head="✅ spanalloc releases: first week with counts key $key: saved as \`$counts_name\`, nothing gated"
    : >"$out/compare.md"
    "$bin" baseline save "$counts_name" --from "$results" --dir "$baselines" --force || exit 2
    gate=0
fi
{ printf '### %s\n\n' "$head"; tail -n +2 "$out/compare.md"; } | tee -a "$summary"
report || exit 1
exit "$gate"
