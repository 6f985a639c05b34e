#!/usr/bin/env bash
# Runs scripts/nightly.sh end to end, as a team adopting it would:
#
# A. As .github/workflows/nightly.yml runs it, from its own file (below): a fresh clone, nothing
#    set, four rehearsed nights, the last two with CARGO_TARGET_DIR pointing elsewhere.
# B. A fleet, with fingerprints played by SPANALLOC_SIMULATE_CPU / SPANALLOC_SIMULATE_RUSTC (the
#    test binary's known-answer row, which SPANALLOC_TEST_PLANT makes allocate once more per span):
#      1. CPU A, the first night: saves the counts baseline and A's timing baseline;
#      2. CPU A again: counts gated, timing compared (the fingerprint repeats);
#      3. CPU B: counts gated against A's counts baseline; timing saved for B, not compared;
#      4. CPU A with a new rustc: "toolchain changed", counts compared for information, re-saved;
#      5. CPU A, one allocation per span planted: regressed, exit 1, the site named;
#      6. the same, accepted (SPANALLOC_ACCEPT=1): exit 0, the counts baseline replaced;
#      7. CPU B, planted: clean against the accepted counts baseline;
#      8. two shards on CPUs C and A, merged: C's first night saves its rows; A's rows judged
#         against A's baseline, the row C measured named, not failed;
#      9. the same shards on A and C: C's baseline gathers the size it measures for the first time;
#     10. a night whose sweep measures nothing: exit 1, nothing published, nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
die() { echo "check-nightly: $*" >&2; exit 1; }
has_benches() { # INDEX.HTML LABEL
    for section in "criterion: wall time" "iai-callgrind: instructions"; do
        grep -q "$section" "$1" || die "$2: the report has no '$section' section"
    done
    grep -q "No criterion results found" "$1" && die "$2: the report found no criterion results"
    return 0
}

# A. As .github/workflows/nightly.yml runs on a hosted runner, its steps read from the file by
#    scripts/rehearse_workflow.py (each `run:` line and `env:` as written; a step with more than
#    one call fails the rehearsal): a fresh clone (empty target dir), no developer variable, the
#    data branch on an origin that starts empty (a local bare repository). The rehearsal's own
#    settings are the quick sizes, and no instructions pass or outside check after the first
#    night, which walks both. Four nights:
#      R1 main, scheduled: the first night saves its counts and bench baselines and publishes;
#         each shard verifies its rows at trace-state 4 with DHAT, and the marks
#         reach the merged night and its report;
#      R2 a dispatch from another branch, asking to accept: measures (one row, under baselines
#         of its own name, as a full night's would fail on the rows it leaves out: what it
#         measures is not the point), publishes nothing;
#      R3 main again, with the target directory moved and CARGO_TARGET_DIR naming it (the
#         scripts find their binaries and bench baselines wherever cargo puts them): gated
#         against R1's baseline, clean, its benches compared with R1's, publishes;
#      R4 main, one allocation per span planted in value-copy by a commit: fails, its history
#         line is published but no baseline, and the alert step opens an issue (the GitHub CLI a
#         hosted runner has, played by a stub that records its calls).
git clone -q "$repo" "$work/fresh"
# The workflow's cache restores `target` with the dependencies built; so may the rehearsal, from
# this checkout's release build (scripts/seed-target.sh: never the project's own artifacts).
bash scripts/seed-target.sh "$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')" "$work/fresh/target"
git init -q --bare "$work/origin.git"
git -C "$work/fresh" remote set-url origin "$work/origin.git"
mkdir -p "$work/bin"
printf '#!/bin/sh\necho "gh $*" >>"%s"\n' "$work/gh.log" >"$work/bin/gh"
chmod +x "$work/bin/gh"
# One night: the workflow's jobs in its order — build, the matrix of shards one after another
# (on one machine: this proves the sharded night right, not fast) with the benches job beside
# them, then the merge job — each with a runner directory of its own, artifacts handed over
# through a directory as the runner would.
job() { # NAME LOG ARGS...
    local name=$1 log=$2
    shift 2
    (cd "$work/fresh" && env -u SPANALLOC_OUT -u SPANALLOC_BASELINES -u SPANALLOC_BENCH_HOME -u CARGO_TARGET_DIR \
        -u SPANALLOC_BIN -u SPANALLOC_HISTORY -u SPANALLOC_ACCEPT -u SPANALLOC_STAGE -u SPANALLOC_SHARD -u SPANALLOC_SHARDS \
        PATH="$work/bin:$PATH" "${SPANALLOC_PYTHON:-python3}" scripts/rehearse_workflow.py run .github/workflows/nightly.yml "$name" \
        --temp "$work/runner-$name${matrix:+-$matrix}" --artifacts "$work/artifacts" --set SPANALLOC_QUICK=1 "$@") >>"$log" 2>&1
}
rehearse() { # LABEL EXPECTED-STATUS ARGS...
    local label=$1 want=$2 got=0 k shards=success benches=success
    shift 2
    rm -rf "$work"/runner-* "$work/artifacts" "$work/rehearsal.log" "$work/benches.log"
    matrix="" job build "$work/rehearsal.log" "$@" || got=$?
    if [ "$got" = 0 ]; then
        # The benches job beside the shards, as the workflow runs it (both need only the build), at
        # the lowest priority: on one machine its compiling and criterion's loops must not take
        # the CPU from the shards' paced rows (which, starved, drop spans and fail). Its timings
        # are walked here, not judged; iai-callgrind's counts are the same at any priority.
        (renice -n 19 -p "$BASHPID" >/dev/null && matrix="" job benches "$work/benches.log" --needs build=success "$@") &
        local beside=$!
    fi
    for k in 1 2 3 4; do
        [ "$got" = 0 ] || break
        matrix=$k job shard "$work/rehearsal.log" --matrix "shard=$k" --needs build=success "$@" || shards=failure
    done
    if [ "$got" = 0 ]; then
        wait "$beside" || benches=failure
        cat "$work/benches.log" >>"$work/rehearsal.log"
        matrix="" job nightly "$work/rehearsal.log" --needs build=success --needs "shard=$shards" --needs "benches=$benches" "$@" || got=$?
    fi
    if [ "$got" != "$want" ]; then
        tail -40 "$work/rehearsal.log"
        die "$label: the rehearsed night exited $got, expected $want"
    fi
    echo "check-nightly: $label: exit $got, as expected"
    # Each job's time, each step's that took 10 s or more, and the benches job's two parts (each
    # with its build): where a rehearsed night's minutes go.
    grep -E '^rehearse: job|^rehearse: step .*, [0-9]{2,} s$|^(criterion benches|iai-callgrind bench): ' "$work/rehearsal.log" | sed 's/^/    /'
}
data_head() { git -C "$work/origin.git" rev-parse -q --verify refs/heads/spanalloc-data || true; }
counts_blobs() { git -C "$work/origin.git" ls-tree -r spanalloc-data baselines/ 2>/dev/null | grep 'nightly-counts-' || true; }
history_lines() { git -C "$work/origin.git" show spanalloc-data:history.jsonl 2>/dev/null | wc -l; }

rehearse "R1 main, scheduled, first night" 0 --ref refs/heads/main --event schedule --schedule "17 2 * * 1-6"
has_benches "$work/fresh/reports/latest/index.html" "R1"
git -C "$work/fresh" status --porcelain reports/baselines | grep -q . && die "R1: a night changed the committed example baselines"
for row in tracing-otel fastrace; do
    grep -q "\"name\": \"$row\"" "$work/fresh/reports/latest/results.json" || die "R1: no $row row"
done
# The outside check ran on the shards that measured its size, and its marks travelled with the
# rows through the merge: every in-process row verified (tracing-otel among them); the Go
# twin's and fastrace's listed as not verifiable (DHAT cannot see Go; valgrind changes fastrace's pace).
verdicts=$("${SPANALLOC_PYTHON:-python3}" -c '
import json, sys
r = json.load(open(sys.argv[1]))
v = r["config"].get("verify") or sys.exit("no config.verify")
for s in r["scenarios"]:
    if s["trace_state_entries"] == v["trace_state"]:
        print(s["name"], (s.get("verified") or {}).get("outcome", "absent"))
' "$work/fresh/reports/latest/results.json") || die "R1: the merged night has no outside check"
for row in value-copy pooled otel-sdk tracing-otel; do
    grep -qx "$row agrees" <<<"$verdicts" || die "R1: $row was not verified by DHAT: $(tr '\n' ' ' <<<"$verdicts")"
done
for row in go-value fastrace; do
    grep -qx "$row not-verifiable" <<<"$verdicts" || die "R1: $row is not listed as not verifiable: $(tr '\n' ' ' <<<"$verdicts")"
done
grep -q "verified by valgrind DHAT" "$work/fresh/reports/latest/index.html" || die "R1: the report shows no outside check"
# Read whole before grep -q looks (with pipefail, git killed by grep's early exit would fail).
published=$(git -C "$work/origin.git" ls-tree -r --name-only spanalloc-data 2>/dev/null || true)
[ "$(history_lines)" -ge 1 ] || die "R1: no history line published"
grep -q '^baselines/nightly-counts-.*\.json$' <<<"$published" || die "R1: no counts baseline published: $published"
first_publish=$(data_head)

rehearse "R2 a dispatch from refs/heads/topic, asking to accept" 0 --ref refs/heads/topic --event workflow_dispatch \
    --input accept=true --set SPANALLOC_BENCHES=0 --set SPANALLOC_INSTRUCTIONS=0 --set SPANALLOC_SCENARIOS=value-copy \
    --set SPANALLOC_GO=0 --set SPANALLOC_VERIFY=0 --set SPANALLOC_BASELINE=one-row
grep -q "not published" "$work/rehearsal.log" || die "R2: the publish step did not say it published nothing"
[ "$(data_head)" = "$first_publish" ] || die "R2: a dispatch from another branch changed the data branch"

mv "$work/fresh/target" "$work/elsewhere"
elsewhere=(--set CARGO_TARGET_DIR="$work/elsewhere")
rehearse "R3 main, the second night, CARGO_TARGET_DIR elsewhere" 0 --ref refs/heads/main --event schedule \
    --schedule "17 2 * * 1-6" --set SPANALLOC_INSTRUCTIONS=0 --set SPANALLOC_VERIFY=0 "${elsewhere[@]}"
has_benches "$work/fresh/reports/latest/index.html" "R3"
[ -e "$work/fresh/target" ] && die "R3: a script built into ./target although CARGO_TARGET_DIR named another directory"
grep -q "counts unchanged against" "$work/fresh/reports/latest/compare.md" || die "R3: not gated against R1's counts baseline"
[ "$(history_lines)" -ge 2 ] || die "R3: the second night was not published"
accepted=$(counts_blobs)
# R3's merge job again, as a re-run after its benches job was lost (failed before it handed its
# results over), from another branch so that nothing is published: it fails, naming the benches.
# A re-run job gets a fresh runner (RUNNER_TEMP is emptied at each job's start).
rm -rf "$work/artifacts"/spanalloc-benches-* "$work/rehearsal.log" "$work/runner-nightly"
got=0
matrix="" job nightly "$work/rehearsal.log" --ref refs/heads/topic --event schedule --schedule "17 2 * * 1-6" \
    --needs build=success --needs shard=success --needs benches=failure --set SPANALLOC_INSTRUCTIONS=0 \
    --set SPANALLOC_VERIFY=0 "${elsewhere[@]}" || got=$?
[ "$got" = 1 ] || { tail -30 "$work/rehearsal.log"; die "R3, benches lost: the night exited $got, not 1"; }
for said in "the benches job delivered no results" "the benches job ended 'failure'"; do
    grep -q "$said" "$work/rehearsal.log" || { tail -30 "$work/rehearsal.log"; die "R3, benches lost: no '$said'"; }
done
echo "check-nightly: R3's merge again with its benches lost: exit 1, the benches named"

sed -i 's/^        LinkedSpan { ctx, parent_span_id }$/        std::hint::black_box(Box::new(0_u8));\n        LinkedSpan { ctx, parent_span_id }/' \
    "$work/fresh/scenarios/value-copy/src/lib.rs"
git -C "$work/fresh" -c user.name=check -c user.email=check@localhost commit -qam "plant: one allocation per span in value-copy"
rehearse "R4 main, one allocation per span planted" 1 --ref refs/heads/main --event schedule --schedule "17 2 * * 1-6" \
    --set SPANALLOC_BENCHES=0 --set SPANALLOC_INSTRUCTIONS=0 --set SPANALLOC_VERIFY=0 "${elsewhere[@]}"
grep -q "value-copy" "$work/fresh/reports/latest/compare.md" || die "R4: the comparison does not name value-copy"
# A regressed night is history (its line is published: change points need it), never a baseline.
[ "$(counts_blobs)" = "$accepted" ] || die "R4: a regressed night replaced the published counts baseline"
grep -q "^gh issue create" "$work/gh.log" || die "R4: the failed night opened no issue: $(cat "$work/gh.log" 2>/dev/null)"
git -C "$work/fresh" reset -q --hard HEAD~1
echo "check-nightly: A the hosted workflow rehearsed from its file (build, four shards, benches, merge): two nights published, a merge whose benches were lost failed, a dispatch from another branch published nothing, a planted allocation failed the night, kept the baseline and alerted"
rm -rf "$work/fresh" "$work/elsewhere" "$work/origin.git"

# B. A fleet of simulated machines.
cargo build --release -q -p spanalloc-testbin
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
export SPANALLOC_BIN="$target_dir/release/spanalloc-testbin" SPANALLOC_SCENARIOS=known-answer SPANALLOC_GO=0 SPANALLOC_BENCHES=0 SPANALLOC_VERIFY=0
export SPANALLOC_SPANS=2600 SPANALLOC_REPEAT=2 SPANALLOC_TRACE_STATE=0,4 SPANALLOC_DHAT_SPANS=1300
export SPANALLOC_OUT="$work/out" SPANALLOC_BASELINES="$work/baselines" SPANALLOC_HISTORY="$work/history.jsonl"
export GITHUB_STEP_SUMMARY="$work/summary.md" GITHUB_OUTPUT="$work/output"
real_rustc=$("$SPANALLOC_BIN" fingerprint --here | sed -n "s/.*rustc '\([^']*\)'.*/\1/p")
ended() { # LABEL EXPECTED-STATUS STATUS
    if [ "$3" != "$2" ]; then
        tail -40 "$work/night.log"
        cat "$GITHUB_STEP_SUMMARY"
        die "$1: exit $3, expected $2"
    fi
    echo "check-nightly: $1: exit $3, as expected; the summary's first line:"
    echo "    $(head -1 "$GITHUB_STEP_SUMMARY")"
}
night() { # LABEL EXPECTED-STATUS CPU RUSTC [ENV...]
    local label=$1 want=$2 cpu=$3 rustc=$4 got=0
    shift 4
    : >"$GITHUB_STEP_SUMMARY"
    : >"$GITHUB_OUTPUT"
    env SPANALLOC_SIMULATE_CPU="$cpu" SPANALLOC_SIMULATE_RUSTC="$rustc" "$@" scripts/nightly.sh --quick >"$work/night.log" 2>&1 || got=$?
    ended "$label" "$want" "$got"
}
# A night on two shards whose machines differ (the hosted pool's machine types), merged on the
# first's: each machine's rows are judged against its own timing baseline.
sharded() { # LABEL RUN-ID EXPECTED-STATUS RUSTC CPU-OF-SHARD-1 CPU-OF-SHARD-2 [ENV...]
    local label=$1 run=$2 want=$3 rustc=$4 got=0 k
    local cpus=("$5" "$6")
    shift 6
    : >"$GITHUB_STEP_SUMMARY"
    : >"$GITHUB_OUTPUT"
    rm -rf "$work/shards"
    for k in 1 2; do
        env SPANALLOC_SIMULATE_CPU="${cpus[k-1]}" SPANALLOC_SIMULATE_RUSTC="$rustc" SPANALLOC_STAGE=shard SPANALLOC_SHARD="$k/2" \
            SPANALLOC_SHARD_RUN="$run" SPANALLOC_OUT="$work/shards/$k" "$@" scripts/nightly.sh --quick >"$work/night.log" 2>&1 ||
            { tail -40 "$work/night.log"; die "$label: shard $k/2 failed"; }
    done
    env SPANALLOC_SIMULATE_CPU="${cpus[0]}" SPANALLOC_SIMULATE_RUSTC="$rustc" SPANALLOC_STAGE=merge SPANALLOC_SHARDS="$work/shards" \
        "$@" scripts/nightly.sh --quick >"$work/night.log" 2>&1 || got=$?
    ended "$label" "$want" "$got"
}
first() { head -1 "$GITHUB_STEP_SUMMARY"; }
says() { grep -qF -- "$1" "$GITHUB_STEP_SUMMARY" || { cat "$GITHUB_STEP_SUMMARY"; die "$2: the summary does not say '$1'"; }; }

night "B1 CPU A, first night" 0 "Simulated CPU A" "$real_rustc"
says "first night with counts key" "B1"
says "first night on machine" "B1"
counts=$(ls "$SPANALLOC_BASELINES"/nightly-counts-*.json)
[ "$(echo "$counts" | wc -l)" = 1 ] || die "B1: not one counts baseline: $counts"
night "B2 CPU A again" 0 "Simulated CPU A" "$real_rustc"
says "counts unchanged against" "B2"
says "timing: no regression against machine" "B2"
night "B3 CPU B" 0 "Simulated CPU B" "$real_rustc"
says "counts unchanged against \`$(basename "$counts" .json)\`" "B3 (gated against A's counts baseline)"
says "first night on machine" "B3 (timing not compared across machines)"
night "B4 CPU A, rustc bumped" 0 "Simulated CPU A" "rustc 9.99.0 (simulated)"
says "toolchain changed" "B4"
[ "$(ls "$SPANALLOC_BASELINES"/nightly-counts-*.json | wc -l)" = 2 ] || die "B4: the new toolchain's counts baseline was not saved"
night "B5 CPU A, new rustc, one allocation per span planted" 1 "Simulated CPU A" "rustc 9.99.0 (simulated)" SPANALLOC_TEST_PLANT=1
first | grep -q "❌ spanalloc: counts regressed" || { first; die "B5: the first line does not say the counts regressed"; }
says "Where it changed" "B5"
says "KnownAnswer" "B5 (the planted site is named)"
night "B6 the same, accepted" 0 "Simulated CPU A" "rustc 9.99.0 (simulated)" SPANALLOC_TEST_PLANT=1 SPANALLOC_ACCEPT=1
says "counts changed and accepted" "B6"
night "B7 CPU B, new rustc, planted: clean after A's accept" 0 "Simulated CPU B" "rustc 9.99.0 (simulated)" SPANALLOC_TEST_PLANT=1
says "counts unchanged against" "B7"
grep -qx "publish=true" "$GITHUB_OUTPUT" || die "B7: a clean night is not published"

# A sharded night on CPUs C and A: C's first night saves C's rows alone; A's rows are judged
# against A's baseline, the row C measured named there, not failed.
# (No instructions pass on these two: B1–B7 walked it, and each pass starts valgrind.)
sharded "B8 shards on CPUs C and A" b8 0 "rustc 9.99.0 (simulated)" "Simulated CPU C" "Simulated CPU A" SPANALLOC_TEST_PLANT=1 SPANALLOC_INSTRUCTIONS=0
says "first night on machine" "B8 (C)"
says "timing: no regression against machine" "B8 (A)"
says "judged against that machine's own baseline" "B8 (the row C measured, in A's comparison)"
rows() { python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["scenarios"]))' "$1"; }
c_base="$SPANALLOC_BASELINES/nightly-timing-$(SPANALLOC_SIMULATE_CPU="Simulated CPU C" SPANALLOC_SIMULATE_RUSTC="rustc 9.99.0 (simulated)" "$SPANALLOC_BIN" fingerprint --here --id).json"
[ "$(rows "$c_base")" = 1 ] || die "B8: C's first timing baseline does not hold its one row"
# The same shards the other way round: C measures the other size, which its baseline gathers.
sharded "B9 shards on CPUs A and C" b9 0 "rustc 9.99.0 (simulated)" "Simulated CPU A" "Simulated CPU C" SPANALLOC_TEST_PLANT=1 SPANALLOC_INSTRUCTIONS=0
says "1 row(s) added" "B9 (C's baseline gathers the size it measured first tonight)"
[ "$(rows "$c_base")" = 2 ] || die "B9: C's timing baseline did not gather its second row"

lines=$(wc -l <"$SPANALLOC_HISTORY")
results_before=$(sha256sum <"$SPANALLOC_OUT/results.json")
baselines_before=$(cat "$SPANALLOC_BASELINES"/*.json | sha256sum)
night "B10 a sweep that measures nothing" 1 "Simulated CPU B" "rustc 9.99.0 (simulated)" SPANALLOC_SCENARIOS=test-crash
grep -qx "publish=false" "$GITHUB_OUTPUT" && ! grep -q "publish=true" "$GITHUB_OUTPUT" || die "B10: a night that measured nothing was to be published"
[ "$(wc -l <"$SPANALLOC_HISTORY")" = "$lines" ] || die "B10: a failed night appended history"
[ "$(sha256sum <"$SPANALLOC_OUT/results.json")" = "$results_before" ] || die "B10: a failed night replaced results.json"
[ "$(cat "$SPANALLOC_BASELINES"/*.json | sha256sum)" = "$baselines_before" ] || die "B10: a failed night changed a baseline"
says "the sweep measured nothing" "B10"
echo "check-nightly: ok"
