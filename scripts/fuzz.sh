#!/usr/bin/env bash
# Fuzzes every target in fuzz/ for SECONDS each (default 60) with cargo-fuzz (libFuzzer):
# the W3C traceparent and tracestate parsers, the results, thresholds and history loaders, a
# row's own claims (through compare and the ratchet), Markdown escaping,
# baseline names, and a report rendered from fuzzed results. Prints executions per target.
# Needs the nightly toolchain the machine image ships; without it, says so and exits 0 — or 1
# under CI (CI set), where the check must run.
# cargo-fuzz is installed from crates.io when missing. A crash exits 1 and names its input
# (fuzz/artifacts/TARGET/): make it a regression test in the normal suite.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
case "$seconds" in '' | *[!0-9]*) echo "fuzz.sh: SECONDS must be a number, got '$seconds'" >&2; exit 2 ;; esac

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz.sh: no nightly toolchain here (rustup toolchain list); cargo-fuzz needs one: skipped"
    [ -z "${CI:-}" ] || { echo "fuzz.sh: CI must run the fuzz targets" >&2; exit 1; }
    exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    # A debug build: cargo-fuzz only hands the work to cargo and libFuzzer, so its own speed does
    # not matter, and unoptimized it builds in 45 s where release takes 77 s (one job, an idle
    # 2-core machine; 1 min 40 s of CI's fuzz stage, which bounds the tests' stage, under load).
    cargo install cargo-fuzz --locked --debug || exit 1
fi

targets=$(cargo +nightly fuzz list --fuzz-dir fuzz)
status=0
printf '%-16s %12s  %s\n' target executions outcome
for t in $targets; do
    # Seed from the committed corpus; new inputs go to a scratch copy, not into the repository.
    corpus=$(mktemp -d)
    cp -r "fuzz/corpus/$t/." "$corpus/" 2>/dev/null || true
    log=$(mktemp)
    # Without AddressSanitizer (cargo-fuzz's default): the fuzzed crates forbid unsafe code
    # (#![forbid(unsafe_code)] in model, record, judge and show), so it would instrument safe Rust,
    # whose out-of-bounds accesses panic already, and libFuzzer reports a panic as a crash. It
    # cost 39% more CPU to build (230 s against 166 s for every target, one job each, side by side,
    # opt-level 1), and ran fewer inputs a second, idle: report 1,031 against 6,942, row_claims 53
    # against 439, hostile_names 62 against 619.
    cargo +nightly fuzz run --sanitizer none --fuzz-dir fuzz "$t" "$corpus" -- -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    if [ "$rc" = 0 ]; then
        printf '%-16s %12s  %s\n' "$t" "${runs:-?}" "no crash in ${seconds} s"
    else
        status=1
        printf '%-16s %12s  %s\n' "$t" "${runs:-?}" "CRASH (exit $rc): $(grep -o 'Test unit written to [^ ]*' "$log" | tail -1)"
        tail -30 "$log" >&2
    fi
    rm -rf "$corpus" "$log"
done
exit "$status"
