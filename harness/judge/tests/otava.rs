//! spanalloc's change points are Apache Otava's: the same series go to `changes::edivisive` and
//! to `otava.analysis.compute_change_points` (apache-otava 0.8 from PyPI, through
//! scripts/otava_reference.py), and every series must give the same change points with the same
//! p-values. The series: steps of 1%, 2%, 5% and 10% under noise at this project's measured
//! night-to-night spread, slow drifts, series with no change, and every noisy series of a real
//! history (tests/fixtures/history-real.jsonl).
//!
//! It needs Python with apache-otava: scripts/check-change-points.sh makes the environment and
//! runs it (CI does); run alone, it fails saying so rather than passing.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use spanalloc_judge::changes::{self, edivisive, synthetic};
use spanalloc_record::history;

/// Series of every kind the detection table covers, named.
fn cases() -> Vec<(String, Vec<f64>)> {
    let mut out = Vec::new();
    for (metric, noise) in changes::MEASURED_NOISE {
        for len in [40usize, 60, 100] {
            for seed in 0..4u64 {
                for step in [0.0, 0.01, 0.02, 0.05, 0.10] {
                    let at = (step > 0.0).then_some(len / 2);
                    let p = synthetic::Plant { len, level: 1000.0, step_at: at, step, drift: 0.0, noise };
                    out.push((format!("{metric} len={len} step={step} seed={seed}"), synthetic::series(&p, seed)));
                }
                let drift = synthetic::Plant { len, level: 1000.0, step_at: None, step: 0.0, drift: 0.05, noise };
                out.push((format!("{metric} len={len} drift=5% seed={seed}"), synthetic::series(&drift, seed + 100)));
            }
        }
    }
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../record/tests/fixtures/history-real.jsonl");
    let (entries, warnings) = history::read(&file).expect("the real history fixture reads");
    assert!(warnings.is_empty() && entries.len() >= 10, "{warnings:?}");
    for s in changes::series(&entries) {
        if !s.exact {
            let k = &s.key;
            out.push((format!("real {} ts={} {} [{}]", k.scenario, k.trace_state_entries, k.metric, k.key), s.values));
        }
    }
    out
}

#[derive(serde::Deserialize)]
struct Reference {
    index: usize,
    pvalue: f64,
}

#[test]
#[ignore = "needs Python with apache-otava 0.8: scripts/check-change-points.sh runs it"]
fn the_same_change_points_as_apache_otava() {
    let python = std::env::var("SPANALLOC_OTAVA_PYTHON")
        .expect("SPANALLOC_OTAVA_PYTHON must name a Python with apache-otava 0.8 (scripts/check-change-points.sh sets it)");
    let cases = cases();
    let request = serde_json::json!({
        "window": 50,
        "max_pvalue": 0.001,
        "series": cases.iter().map(|(_, v)| v).collect::<Vec<_>>(),
    });
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/otava_reference.py");
    let mut child = Command::new(python).arg(script).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("python starts");
    child.stdin.take().unwrap().write_all(request.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "otava_reference.py failed");
    let reference: Vec<Vec<Reference>> = serde_json::from_slice(&out.stdout).expect("the reference's answer");
    assert_eq!(reference.len(), cases.len());
    let (mut points, mut with_any) = (0, 0);
    for ((name, series), want) in cases.iter().zip(&reference) {
        let got = edivisive::change_points(series, &edivisive::Options::default());
        let (g, w): (Vec<usize>, Vec<usize>) = (got.iter().map(|c| c.index).collect(), want.iter().map(|c| c.index).collect());
        assert_eq!(g, w, "{name}: spanalloc {g:?}, otava {w:?}");
        for (a, b) in got.iter().zip(want) {
            let close = (a.pvalue - b.pvalue).abs() <= 1e-9 + 1e-6 * b.pvalue.abs();
            assert!(close, "{name} at {}: p {} against otava's {}", a.index, a.pvalue, b.pvalue);
        }
        points += g.len();
        with_any += usize::from(!g.is_empty());
    }
    println!("{} series, {with_any} with change points, {points} change points: the same as apache-otava's", cases.len());
}
