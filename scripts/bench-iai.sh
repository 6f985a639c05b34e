#!/usr/bin/env bash
# Instruction counts per pipeline under callgrind. iai-callgrind's runner must match the library
# version exactly (=0.16.1), so it is installed here from crates.io when missing or different.
set -euo pipefail
cd "$(dirname "$0")/.."
want=0.16.1
# Asked alone, the runner exits 1 with an error naming its version: "iai-callgrind-runner (0.16.1)".
# A debug build: the runner starts valgrind and reads its files, a few per benchmark, so its own
# speed does not show; unoptimized it builds in 74 s of CPU where release takes 156 s (one job,
# measured beside another build; the installing job is the benches job of a rehearsed night).
if ! iai-callgrind-runner --version 2>&1 | grep -q "($want)"; then
    cargo install iai-callgrind-runner --version "$want" --locked --debug
fi
scripts/install-valgrind.sh
# summary.json files are what `spanalloc report` reads. Extra arguments go to the runner (use the
# `=` form: --save-baseline=NAME, --baseline=NAME).
cargo bench -p spanalloc-benches --bench instructions -- --save-summary=json "$@"
