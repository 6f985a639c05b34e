//! The gate of a row whose counts move between identical runs (the SDK row: its batch thread's
//! exports depend on timing) comes from the spread of the baseline's own repeats: identical runs
//! are not flagged, one allocation per 100 spans more is.
//!
//! One run of 25 repeats, split as a nightly would see it: the first five repeats are the
//! baseline, each of the other twenty is a night of its own.

mod common;

use common::{spanalloc, stderr};
use spanalloc::judge::compare::{compare, Verdict};
use spanalloc::judge::thresholds::Thresholds;
use spanalloc::record::schema::{Results, ScenarioResult};

const SPANS: u64 = 5000;

/// One night: count pass `i` alone, with `extra` allocations planted.
fn night(r: &Results, i: usize, extra: u64) -> Results {
    let mut out = with_repeats(r, &[i]);
    let s = &mut out.scenarios[0];
    s.samples.allocs[0] += extra;
    s.metrics.allocs = s.samples.allocs[0];
    s.metrics.allocs_per_span = s.metrics.allocs as f64 / s.spans as f64;
    out
}

/// The row as a run with these count passes (by index) would have written it.
fn with_repeats(r: &Results, repeats: &[usize]) -> Results {
    let mut out = r.clone();
    let s: &mut ScenarioResult = &mut out.scenarios[0];
    let pick = |v: &Vec<u64>| repeats.iter().map(|&i| v[i]).collect::<Vec<_>>();
    s.samples.allocs = pick(&r.scenarios[0].samples.allocs);
    s.samples.bytes_allocated = pick(&r.scenarios[0].samples.bytes_allocated);
    s.metrics.allocs = s.samples.allocs[0];
    s.metrics.bytes_allocated = s.samples.bytes_allocated[0];
    s.metrics.allocs_per_span = s.metrics.allocs as f64 / s.spans as f64;
    s.metrics.bytes_per_span = s.metrics.bytes_allocated as f64 / s.spans as f64;
    out
}

#[test]
fn identical_runs_of_the_sdk_row_pass_its_spread_gate_and_a_planted_change_does_not() {
    let dir = tempfile::tempdir().unwrap();
    // 20,000 spans/s: a rate the debug build holds without the SDK's queue dropping a span.
    let o = spanalloc(&[
        "run",
        "--scenario",
        "otel-sdk",
        "--spans",
        &SPANS.to_string(),
        "--rate",
        "20000",
        "--repeat",
        "25",
        "--no-dhat",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run = common::results(dir.path());
    let row = &run.scenarios[0];
    assert!(!row.exact_counts, "the SDK row's counts move between identical runs");
    assert_eq!(row.dropped_spans, 0, "a run that dropped spans did other work");
    assert_eq!(row.samples.allocs.len(), 25);
    let (lo, hi) = (row.samples.allocs.iter().min().unwrap(), row.samples.allocs.iter().max().unwrap());
    eprintln!("the SDK row's allocations over 25 identical count passes of {SPANS} spans: {lo}..={hi}");

    let baseline = with_repeats(&run, &[0, 1, 2, 3, 4]);
    let t = Thresholds::default();
    let counts = ["allocs_per_span", "bytes_per_span", "allocs", "bytes_allocated"];
    let mut flagged = Vec::new();
    for i in 5..25 {
        let c = compare(&baseline, &night(&run, i, 0), &t, ("baseline", "night"));
        for r in c.rows.iter().filter(|r| counts.contains(&r.metric)) {
            assert!(r.rule.starts_with("spread: "), "gated by the spread: {}", r.rule);
            if r.verdict != Verdict::Unchanged {
                flagged.push((i, r.metric, r.verdict, r.rule.clone()));
            }
        }
    }
    assert!(flagged.is_empty(), "identical runs flagged: {flagged:#?}");

    // One allocation per 100 spans more, on any of those nights, whichever way its noise fell:
    // regressed.
    for i in 5..25 {
        let c = compare(&baseline, &night(&run, i, SPANS / 100), &t, ("baseline", "planted"));
        for metric in ["allocs_per_span", "allocs"] {
            let r = c.rows.iter().find(|r| r.metric == metric).unwrap();
            assert_eq!(r.verdict, Verdict::Regressed, "night {i}, {metric}: {}", r.rule);
        }
    }
    // A baseline of one repeat does not gate the row at all, and says so.
    let thin = with_repeats(&run, &[0]);
    let c = compare(&thin, &night(&run, 5, SPANS / 100), &t, ("thin", "planted"));
    let r = c.rows.iter().find(|r| r.metric == "allocs").unwrap();
    assert_eq!(r.verdict, Verdict::Noise);
    assert!(r.rule.starts_with("not gated: needs repeats"), "{}", r.rule);
}
