//! The gate's verdicts in the formats tracking services read, so that they alert exactly when the
//! gate fails: one measure per row × count, **floors over the baseline** — 0 when the count is
//! within its floor (or its row's measured band), the change in floors when it regressed (at least
//! 1), and [`NOT_JUDGED`] for a row the gate could not judge. Alerting on "above 0" is then what
//! each consumer's own threshold semantics can express exactly:
//! - Bencher: a `static` threshold test with `--threshold-upper-boundary 0` alerts when a value is
//!   above the boundary itself.
//! - github-action-benchmark (`customSmallerIsBetter`): alerts when `current / previous` exceeds
//!   `alert-threshold`, and takes 0 / 0 as 1 (`getRatio`, src/write.ts at c38cce9): from 0 to any
//!   positive value is an infinite ratio, so `alert-threshold: "100%"` alerts on a regression
//!   and on a row that could not be judged, and never on a night within its floors.
//!
//! Raw values with a percentage threshold cannot do this: a count's floor is one allocation per
//! 100 spans, so 201 → 202 allocs/span (100.5%) slips under a 100.5% ratio alert, and a static
//! threshold of 0 on the values alerts on every row.

use std::collections::HashMap;

use serde_json::{json, Map, Value};
use spanalloc_judge::compare::{Comparison, Row};
use spanalloc_judge::verdict::Verdict;
use spanalloc_record::schema::Results;

use crate::export::ExportFormat;

/// The value of a row the gate could not judge (a failed pass, a row only the baseline has, an
/// incomparable workload, dropped spans): far above any real change, so that it alerts.
pub const NOT_JUDGED: f64 = 1_000_000.0;

/// The per-span counts exported (their totals say the same).
const METRICS: [&str; 5] =
    ["allocs_per_span", "bytes_per_span", "reallocs_per_span", "leaked_blocks_per_span", "exports_per_span"];

/// Which rows: those whose counts repeat exactly, those gated by their measured spread, or both.
/// Feed exact and moving rows to separate steps: a moving row's alert means "outside its band".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// Rows whose counts repeat exactly.
    Exact,
    /// Rows whose counts move between identical runs.
    Moving,
    /// Both.
    All,
}

impl std::str::FromStr for Rows {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "exact" => Ok(Rows::Exact),
            "moving" => Ok(Rows::Moving),
            "all" => Ok(Rows::All),
            _ => Err(format!("unknown rows '{s}' (exact, moving, all)")),
        }
    }
}

/// One exported figure of the gate.
struct Gated {
    name: String,
    value: f64,
    why: String,
}

/// Floors over the baseline for a row's count: 0 within, the change in floors (at least 1) beyond.
fn floors_over(r: &Row) -> Option<f64> {
    match r.verdict {
        Verdict::Regressed => {
            let change = r.current.zip(r.baseline).map(|(c, b)| c - b);
            let floors = change.zip(r.detectable.filter(|d| *d > 0.0)).map(|(c, d)| c / d);
            Some(floors.filter(|f| f.is_finite()).unwrap_or(1.0).max(1.0))
        }
        Verdict::Unchanged | Verdict::Improved => Some(0.0),
        Verdict::Missing | Verdict::Incomparable => Some(NOT_JUDGED),
        // Declared noise (not gated by a row's own declaration) and rows only this run has are not
        // what the gate judges either way: left out, as compare leaves them out of its verdict.
        Verdict::Noise | Verdict::New => None,
    }
}

fn gated(c: &Comparison, current: &Results, baseline: &Results, rows: Rows) -> Vec<Gated> {
    let exact: HashMap<(String, usize), bool> =
        baseline.scenarios.iter().chain(&current.scenarios).map(|s| ((s.id(), s.trace_state_entries), s.exact_counts)).collect();
    let wanted = |scenario: &str, ts: usize| match (rows, exact.get(&(scenario.to_string(), ts))) {
        (Rows::All, _) => true,
        (Rows::Exact, Some(e)) => *e,
        (Rows::Moving, Some(e)) => !*e,
        // A row neither file describes cannot be sorted: it goes with every selection.
        (_, None) => true,
    };
    let mut out = Vec::new();
    let mut failed: HashMap<(String, usize), String> = HashMap::new();
    for f in &current.failures {
        failed.entry((f.name.clone(), f.trace_state_entries)).or_insert_with(|| format!("failed: {}", f.line()));
    }
    for u in c.unjudged.iter().filter(|u| u.fails) {
        failed.entry((u.scenario.clone(), u.trace_state_entries)).or_insert_with(|| format!("not judged: {}", u.reason));
    }
    for r in c.rows.iter().filter(|r| METRICS.contains(&r.metric) && wanted(&r.scenario, r.trace_state_entries)) {
        let key = (r.scenario.clone(), r.trace_state_entries);
        let (value, why) = match failed.get(&key) {
            Some(why) => (Some(NOT_JUDGED), why.clone()),
            None => (floors_over(r), format!("{}: {}", r.verdict.word(), r.rule)),
        };
        if let Some(value) = value {
            out.push(Gated { name: format!("{}/ts{} {}", r.scenario, r.trace_state_entries, r.metric), value, why });
        }
    }
    // Rows the comparison holds no line for (a failure before any figure): not judged, all counts.
    for ((scenario, ts), why) in &failed {
        if wanted(scenario, *ts) && !c.rows.iter().any(|r| &r.scenario == scenario && r.trace_state_entries == *ts) {
            for m in METRICS {
                out.push(Gated { name: format!("{scenario}/ts{ts} {m}"), value: NOT_JUDGED, why: why.clone() });
            }
        }
    }
    out
}

/// The gate's verdicts on `current` against `baseline` (the comparison `c` of the two), in
/// `format`, as JSON text: each consumer's name is `ROW/tsN METRIC`, the measure
/// `floors-over-baseline`.
pub fn export_gate(c: &Comparison, current: &Results, baseline: &Results, format: ExportFormat, rows: Rows) -> String {
    let all = gated(c, current, baseline, rows);
    let value = match format {
        ExportFormat::Bmf => {
            let mut root = Map::new();
            for g in all {
                root.insert(g.name, json!({ "floors-over-baseline": { "value": g.value } }));
            }
            Value::Object(root)
        }
        ExportFormat::Gab => Value::Array(
            all.into_iter()
                .map(|g| json!({ "name": g.name, "unit": "floors over baseline", "value": g.value, "extra": g.why }))
                .collect(),
        ),
    };
    serde_json::to_string_pretty(&value).expect("JSON values serialise")
}

#[cfg(test)]
mod tests {
    use super::*;
    use spanalloc_judge::compare::compare;
    use spanalloc_judge::thresholds::Thresholds;
    use spanalloc_record::input::parse_results;

    fn fixture() -> Results {
        let mut r = parse_results(include_bytes!("../../record/tests/fixtures/results-v1.json")).expect("the fixture is valid");
        r.environment.profile = Some("release".into());
        r
    }

    /// `allocs` more allocations per span (each freed) on row `i`.
    fn per_span(r: &mut Results, i: usize, allocs: u64) {
        let s = &mut r.scenarios[i];
        s.metrics.allocs = allocs * s.spans;
        s.metrics.deallocs = allocs * s.spans;
        s.metrics.allocs_per_span = allocs as f64;
    }

    /// github-action-benchmark's alert for `customSmallerIsBetter` (src/write.ts `findAlerts` and
    /// `getRatio` at c38cce9): a name in both suites whose `current / previous` exceeds the
    /// threshold, 0 / 0 counting as 1.
    fn gab_alerts(prev: &Value, cur: &Value, threshold: f64) -> Vec<String> {
        let prev: HashMap<&str, f64> =
            prev.as_array().unwrap().iter().map(|b| (b["name"].as_str().unwrap(), b["value"].as_f64().unwrap())).collect();
        cur.as_array()
            .unwrap()
            .iter()
            .filter_map(|b| {
                let (name, c) = (b["name"].as_str().unwrap(), b["value"].as_f64().unwrap());
                let p = *prev.get(name)?;
                let ratio = if p == 0.0 && c == 0.0 { 1.0 } else { c / p };
                (ratio > threshold).then(|| name.to_string())
            })
            .collect()
    }

    /// Bencher's static threshold test with an upper boundary of 0: a measure above it alerts.
    fn bencher_alerts(bmf: &Value) -> Vec<String> {
        bmf.as_object()
            .unwrap()
            .iter()
            .filter(|(_, m)| m["floors-over-baseline"]["value"].as_f64().unwrap() > 0.0)
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// A row of 201 allocations per span, one more per span on one night and none on the next:
    /// each consumer, reading the export as it documents, alerts on the first night only. Raw
    /// values at the 100.5% ratio the old recipe used would have missed it (202 / 201 < 1.005).
    #[test]
    fn consumers_alert_on_one_allocation_per_span_more_on_a_heavy_row_and_only_then() {
        let mut base = fixture();
        let i = base.scenarios.iter().position(|s| s.name == "value-copy" && s.trace_state_entries == 4).unwrap();
        base.scenarios[i].exact_counts = true;
        per_span(&mut base, i, 201);
        let mut regressed = base.clone();
        per_span(&mut regressed, i, 202);
        // The figures themselves, under the ratio alert the old recipe gave (100.5%), miss it.
        let raw = |r: &Results| -> Value {
            serde_json::from_str(&crate::export::export(r, ExportFormat::Gab, crate::export::Suite::Counts)).unwrap()
        };
        assert_eq!(gab_alerts(&raw(&base), &raw(&regressed), 1.005), Vec::<String>::new());
        let t = Thresholds::default();
        let gab = |cur: &Results| -> Value {
            let c = compare(&base, cur, &t, ("b", "c")).restricted(Some(true));
            serde_json::from_str(&export_gate(&c, cur, &base, ExportFormat::Gab, Rows::Exact)).unwrap()
        };
        let bmf = |cur: &Results| -> Value {
            let c = compare(&base, cur, &t, ("b", "c")).restricted(Some(true));
            serde_json::from_str(&export_gate(&c, cur, &base, ExportFormat::Bmf, Rows::All)).unwrap()
        };
        // The nights before: the baseline itself, judged against itself.
        let quiet = gab(&base);
        assert!(quiet.as_array().unwrap().iter().all(|b| b["value"] == 0.0), "{quiet}");
        // The regressed night, then an unchanged one.
        let night1 = gab(&regressed);
        let night2 = gab(&base);
        let alerted = gab_alerts(&quiet, &night1, 1.0);
        assert!(alerted.contains(&"value-copy/ts4 allocs_per_span".to_string()), "{night1}");
        assert!(alerted.iter().all(|n| n.starts_with("value-copy/ts4 ")), "{alerted:?}");
        assert!(gab_alerts(&night1, &night2, 1.0).is_empty(), "an unchanged night alerts: {night2}");
        let floors = night1.as_array().unwrap().iter().find(|b| b["name"] == "value-copy/ts4 allocs_per_span").unwrap();
        let floors = floors["value"].as_f64().unwrap();
        assert!((floors - 100.0).abs() < 1e-6, "one allocation per span is 100 floors of 1/100: {floors}");
        assert_eq!(bencher_alerts(&bmf(&regressed)), ["value-copy/ts4 allocs_per_span"]);
        assert!(bencher_alerts(&bmf(&base)).is_empty());
        // Exact rows and moving rows go to separate steps: this exact row is not among the moving.
        let c = compare(&base, &regressed, &t, ("b", "c")).restricted(Some(true));
        let moving: Value = serde_json::from_str(&export_gate(&c, &regressed, &base, ExportFormat::Gab, Rows::Moving)).unwrap();
        assert!(
            moving.as_array().unwrap().iter().all(|b| !b["name"].as_str().unwrap().starts_with("value-copy/ts4 ")),
            "{moving}"
        );
    }

    /// A row the gate could not judge is exported as not judged, which alerts; never as a pass.
    #[test]
    fn a_row_that_was_not_judged_alerts() {
        let base = fixture();
        let mut cur = base.clone();
        let i = cur.scenarios.iter().position(|s| s.name == "pooled").unwrap();
        let gone = cur.scenarios.remove(i);
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c")).restricted(Some(true));
        let bmf: Value = serde_json::from_str(&export_gate(&c, &cur, &base, ExportFormat::Bmf, Rows::All)).unwrap();
        let name = format!("pooled/ts{} allocs_per_span", gone.trace_state_entries);
        assert_eq!(bmf[&name]["floors-over-baseline"]["value"], NOT_JUDGED, "{bmf}");
        assert!(bencher_alerts(&bmf).contains(&name));
    }
}
