#!/usr/bin/env bash
# The measuring half of the pull-request check (.github/workflows/pr-measure.yml): builds the
# checked-out commit and measures it. On a pull request this runs the *head's* code, untrusted:
# its output is evidence for scripts/pr-judge.sh, which runs from the default branch, builds the
# base itself and judges with the base's binary. The judge runs this script too, the base's copy,
# in the base's checkout, to measure the base the same way.
#
# usage: scripts/pr-measure.sh OUT
#   OUT/results/  the run (results.json, the report)
#   OUT/pr.json   what was measured: {"pr", "head_sha", "base_sha", "merge_sha"} — on a pull
#                 request's merge commit (refs/pull/N/merge) the base is its first parent and
#                 the head its second, as GitHub made it
# Settings: PR_NUMBER and PR_HEAD_SHA (the workflow sets them from the event); SPANALLOC_PR_RUN,
# the run's arguments (default: 200,000 spans, five repeats, trace-state 0 and 4, dhat on 5,000).
# Exit status: 0 measured; 1 measured with failures (the judge shows them); 2 not built or not
# measured at all.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: pr-measure.sh OUT}
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 2
read -r -a run_args <<<"${SPANALLOC_PR_RUN:---spans 200000 --repeat 5 --trace-state 0,4 --dhat-spans 5000}"
target_dir=$(cargo metadata --format-version 1 --no-deps 2>/dev/null | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target_dir" ] || { echo "pr-measure: cannot find cargo's target directory (cargo metadata)" >&2; exit 2; }

echo "== pr-measure: build $(git rev-parse --short HEAD)" >&2
cargo build --release -q -p spanalloc || { echo "pr-measure: the commit does not build" >&2; exit 2; }
echo "== pr-measure: measure" >&2
"$target_dir/release/spanalloc" run "${run_args[@]}" --out "$out/results" --baseline none
status=$?
[ -s "$out/results/results.json" ] || { echo "pr-measure: the run wrote no results (exit $status)" >&2; exit 2; }

merge=$(git rev-parse HEAD)
base=$(git rev-parse -q --verify 'HEAD^1' || true)
head=$(git rev-parse -q --verify 'HEAD^2' || echo "$merge")
printf '{"pr": %s, "head_sha": "%s", "base_sha": "%s", "merge_sha": "%s"}\n' \
    "${PR_NUMBER:-0}" "${PR_HEAD_SHA:-$head}" "$base" "$merge" >"$out/pr.json"
exit "$status"
