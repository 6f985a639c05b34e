#!/usr/bin/env bash
# The change-point analysis against its reference, Apache Otava (apache-otava 0.8 from PyPI, in a
# virtual environment of its own): the differential test harness/judge/tests/otava.rs, then the
# detection table and the year-of-nights timing docs/change-points.md quotes.
#
# usage: scripts/check-change-points.sh [VENV] [--venv-only]   (VENV: target/otava-venv)
#   --venv-only   only make the virtual environment (.ci/run does it beside the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-target/otava-venv}
case "$venv" in /*) ;; *) venv="$PWD/$venv" ;; esac
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import otava.analysis" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "apache-otava==0.8.0"
fi
[ "${2:-}" != --venv-only ] || exit 0
echo "== the differential test against apache-otava $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("apache-otava"))')"
# Selected from the whole workspace, as `cargo test --workspace` selects it: the test binary that
# command built (CI's, a developer's) is the one run; `-p spanalloc-judge` resolves other features
# for its dependencies and built spanalloc-record and spanalloc-judge once more.
SPANALLOC_OTAVA_PYTHON="$venv/bin/python" cargo test -q --workspace --test otava -- --ignored --nocapture
echo "== a year of nights (timed, not gated: timings live in output)"
cargo run -q --release -p spanalloc-judge --example year_of_nights
