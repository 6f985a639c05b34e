#!/usr/bin/env bash
# Runs scripts/nightly.sh end to end, as a team adopting it would:
#
# A. As docs/nightly.md says, from a fresh clone, no variable set: a whole quick night (benches,
#    the sweep with the Go rows and the real stacks, compare, history, report) must exit 0, its
#    results must have the real-stack rows and its report the criterion and iai-callgrind
#    results; again with CARGO_TARGET_DIR pointing elsewhere.
# B. A fleet, with fingerprints played by SPANALLOC_SIMULATE_CPU / SPANALLOC_SIMULATE_RUSTC (the
#    test binary's known-answer row, which SPANALLOC_TEST_PLANT makes allocate once more per span):
#      1. CPU A, the first night: saves the counts baseline and A's timing baseline;
#      2. CPU A again: counts gated, timing compared (the fingerprint repeats);
#      3. CPU B: counts gated against A's counts baseline; timing saved for B, not compared;
#      4. CPU A with a new rustc: "toolchain changed", counts compared for information, re-saved;
#      5. CPU A, one allocation per span planted: regressed, exit 1, the site named;
#      6. the same, accepted (SPANALLOC_ACCEPT=1): exit 0, the counts baseline replaced;
#      7. CPU B, planted: clean against the accepted counts baseline;
#      8. a night whose sweep measures nothing: exit 1, nothing published, nothing changed.
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

# A. As docs/nightly.md says, and as .github/workflows/nightly.yml runs it on a hosted runner:
#    a fresh clone (empty target dir), no developer variable, the data branch fetched from an
#    origin that starts empty (a local bare repository), the night, then the publish step with
#    the run id the night wrote to $GITHUB_OUTPUT. From refs/heads/topic (a dispatch from another
#    branch) the publish step must push nothing; from main the night must publish.
git clone -q "$repo" "$work/fresh"
git init -q --bare "$work/origin.git"
git -C "$work/fresh" remote set-url origin "$work/origin.git"
(cd "$work/fresh" && env -u SPANALLOC_OUT -u SPANALLOC_BASELINES -u SPANALLOC_BENCH_HOME -u CARGO_TARGET_DIR \
    -u SPANALLOC_BIN -u SPANALLOC_HISTORY GITHUB_OUTPUT="$work/outputs" bash -c '
        set -e
        data="$1/data"
        scripts/data-branch.sh fetch "$data"
        SPANALLOC_BASELINES="$data/baselines" SPANALLOC_HISTORY="$data/history.jsonl" \
            SPANALLOC_BENCH_HOME="$data/benches" scripts/nightly.sh --quick
        grep -qx "publish=true" "$GITHUB_OUTPUT" || { echo "the night did not say publish=true"; exit 1; }
        run_id=$(sed -n "s/^run_id=//p" "$GITHUB_OUTPUT")
        GITHUB_REF=refs/heads/topic scripts/data-branch.sh publish "$data" reports/latest/results.json "$run_id" |
            grep -q "not published" || { echo "a dispatch from refs/heads/topic did not say it published nothing"; exit 1; }
        if git -C "$1/origin.git" rev-parse -q --verify refs/heads/spanalloc-data >/dev/null; then
            echo "a dispatch from refs/heads/topic published the data branch"; exit 1
        fi
        GITHUB_REF=refs/heads/main scripts/data-branch.sh publish "$data" reports/latest/results.json "$run_id"
    ' rehearsal "$work" >"$work/fresh.log" 2>&1) || { tail -40 "$work/fresh.log"; die "a fresh clone's night, run as the hosted workflow runs it, failed"; }
has_benches "$work/fresh/reports/latest/index.html" "fresh clone"
git -C "$work/fresh" status --porcelain reports/baselines | grep -q . && die "a night changed the committed example baselines"
for row in tracing-otel fastrace; do
    grep -q "\"name\": \"$row\"" "$work/fresh/reports/latest/results.json" || die "a fresh clone's night has no $row row"
done
# Read whole before grep -q looks (with pipefail, git killed by grep's early exit would fail).
published=$(git -C "$work/origin.git" ls-tree -r --name-only spanalloc-data 2>/dev/null || true)
history_lines=$(git -C "$work/origin.git" show spanalloc-data:history.jsonl 2>/dev/null | wc -l)
[ "$history_lines" -ge 1 ] || die "the hosted night published no history line"
grep -q '^baselines/nightly-counts-.*\.json$' <<<"$published" || die "the hosted night published no counts baseline: $published"
echo "check-nightly: A1 fresh clone, nothing set, as the hosted workflow runs it: exit 0, benches and the real-stack rows in the report, history and counts baseline published to the data branch"
cp -a "$work/fresh/target" "$work/elsewhere"
(cd "$work/fresh" && CARGO_TARGET_DIR="$work/elsewhere" SPANALLOC_OUT="$work/fresh-out2" scripts/nightly.sh --quick \
    >"$work/fresh2.log" 2>&1) || { tail -40 "$work/fresh2.log"; die "a night with CARGO_TARGET_DIR failed"; }
has_benches "$work/fresh-out2/index.html" "CARGO_TARGET_DIR"
echo "check-nightly: A2 CARGO_TARGET_DIR elsewhere: exit 0, benches in the report"
rm -rf "$work/fresh" "$work/elsewhere" "$work/origin.git"

# B. A fleet of simulated machines.
cargo build --release -q -p spanalloc-testbin
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
export SPANALLOC_BIN="$target_dir/release/spanalloc-testbin" SPANALLOC_SCENARIOS=known-answer SPANALLOC_GO=0 SPANALLOC_BENCHES=0
export SPANALLOC_SPANS=2600 SPANALLOC_REPEAT=2 SPANALLOC_TRACE_STATE=0,4 SPANALLOC_DHAT_SPANS=1300
export SPANALLOC_OUT="$work/out" SPANALLOC_BASELINES="$work/baselines" SPANALLOC_HISTORY="$work/history.jsonl"
export GITHUB_STEP_SUMMARY="$work/summary.md" GITHUB_OUTPUT="$work/output"
real_rustc=$("$SPANALLOC_BIN" fingerprint --here | sed -n "s/.*rustc '\([^']*\)'.*/\1/p")
night() { # LABEL EXPECTED-STATUS CPU RUSTC [ENV...]
    local label=$1 want=$2 cpu=$3 rustc=$4 got=0
    shift 4
    : >"$GITHUB_STEP_SUMMARY"
    : >"$GITHUB_OUTPUT"
    env SPANALLOC_SIMULATE_CPU="$cpu" SPANALLOC_SIMULATE_RUSTC="$rustc" "$@" scripts/nightly.sh --quick >"$work/night.log" 2>&1 || got=$?
    if [ "$got" != "$want" ]; then
        tail -40 "$work/night.log"
        cat "$GITHUB_STEP_SUMMARY"
        die "$label: exit $got, expected $want"
    fi
    echo "check-nightly: $label: exit $got, as expected; the summary's first line:"
    echo "    $(head -1 "$GITHUB_STEP_SUMMARY")"
}
first() { head -1 "$GITHUB_STEP_SUMMARY"; }
says() { grep -qF -- "$1" "$GITHUB_STEP_SUMMARY" || { cat "$GITHUB_STEP_SUMMARY"; die "$2: the summary does not say '$1'"; }; }

night "B1 CPU A, first night" 0 "Simulated CPU A" "$real_rustc"
says "first night with counts key" "B1"
says "first night on this machine" "B1"
counts=$(ls "$SPANALLOC_BASELINES"/nightly-counts-*.json)
[ "$(echo "$counts" | wc -l)" = 1 ] || die "B1: not one counts baseline: $counts"
night "B2 CPU A again" 0 "Simulated CPU A" "$real_rustc"
says "counts unchanged against" "B2"
says "timing: no regression against this machine's" "B2"
night "B3 CPU B" 0 "Simulated CPU B" "$real_rustc"
says "counts unchanged against \`$(basename "$counts" .json)\`" "B3 (gated against A's counts baseline)"
says "first night on this machine" "B3 (timing not compared across machines)"
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

lines=$(wc -l <"$SPANALLOC_HISTORY")
results_before=$(sha256sum <"$SPANALLOC_OUT/results.json")
baselines_before=$(cat "$SPANALLOC_BASELINES"/*.json | sha256sum)
night "B8 a sweep that measures nothing" 1 "Simulated CPU B" "rustc 9.99.0 (simulated)" SPANALLOC_SCENARIOS=test-crash
grep -qx "publish=false" "$GITHUB_OUTPUT" && ! grep -q "publish=true" "$GITHUB_OUTPUT" || die "B8: a night that measured nothing was to be published"
[ "$(wc -l <"$SPANALLOC_HISTORY")" = "$lines" ] || die "B8: a failed night appended history"
[ "$(sha256sum <"$SPANALLOC_OUT/results.json")" = "$results_before" ] || die "B8: a failed night replaced results.json"
[ "$(cat "$SPANALLOC_BASELINES"/*.json | sha256sum)" = "$baselines_before" ] || die "B8: a failed night changed a baseline"
says "the sweep measured nothing" "B8"
echo "check-nightly: ok"
