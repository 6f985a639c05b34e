#!/usr/bin/env bash
# Builds and runs examples/outside as a user's own repository would: copied out of this tree, its
# git dependencies pointed at this clone through a file:// URL at this clone's HEAD commit (what a
# user pins with `rev`), then its test and a small release run of its binary. Fails when the
# template's dependency lines are not the ones the README tells users to edit, when it does not
# build, or when its row does not do the built-in's work with the counts it expects.
#
# Only committed work is seen: cargo fetches HEAD from the clone, as it would from GitHub.
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "check-outside: $*" >&2; exit 1; }

repo=$(pwd)
rev=$(git rev-parse HEAD)
placeholder_url='https://github.com/your-org/spanalloc'
placeholder_rev='0000000000000000000000000000000000000000'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

project="$work/my-project"
cp -R examples/outside "$project"
manifest="$project/Cargo.toml"
[ "$(grep -c "git = \"$placeholder_url\", rev = \"$placeholder_rev\"" "$manifest")" = 2 ] ||
    die "examples/outside/Cargo.toml no longer has the two dependency lines the README shows"
sed -i "s|$placeholder_url|file://$repo|g; s|$placeholder_rev|$rev|g" "$manifest"
# The versions this clone is tested with: cargo keeps what still applies and adds the git source.
cp Cargo.lock "$project/Cargo.lock"
# And the toolchain: yours would be your own.
cp rust-toolchain.toml "$project/"

# Third-party crates built once for both: the same profile settings, so the same artefacts.
export CARGO_TARGET_DIR
CARGO_TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
cd "$project"
cargo build --release --quiet || die "the template does not build against $rev"
cargo metadata --format-version 1 | grep -q "\"source\":\"git+file://$repo?rev=$rev" ||
    die "spanalloc was not taken from file://$repo at $rev"
cargo test --release --quiet 2>&1 | tail -3
out="$work/out"
"$CARGO_TARGET_DIR/release/my-strategies" run --scenario value-shared --scenario boxed-span --spans 20000 --trace-state 4 \
    --no-dhat --out "$out" >"$work/run.log" 2>&1 || { cat "$work/run.log" >&2; die "the template's run failed"; }
python3 - "$out/results.json" <<'PY'
import json, sys
rows = {s["name"]: s for s in json.load(open(sys.argv[1]))["scenarios"]}
shared, boxed = rows["value-shared"], rows["boxed-span"]
assert boxed["digest"] == shared["digest"], "not the same spans"
extra = boxed["metrics"]["allocs"] - shared["metrics"]["allocs"]
assert extra == boxed["spans_exported"], f"{extra} more allocations for {boxed['spans_exported']} spans"
print(f"check-outside: boxed-span {boxed['metrics']['allocs_per_span']:.3f} allocs/span, value-shared {shared['metrics']['allocs_per_span']:.3f}: one Box per span, same digest")
PY
# The binary names itself in its hints, not spanalloc.
"$CARGO_TARGET_DIR/release/my-strategies" report "$out" >/dev/null
grep -q 'my-strategies baseline save NAME' "$out/index.html" || die "the report's hint does not name the user's binary"
echo "check-outside: ok (examples/outside built and run against file://$repo at ${rev:0:12})"
