#!/usr/bin/env bash
# Renders a small run's report in headless Chromium and fails when the page is blank, a chart is
# missing, the console shows an error, two labels of a chart overlap or the page is wider than
# its 1280-pixel window, a chart's label is drawn under 11 px, the page's text shows a backtick, or
# the first table does not fit the window (measured by the browser over the DevTools protocol:
# scripts/check_page_layout.py), or the long tables are not folded in <details>. It first proves each
# check can fail: a page with a console error, a missing chart, two planted overlapping labels
# and a planted over-wide block must be refused. It leaves the first screen at 1280 x 900 in
# reports/latest/first-screen.png.
#
# usage: scripts/check-report.sh [RUN_DIR]
#   RUN_DIR   a run of the README's main command (`cargo run --release -p spanalloc -- run`, as
#             .ci/run makes one): its own page is checked as the user opens it, and its results
#             are the ones the planted regression below is made from. A small run of two
#             trace-state sizes is made here either way, for the sections only a sweep has.
# Either way, the run is then compared against a copy of itself with one allocation per span
# planted on one row (scripts/plant_allocation.py): that row's name and change, and the verdict,
# must be drawn within the first 900 px of the page at 1280 x 900.
#
# Needs: cargo, python3, and Debian's chromium (installed here if missing); websocket-client
# from PyPI, installed in a virtual environment here.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-chromium.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q websocket-client
bin=target/release/spanalloc
cargo build --release -q -p spanalloc

# Chromium as the probe of this machine runs it: no sandbox as root, no background networking
# (the machine's network is closed), a fresh profile each time.
render() { # URL SCREENSHOT DOM LOG
    local profile
    profile=$(mktemp -d "$work/profile.XXXX")
    local flags=(--headless --no-sandbox --disable-gpu --disable-quic --disable-background-networking
        --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile"
        --enable-logging=stderr --v=0 --window-size=1280,4200 --virtual-time-budget=3000)
    timeout 120 chromium "${flags[@]}" --screenshot="$2" "$1" >/dev/null 2>"$4"
    timeout 120 chromium "${flags[@]}" --dump-dom "$1" >"$3" 2>>"$4"
}

charts=(main-allocs main-bytes allocs-per-span bytes-per-span peak-heap peak-rss sweep-allocs sweep-bytes timeline history-allocs history-cpu)
# The folded sections a full report has: the run's settings, the comparison's rows, the sites'
# stacks.
min_details=3

# The README's run as a user opens it, or a small real run; then the same with a baseline and two
# history entries, so that every section has input.
# The small run sweeps two trace-state sizes, so that the sweep's charts exist too (the README's
# run measures one size and has none).
run="$work/run"
readme="$run"
if [ $# -gt 0 ]; then
    [ -s "$1/results.json" ] && [ -s "$1/index.html" ] || { echo "check-report: $1 holds no run (results.json and index.html)" >&2; exit 2; }
    "$work/venv/bin/python" scripts/check_page_layout.py chromium "$1/index.html" 0 "$work/default-first.png"
    readme="$work/readme"
    cp -R "$1" "$readme"
fi
"$bin" run --spans 20000 --trace-state 0,4 --dhat-spans 2000 --out "$run" >"$work/run.log" 2>&1 || { cat "$work/run.log"; exit 1; }
"$bin" history append "$run/results.json" --file "$work/history.jsonl" >/dev/null
"$bin" history append "$run/results.json" --file "$work/history.jsonl" >/dev/null
"$bin" report "$run" --baseline "$run/results.json" --history "$work/history.jsonl" >/dev/null

# The check must be able to fail: the same page with a console error and one chart removed.
python3 - "$run/index.html" "$work/broken.html" <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
page = re.sub(r'<figure class="chart" id="chart-timeline">.*?</figure>', "", page, flags=re.S)
page = page.replace("</body>", "<script>console.error('planted error')</script></body>")
# Two labels at one place: the layout check must see them overlap.
page = page.replace('<figure class="chart" id="chart-main-allocs"><svg', '<figure class="chart" id="chart-main-allocs"><svg><text x="5" y="20">planted one</text><text x="9" y="22">planted two</text></svg><svg', 1)
# A block wider than the window: the whole page would scroll sideways.
page = page.replace("</body>", '<div style="width:2000px">planted wide block</div></body>')
# Markdown never rendered, a label too small to read, and a first table wider than the window.
page = page.replace("</body>", "<p>run `planted code` here</p></body>")
page = page.replace('<text x="9" y="22">planted two</text>', '<text x="9" y="22">planted two</text><text x="300" y="200" font-size="8">planted small</text>', 1)
page = page.replace('<table id="strategies-first">', '<table id="strategies-first" style="width:1700px">', 1)
open(sys.argv[2], "w", encoding="utf-8").write(page)
PY
if "$work/venv/bin/python" scripts/check_page_layout.py chromium "$work/broken.html" "$min_details" >"$work/broken-layout.out"; then
    echo "check-report: the layout check passed a page with two overlapping labels" >&2
    exit 1
fi
grep -q 'overlaps "planted two"' "$work/broken-layout.out" && grep -q 'wider than its window' "$work/broken-layout.out" &&
    grep -q '"planted small" is drawn at 8.0 px' "$work/broken-layout.out" && grep -q 'a literal backtick' "$work/broken-layout.out" &&
    grep -q 'the first table ends at' "$work/broken-layout.out" || {
    echo "check-report: the layout check did not name every planted problem (overlap, over-wide page, small label, backtick, wide first table):" >&2
    cat "$work/broken-layout.out" >&2
    exit 1
}
render "file://$work/broken.html" "$work/broken.png" "$work/broken.dom" "$work/broken.log"
if python3 scripts/check_report.py "$work/broken.dom" "$work/broken.png" "$work/broken.log" "${charts[@]}" >"$work/broken.out"; then
    echo "check-report: the check passed a page with a console error and a missing chart" >&2
    exit 1
fi
grep -q "chart timeline is missing" "$work/broken.out" && grep -q "console:" "$work/broken.out" || {
    echo "check-report: the check did not name both planted problems:" >&2
    cat "$work/broken.out" >&2
    exit 1
}

render "file://$run/index.html" "$work/report.png" "$work/report.dom" "$work/report.log"
python3 scripts/check_report.py "$work/report.dom" "$work/report.png" "$work/report.log" "${charts[@]}"
mkdir -p reports/latest
"$work/venv/bin/python" scripts/check_page_layout.py chromium "$run/index.html" "$min_details" reports/latest/first-screen.png

# What regressed, where, by how much, on the first screen: the README's run (or the small one)
# against a copy of itself with one allocation per span more on one exact row, the plan's last
# system-allocator row at its largest trace state (so that neither the table's order nor the
# first row helps it).
read -r row ts < <(python3 -c '
import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["scenarios"] if r.get("allocator", "system") == "system" and r["name"] in ("atomic-swap", "pooled", "pointer-passing", "value-copy")]
last = max(rows, key=lambda r: (r["trace_state_entries"], rows.index(r)))
print(last["name"], last["trace_state_entries"])' "$readme/results.json")
mkdir "$work/planted"
python3 scripts/plant_allocation.py "$readme/results.json" "$work/planted/results.json" "$row" "$ts"
"$bin" report "$work/planted" --baseline "$readme/results.json" >"$work/planted.log" 2>&1 || { cat "$work/planted.log"; exit 1; }
grep -q 'id="verdict-counts">[^<]*regressed' "$work/planted/index.html" || grep -q 'class="banner bad" id="verdict-counts"' "$work/planted/index.html" ||
    { echo "check-report: the report of a run with one allocation per span planted on $row at ts=$ts does not say it regressed" >&2; exit 1; }
"$work/venv/bin/python" scripts/check_page_layout.py chromium "$work/planted/index.html" 0 reports/latest/first-screen-regressed.png --regressed "$row"
# That check can fail: the same page with a tall block above the verdict, and the clean run's page,
# which lists no regression.
python3 - "$work/planted/index.html" "$work/planted/pushed.html" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("<body>", '<body><div style="height:1000px">planted tall block</div>', 1))
PY
for page in "$work/planted/pushed.html" "$run/index.html"; do
    if "$work/venv/bin/python" scripts/check_page_layout.py chromium "$page" 0 --regressed "$row" >"$work/regressed.out"; then
        echo "check-report: the first-screen check passed $page, where $row's regression is below the fold or absent" >&2
        exit 1
    fi
    grep -q "below the first 900 px\|no regression of $row is listed" "$work/regressed.out" || { cat "$work/regressed.out" >&2; exit 1; }
done
cp "$work/report.png" reports/latest/check-report.png
echo "check-report: ok ($(wc -c <"$run/index.html") bytes of HTML, ${#charts[@]} charts; the whole page in reports/latest/check-report.png, the first screen in reports/latest/first-screen.png, with $row regressed in reports/latest/first-screen-regressed.png)"
