#!/usr/bin/env bash
# Instruction counts per pipeline under callgrind. iai-callgrind's runner must match the library
# version exactly (=0.16.1), so it is installed here from crates.io when missing or different.
set -euo pipefail
cd "$(dirname "$0")/.."
want=0.16.1
have=$(iai-callgrind-runner --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
    cargo install iai-callgrind-runner --version "$want" --locked
fi
command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; }
# summary.json files are what `spanalloc report` reads.
cargo bench -p spanalloc-benches --bench instructions -- --save-summary=json "$@"
