#!/usr/bin/env bash
# A failed night alerts someone: one open issue labelled nightly-failure, opened on the first
# failed night and commented on by each failed night after, until a person closes it — one
# place to look, never an issue per night. Its text is the night's verdict (the first lines of
# compare.md, as the job summary starts) and a link to the run. Uses the GitHub CLI the hosted
# runner has, with GH_TOKEN (the workflow's token, `issues: write`).
#
# usage: scripts/alert.sh [REPORT_DIR]    (reports/latest)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-reports/latest}"
label=nightly-failure
run="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"
body=$(mktemp)
trap 'rm -rf "$body"' EXIT
{
    printf 'The nightly failed: %s (commit %s).\n\n' "$run" "${GITHUB_SHA:-unknown}"
    if [ -s "$dir/compare.md" ]; then
        head -30 "$dir/compare.md"
    else
        printf 'It failed before comparing (a build or the sweep): the run log says where.\n'
    fi
} >"$body"
gh label create "$label" --description "a nightly run failed" --color B60205 --force >/dev/null
open=$(gh issue list --state open --label "$label" --json number --jq '.[0].number // empty')
if [ -n "$open" ]; then
    gh issue comment "$open" --body-file "$body" >/dev/null
    echo "alert: commented on issue #$open"
else
    gh issue create --title "The nightly is failing" --label "$label" --body-file "$body" >/dev/null
    echo "alert: opened an issue"
fi
