#!/usr/bin/env bash
# Simulates a pull request against scripts/pr-check.sh, the pull-request workflow's step: the head
# changes compare's code so that it never fails, and adds an allocation per span to value-copy.
#   1. the base's binary judges, so the check still fails (exit 1), saying the allocations regressed;
#   2. with the accept label (SPANALLOC_PR_ACCEPTED=1) it passes, and its first line says so.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
die() { echo "check-pr: $*" >&2; exit 1; }
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

git clone -q "$repo" "$work/head"
compare="$work/head/harness/judge/src/compare/mod.rs"
grep -q 'regressions > 0 || !self.failures.is_empty()' "$compare" || die "compare's failing rule moved: update this check"
sed -i 's/regressions > 0 || !self.failures.is_empty()/false/' "$compare"
strategy="$work/head/scenarios/value-copy/src/lib.rs"
grep -q 'Record { ctx: span.ctx.clone(), parent_span_id: span.parent_span_id }' "$strategy" || die "value-copy's end moved: update this check"
sed -i 's/        Record { ctx: span.ctx.clone(), parent_span_id: span.parent_span_id }/        drop(std::hint::black_box(Box::new(0u64)));\n        Record { ctx: span.ctx.clone(), parent_span_id: span.parent_span_id }/' "$strategy"

export BASE_TARGET_DIR="$target_dir" HEAD_TARGET_DIR="$work/head-target"
export SPANALLOC_PR_RUN="--scenario value-copy --spans 2600 --rate 0 --no-dhat --trace-state 4"
status=0
bash scripts/pr-check.sh "$repo" "$work/head" "$work/pr" 2>"$work/log" || status=$?
[ "$status" = 1 ] || { tail -20 "$work/log"; cat "$work/pr/summary.md"; die "a head that changes the judge and adds an allocation: exit $status, expected 1"; }
head -1 "$work/pr/summary.md" | grep -q "❌ spanalloc: allocation regression against the base (judged by the base's binary" ||
    { head -3 "$work/pr/summary.md"; die "the first line does not say the allocations regressed"; }
grep -q "value-copy" "$work/pr/summary.md" || die "the summary does not name the row"
# The head's own judge would have let it through: the base's is what caught it.
"$work/head-target/release/spanalloc" compare "$work/pr/base/results.json" "$work/pr/head/results.json" --fail-on exact >/dev/null ||
    die "the doctored head's compare fails after all: the simulation proves nothing"
echo "check-pr: a head that changes compare and adds an allocation: the base's binary fails it (exit 1)"

status=0
SPANALLOC_PR_ACCEPTED=1 bash scripts/pr-check.sh "$repo" "$work/head" "$work/pr" 2>"$work/log" || status=$?
[ "$status" = 0 ] || { tail -20 "$work/log"; die "with the accept label: exit $status, expected 0"; }
head -1 "$work/pr/summary.md" | grep -q "✅ spanalloc: allocation change accepted (label allocations-accepted)" ||
    { head -3 "$work/pr/summary.md"; die "with the label, the first line does not say the change was accepted"; }
grep -q "regressed" "$work/pr/summary.md" || die "an accepted change is not reported"
echo "check-pr: with the label allocations-accepted: exit 0, reported as accepted"
