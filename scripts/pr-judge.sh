#!/usr/bin/env bash
# The judging half of the pull-request check (.github/workflows/pr-judge.yml, a `workflow_run`
# workflow: it runs from the default branch, never from the pull request). It downloads what the
# head's untrusted run measured, checks it belongs to this pull request and head, builds the
# base itself (a commit on the default branch), measures it with the base's own
# scripts/pr-measure.sh, judges the head with the base's binary and thresholds, and says so in one
# pull-request comment (updated, not appended), a commit status on the head and the job summary.
# Nothing of the head is built or run here: its commits are fetched only to list what they change.
# docs/nightly.md has the threat model.
#
# usage: scripts/pr-judge.sh
# Settings (the workflow sets them from the workflow_run event): REPO (owner/name), RUN_ID (the
# measuring run), HEAD_SHA (the commit it measured), MEASURED_AT (when that run was created: an
# accept label counts only if given after it), GH_TOKEN; SPANALLOC_PR_LABEL (allocations-accepted);
# SPANALLOC_PR_DEPS, a directory of dependency artifacts kept between judges (the workflow's cache).
# Exit status: 0 no allocation regression, or accepted; 1 a regression, a failed run, or the
# measurement could not be judged; 2 bad settings.
set -uo pipefail
cd "$(dirname "$0")/.."
repo_dir=$PWD
label="${SPANALLOC_PR_LABEL:-allocations-accepted}"
for v in REPO RUN_ID HEAD_SHA MEASURED_AT; do
    [ -n "${!v:-}" ] || { echo "pr-judge: $v is not set (the workflow sets it from the workflow_run event)" >&2; exit 2; }
done
[[ "$HEAD_SHA" =~ ^[0-9a-f]{40}$ ]] || { echo "pr-judge: HEAD_SHA '$HEAD_SHA' is not a commit id" >&2; exit 2; }
# A directory of its own, unpredictable: nothing a pull request's run left on a runner is read.
work=$(mktemp -d "${RUNNER_TEMP:-/tmp}/pr-judge.XXXXXXXX") || exit 2
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
pr="" state=error first="" notes=()

# Ends the check: the summary, the comment (when the pull request is known) and the status.
finish() { # EXIT-STATUS
    local status=$1 body="$work/comment.md"
    {
        echo "<!-- spanalloc-pr-judge -->"
        printf '### %s\n\n' "$first"
        printf 'Judged: head `%s` against base `%s` by the base'"'"'s binary and thresholds (measuring run %s).\n\n' \
            "$HEAD_SHA" "${base_sha:-unknown}" "$RUN_ID"
        for n in "${notes[@]}"; do printf -- '- %s\n' "$n"; done
        [ ${#notes[@]} = 0 ] || echo
        [ -s "$work/compare.md" ] && cat "$work/compare.md"
    } >"$body"
    tail -n +2 "$body" >>"$summary"
    echo "pr-judge: $first" >&2
    if [ -n "$pr" ]; then
        local id
        id=$(gh api "repos/$REPO/issues/$pr/comments" --paginate | json_ids_of_marker) || id=""
        if [ -n "$id" ]; then
            gh api -X PATCH "repos/$REPO/issues/comments/$id" -F "body=@$body" >/dev/null || status=1
        else
            gh api -X POST "repos/$REPO/issues/$pr/comments" -F "body=@$body" >/dev/null || status=1
        fi
    fi
    gh api -X POST "repos/$REPO/statuses/$HEAD_SHA" -f "state=$state" -f "context=spanalloc / allocations" \
        -f "description=$(printf '%s' "$first" | cut -c1-130)" >/dev/null || status=1
    exit "$status"
}
fail() { first="❌ spanalloc: $1"; state=failure; finish 1; }
# shellcheck source=scripts/md-text.sh
source scripts/md-text.sh
# `gh api --paginate` prints one JSON array per page: one array of them all.
pages() {
    python3 -c '
import json, sys
text, dec, pos, items = sys.stdin.read(), json.JSONDecoder(), 0, []
while pos < len(text):
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos == len(text):
        break
    page, pos = dec.raw_decode(text, pos)
    items += page
json.dump(items, sys.stdout)'
}
# The comment to update: the first of ours.
json_ids_of_marker() {
    pages | python3 -c '
import json, sys
ids = [c["id"] for c in json.load(sys.stdin) if str(c.get("body", "")).startswith("<!-- spanalloc-pr-judge -->")]
print(ids[0] if ids else "")'
}

# 1. The artifact, and what it says was measured: this head, of a pull request whose head it is.
gh run download "$RUN_ID" --repo "$REPO" --name spanalloc-pr-head --dir "$work/head" >&2 ||
    fail "the head's measuring run $RUN_ID left no results (it failed before measuring, or its artifact expired)"
read -r pr art_head base_sha < <(python3 -c '
import json, re, sys
try:
    d = json.load(open(sys.argv[1]))
    pr, head, base = d["pr"], d["head_sha"], d["base_sha"]
    ok = type(pr) is int and pr > 0 and all(isinstance(s, str) and re.fullmatch("[0-9a-f]{40}", s) for s in (head, base))
except Exception:
    ok = False
print(f"{pr} {head} {base}" if ok else "")' "$work/head/pr.json" 2>/dev/null)
[ -n "${base_sha:-}" ] || { pr=""; fail "the measuring run's pr.json is not what scripts/pr-measure.sh writes: not judged"; }
if [ "$art_head" != "$HEAD_SHA" ]; then
    pr=""
    fail "the artifact says it measured $art_head, but the run measured $HEAD_SHA: not judged"
fi
now_head=$(gh api "repos/$REPO/pulls/$pr" | python3 -c 'import json,sys; print(json.load(sys.stdin)["head"]["sha"])') ||
    { n=$pr; pr=""; fail "pull request #$n could not be read"; }
if [ "$now_head" != "$HEAD_SHA" ]; then
    # Superseded (a newer push is measured by its own run) or a number that is not this head's:
    # no comment on a pull request this run cannot be tied to; the status goes on the head.
    n=$pr; pr=""
    fail "pull request #$n's head is $now_head, not the measured $HEAD_SHA: not judged here"
fi

# 2. The base: a commit of the default branch (so its code is trusted), and what the head changes.
git fetch -q --no-tags origin "+refs/pull/$pr/head:refs/spanalloc/pr-head" ||
    fail "the head's commits could not be fetched (refs/pull/$pr/head)"
[ "$(git rev-parse refs/spanalloc/pr-head)" = "$HEAD_SHA" ] || fail "refs/pull/$pr/head is not $HEAD_SHA: not judged"
default=$(git rev-parse HEAD)
git merge-base --is-ancestor "$base_sha" "$default" 2>/dev/null ||
    fail "the base $base_sha the head's run names is not a commit of the default branch: not judged"
# What the head changes since it left the base (three dots): not what the base gained since.
changed=$(git diff --name-only "$base_sha...$HEAD_SHA") || fail "cannot list what the head changes"
# What changes the measurement or the judgement, a scenario's own declarations included.
measurement=$(bash scripts/measurement-changes.sh "$base_sha" "$HEAD_SHA") ||
    fail "cannot tell what the head changes in the measurement"
if [ -n "$measurement" ]; then
    notes+=("⚠️ measurement changed: review by hand — the head changes how it is measured (the meter, the judge, the scripts, the workflows, a build script, or a scenario's declaration of how it is judged): $(tr '\n' ' ' <<<"$measurement" | sed 's/ $//' | sed 's/[^ ][^ ]*/`&`/g')")
fi
toolchain_changed=0
if grep -qx 'rust-toolchain.toml' <<<"$changed"; then
    toolchain_changed=1
    notes+=("⚠️ toolchain changed: the head changes rust-toolchain.toml, so its counts were made by another compiler; it needs the label $label")
fi

# 3. The accept label counts for the head it was given on: given after this head's run began.
accepted=0
labels=$(gh api "repos/$REPO/issues/$pr/events" --paginate | pages | bash scripts/pr-label.sh "$label" "$MEASURED_AT") ||
    fail "the pull request's label events could not be read"
case "$labels" in
    current) accepted=1 ;;
    stale) notes+=("the label $label was given on an earlier head: it does not accept this one (remove and add it again, then re-run this check)") ;;
esac

# 4. The base, built and measured here by its own script; its binary judges.
git worktree add -q --detach "$work/base" "$base_sha" || fail "cannot check out the base $base_sha"
# Dependencies built by earlier judges (SPANALLOC_PR_DEPS, the workflow's cache, written only by
# this job): never the project's own artifacts, which are built here from the base.
deps="${SPANALLOC_PR_DEPS:-}"
copy_deps() { # FROM TO
    [ -d "$1/release" ] || return 0
    mkdir -p "$2" && tar -C "$1" --exclude='*spanalloc*' --exclude=incremental -cf - release | tar -C "$2" -xf -
}
[ -z "$deps" ] || copy_deps "$deps" "$work/base-target"
(cd "$work/base" && CARGO_TARGET_DIR="$work/base-target" bash scripts/pr-measure.sh "$work/base-run" >&2)
rc=$?
[ -s "$work/base-run/results/results.json" ] || fail "the base could not be measured (exit $rc): not judged"
[ -z "$deps" ] || { rm -rf "$deps" && copy_deps "$work/base-target" "$deps"; } || true
judge="$work/base-target/release/spanalloc"
thresholds="$work/base/reports/thresholds.toml"
# Paths relative to the work directory: the comment names base-run/… and head/…, never the
# runner's temporary directory.
args=(compare base-run/results/results.json head/results/results.json --fail-on exact --format markdown)
[ -f "$thresholds" ] && args+=(--thresholds base/reports/thresholds.toml)
(cd "$work" && "$judge" "${args[@]}") >"$work/compare.md" 2>"$work/compare.err"
status=$?
case "$status" in
    0) if [ "$toolchain_changed" = 1 ] && [ "$accepted" != 1 ]; then
           first="❌ spanalloc: toolchain changed — add the label $label to accept this head's counts"; state=failure; status=1
       else
           first="✅ spanalloc: no allocation regression against the base (judged by the base's binary; timing informational)"; state=success
       fi ;;
    1) if [ "$accepted" = 1 ] && ! grep -q "RUN FAILED" "$work/compare.md"; then
           first="✅ spanalloc: allocation change accepted (label $label, given on this head): the regressions below are reported, not failing; timing informational"
           state=success status=0
       else
           first="❌ spanalloc: allocation regression against the base (judged by the base's binary; timing informational) — add the label $label if it is intended"
           state=failure
       fi ;;
    *) first="❌ spanalloc: the head could not be judged by the base's binary: $(md_text <"$work/compare.err")"
       state=failure status=1 ;;
esac
finish "$status"
