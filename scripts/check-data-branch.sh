#!/usr/bin/env bash
# Checks scripts/data-branch.sh against a local bare repository standing in for GitHub:
#   1. the first night makes the branch and pushes;
#   2. a second night in the same persistent work tree (a self-hosted runner) fetches and pushes;
#   3. a night after the work tree was wiped (RUNNER_TEMP emptied, its registration left) too;
#   4. a push rejected because another writer moved the branch is retried with only this night's
#      files: the other writer's baseline stays as that writer left it;
#   5. two runners that changed the same baseline file differently: the second publishes nothing
#      and names both runs (no silent winner);
#   6. 20 rounds of two runners publishing at once: every run id of both is in the history;
#   7. an unreachable origin is an error, never taken for "no branch yet";
#   8. a push refused for lack of permission fails at once, naming the permission.
# Needs a built spanalloc binary (SPANALLOC_BIN, default: cargo's target directory).
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
export SPANALLOC_BIN="${SPANALLOC_BIN:-$target_dir/release/spanalloc}"
[ -x "$SPANALLOC_BIN" ] || cargo build --release -q -p spanalloc
fixture="$PWD/harness/record/tests/fixtures/results-v1.json"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git init -q --bare "$work/origin.git"
git clone -q "$work/origin.git" "$work/repo" 2>/dev/null
cp -r scripts "$work/repo/"
git -C "$work/repo" -c user.name=t -c user.email=t@t commit -q --allow-empty -m init
git -C "$work/repo" push -q origin HEAD:refs/heads/main
script="$work/repo/scripts/data-branch.sh"
ok() { echo "check-data-branch: $*"; }
die() { echo "check-data-branch: $*" >&2; exit 1; }

# A results file with its own run id, as a night leaves one.
results() { # RUN_ID
    python3 - "$fixture" "$work/$1.json" "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["environment"]["run_id"] = sys.argv[3]
json.dump(r, open(sys.argv[2], "w"))
PY
    echo "$work/$1.json"
}
night() { # DIR RUN_ID FILE-CONTENT
    local dir=$1 id=$2 r
    bash "$script" fetch "$dir"
    r=$(results "$id")
    echo "$3" >"$dir/baselines/night-$id.json"
    "$SPANALLOC_BIN" history append "$r" --file "$dir/history.jsonl" >/dev/null
    bash "$script" publish "$dir" "$r" "$id"
}
remote_file() { git -C "$work/origin.git" show "spanalloc-data:$1"; }

data="$work/runner-temp/data"
night "$data" one '{"n":1}' >/dev/null
[ "$(remote_file baselines/night-one.json)" = '{"n":1}' ] || die "the first night did not push"
ok "first night: branch made and pushed"

night "$data" two '{"n":2}' >/dev/null || die "a second night in the same work tree failed"
[ "$(remote_file baselines/night-two.json)" = '{"n":2}' ] || die "the second night did not push"
[ "$(remote_file history.jsonl | wc -l)" = 2 ] || die "the history has not two lines"
ok "second night in the same persistent work tree: pushed"

# A job that only reads (the nightly's benches), in this same clone before the job that
# publishes: the branch's files, detached, so that the branch stays free for that job's fetch.
bash "$script" read "$work/benches-data"
[ "$(cat "$work/benches-data/baselines/night-two.json")" = '{"n":2}' ] || die "read did not give the branch's files"
git -C "$work/benches-data" symbolic-ref -q HEAD >/dev/null && die "read checked the branch out (it must stay free to publish)"

rm -rf "$work/runner-temp"
night "$data" three '{"n":3}' >/dev/null || die "a night after the work tree was wiped failed"
ok "a night after the work tree was wiped, beside a reading job's detached work tree: pushed"

# Another writer moves the branch meanwhile, accepting a baseline this night does not touch.
git clone -q -b spanalloc-data "$work/origin.git" "$work/other"
echo '{"accepted":true}' >"$work/other/baselines/shared.json"
echo '{"n":3}' >"$work/other/baselines/night-three.json"
bash "$script" fetch "$data"
echo '{"n":4}' >"$data/baselines/night-four.json"
r=$(results four)
"$SPANALLOC_BIN" history append "$r" --file "$data/history.jsonl" >/dev/null
git -C "$work/other" add -A
git -C "$work/other" -c user.name=o -c user.email=o@o commit -qm "another writer accepts a baseline"
git -C "$work/other" push -q origin spanalloc-data
log=$(bash "$script" publish "$data" "$r" four)
printf '%s\n' "$log" | grep -q "push rejected, the branch moved" || die "no retry after a moved branch: $log"
[ "$(remote_file baselines/shared.json)" = '{"accepted":true}' ] || die "the retry reverted another writer's baseline"
[ "$(remote_file baselines/night-four.json)" = '{"n":4}' ] || die "the retry lost this night's baseline"
[ "$(remote_file history.jsonl | wc -l)" = 4 ] || die "the history has not four lines after the retry"
ok "a moved branch: retried with this night's files only, the other writer's kept"

# Runners of their own: separate clones, as two machines have.
runner() { # NAME
    git clone -q "$work/origin.git" "$work/$1" 2>/dev/null
    cp -r scripts "$work/$1/"
}
runner_night() { # RUNNER RUN_ID FILE CONTENT: fetch, write FILE, append the history line
    local r
    bash "$work/$1/scripts/data-branch.sh" fetch "$work/$1-data" >/dev/null
    r=$(results "$2")
    echo "$4" >"$work/$1-data/$3"
    "$SPANALLOC_BIN" history append "$r" --file "$work/$1-data/history.jsonl" >/dev/null
    echo "$r"
}
runner a
runner b
ra=$(runner_night a conflict-a baselines/shared-counts.json '{"accepted-by":"a"}')
rb=$(runner_night b conflict-b baselines/shared-counts.json '{"ratcheted-by":"b"}')
bash "$work/a/scripts/data-branch.sh" publish "$work/a-data" "$ra" conflict-a >/dev/null || die "the first of two runners could not publish"
if bash "$work/b/scripts/data-branch.sh" publish "$work/b-data" "$rb" conflict-b >/dev/null 2>"$work/err"; then
    die "two runners changed one baseline and the second silently won"
fi
grep -q "changed both by run conflict-b and by .*run conflict-a" "$work/err" || die "the conflict does not name both runs: $(cat "$work/err")"
[ "$(remote_file baselines/shared-counts.json)" = '{"accepted-by":"a"}' ] || die "the conflict reverted the first runner's baseline"
ok "two runners changed one baseline: the second publishes nothing and names both runs"

rounds=20
for i in $(seq 1 "$rounds"); do
    ra=$(runner_night a "a-$i" "baselines/a-$i.json" "{\"a\":$i}")
    rb=$(runner_night b "b-$i" "baselines/b-$i.json" "{\"b\":$i}")
    bash "$work/a/scripts/data-branch.sh" publish "$work/a-data" "$ra" "a-$i" >"$work/a.log" 2>&1 &
    pa=$!
    bash "$work/b/scripts/data-branch.sh" publish "$work/b-data" "$rb" "b-$i" >"$work/b.log" 2>&1 &
    pb=$!
    wait "$pa" || die "round $i: runner a could not publish: $(cat "$work/a.log")"
    wait "$pb" || die "round $i: runner b could not publish: $(cat "$work/b.log")"
done
history=$(remote_file history.jsonl)
for i in $(seq 1 "$rounds"); do
    for who in a b; do
        n=$(printf '%s\n' "$history" | grep -c "\"run_id\":\"$who-$i\"" || true)
        [ "$n" = 1 ] || die "run $who-$i is in the merged history $n times, not once"
        remote_file "baselines/$who-$i.json" >/dev/null || die "run $who-$i's baseline was lost"
    done
done
ok "$rounds rounds of two runners publishing at once: all $((2 * rounds)) runs in the history once, every baseline kept"

git -C "$work/repo" remote set-url origin "$work/nowhere.git"
if bash "$script" fetch "$work/elsewhere" 2>"$work/err"; then die "an unreachable origin was taken for no branch"; fi
grep -q "cannot reach origin" "$work/err" || die "the fetch error does not say so: $(cat "$work/err")"
ok "an unreachable origin: an error, not a new branch"
git -C "$work/repo" remote set-url origin "$work/origin.git"

cat >"$work/origin.git/hooks/pre-receive" <<'HOOK'
#!/bin/sh
echo "remote: Permission to spanalloc/spanalloc.git denied to github-actions[bot]." >&2
exit 1
HOOK
chmod +x "$work/origin.git/hooks/pre-receive"
if night "$data" five '{"n":5}' 2>"$work/err" >/dev/null; then die "a refused push passed"; fi
grep -q "contents: write" "$work/err" || die "a permission refusal does not name the permission: $(cat "$work/err")"
grep -q "attempt" "$work/err" && die "a permission refusal was retried as if the branch had moved"
ok "a push refused for lack of permission: fails at once, naming contents: write"
ok "ok"
