#!/usr/bin/env bash
# A pull request's check: the base and the head, each built and measured from its own checkout
# on this runner, then the head's results judged by the *base's* binary with the *base's*
# thresholds — a pull request cannot change the judge that judges it. An allocation or byte
# regression fails the check unless the pull request carries the accept label
# (SPANALLOC_PR_ACCEPTED=1), which turns it into a reported, accepted change; timing is measured
# with repeats and shown, informational only.
#
# usage: scripts/pr-check.sh BASE HEAD OUT
#   BASE, HEAD  checkouts of the base and the head
#   OUT         where each side's results and the summary (summary.md) go
# Settings: SPANALLOC_PR_ACCEPTED=1 (the label is on), SPANALLOC_PR_RUN (the run's arguments;
# default: 200,000 spans, five repeats, trace-state 0 and 4, dhat on 5,000 spans),
# BASE_TARGET_DIR and HEAD_TARGET_DIR (each side's cargo target directory, for caches).
# Exit status: 0 no allocation regression, or accepted; 1 an allocation regression, or a failed
# run; 2 a side could not be built or measured.
set -uo pipefail
base=$(cd "${1:?usage: pr-check.sh BASE HEAD OUT}" && pwd)
head=$(cd "${2:?usage: pr-check.sh BASE HEAD OUT}" && pwd)
out=${3:?usage: pr-check.sh BASE HEAD OUT}
mkdir -p "$out" && out=$(cd "$out" && pwd)
read -r -a run_args <<<"${SPANALLOC_PR_RUN:---spans 200000 --repeat 5 --trace-state 0,4 --dhat-spans 5000}"
accepted="${SPANALLOC_PR_ACCEPTED:-0}"

build() { # SIDE DIR TARGET
    local side=$1 dir=$2 target=$3
    echo "== pr-check: build the $side" >&2
    CARGO_TARGET_DIR="$target" cargo build --release -q -p spanalloc --manifest-path "$dir/Cargo.toml" >&2 ||
        { echo "pr-check: the $side does not build" >&2; exit 2; }
}
base_target="${BASE_TARGET_DIR:-$base/target}"
head_target="${HEAD_TARGET_DIR:-$head/target}"
build base "$base" "$base_target"
build head "$head" "$head_target"
for side in base head; do
    dir=$base target=$base_target
    [ "$side" = head ] && dir=$head target=$head_target
    echo "== pr-check: measure the $side" >&2
    (cd "$dir" && "$target/release/spanalloc" run "${run_args[@]}" --out "$out/$side" --baseline none >&2)
    rc=$?
    if [ ! -s "$out/$side/results.json" ]; then
        printf '### ❌ spanalloc: the %s could not be measured (exit %s)\n' "$side" "$rc" >"$out/summary.md"
        exit 2
    fi
done

judge="$base_target/release/spanalloc"
thresholds="$base/reports/thresholds.toml"
[ -f "$thresholds" ] || thresholds=""
compare() { # JUDGE [ARGS...]
    local bin=$1
    shift
    "$bin" compare "$out/base/results.json" "$out/head/results.json" ${thresholds:+--thresholds "$thresholds"} "$@"
}
compare "$judge" --fail-on exact --format markdown >"$out/compare.md" 2>"$out/compare.err"
status=$?
note=""
if [ "$status" = 2 ] && grep -q "schema_version .* is not supported" "$out/compare.err"; then
    # The head changed the results schema: the base's judge cannot read it. The head's judges,
    # and the summary says so, so that a reviewer reads compare's changes with care.
    note="⚠️ the head changes the results schema, which the base's binary cannot read: judged by the head's binary — review its changes to compare."
    compare "$head_target/release/spanalloc" --fail-on exact --format markdown >"$out/compare.md" 2>"$out/compare.err"
    status=$?
fi
case "$status" in
    0) first="✅ spanalloc: no allocation regression against the base (judged by the base's binary; timing informational)" ;;
    1) if [ "$accepted" = 1 ] && ! grep -q "RUN FAILED" "$out/compare.md"; then
           first="✅ spanalloc: allocation change accepted (label allocations-accepted): the regressions below are reported, not failing; timing informational"
           status=0
       else
           first="❌ spanalloc: allocation regression against the base (judged by the base's binary; timing informational) — add the label allocations-accepted if it is intended"
       fi ;;
    *) first="❌ spanalloc: the head could not be compared with the base: $(tr '\n' ' ' <"$out/compare.err")" ;;
esac
{
    printf '### %s\n\n' "$first"
    [ -n "$note" ] && printf '%s\n\n' "$note"
    cat "$out/compare.md"
} >"$out/summary.md"
echo "pr-check: $first" >&2
exit "$status"
