#!/usr/bin/env bash
# The nightly job, whole: the benches (criterion and iai-callgrind, each against its own saved
# baseline), the trace-state sweep with repeats, compare with this machine's baseline, history,
# the report and a Markdown summary for $GITHUB_STEP_SUMMARY.
#
# usage: scripts/nightly.sh [--quick]
#   --quick   the same flow at small counts, for CI and for a first try.
#
# Settings (environment):
#   SPANALLOC_OUT         where the run goes (reports/latest): results.json, the report,
#                         compare.md, timings.txt
#   SPANALLOC_HISTORY     the history file ($SPANALLOC_OUT/history.jsonl)
#   SPANALLOC_BASELINES   the baselines directory (reports/baselines)
#   SPANALLOC_BASELINE    the baseline's name (nightly); this machine's fingerprint id is added
#                         (nightly-<id>), so each runner is compared with its own past
#   SPANALLOC_BENCH_HOME  where criterion and iai-callgrind keep their results and baselines
#                         (target): <home>/criterion, <home>/iai
#   SPANALLOC_ACCEPT=1    after comparing, save this run as the baseline (accept a change)
#   SPANALLOC_RUNNER      a label for this machine, part of its fingerprint
#   SPANALLOC_SPANS, SPANALLOC_REPEAT, SPANALLOC_TRACE_STATE, SPANALLOC_DHAT_SPANS,
#   SPANALLOC_SCENARIOS (comma-separated names): the workload, overriding the defaults below
#   SPANALLOC_BIN         the spanalloc binary to run (built by this script when unset); for a
#                         binary of your own built on the extension point
#   SPANALLOC_BENCHES=0   skip criterion and iai-callgrind (the sweep, compare and the rest run)
#
# Exit status: 0 fine; 1 a regression, a failed scenario or a failed bench; 2 the comparison
# could not be made (or bad settings). The first night on a machine saves its baseline.
# What follows the sweep acts on the sweep's own exit status and run id, never on whether a
# results file exists: a failed sweep saves no baseline, appends no history line and is not
# published. With $GITHUB_OUTPUT set, the night writes `run_id` and `publish` (true or false)
# there, for the workflow's publishing step.
set -uo pipefail
cd "$(dirname "$0")/.."

quick=0
for arg in "$@"; do
    case "$arg" in
        --quick) quick=1 ;;
        -h | --help) sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "nightly.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

out="${SPANALLOC_OUT:-reports/latest}"
history="${SPANALLOC_HISTORY:-$out/history.jsonl}"
baselines="${SPANALLOC_BASELINES:-reports/baselines}"
name="${SPANALLOC_BASELINE:-nightly}"
bench_home="${SPANALLOC_BENCH_HOME:-target}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
if [ "$quick" = 1 ]; then
    spans=20000 repeat=2 trace_state=0,4 dhat_spans=2000 criterion_args=(--quick)
else
    # Per-span figures are what is compared: 200k spans (2 s at 100k spans/s) per pass keep the
    # exact counts exact and give five repeats of every timing figure within the 20 minutes.
    spans=200000 repeat=5 trace_state=0,1,4,32 dhat_spans=20000 criterion_args=()
fi
spans="${SPANALLOC_SPANS:-$spans}"
repeat="${SPANALLOC_REPEAT:-$repeat}"
trace_state="${SPANALLOC_TRACE_STATE:-$trace_state}"
dhat_spans="${SPANALLOC_DHAT_SPANS:-$dhat_spans}"
scenario_args=()
IFS=',' read -r -a wanted <<<"${SPANALLOC_SCENARIOS:-}"
for s in "${wanted[@]}"; do [ -n "$s" ] && scenario_args+=(--scenario "$s"); done
# The Go twin's rows are on in the nightly (SPANALLOC_GO=0 leaves them out); Go is installed
# when missing (Debian's golang-go).
if [ "${SPANALLOC_GO:-1}" = 1 ]; then
    bash scripts/install-go.sh >&2 || exit 2
    scenario_args+=(--go)
fi

mkdir -p "$out" "$bench_home" || exit 2
bin="${SPANALLOC_BIN:-target/release/spanalloc}"
timings="$out/timings.txt"
outputs="${GITHUB_OUTPUT:-/dev/null}"
publish=false
trap 'echo "publish=$publish" >>"$outputs"' EXIT
: >"$timings"
status=0
worse() { if [ "$1" -gt "$status" ]; then status=$1; fi; }
# step NAME CMD...: runs CMD, records its wall time; returns its status.
step() {
    local label=$1 start rc
    shift
    start=$(date +%s)
    echo "== nightly: $label"
    "$@"
    rc=$?
    echo "$label: $(($(date +%s) - start)) s (exit $rc)" >>"$timings"
    return "$rc"
}

if [ -z "${SPANALLOC_BIN:-}" ]; then
    step "build" cargo build --release -q -p spanalloc || exit 2
fi

# Benches: criterion against its saved baseline (saved the first time), iai-callgrind likewise.
if [ "${SPANALLOC_BENCHES:-1}" != 0 ]; then
    criterion_baseline=(--save-baseline="$name")
    if compgen -G "$bench_home/criterion/*/*/$name" >/dev/null || compgen -G "$bench_home/criterion/*/*/*/$name" >/dev/null; then
        criterion_baseline=(--baseline-lenient="$name")
    fi
    step "criterion benches" env CRITERION_HOME="$bench_home/criterion" \
        cargo bench -q -p spanalloc-benches --bench handoff --bench handoff_thread --bench tracer --bench current --bench pipeline \
        -- "${criterion_baseline[@]}" "${criterion_args[@]}" || worse 1
    iai_baseline=(--save-baseline="$name")
    if find "$bench_home/iai" -name "*.base@$name*" 2>/dev/null | grep -q .; then
        iai_baseline=(--baseline="$name")
    fi
    step "iai-callgrind bench" env IAI_CALLGRIND_HOME="$bench_home/iai" scripts/bench-iai.sh "${iai_baseline[@]}" || worse 1
fi

# The sweep. What follows acts on its own exit status and run id: the results file of an earlier
# night may still be there (a run that measured nothing never replaces one with rows).
run_id_of() { "$bin" fingerprint "$1" --run-id 2>/dev/null || true; }
before=$(run_id_of "$out/results.json")
step "sweep" "$bin" run --spans "$spans" --repeat "$repeat" --trace-state "$trace_state" --dhat-spans "$dhat_spans" \
    "${scenario_args[@]}" --out "$out" --baseline none --criterion "$bench_home/criterion" --iai "$bench_home/iai"
sweep_status=$?
run_id=$(run_id_of "$out/results.json")
if [ -z "$run_id" ] || [ "$run_id" = "$before" ]; then
    echo "nightly: the sweep wrote no results of its own (exit $sweep_status): nothing compared, saved or published" >&2
    printf '### ❌ spanalloc: the sweep measured nothing (exit %s): nothing compared, saved or published\n' "$sweep_status" >>"$summary"
    exit 1
fi
echo "run_id=$run_id" >>"$outputs"
if [ "$sweep_status" != 0 ]; then
    # The run has failures: compare shows them first (and fails); nothing is saved or published.
    worse 1
    fingerprint=$("$bin" fingerprint "$out/results.json" --id) || exit 2
    if [ -f "$baselines/$name-$fingerprint.json" ]; then
        "$bin" compare "$name-$fingerprint" "$out/results.json" --baselines "$baselines" --format markdown >>"$summary"
    fi
    echo "nightly: the sweep failed (exit $sweep_status): no baseline saved, no history line, nothing published" >&2
    "$bin" report "$out" --baseline "$name-$fingerprint" --baselines "$baselines" --history "$history" \
        --criterion "$bench_home/criterion" --iai "$bench_home/iai" || true
    exit "$status"
fi

# Compare with this machine's own baseline; the first night on a machine saves it instead.
fingerprint=$("$bin" fingerprint "$out/results.json" --id) || exit 2
baseline="$name-$fingerprint"
if [ -f "$baselines/$baseline.json" ]; then
    step "compare" "$bin" compare "$baseline" "$out/results.json" --baselines "$baselines" --format markdown >"$out/compare.md"
    compare_status=$?
    cat "$out/compare.md" >>"$summary"
    "$bin" compare "$baseline" "$out/results.json" --baselines "$baselines" --format text || true
    worse "$compare_status"
    if [ "${SPANALLOC_ACCEPT:-0}" = 1 ]; then
        "$bin" baseline save "$baseline" --from "$out/results.json" --dir "$baselines" || worse 2
    fi
else
    echo "no baseline '$baseline' for this machine yet: saving this run as it"
    printf '### spanalloc: first night on this machine (%s): saved as baseline `%s`, nothing compared\n' \
        "$fingerprint" "$baseline" >>"$summary"
    "$bin" baseline save "$baseline" --from "$out/results.json" --dir "$baselines" || worse 2
fi

step "history" "$bin" history append "$out/results.json" --file "$history" && publish=true || worse 2
step "report" "$bin" report "$out" --baseline "$baseline" --baselines "$baselines" --history "$history" \
    --criterion "$bench_home/criterion" --iai "$bench_home/iai" || worse 1

echo "== nightly: where the time went"
cat "$timings"
exit "$status"
