#!/usr/bin/env bash
# The nightly job, whole: the benches (criterion and iai-callgrind, each against this machine's
# own saved baseline), the trace-state sweep with repeats, the counts gated against the counts
# baseline every machine shares, timing against this machine's own, history, the report and a
# Markdown summary for $GITHUB_STEP_SUMMARY. docs/nightly.md explains the two kinds of baseline.
#
# usage: scripts/nightly.sh [--quick]
#   --quick   the same flow at small counts, for CI and for a first try (or SPANALLOC_QUICK=1).
#
# Settings (environment):
#   SPANALLOC_OUT         where the run goes (reports/latest): results.json, the report,
#                         compare.md, timings.txt
#   SPANALLOC_HISTORY     the history file ($SPANALLOC_OUT/history.jsonl)
#   SPANALLOC_BASELINES   the baselines directory ($SPANALLOC_OUT/baselines, so that a user's nights
#                         never touch the example baseline committed in reports/baselines)
#   SPANALLOC_BASELINE    the baselines' name (nightly): NAME-counts-<counts key> for the counts,
#                         shared by every machine with the same toolchains and allocator, and
#                         NAME-timing-<fingerprint id> for each machine's timing (a sharded
#                         night's rows may come from several: each machine's baseline gathers
#                         the rows it measured)
#   SPANALLOC_BENCH_HOME  where criterion and iai-callgrind keep their results and baselines, one
#                         directory per machine fingerprint (cargo's target directory/spanalloc-nightly)
#   SPANALLOC_ACCEPT=1    accept this night's changes: a regression is reported as accepted, and
#                         the run is saved as the counts baseline (for every machine), its rows
#                         into their machines' timing baselines, and the bench baselines
#   SPANALLOC_RUNNER      a label for this machine, part of its fingerprint
#   SPANALLOC_SPANS, SPANALLOC_REPEAT, SPANALLOC_TRACE_STATE, SPANALLOC_DHAT_SPANS,
#   SPANALLOC_SCENARIOS (comma-separated names): the workload, overriding the defaults below
#   SPANALLOC_GO=0        leave the Go twin's rows out (on by default; Go is installed when missing)
#   SPANALLOC_INSTRUCTIONS=0  no instructions pass (on by default: each in-process row once more
#                         under callgrind, for the CPU series change points are found in)
#   SPANALLOC_VERIFY=0    no outside check (on by default: every system-allocator row at one
#                         size, its pass without the meter under valgrind's DHAT against the
#                         meter, block for block: `spanalloc run --verify`; a disagreement fails)
#   SPANALLOC_STACKS=0    leave the real-stack rows out (tracing-opentelemetry, fastrace): on by
#                         default, the sweep then runs spanalloc-stacks (scenarios/real-stacks),
#                         the built-ins plus those rows
#   SPANALLOC_BIN         the spanalloc binary to run (built by this script when unset); for a
#                         binary of your own built on the extension point
#   SPANALLOC_BENCHES=0   skip criterion and iai-callgrind (the sweep, compare and the rest run)
#   SPANALLOC_STAGE       `all`, the whole night in one job (the default), or one part of a
#                         sharded night (.github/workflows/nightly.yml, docs/nightly.md):
#                         `build` builds the binary into $SPANALLOC_OUT/bin and stops; `shard`
#                         measures shard $SPANALLOC_SHARD (I/N) of the sweep with $SPANALLOC_BIN
#                         into $SPANALLOC_OUT and stops; `benches` runs the benches into
#                         $SPANALLOC_BENCH_HOME (against the baselines saved there), marks them
#                         as tonight's and stops; `merge` merges the shard directories under
#                         $SPANALLOC_SHARDS where the sweep would run, attaches the benches the
#                         `benches` stage left in $SPANALLOC_BENCH_HOME (none there fails the
#                         night, as does SPANALLOC_BENCHES_RESULT other than success: how the
#                         benches job ended), then does the rest (compare, history, report)
#
# Exit status: 0 fine; 1 a regression, a failed scenario or a failed bench; 2 the comparison
# could not be made (or bad settings). The first night with a counts key saves its counts
# baseline; the first night on a machine saves its timing baseline. A night whose toolchain
# changed (a new counts key) compares the counts with the previous key's baseline for
# information, saves the new one and gates from the next night.
# What follows the sweep acts on the sweep's own exit status and run id, never on whether a
# results file exists: a failed sweep saves no baseline, appends no history line and is not
# published. With $GITHUB_OUTPUT set, the night writes `run_id` and `publish` (true or false)
# there, for the workflow's publishing step.
set -uo pipefail
cd "$(dirname "$0")/.."

quick="${SPANALLOC_QUICK:-0}"
stage="${SPANALLOC_STAGE:-all}"
case "$stage" in
    all | build | shard | benches | merge) ;;
    *) echo "nightly.sh: SPANALLOC_STAGE is all, build, shard, benches or merge, not '$stage'" >&2; exit 2 ;;
esac
for arg in "$@"; do
    case "$arg" in
        --quick) quick=1 ;;
        -h | --help) sed -n '2,59p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "nightly.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

# Cargo's target directory, wherever CARGO_TARGET_DIR or a config puts it: the binary and the
# default bench home are found there, as absolute paths (benches run from benches/, where a
# relative path would land in benches/target).
target_dir=$(cargo metadata --format-version 1 --no-deps 2>/dev/null | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target_dir" ] || { echo "nightly.sh: cannot find cargo's target directory (cargo metadata)" >&2; exit 2; }
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

out=$(absolute "${SPANALLOC_OUT:-reports/latest}")
history=$(absolute "${SPANALLOC_HISTORY:-$out/history.jsonl}")
baselines=$(absolute "${SPANALLOC_BASELINES:-$out/baselines}")
name="${SPANALLOC_BASELINE:-nightly}"
bench_root=$(absolute "${SPANALLOC_BENCH_HOME:-$target_dir/spanalloc-nightly}")
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
outputs="${GITHUB_OUTPUT:-/dev/null}"
accept="${SPANALLOC_ACCEPT:-0}"
# criterion's own plots are never drawn: the report reads its estimates.json, and drawing them
# took 51 of the handoff bench's 54 s in a quick night (and would fill the data branch with SVG).
if [ "$quick" = 1 ]; then
    # criterion's quick mode with short warm-up and measurement (defaults 3 s and 5 s): the flow
    # is walked, saved and compared; its times are not the point of a quick night.
    spans=20000 repeat=2 trace_state=0,4 dhat_spans=2000 verify_spans=1000 criterion_args=(--noplot --quick --warm-up-time 0.2 --measurement-time 0.5)
else
    # Per-span figures are what is compared: 200k spans (2 s at 100k spans/s) per pass keep the
    # exact counts exact and give five repeats of every timing figure within the 20 minutes.
    spans=200000 repeat=5 trace_state=0,1,4,32 dhat_spans=20000 verify_spans=2000 criterion_args=(--noplot)
fi
spans="${SPANALLOC_SPANS:-$spans}"
repeat="${SPANALLOC_REPEAT:-$repeat}"
trace_state="${SPANALLOC_TRACE_STATE:-$trace_state}"
dhat_spans="${SPANALLOC_DHAT_SPANS:-$dhat_spans}"
scenario_args=()
IFS=',' read -r -a wanted <<<"${SPANALLOC_SCENARIOS:-}"
for s in "${wanted[@]}"; do [ -n "$s" ] && scenario_args+=(--scenario "$s"); done
sweeps=false
[ "$stage" = all ] || [ "$stage" = shard ] && sweeps=true
if [ "$sweeps" = true ] && [ "${SPANALLOC_GO:-1}" = 1 ]; then
    bash scripts/install-go.sh >&2 || exit 2
    scenario_args+=(--go)
fi
# The instructions pass: the CPU series whose change points a step of a few percent shows in.
if [ "$sweeps" = true ] && [ "${SPANALLOC_INSTRUCTIONS:-1}" = 1 ]; then
    bash scripts/install-valgrind.sh >&2 || exit 2
    scenario_args+=(--instructions)
fi
# The meter checked from outside: every system-allocator row at one size (the plan's nearest 4),
# its pass without the meter under valgrind's DHAT against its count passes (`spanalloc verify`);
# each shard verifies its own rows at that size, and the mark travels with the row.
if [ "$sweeps" = true ] && [ "${SPANALLOC_VERIFY:-1}" = 1 ]; then
    bash scripts/install-valgrind.sh >&2 || exit 2
    scenario_args+=(--verify --verify-spans "$verify_spans")
fi

mkdir -p "$out" "$baselines" || exit 2
stacks="${SPANALLOC_STACKS:-1}"
if [ "$stacks" = 1 ]; then
    bin="${SPANALLOC_BIN:-$target_dir/release/spanalloc-stacks}"
else
    bin="${SPANALLOC_BIN:-$target_dir/release/spanalloc}"
fi
timings="$out/timings.txt"
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
    if [ "$stacks" = 1 ]; then
        # Its own workspace, built into this one's target directory: cargo reads a .cargo/config.toml
        # from the working directory up, never from beside --manifest-path, so it is said here.
        step "build" cargo build --release -q --manifest-path scenarios/real-stacks/Cargo.toml \
            --target-dir "$target_dir" -p spanalloc-stacks || exit 2
    else
        step "build" cargo build --release -q -p spanalloc || exit 2
    fi
fi
# A binary handed over as a workflow artifact has lost its mode bits.
[ -n "${SPANALLOC_BIN:-}" ] && [ -f "$bin" ] && [ ! -x "$bin" ] && chmod +x "$bin"
[ -x "$bin" ] || { echo "nightly.sh: no spanalloc binary at $bin" >&2; exit 2; }
if [ "$stage" = build ]; then
    mkdir -p "$out/bin" && cp "$bin" "$out/bin/" || exit 2
    echo "nightly: built $(basename "$bin") into $out/bin for the shards and the merge"
    exit 0
fi
run_id_of() { "$bin" fingerprint "$1" --run-id 2>/dev/null || true; }
if [ "$stage" = shard ]; then
    [ -n "${SPANALLOC_SHARD:-}" ] || { echo "nightly.sh: SPANALLOC_STAGE=shard needs SPANALLOC_SHARD (I/N)" >&2; exit 2; }
    shard_run="${SPANALLOC_SHARD_RUN:-${GITHUB_RUN_ID:-}}"
    step "sweep, shard $SPANALLOC_SHARD" "$bin" run --spans "$spans" --repeat "$repeat" --trace-state "$trace_state" \
        --dhat-spans "$dhat_spans" "${scenario_args[@]}" --out "$out" --baseline none \
        --shard "$SPANALLOC_SHARD" ${shard_run:+--shard-run "$shard_run"}
    sweep_status=$?
    echo "== nightly: where the time went"
    cat "$timings"
    exit "$sweep_status"
fi

# Benches, against this machine's own saved baselines (saved the first time, and on accept):
# wall time and instruction counts belong to a machine, like every timing figure. A sharded
# night runs them in a job of their own beside the shards; the merge attaches what it left.
here=$("$bin" fingerprint --here --id) || exit 2
bench_home="$bench_root/$here"
tonight="$bench_root/tonight"
if [ "$stage" = merge ] && [ "${SPANALLOC_BENCHES:-1}" != 0 ]; then
    # "MACHINE RUN": tonight's only when the benches ran for this night's run.
    read -r benched benched_run 2>/dev/null <"$tonight" || true
    if [ -n "${benched:-}" ] && [ "${benched_run:-}" = "${GITHUB_RUN_ID:-local}" ] && [ -d "$bench_root/$benched" ]; then
        bench_home="$bench_root/$benched"
        echo "nightly: the benches job's results attached (machine $benched)"
    else
        echo "nightly: the benches job delivered no results for run ${GITHUB_RUN_ID:-local} ($tonight): the night fails" >&2
        printf '### ❌ spanalloc: the benches job delivered no results\n' >>"$summary"
        worse 1
    fi
    if [ -n "${SPANALLOC_BENCHES_RESULT:-}" ] && [ "$SPANALLOC_BENCHES_RESULT" != success ]; then
        echo "nightly: the benches job ended '$SPANALLOC_BENCHES_RESULT': the night fails" >&2
        printf '### ❌ spanalloc: the benches job ended %s\n' "$SPANALLOC_BENCHES_RESULT" >>"$summary"
        worse 1
    fi
fi
mkdir -p "$bench_home" || exit 2
if [ "${SPANALLOC_BENCHES:-1}" != 0 ] && [ "$stage" != merge ]; then
    rm -f "$tonight"
    criterion_baseline=(--save-baseline="$name")
    if [ "$accept" != 1 ] && { compgen -G "$bench_home/criterion/*/*/$name" >/dev/null || compgen -G "$bench_home/criterion/*/*/*/$name" >/dev/null; }; then
        criterion_baseline=(--baseline-lenient="$name")
    fi
    step "criterion benches" env CRITERION_HOME="$bench_home/criterion" \
        cargo bench -q -p spanalloc-benches --bench handoff --bench handoff_thread --bench paired_calls --bench tracer --bench current --bench pipeline \
        -- "${criterion_baseline[@]}" "${criterion_args[@]}" || worse 1
    iai_baseline=(--save-baseline="$name")
    if [ "$accept" != 1 ] && find "$bench_home/iai" -name "*.base@$name*" 2>/dev/null | grep -q .; then
        iai_baseline=(--baseline="$name")
    fi
    step "iai-callgrind bench" env IAI_CALLGRIND_HOME="$bench_home/iai" scripts/bench-iai.sh "${iai_baseline[@]}" || worse 1
    # Which machine's directory holds tonight's results, for the merge job that attaches them.
    printf '%s %s\n' "$here" "${GITHUB_RUN_ID:-local}" >"$tonight.tmp" && mv "$tonight.tmp" "$tonight" || exit 2
fi
if [ "$stage" = benches ]; then
    echo "== nightly: where the time went"
    cat "$timings"
    exit "$status"
fi

# The sweep. What follows acts on its own exit status and run id: the results file of an earlier
# night may still be there (a run that measured nothing never replaces one with rows).
before=$(run_id_of "$out/results.json")
if [ "$stage" = merge ]; then
    # The shards' sweeps made whole: a shard that delivered nothing makes its rows failures.
    shards=()
    for d in "${SPANALLOC_SHARDS:?SPANALLOC_STAGE=merge needs SPANALLOC_SHARDS}"/*/; do
        [ -f "$d/results.json" ] && shards+=("$d")
    done
    [ ${#shards[@]} -gt 0 ] || { echo "nightly.sh: no shard's results under $SPANALLOC_SHARDS" >&2; exit 1; }
    step "merge" "$bin" merge "${shards[@]}" --out "$out"
    sweep_status=$?
else
    step "sweep" "$bin" run --spans "$spans" --repeat "$repeat" --trace-state "$trace_state" --dhat-spans "$dhat_spans" \
        "${scenario_args[@]}" --out "$out" --baseline none --criterion "$bench_home/criterion" --iai "$bench_home/iai"
    sweep_status=$?
fi
run_id=$(run_id_of "$out/results.json")
if [ -z "$run_id" ] || [ "$run_id" = "$before" ]; then
    echo "nightly: the sweep wrote no results of its own (exit $sweep_status): nothing compared, saved or published" >&2
    printf '### ❌ spanalloc: the sweep measured nothing (exit %s): nothing compared, saved or published\n' "$sweep_status" >>"$summary"
    exit 1
fi
echo "run_id=$run_id" >>"$outputs"
results="$out/results.json"
counts_key=$("$bin" fingerprint "$results" --counts-key --id) || exit 2
counts_parts=$("$bin" fingerprint "$results" --counts-key | cut -d' ' -f3-)
counts_name="$name-counts-$counts_key"
current_key="$baselines/$name-counts.current"
save() { "$bin" baseline save "$1" --from "$results" --dir "$baselines" --force; }
report() {
    # Against the counts baseline when there is one; a first night (or a failed one before it)
    # has none, and `report` refuses a named baseline that does not exist.
    local against=none
    [ -f "$baselines/$counts_name.json" ] && against=$counts_name
    step "report" "$bin" report "$out" --baseline "$against" --baselines "$baselines" --history "$history" \
        --criterion "$bench_home/criterion" --iai "$bench_home/iai" || worse 1
}

if [ "$sweep_status" != 0 ]; then
    # The run has failures: compare shows them first (and fails); nothing is saved or published.
    worse 1
    if [ -f "$baselines/$counts_name.json" ]; then
        "$bin" compare "$counts_name" "$results" --baselines "$baselines" --metrics counts --format markdown >>"$summary"
    else
        printf '### ❌ spanalloc: the sweep failed (exit %s)\n' "$sweep_status" >>"$summary"
    fi
    echo "nightly: the sweep failed (exit $sweep_status): no baseline saved, no history line, nothing published" >&2
    report
    exit "$status"
fi

# The counts: one baseline per counts key (toolchains, allocator, profile), for every machine.
gate=0 headline="" counts_md="$out/compare-counts.md" timing_md="$out/compare-timing.md"
: >"$counts_md"
: >"$timing_md"
if [ -f "$baselines/$counts_name.json" ]; then
    step "compare counts" "$bin" compare "$counts_name" "$results" --baselines "$baselines" --metrics counts --fail-on exact \
        --format markdown >"$counts_md"
    gate=$?
    "$bin" compare "$counts_name" "$results" --baselines "$baselines" --metrics counts --format text || true
    case "$gate" in
        0) headline="✅ spanalloc: counts unchanged against \`$counts_name\`" ;;
        1) if [ "$accept" = 1 ]; then headline="✅ spanalloc: counts changed and accepted (SPANALLOC_ACCEPT=1): \`$counts_name\` replaced"; gate=0
           else headline="❌ spanalloc: counts regressed against \`$counts_name\`"; fi ;;
        *) headline="❌ spanalloc: counts could not be compared with \`$counts_name\` (exit $gate)" ;;
    esac
    if [ "$accept" = 1 ] && [ "$gate" = 0 ]; then save "$counts_name" || worse 2; fi
else
    previous=$(cat "$current_key" 2>/dev/null || true)
    if [ -n "$previous" ] && [ -f "$baselines/$name-counts-$previous.json" ]; then
        # A toolchain bump: the counts are set against the previous toolchain's, for information.
        "$bin" compare "$name-counts-$previous" "$results" --baselines "$baselines" --metrics counts --format markdown >"$counts_md" || true
        headline="✅ spanalloc: toolchain changed (counts key $previous → $counts_key: $counts_parts): counts compared for information, not gated; saved as \`$counts_name\`, gated from the next night"
    else
        headline="✅ spanalloc: first night with counts key $counts_key ($counts_parts): saved as \`$counts_name\`, nothing gated"
    fi
    save "$counts_name" || worse 2
fi
worse "$gate"
[ "$gate" = 0 ] && { printf '%s\n' "$counts_key" >"$current_key.tmp" && mv "$current_key.tmp" "$current_key"; }

# Timing: each machine's rows against that machine's own baseline, never across machines. A
# merged night's shards may have run on several machine types; each machine's baseline gathers
# the rows it measures, night by night (`baseline save --machine`), and a row another machine
# measured tonight is judged there. Every row is judged, or said to be a first on its machine.
machines=$("$bin" fingerprint "$results" --machines) || exit 2
ratchets=()
for machine in $machines; do
    timing_name="$name-timing-$machine"
    gather=(--machine "$machine")
    [ "$accept" = 1 ] && gather+=(--force)
    if [ -f "$baselines/$timing_name.json" ]; then
        step "compare timing on $machine" "$bin" compare "$timing_name" "$results" --baselines "$baselines" --metrics timing \
            --machine "$machine" --format markdown >>"$timing_md"
        timing=$?
        if [ "$timing" = 1 ] && [ "$accept" = 1 ]; then timing=0; fi
        case "$timing" in
            0) ratchets+=("$timing_name") ;;
            1) headline="$headline; ❌ timing regressed against machine $machine's \`$timing_name\`" ;;
            *) headline="$headline; timing on machine $machine could not be compared (exit $timing)" ;;
        esac
        worse "$timing"
        # The rows this machine measured for the first time join its baseline (with accept,
        # tonight's replace its own): judged from the next night they land here.
        if [ "$timing" = 0 ]; then
            gathered=$("$bin" baseline save "$timing_name" --from "$results" --dir "$baselines" "${gather[@]}") || worse 2
            printf '%s\n' "$gathered" >>"$timing_md"
            added=$(sed -n 's/.*: \([0-9]*\) row(s) added, [0-9]* it had.*/\1/p' <<<"$gathered")
            judged=$(sed -n 's/.* row(s) added, \([0-9]*\) it had.*/\1/p' <<<"$gathered")
            [ "${judged:-0}" -gt 0 ] && headline="$headline; timing: no regression against machine $machine's \`$timing_name\` ($judged row(s))"
            [ "${added:-0}" -gt 0 ] && headline="$headline; $added row(s) measured on machine $machine for the first time: saved into \`$timing_name\`, judged from their next night there"
            [ -z "$judged$added" ] && headline="$headline; machine $machine's \`$timing_name\`: ${gathered##*: }"
        fi
    else
        headline="$headline; first night on machine $machine: its rows' timing saved as \`$timing_name\`, judged from the next night"
        "$bin" baseline save "$timing_name" --from "$results" --dir "$baselines" "${gather[@]}" >>"$timing_md" || worse 2
    fi
done
# The summary's first line says what the night concluded; the comparisons follow.
case "$headline" in ✅*"❌"*) headline="❌${headline#✅}" ;; esac
{ printf '### %s\n\n' "$headline"; cat "$counts_md" "$timing_md"; } >"$out/compare.md"
cat "$out/compare.md" >>"$summary"

step "history" "$bin" history append "$results" --file "$history" && publish=true || worse 2
if [ "$publish" = true ]; then
    # When did it change: the change points this night created or moved (docs/change-points.md).
    "$bin" history changes --file "$history" --new --format markdown >"$out/changes.md" || worse 2
    # A gain held for three nights tightens the baselines it was measured against, on a night
    # that passed both gates (a baseline saved tonight is tonight's: nothing tightens).
    : >"$out/ratchet.md"
    if [ "$status" = 0 ] && [ -f "$baselines/$counts_name.json" ]; then
        "$bin" baseline ratchet "$counts_name" --kind counts --from "$results" --history "$history" --dir "$baselines" \
            --format markdown >>"$out/ratchet.md" || worse 2
        for timing_name in "${ratchets[@]}"; do
            "$bin" baseline ratchet "$timing_name" --kind timing --from "$results" --history "$history" --dir "$baselines" \
                --format markdown >>"$out/ratchet.md" || worse 2
        done
    fi
    cat "$out/changes.md" "$out/ratchet.md" >>"$summary"
fi
report

echo "== nightly: where the time went"
cat "$timings"
exit "$status"
