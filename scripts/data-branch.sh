#!/usr/bin/env bash
# The nightly's data lives on a branch of its own (spanalloc-data by default), never on main:
# baselines/ (the counts baseline every machine shares, one timing baseline per machine
# fingerprint), history.jsonl, and benches/ (criterion's and iai-callgrind's saved baselines, one
# directory per machine fingerprint).
#
# usage: scripts/data-branch.sh fetch DIR
#          a worktree of the data branch at DIR (reused when DIR already is one; stale
#          registrations of a wiped DIR are pruned first); a new, empty branch the first time.
#          A failed fetch is an error, never taken for "no branch yet".
#        scripts/data-branch.sh read DIR
#          the same files for a job that only reads them (the nightly's benches): detached from
#          the branch, which stays free for the job that publishes; an empty DIR the first time.
#        scripts/data-branch.sh publish DIR RESULTS RUN_ID
#          commit what changed in DIR and push it; RESULTS must be the run RUN_ID names (the
#          night's own, as nightly.sh reported it), or nothing is published. If the push is
#          rejected because the branch moved meanwhile (told apart with --porcelain), take the
#          remote's, apply only the files this night changed on top — its history line appended
#          again (a no-op when already there: lines carry the run id), so the history is the
#          union of both — and retry, three times at most. A file this night changed that the
#          other writer changed too (to something else) is a conflict: nothing is published, and
#          the message names both runs — never a silent winner. The push itself is the
#          compare-and-swap: git accepts it only while the remote ref is the commit it builds on. Any other push failure (a missing permission, the network) fails at once,
#          saying which. Exit 1 when it cannot push. With GITHUB_REF set to anything but
#          refs/heads/main (a dispatch from another branch), it publishes nothing and says so.
#
# Settings: DATA_BRANCH (spanalloc-data), SPANALLOC_BIN (the spanalloc binary; unset, `publish`
# builds it from the checked-out commit into cargo's target directory, as a hosted runner needs:
# the night builds only the binary it ran, spanalloc-stacks by default).
set -euo pipefail
cd "$(dirname "$0")/.."
branch="${DATA_BRANCH:-spanalloc-data}"
target_dir=$(cargo metadata --format-version 1 --no-deps 2>/dev/null | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p') || true
bin="${SPANALLOC_BIN:-${target_dir:-target}/release/spanalloc}"

fail() {
    echo "data-branch: $*" >&2
    exit 1
}

# Whether the remote has the branch: 0 yes, 2 no; anything else (the network, a permission) is
# an error of its own.
remote_has_branch() {
    local rc=0
    git ls-remote --exit-code --heads origin "$branch" >/dev/null 2>"$1" || rc=$?
    return "$rc"
}

fetch() { # DIR [read]: with `read`, the branch's files detached from it (a job that reads only)
    local dir=$1 read=${2:-} err rc=0
    err=$(mktemp)
    git worktree prune
    remote_has_branch "$err" || rc=$?
    case "$rc" in
        0) git fetch --quiet origin "+refs/heads/$branch:refs/remotes/origin/$branch" 2>"$err" ||
            fail "cannot fetch $branch: $(tr '\n' ' ' <"$err")" ;;
        2) ;;
        *) fail "cannot reach origin to look for $branch (git ls-remote exit $rc): $(tr '\n' ' ' <"$err")" ;;
    esac
    if [ -e "$dir/.git" ] && git -C "$dir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        # A persistent work tree (a self-hosted runner's second night): reuse it.
        if [ "$rc" = 0 ] && [ -n "$read" ]; then
            git -C "$dir" checkout --quiet --detach "origin/$branch"
        elif [ "$rc" = 0 ]; then
            git -C "$dir" checkout --quiet -B "$branch" "origin/$branch"
            git -C "$dir" reset --quiet --hard "origin/$branch"
        fi
    elif [ "$rc" = 0 ] && [ -n "$read" ]; then
        # Detached: the branch stays free for the job that publishes (one work tree per branch).
        git worktree add --quiet --force --detach "$dir" "origin/$branch"
    elif [ "$rc" = 0 ]; then
        git worktree add --quiet --force -B "$branch" "$dir" "origin/$branch"
    elif [ -n "$read" ]; then
        mkdir -p "$dir"
    else
        git worktree add --quiet --force --detach "$dir"
        git -C "$dir" checkout --quiet --orphan "$branch"
        git -C "$dir" rm -rq --cached . 2>/dev/null || true
        find "$dir" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
    fi
    rm -f "$err"
    mkdir -p "$dir/baselines" "$dir/benches"
    # criterion and iai-callgrind rewrite their latest results every run; only the named
    # baselines are worth keeping.
    printf '%s\n' 'benches/**/criterion/**/new/' 'benches/**/criterion/**/change/' 'benches/**/criterion/**/report/' \
        'benches/**/criterion/report/' 'benches/**/iai/**/*.old' 'benches/tonight' '.spanalloc-lock' '.*.spanalloc-lock' '.*.spanalloc-tmp' >"$dir/.gitignore"
}

commit() {
    local dir=$1 message=$2
    git -C "$dir" add -A
    if git -C "$dir" diff --cached --quiet; then
        return 1
    fi
    git -C "$dir" -c user.name="spanalloc nightly" -c user.email="nightly@users.noreply.github.com" commit --quiet -m "$message"
}

# push DIR: 0 pushed, 3 rejected because the branch moved (before or during the push), anything else another failure (its
# reason on stderr).
push() {
    local dir=$1 out rc=0
    out=$(git -C "$dir" push --porcelain origin "HEAD:refs/heads/$branch" 2>&1) || rc=$?
    if [ "$rc" = 0 ]; then
        return 0
    fi
    # --porcelain marks a rejected ref with `!` and says why: a branch that moved is
    # "[rejected] (non-fast-forward)" or "(fetch first)"; anything else is not ours to retry.
    if printf '%s\n' "$out" | grep -Eq '^!.*\[rejected\].*\((non-fast-forward|fetch first)\)'; then
        return 3
    fi
    # The ref moved between the server's check and its update (another push landed in between):
    # the compare-and-swap failed, the same case ("cannot lock ref …: is at X but expected Y").
    if printf '%s\n' "$out" | grep -Eq 'cannot lock ref .*but expected'; then
        return 3
    fi
    if printf '%s\n' "$out" | grep -Eqi 'permission|denied|403|write access'; then
        echo "data-branch: push refused for lack of permission: the job needs 'permissions: contents: write', and $branch must not be a protected branch the workflow's token cannot push to ($(printf '%s' "$out" | tr '\n' ' '))" >&2
    else
        echo "data-branch: push failed: $(printf '%s' "$out" | tr '\n' ' ')" >&2
    fi
    return 1
}

publish() {
    local dir=$1 results=$2 run_id=$3 found changed saved rc base remote theirs was mine f
    # Only main publishes: a dispatch from another branch (its code, perhaps its accepted
    # baseline) measures and reports, and never replaces what every runner is gated against.
    if [ -n "${GITHUB_REF:-}" ] && [ "$GITHUB_REF" != refs/heads/main ]; then
        echo "data-branch: $GITHUB_REF is not refs/heads/main: measured and reported, not published"
        return 0
    fi
    if [ -z "${SPANALLOC_BIN:-}" ]; then
        cargo build --release -q -p spanalloc || fail "cannot build the spanalloc binary: not published"
    fi
    [ -x "$bin" ] || fail "no spanalloc binary at $bin: not published"
    found=$("$bin" fingerprint "$results" --run-id) || fail "$results has no run id: not published"
    [ "$found" = "$run_id" ] || fail "$results is run $found, not the night's run $run_id: not published"
    local message
    message="nightly: $(date -u +%F) run $run_id"
    # What this night changed, before it is committed: only these are applied again on a retry.
    changed=$(git -C "$dir" status --porcelain --untracked-files=all | sed 's/^...//' | grep -v '^history.jsonl$' || true)
    # The commit this night's changes were made on: what "the other writer changed" is judged from.
    base=$(git -C "$dir" rev-parse -q --verify HEAD || true)
    commit "$dir" "$message" || { echo "data-branch: nothing to publish"; return 0; }
    saved=$(mktemp -d)
    while IFS= read -r f; do
        [ -n "$f" ] && [ -f "$dir/$f" ] && mkdir -p "$saved/$(dirname "$f")" && cp -p "$dir/$f" "$saved/$f"
    done <<<"$changed"
    for attempt in 1 2 3; do
        rc=0
        push "$dir" || rc=$?
        case "$rc" in
            0) echo "data-branch: pushed to $branch"; rm -rf "$saved"; return 0 ;;
            3) ;;
            *) rm -rf "$saved"; return 1 ;;
        esac
        echo "data-branch: push rejected, the branch moved (attempt $attempt): taking the remote's and applying this night's files again"
        git -C "$dir" fetch --quiet origin "+refs/heads/$branch:refs/remotes/origin/$branch" || fail "cannot fetch $branch to retry"
        remote=$(git -C "$dir" rev-parse "origin/$branch")
        while IFS= read -r f; do
            [ -n "$f" ] || continue
            theirs=$(git -C "$dir" rev-parse -q --verify "$remote:$f" || echo none)
            was=none
            [ -n "$base" ] && was=$(git -C "$dir" rev-parse -q --verify "$base:$f" || echo none)
            mine=none
            [ -f "$saved/$f" ] && mine=$(git -C "$dir" hash-object "$saved/$f")
            if [ "$theirs" != "$was" ] && [ "$theirs" != "$mine" ]; then
                rm -rf "$saved"
                fail "$f was changed both by run $run_id and by $(git -C "$dir" log -1 --format='%h (%s)' "$remote" -- "$f"): not published, no silent winner; publish again once one of them is settled"
            fi
        done <<<"$changed"
        git -C "$dir" reset --quiet --hard "$remote"
        base=$remote
        (cd "$saved" && find . -type f -print0) | while IFS= read -r -d '' f; do
            mkdir -p "$dir/$(dirname "$f")" && cp -p "$saved/$f" "$dir/$f"
        done
        "$bin" history append "$results" --file "$dir/history.jsonl"
        commit "$dir" "$message" || { rm -rf "$saved"; return 0; }
    done
    rm -rf "$saved"
    echo "data-branch: could not push to $branch after 3 attempts" >&2
    return 1
}

case "${1:-}" in
    fetch) fetch "${2:?usage: data-branch.sh fetch DIR}" ;;
    read) fetch "${2:?usage: data-branch.sh read DIR}" read ;;
    publish) publish "${2:?usage: data-branch.sh publish DIR RESULTS RUN_ID}" "${3:?usage: data-branch.sh publish DIR RESULTS RUN_ID}" \
        "${4:?usage: data-branch.sh publish DIR RESULTS RUN_ID}" ;;
    *) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
