#!/usr/bin/env bash
# The nightly's data lives on a branch of its own (spanalloc-data by default), never on main:
# baselines/ (one per runner fingerprint), history.jsonl, and benches/ (criterion's and
# iai-callgrind's saved baselines).
#
# usage: scripts/data-branch.sh fetch DIR
#          a worktree of the data branch at DIR; a new, empty branch the first time
#        scripts/data-branch.sh publish DIR RESULTS RUN_ID
#          commit what changed in DIR and push it; RESULTS must be the run RUN_ID names (the
#          night's own, as nightly.sh reported it), or nothing is published. If the branch
#          moved meanwhile (a push is refused as non-fast-forward), take the remote's, apply this run again on top — its
#          baselines copied over, its history line appended (a no-op when already there: lines
#          carry the run id) — and retry, three times at most. Exit 1 when it cannot push.
#
# Settings: DATA_BRANCH (spanalloc-data), SPANALLOC_BIN (target/release/spanalloc).
set -euo pipefail
cd "$(dirname "$0")/.."
branch="${DATA_BRANCH:-spanalloc-data}"
bin="${SPANALLOC_BIN:-target/release/spanalloc}"

fetch() {
    local dir=$1
    if git fetch --quiet origin "$branch" 2>/dev/null; then
        git worktree add --force -B "$branch" "$dir" "origin/$branch" >/dev/null
    else
        git worktree add --force --detach "$dir" >/dev/null
        git -C "$dir" checkout --quiet --orphan "$branch"
        git -C "$dir" rm -rq --cached . 2>/dev/null || true
        find "$dir" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
    fi
    mkdir -p "$dir/baselines" "$dir/benches"
    # criterion and iai-callgrind rewrite their latest results every run; only the named
    # baselines are worth keeping.
    printf '%s\n' 'benches/criterion/**/new/' 'benches/criterion/**/change/' 'benches/criterion/**/report/' \
        'benches/criterion/report/' 'benches/iai/**/*.old' '.*.spanalloc-lock' '.*.spanalloc-tmp' >"$dir/.gitignore"
}

commit() {
    local dir=$1 message=$2
    git -C "$dir" add -A
    if git -C "$dir" diff --cached --quiet; then
        return 1
    fi
    git -C "$dir" -c user.name="spanalloc nightly" -c user.email="nightly@users.noreply.github.com" commit --quiet -m "$message"
}

publish() {
    local dir=$1 results=$2 run_id=$3 saved found
    found=$("$bin" fingerprint "$results" --run-id) || { echo "data-branch: $results has no run id: not published" >&2; return 1; }
    if [ "$found" != "$run_id" ]; then
        echo "data-branch: $results is run $found, not the night's run $run_id: not published" >&2
        return 1
    fi
    local message="nightly: $(date -u +%F) run $("$bin" fingerprint "$results" --id 2>/dev/null || echo unknown)"
    commit "$dir" "$message" || { echo "data-branch: nothing to publish"; return 0; }
    for attempt in 1 2 3; do
        if git -C "$dir" push --quiet origin "HEAD:$branch"; then
            echo "data-branch: pushed to $branch"
            return 0
        fi
        echo "data-branch: push refused (attempt $attempt): taking the remote's and applying this run again"
        saved=$(mktemp -d)
        cp -a "$dir/baselines" "$saved/" && cp -a "$dir/benches" "$saved/"
        git -C "$dir" fetch --quiet origin "$branch"
        git -C "$dir" reset --quiet --hard "origin/$branch"
        cp -a "$saved/baselines/." "$dir/baselines/" && cp -a "$saved/benches/." "$dir/benches/"
        rm -rf "$saved"
        "$bin" history append "$results" --file "$dir/history.jsonl"
        commit "$dir" "$message" || return 0
    done
    echo "data-branch: could not push to $branch after 3 attempts" >&2
    return 1
}

case "${1:-}" in
    fetch) fetch "${2:?usage: data-branch.sh fetch DIR}" ;;
    publish) publish "${2:?usage: data-branch.sh publish DIR RESULTS RUN_ID}" "${3:?usage: data-branch.sh publish DIR RESULTS RUN_ID}" \
        "${4:?usage: data-branch.sh publish DIR RESULTS RUN_ID}" ;;
    *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
