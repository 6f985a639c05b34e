#!/usr/bin/env python3
"""Apache Otava's change points for series read from stdin, for spanalloc's differential test.

stdin:  {"window": 50, "max_pvalue": 0.001, "series": [[1.0, 2.0, ...], ...]}
stdout: [[{"index": 40, "pvalue": 1e-9, "mean_before": 100.0, "mean_after": 110.0}, ...], ...]

It calls otava.analysis.compute_change_points, the analysis Otava's CLI runs by default
(otava/series.py: AnalysisOptions, window_len 50, max_pvalue 0.001, min_magnitude 0), on each
series as a list, as the CLI passes it; the CLI itself needs a config file and a data source.
Install: pip install apache-otava==0.8.0 (scripts/check-change-points.sh makes the venv).
"""
import json
import sys

from otava.analysis import compute_change_points


def main() -> None:
    request = json.load(sys.stdin)
    out = []
    for series in request["series"]:
        points, _weak = compute_change_points(
            list(series),
            window_len=request.get("window", 50),
            max_pvalue=request.get("max_pvalue", 0.001),
            min_magnitude=request.get("min_magnitude", 0.0),
        )
        out.append(
            [
                {
                    "index": int(p.index),
                    "pvalue": float(p.stats.pvalue),
                    "mean_before": float(p.stats.mean_before()),
                    "mean_after": float(p.stats.mean_after()),
                }
                for p in points
            ]
        )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
