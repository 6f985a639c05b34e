#!/usr/bin/env python3
"""scripts/check-spread.sh's two helpers.

plant_allocation.py IN OUT [SCENARIO TRACE_STATE]
    Writes IN with one allocation per span more on every row (or only on the row SCENARIO at
    TRACE_STATE entries: scripts/check-report.sh's planted regression) — in its totals, every
    count pass and the deallocations that freed them — as a run that made them would write it.
plant_allocation.py --table DIR RERUNS
    Reads check-spread's comparisons under DIR and prints, per row, the baseline's spread and the
    smallest change the gate is sure to catch for each count (compare's `detectable`), how many
    identical reruns were flagged and how many planted ones caught. Exit 1 when a rerun was
    flagged or a planted one missed.
"""
import json
import sys
from pathlib import Path

COUNTS = ["allocs_per_span", "bytes_per_span", "reallocs_per_span", "leaked_blocks_per_span", "exports_per_span"]
SAMPLES = {"allocs_per_span": "allocs", "bytes_per_span": "bytes_allocated", "reallocs_per_span": "reallocs",
           "exports_per_span": "export_batches"}
JUDGED_QUIET = {"unchanged", "noise"}


def plant(src: Path, dst: Path, only=None) -> None:
    results = json.loads(src.read_text())
    rows = [r for r in results["scenarios"]
            if only is None or (r["name"], r["trace_state_entries"], r.get("allocator", "system")) == (*only, "system")]
    if not rows:
        raise SystemExit(f"plant_allocation.py: no row {only[0]} at trace-state {only[1]} in {src}")
    for row in rows:
        more = row["spans"]
        for count in ("allocs", "deallocs"):
            row["metrics"][count] += more
            row["samples"][count] = [p + more for p in row["samples"][count]]
        row["metrics"]["allocs_per_span"] += 1.0
    dst.write_text(json.dumps(results))


def rows_of(compare: dict) -> dict:
    out = {}
    for r in compare["rows"]:
        out.setdefault((r["scenario"], r["trace_state_entries"]), {})[r["metric"]] = r
    return out


def spread(row: dict, metric: str) -> str:
    if metric == "leaked_blocks_per_span":
        a, d = row["samples"].get("allocs", []), row["samples"].get("deallocs", [])
        values = [x - y for x, y in zip(a, d)]
    else:
        values = row["samples"].get(SAMPLES[metric], [])
    if not values:
        return "—"
    return f"{(max(values) - min(values)) / row['spans']:.4f}"


def table(out: Path, reruns: int) -> int:
    failed = 0
    for family in ("stacks", "releases"):
        base_file = out / f"{family}-base" / "results.json"
        if not base_file.exists():
            continue
        base = {(r["name"] if r["allocator"] == "system" else f"{r['name']}@{r['allocator']}", r["trace_state_entries"]): r
                for r in json.loads(base_file.read_text())["scenarios"]}
        flagged, caught, detectable = {}, {}, {}
        for i in range(1, reruns + 1):
            run = out / f"{family}-run-{i}"
            for name, planted in (("compare.json", False), ("planted-compare.json", True)):
                f = run / name
                if not f.exists() or not f.read_text().strip():
                    print(f"check-spread: {f} is missing: rerun {i} of {family} not judged", file=sys.stderr)
                    failed = 1
                    continue
                c = json.loads(f.read_text())
                for key, metrics in rows_of(c).items():
                    if key not in base or base[key].get("exact_counts"):
                        continue
                    if planted:
                        if metrics["allocs_per_span"]["verdict"] == "regressed":
                            caught[key] = caught.get(key, 0) + 1
                    else:
                        moved = [m for m in COUNTS if m in metrics and metrics[m]["verdict"] not in JUDGED_QUIET]
                        flagged.setdefault(key, [])
                        if moved:
                            flagged[key].append(f"{i}:{','.join(moved)}")
                        for m in COUNTS:
                            d = metrics.get(m, {}).get("detectable")
                            if d is not None:
                                detectable.setdefault(key, {})[m] = d
        print(f"\n{family}: {reruns} identical reruns against a 5-repeat baseline")
        print("| row | ts | spread allocs/span | detectable allocs/span | spread B/span | detectable B/span |"
              " spread exports/span | detectable exports/span | reruns flagged | +1 alloc/span caught |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for key in sorted(flagged):
            b, d = base[key], detectable.get(key, {})
            fmt = lambda m: "—" if m not in d else (f"{d[m]:.4f}" if m != "bytes_per_span" else f"{d[m]:.2f}")
            f, k = flagged[key], caught.get(key, 0)
            if f or k < reruns:
                failed = 1
            print(f"| {key[0]} | {key[1]} | {spread(b, 'allocs_per_span')} | {fmt('allocs_per_span')} | "
                  f"{spread(b, 'bytes_per_span')} | {fmt('bytes_per_span')} | {spread(b, 'exports_per_span')} | "
                  f"{fmt('exports_per_span')} | {len(f)}{' (' + '; '.join(f) + ')' if f else ''} | {k} of {reruns} |")
    return failed


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--table":
        return table(Path(sys.argv[2]), int(sys.argv[3]))
    if len(sys.argv) in (3, 5):
        only = (sys.argv[3], int(sys.argv[4])) if len(sys.argv) == 5 else None
        plant(Path(sys.argv[1]), Path(sys.argv[2]), only)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
