#!/usr/bin/env bash
# usage: scripts/measurement-changes.sh BASE HEAD
# The files a head changes since it left BASE (three dots) that change how spanalloc measures or
# judges, one per line: the harness (the meter, the judge), the scripts, the workflows, the
# benches, the workspace manifest, cargo's configuration, any build script — and a scenario's
# own declarations of how it is judged: a cross-check waiver, a count tolerance, whether its
# counts are exact, the rate it is gated at, what proves its work. A pull request that loosens
# its own row's judgement that way is flagged for review like one that edits the judge.
set -euo pipefail
base=${1:?usage: measurement-changes.sh BASE HEAD} head=${2:?usage: measurement-changes.sh BASE HEAD}
changed=$(git diff --name-only "$base...$head")
{
    # A build script runs at build time wherever it sits: it can change any crate's measurement.
    grep -E '^(harness/|scripts/|\.github/|benches/|Cargo\.toml$|\.cargo/)|(^|/)build\.rs$' <<<"$changed" || true
    git diff -U0 "$base...$head" -- scenarios/ |
        awk '/^\+\+\+ b\// { file = substr($0, 7) } /^--- a\// { old = substr($0, 7) }
             /^[+-][^+-]/ && /(cross_check_waived|waived|counts_tolerance|tolerance_pct|exact_counts|gated_at|same_work|SameWork)/ {
                 print (file != "" ? file : old) }'
} | sed '/^$/d' | sort -u
