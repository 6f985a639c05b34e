#!/usr/bin/env bash
# The nightly workflow's toolchain step: the Rust toolchain rust-toolchain.toml pins (rustup
# installs it on first use), its version as a cache key in $GITHUB_OUTPUT (`rustc=…`), and
# valgrind for iai-callgrind and the instructions pass. Go comes from actions/setup-go, or
# scripts/install-go.sh where there is no such action.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup show >&2
key=$(rustc --version | tr ' ()' '-__')
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "rustc=$key" >>"$GITHUB_OUTPUT"
else
    echo "rustc=$key"
fi
bash scripts/install-valgrind.sh >&2
