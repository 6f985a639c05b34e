//! `spanalloc compare`: every scenario × trace-state × metric, baseline against current, with a
//! verdict. The rules are in [`thresholds`]; noisy metrics go through [`stats`].
//!
//! Exact metrics come from the count pass and are deterministic, so any change beyond a stated
//! tolerance counts. Noisy metrics count only when both sides hold repeated samples and a
//! statistical test says the difference is real and large enough; otherwise they are shown as
//! `noise` and never fail a build. Runs of different workloads are `incomparable`, not regressed.

pub mod render;

pub mod sites;

pub mod between;

pub mod thresholds;

use serde::Serialize;

use crate::schema::{Results, Samples, ScenarioResult};
use crate::stats::{self, median};
use thresholds::Thresholds;

/// What became of one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Worse beyond the threshold: fails the comparison.
    Regressed,
    /// Better beyond the threshold.
    Improved,
    /// Within the threshold.
    Unchanged,
    /// A noisy metric without a significant change, or not gated (too few samples).
    Noise,
    /// Only in the current run.
    New,
    /// Only in the baseline.
    Missing,
    /// The two runs used different workloads.
    Incomparable,
}

impl Verdict {
    /// The word printed in tables.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Regressed => "regressed",
            Verdict::Improved => "improved",
            Verdict::Unchanged => "unchanged",
            Verdict::Noise => "noise",
            Verdict::New => "new",
            Verdict::Missing => "missing",
            Verdict::Incomparable => "incomparable",
        }
    }
}

/// How a metric is judged.
#[derive(Clone, Copy)]
enum Rule {
    /// Deterministic; `allocs_floor` says whether the minimum-allocations floor applies, per span or in total.
    Exact { allocs_floor: Option<Floor> },
    /// Peak heap: scheduling-dependent, so the noisy rule over the count passes' samples, and
    /// also beyond a percentage and an absolute floor.
    Peak,
    /// Repeated samples and a test.
    Noisy { samples: fn(&Samples) -> &Vec<f64> },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Floor {
    PerSpan,
    Total,
}

/// A metric compare knows.
struct Metric {
    name: &'static str,
    unit: &'static str,
    value: fn(&ScenarioResult) -> f64,
    larger_is_better: bool,
    rule: Rule,
}

const METRICS: &[Metric] = &[
    Metric {
        name: "allocs_per_span",
        unit: "allocs",
        value: |s| s.metrics.allocs_per_span,
        larger_is_better: false,
        rule: Rule::Exact { allocs_floor: Some(Floor::PerSpan) },
    },
    Metric {
        name: "bytes_per_span",
        unit: "bytes",
        value: |s| s.metrics.bytes_per_span,
        larger_is_better: false,
        rule: Rule::Exact { allocs_floor: None },
    },
    Metric {
        name: "allocs",
        unit: "count",
        value: |s| s.metrics.allocs as f64,
        larger_is_better: false,
        rule: Rule::Exact { allocs_floor: Some(Floor::Total) },
    },
    Metric {
        name: "bytes_allocated",
        unit: "bytes",
        value: |s| s.metrics.bytes_allocated as f64,
        larger_is_better: false,
        rule: Rule::Exact { allocs_floor: None },
    },
    Metric {
        name: "peak_heap_bytes",
        unit: "bytes",
        value: |s| s.metrics.peak_heap_bytes as f64,
        larger_is_better: false,
        rule: Rule::Peak,
    },
    Metric {
        name: "cpu_ns_per_span",
        unit: "ns",
        value: |s| s.metrics.cpu_ns_per_span,
        larger_is_better: false,
        rule: Rule::Noisy { samples: |s| &s.cpu_ns_per_span },
    },
    Metric {
        name: "latency_p50_ns",
        unit: "ns",
        value: |s| s.metrics.latency_p50_ns as f64,
        larger_is_better: false,
        rule: Rule::Noisy { samples: |s| &s.latency_p50_ns },
    },
    Metric {
        name: "latency_p99_ns",
        unit: "ns",
        value: |s| s.metrics.latency_p99_ns as f64,
        larger_is_better: false,
        rule: Rule::Noisy { samples: |s| &s.latency_p99_ns },
    },
    Metric {
        name: "peak_rss_bytes",
        unit: "bytes",
        value: |s| s.metrics.peak_rss_bytes as f64,
        larger_is_better: false,
        rule: Rule::Noisy { samples: |s| &s.peak_rss_bytes },
    },
    Metric {
        name: "achieved_rate",
        unit: "spans/s",
        value: |s| s.metrics.achieved_rate,
        larger_is_better: true,
        rule: Rule::Noisy { samples: |s| &s.achieved_rate },
    },
];

/// One scenario × trace-state × metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Scenario name, with `@allocator` when that is not the system one.
    pub scenario: String,
    /// The allocator beneath the meter; rows are compared with the same allocator's.
    pub allocator: String,
    /// Trace-state entries.
    pub trace_state_entries: usize,
    /// Metric name, as in results.json.
    pub metric: &'static str,
    /// Its unit.
    pub unit: &'static str,
    /// The baseline's value (median for noisy metrics).
    pub baseline: Option<f64>,
    /// The current value.
    pub current: Option<f64>,
    /// `(current - baseline) / baseline` in percent, when both exist and the baseline is not 0.
    pub change_pct: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
    /// The rule that decided it, with the figures it weighed: the tolerance and floor of an
    /// exact metric, the p-value, sample counts and effect of a noisy one, or why the row was
    /// not compared.
    pub rule: String,
    /// Anything else worth knowing beside the verdict (a changed compiler).
    pub note: String,
}

/// How many rows got each verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Worse beyond the rule.
    pub regressed: usize,
    /// Better beyond the rule.
    pub improved: usize,
    /// Exact metrics within their tolerance.
    pub unchanged: usize,
    /// Noisy metrics without a significant change, or not gated.
    pub noise: usize,
    /// Only in the current run.
    pub new: usize,
    /// Only in the baseline.
    pub missing: usize,
    /// Not comparable (workload, machine or definition differs).
    pub incomparable: usize,
}

impl Summary {
    /// Rows that were actually compared (a verdict from a rule).
    pub fn compared(&self) -> usize {
        self.regressed + self.improved + self.unchanged + self.noise
    }
}

/// A whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// What the baseline was called on the command line.
    pub baseline: String,
    /// What the current run was called.
    pub current: String,
    /// Rows per verdict.
    pub summary: Summary,
    /// Rows with verdict `regressed`.
    pub regressions: usize,
    /// Why timing was not compared, when the runs' machines or builds differ.
    pub timing_not_compared: Option<String>,
    /// Every row, in results order.
    pub rows: Vec<Row>,
    /// For every scenario × trace state whose allocations or bytes changed beyond the exact
    /// rule, the dhat sites that changed most.
    pub explanations: Vec<sites::Explanation>,
}

/// Why two entries are not comparable, if they are not: the first workload field that differs.
///
/// The number of spans matters only to totals (allocations, bytes allocated): per-span figures,
/// latency, peaks and rates compare across runs of different lengths — a default run of 1M spans
/// against a nightly's 200k.
fn workload_difference(m: &Metric, b: &Results, c: &Results, bs: &ScenarioResult, cs: &ScenarioResult) -> Option<String> {
    let (bc, cc) = (&b.config, &c.config);
    let total = matches!(m.name, "allocs" | "bytes_allocated");
    let spans = if total { (bs.spans.to_string(), cs.spans.to_string()) } else { (String::new(), String::new()) };
    let fields: [(&str, String, String); 7] = [
        ("spans", spans.0, spans.1),
        ("producers", bs.producers.to_string(), cs.producers.to_string()),
        ("rate", bc.rate.to_string(), cc.rate.to_string()),
        ("seed", bc.seed.to_string(), cc.seed.to_string()),
        ("fan_out", bc.fan_out.to_string(), cc.fan_out.to_string()),
        ("depth", bc.depth.to_string(), cc.depth.to_string()),
        ("propagate_every", bc.propagate_every.to_string(), cc.propagate_every.to_string()),
    ];
    fields.into_iter().find(|(_, x, y)| x != y).map(|(name, x, y)| format!("workload differs: {name} {x} → {y}"))
}

/// Why a metric cannot be compared between two schema versions, if it cannot: its definition
/// changed between them.
fn definition_difference(m: &Metric, b: &Results, c: &Results) -> Option<String> {
    let since = crate::schema::PEAK_ABOVE_HARNESS_SINCE;
    let peak_rule = matches!(m.rule, Rule::Peak);
    (peak_rule && (b.schema_version < since) != (c.schema_version < since)).then(|| {
        format!(
            "definition changed: schema {} counted the harness's own buffers in peak heap, schema {} does not",
            b.schema_version.min(c.schema_version),
            b.schema_version.max(c.schema_version)
        )
    })
}

impl Comparison {
    /// Why nothing could be compared, when no row at all was (every one missing, new or
    /// incomparable): the first reason found.
    pub fn nothing_compared(&self) -> Option<String> {
        if self.summary.compared() > 0 {
            return None;
        }
        let reason = self
            .rows
            .iter()
            .find(|r| r.verdict == Verdict::Incomparable)
            .map_or_else(|| "no scenario × trace state is in both runs".to_owned(), |r| r.rule.clone());
        Some(format!("could not compare {} with {}: {reason}", self.current, self.baseline))
    }

    /// Regressions of the exact metrics (counts and bytes), which do not depend on the machine.
    pub fn exact_regressions(&self) -> usize {
        let exact: Vec<&str> = METRICS.iter().filter(|m| matches!(m.rule, Rule::Exact { .. })).map(|m| m.name).collect();
        self.rows.iter().filter(|r| r.verdict == Verdict::Regressed && exact.contains(&r.metric)).count()
    }
}

/// Why a timing metric cannot be compared between two runs, if it cannot: they ran on
/// different machines or builds (fingerprints differ), or one predates the fingerprint.
fn machine_difference(m: &Metric, b: &Results, c: &Results) -> Option<String> {
    if matches!(m.rule, Rule::Exact { .. }) {
        return None;
    }
    match (b.environment.fingerprint(), c.environment.fingerprint()) {
        (Some(bf), Some(cf)) => {
            let diff = bf.differences(&cf);
            (!diff.is_empty()).then(|| format!("different machine: {}", diff.join(", ")))
        }
        _ => Some("timing not compared: a run without an environment fingerprint (before schema 4)".into()),
    }
}

/// A compiler or allocator change, shown beside an exact metric's verdict: counts gate across
/// machines, but a new toolchain can explain a move.
fn toolchain_change(m: &Metric, b: &Results, c: &Results) -> Option<String> {
    if !matches!(m.rule, Rule::Exact { .. }) {
        return None;
    }
    let (be, ce) = (&b.environment, &c.environment);
    let mut changes = Vec::new();
    if be.rustc != ce.rustc {
        changes.push(format!("rustc '{}' → '{}'", be.rustc, ce.rustc));
    }
    if be.allocator != ce.allocator {
        changes.push(format!("allocator '{}' → '{}'", be.allocator, ce.allocator));
    }
    (!changes.is_empty()).then(|| changes.join(", "))
}

/// Compares `current` with `baseline` under `t`.
pub fn compare(baseline: &Results, current: &Results, t: &Thresholds, labels: (&str, &str)) -> Comparison {
    let mut rows = Vec::new();
    let key = |s: &ScenarioResult| (s.name.clone(), s.trace_state_entries, s.allocator.clone());
    for cs in &current.scenarios {
        let bs = baseline.scenarios.iter().find(|b| key(b) == key(cs));
        for m in METRICS {
            let row = match bs {
                None => row(cs, m, None, Some((m.value)(cs)), Verdict::New, "only in this run".into()),
                Some(bs) => match workload_difference(m, baseline, current, bs, cs) {
                    Some(why) => row(cs, m, Some((m.value)(bs)), Some((m.value)(cs)), Verdict::Incomparable, why),
                    None => {
                        match definition_difference(m, baseline, current).or_else(|| machine_difference(m, baseline, current)) {
                            Some(why) => row(cs, m, Some((m.value)(bs)), Some((m.value)(cs)), Verdict::Incomparable, why),
                            None => {
                                let mut r = judge(m, bs, cs, t);
                                if let Some(change) = toolchain_change(m, baseline, current) {
                                    r.note = if r.note.is_empty() { change } else { format!("{}; {change}", r.note) };
                                }
                                r
                            }
                        }
                    }
                },
            };
            rows.push(row);
        }
    }
    let explanations = explanations(baseline, current, &rows);
    for bs in baseline.scenarios.iter().filter(|b| !current.scenarios.iter().any(|c| key(c) == key(b))) {
        for m in METRICS {
            rows.push(row(bs, m, Some((m.value)(bs)), None, Verdict::Missing, "only in the baseline".into()));
        }
    }
    let timing_metric = METRICS.iter().find(|m| matches!(m.rule, Rule::Noisy { .. })).expect("a noisy metric");
    let count = |v: Verdict| rows.iter().filter(|r| r.verdict == v).count();
    let summary = Summary {
        regressed: count(Verdict::Regressed),
        improved: count(Verdict::Improved),
        unchanged: count(Verdict::Unchanged),
        noise: count(Verdict::Noise),
        new: count(Verdict::New),
        missing: count(Verdict::Missing),
        incomparable: count(Verdict::Incomparable),
    };
    Comparison {
        baseline: labels.0.to_owned(),
        current: labels.1.to_owned(),
        summary,
        regressions: summary.regressed,
        timing_not_compared: machine_difference(timing_metric, baseline, current),
        rows,
        explanations,
    }
}

/// The sites behind every exact change: a row whose allocations or bytes (per span or in total)
/// regressed or improved, explained from both sides' dhat sites, largest row change first.
fn explanations<'a>(baseline: &'a Results, current: &'a Results, rows: &[Row]) -> Vec<sites::Explanation> {
    let exact: Vec<&str> = METRICS.iter().filter(|m| matches!(m.rule, Rule::Exact { .. })).map(|m| m.name).collect();
    let mut changed: Vec<&Row> = rows
        .iter()
        .filter(|r| exact.contains(&r.metric) && matches!(r.verdict, Verdict::Regressed | Verdict::Improved))
        .collect();
    changed.sort_by(|a, b| b.change_pct.unwrap_or(f64::INFINITY).abs().total_cmp(&a.change_pct.unwrap_or(f64::INFINITY).abs()));
    let mut out: Vec<sites::Explanation> = Vec::new();
    for r in changed {
        if out.iter().any(|e| e.scenario == r.scenario && e.trace_state_entries == r.trace_state_entries) {
            continue;
        }
        let find = |res: &'a Results| {
            res.scenarios.iter().find(|s| s.id() == r.scenario && s.trace_state_entries == r.trace_state_entries)
        };
        let (Some(bs), Some(cs)) = (find(baseline), find(current)) else { continue };
        let changes = sites::explain(bs, cs);
        if !changes.is_empty() {
            out.push(sites::Explanation {
                scenario: r.scenario.clone(),
                trace_state_entries: r.trace_state_entries,
                sites: changes,
            });
        }
    }
    out
}

fn row(s: &ScenarioResult, m: &Metric, baseline: Option<f64>, current: Option<f64>, verdict: Verdict, rule: String) -> Row {
    let change_pct = match (baseline, current) {
        (Some(b), Some(c)) if b != 0.0 => Some((c - b) / b * 100.0),
        _ => None,
    };
    Row {
        scenario: s.id(),
        allocator: s.allocator.clone(),
        trace_state_entries: s.trace_state_entries,
        metric: m.name,
        unit: m.unit,
        baseline,
        current,
        change_pct,
        verdict,
        rule,
        note: String::new(),
    }
}

/// `worse` if the change goes the bad way, by direction.
fn direction(m: &Metric, delta: f64) -> Verdict {
    if (delta > 0.0) != m.larger_is_better {
        Verdict::Regressed
    } else {
        Verdict::Improved
    }
}

fn judge(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult, t: &Thresholds) -> Row {
    let (b, c) = ((m.value)(bs), (m.value)(cs));
    let delta = c - b;
    match m.rule {
        Rule::Exact { allocs_floor } => {
            // A row whose counts are not exact states how far they move between identical runs
            // (the Go twin's pool row: sync.Pool refills after each GC); the wider tolerance wins.
            let stated = bs.counts_tolerance_pct.into_iter().chain(cs.counts_tolerance_pct).fold(0.0f64, f64::max);
            let tolerance_pct = t.exact.tolerance_pct.max(stated);
            let tolerance = b.abs() * tolerance_pct / 100.0;
            let floor = match allocs_floor {
                Some(Floor::PerSpan) => t.exact.min_allocs_per_span,
                Some(Floor::Total) => t.exact.min_allocs_per_span * cs.spans as f64,
                None => 0.0,
            };
            let beyond = delta.abs() > tolerance && delta.abs() >= floor && delta != 0.0;
            let verdict = if beyond { direction(m, delta) } else { Verdict::Unchanged };
            let floor_text = match allocs_floor {
                Some(Floor::PerSpan) => format!(" and {} allocs/span", t.exact.min_allocs_per_span),
                Some(Floor::Total) => format!(" and {:.0} allocs ({} per span)", floor, t.exact.min_allocs_per_span),
                None => String::new(),
            };
            let how = if beyond { "beyond" } else { "within" };
            let whose = if stated > t.exact.tolerance_pct { " (the row's stated tolerance)" } else { "" };
            row(cs, m, Some(b), Some(c), verdict, format!("exact: {how} {tolerance_pct}%{whose}{floor_text}"))
        }
        Rule::Peak => {
            let (sb, sc) = (&bs.samples.peak_heap_bytes, &cs.samples.peak_heap_bytes);
            let mut r = noisy(m, bs, cs, t, sb, sc);
            if r.verdict == Verdict::Regressed || r.verdict == Verdict::Improved {
                let (mb, mc) = (r.baseline.unwrap_or(b), r.current.unwrap_or(c));
                let beyond_pct = mb == 0.0 || ((mc - mb) / mb * 100.0).abs() > t.peak_heap.threshold_pct;
                if !(beyond_pct && (mc - mb).abs() >= t.peak_heap.min_bytes) {
                    r.verdict = Verdict::Noise;
                    r.rule = format!(
                        "{}; but within {}% or {} (thresholds.peak_heap)",
                        r.rule,
                        t.peak_heap.threshold_pct,
                        crate::table::human_bytes(t.peak_heap.min_bytes)
                    );
                }
            }
            r
        }
        Rule::Noisy { samples } => noisy(m, bs, cs, t, samples(&bs.samples), samples(&cs.samples)),
    }
}

/// The noisy-metric rule: gated only with enough repeats on both sides, by a test and a minimum
/// effect; otherwise `noise`.
fn noisy(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult, t: &Thresholds, sb: &[f64], sc: &[f64]) -> Row {
    let (b, c) = ((m.value)(bs), (m.value)(cs));
    let (mb, mc) = (if sb.is_empty() { b } else { median(sb) }, if sc.is_empty() { c } else { median(sc) });
    let n = t.noisy.min_samples;
    if sb.len() < n || sc.len() < n {
        let rule = format!("noisy, not gated: n={}/{}, needs {n} each (--repeat {n})", sb.len(), sc.len());
        return row(cs, m, Some(mb), Some(mc), Verdict::Noise, rule);
    }
    let needs = format!("needs p<{} and {}%", t.noisy.alpha, t.noisy.min_effect_pct);
    match stats::test(sb, sc, t.noisy.alpha, t.noisy.min_effect_pct) {
        Some(s) => {
            let rule =
                format!("noisy: p={:.3}, n={}/{}, medians {:+.1}% apart; {needs}", s.p_value, sb.len(), sc.len(), s.effect_pct);
            let verdict = if s.significant { direction(m, mc - mb) } else { Verdict::Noise };
            row(cs, m, Some(mb), Some(mc), verdict, rule)
        }
        None => row(
            cs,
            m,
            Some(mb),
            Some(mc),
            Verdict::Noise,
            format!("noisy: samples cannot be tested (n={}/{})", sb.len(), sc.len()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::parse_results;

    /// The schema-1 fixture, given the fingerprint later runs record, so that timing compares.
    fn fixture() -> Results {
        let mut r = parse_results(include_bytes!("../../tests/fixtures/results-v1.json")).expect("the fixture is valid");
        r.environment.profile = Some("release".into());
        r
    }

    fn verdict(c: &Comparison, scenario: &str, ts: usize, metric: &str) -> Verdict {
        c.rows.iter().find(|r| r.scenario == scenario && r.trace_state_entries == ts && r.metric == metric).expect("row").verdict
    }

    #[test]
    fn a_run_against_itself_regresses_nothing() {
        let r = fixture();
        let c = compare(&r, &r, &Thresholds::default(), ("a", "a"));
        assert_eq!(c.regressions, 0);
        assert!(c.rows.iter().all(|r| matches!(r.verdict, Verdict::Unchanged | Verdict::Noise)), "{:?}", c.rows);
    }

    #[test]
    fn a_row_that_states_a_wider_tolerance_is_judged_within_it() {
        let base = fixture();
        let mut cur = base.clone();
        let i = cur.scenarios.iter().position(|s| s.name == "value-copy" && s.trace_state_entries == 4).unwrap();
        cur.scenarios[i].metrics.bytes_per_span = base.scenarios[i].metrics.bytes_per_span * 1.02;
        let judged = |cur: &Results| {
            let c = compare(&base, cur, &Thresholds::default(), ("b", "c"));
            let row =
                c.rows.iter().find(|r| r.scenario == "value-copy" && r.trace_state_entries == 4 && r.metric == "bytes_per_span");
            (row.unwrap().verdict, row.unwrap().rule.clone())
        };
        assert_eq!(judged(&cur).0, Verdict::Regressed, "beyond the rule's 0.5%");
        cur.scenarios[i].counts_tolerance_pct = Some(5.0);
        let (verdict, rule) = judged(&cur);
        assert_eq!(verdict, Verdict::Unchanged);
        assert_eq!(rule, "exact: within 5% (the row's stated tolerance)");
        cur.scenarios[i].metrics.bytes_per_span = base.scenarios[i].metrics.bytes_per_span * 1.10;
        assert_eq!(judged(&cur).0, Verdict::Regressed, "beyond the stated 5% too");
    }

    #[test]
    fn repeated_noisy_samples_are_gated_only_on_a_real_change() {
        let base = fixture();
        assert!(base.scenarios[0].samples.cpu_ns_per_span.len() >= 5, "the fixture was run with --repeat 5");
        // No change: the same distribution, shuffled.
        let mut same = base.clone();
        same.scenarios[0].samples.cpu_ns_per_span.reverse();
        let c = compare(&base, &same, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, "value-copy", 0, "cpu_ns_per_span"), Verdict::Noise);
        assert_eq!(c.regressions, 0);
        // A planted 30% CPU increase in every sample.
        let mut slower = base.clone();
        slower.scenarios[0].samples.cpu_ns_per_span.iter_mut().for_each(|v| *v *= 1.3);
        let c = compare(&base, &slower, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, "value-copy", 0, "cpu_ns_per_span"), Verdict::Regressed);
        assert_eq!(c.regressions, 1);
        // With too few samples the same change is shown, never gated.
        let mut thin = slower.clone();
        thin.scenarios[0].samples.cpu_ns_per_span.truncate(1);
        let c = compare(&base, &thin, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, "value-copy", 0, "cpu_ns_per_span"), Verdict::Noise);
    }

    #[test]
    fn exact_metrics_respect_tolerance_and_floor() {
        let base = fixture();
        let i = base.scenarios.iter().position(|s| s.name == "value-copy" && s.trace_state_entries == 4).unwrap();
        let mut cur = base.clone();
        // +0.4%: within the 0.5% tolerance.
        cur.scenarios[i].metrics.bytes_per_span *= 1.004;
        assert_eq!(
            verdict(&compare(&base, &cur, &Thresholds::default(), ("b", "c")), "value-copy", 4, "bytes_per_span"),
            Verdict::Unchanged
        );
        cur.scenarios[i].metrics.bytes_per_span = base.scenarios[i].metrics.bytes_per_span * 1.05;
        assert_eq!(
            verdict(&compare(&base, &cur, &Thresholds::default(), ("b", "c")), "value-copy", 4, "bytes_per_span"),
            Verdict::Regressed
        );
        // Pooled at 0 allocs/span: +0.005 is under the 0.01 floor, +0.02 is not.
        let p = base.scenarios.iter().position(|s| s.name == "pooled" && s.trace_state_entries == 4).unwrap();
        let mut cur = base.clone();
        cur.scenarios[p].metrics.allocs_per_span = 0.005;
        assert_eq!(
            verdict(&compare(&base, &cur, &Thresholds::default(), ("b", "c")), "pooled", 4, "allocs_per_span"),
            Verdict::Unchanged
        );
        cur.scenarios[p].metrics.allocs_per_span = 0.02;
        assert_eq!(
            verdict(&compare(&base, &cur, &Thresholds::default(), ("b", "c")), "pooled", 4, "allocs_per_span"),
            Verdict::Regressed
        );
        // Fewer is better.
        let mut better = base.clone();
        better.scenarios[i].metrics.allocs_per_span -= 1.0;
        assert_eq!(
            verdict(&compare(&base, &better, &Thresholds::default(), ("b", "c")), "value-copy", 4, "allocs_per_span"),
            Verdict::Improved
        );
    }

    /// Peak heap is scheduling-dependent: the noisy rule over the count passes' samples, and
    /// the change must also pass the percentage and the absolute floor.
    #[test]
    fn peak_heap_is_judged_from_repeats_beyond_percentage_and_floor() {
        let mut base = fixture();
        base.schema_version = crate::schema::SCHEMA_VERSION;
        let i = base.scenarios.iter().position(|s| s.name == "value-copy" && s.trace_state_entries == 4).unwrap();
        let peak = 4.0 * 1024.0 * 1024.0;
        base.scenarios[i].samples.peak_heap_bytes = vec![peak, peak * 1.02, peak * 0.98, peak * 1.01, peak * 0.99];
        base.scenarios[i].metrics.peak_heap_bytes = peak as u64;
        let with_peaks = |factor: f64, shift: f64, n: usize| {
            let mut cur = base.clone();
            let s = &mut cur.scenarios[i];
            s.samples.peak_heap_bytes =
                base.scenarios[i].samples.peak_heap_bytes.iter().take(n).map(|v| v * factor + shift).collect();
            s.metrics.peak_heap_bytes = (peak * factor + shift) as u64;
            let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
            let r = c
                .rows
                .iter()
                .find(|r| r.scenario == "value-copy" && r.trace_state_entries == 4 && r.metric == "peak_heap_bytes")
                .unwrap()
                .clone();
            r
        };
        assert_eq!(with_peaks(1.0, 0.0, 5).verdict, Verdict::Noise, "the same spread");
        assert_eq!(with_peaks(1.5, 0.0, 5).verdict, Verdict::Regressed, "+50% and +2 MiB in every repeat");
        assert_eq!(with_peaks(0.5, 0.0, 5).verdict, Verdict::Improved);
        // Significant and +12.5%, but only 512 KiB: under the 1 MiB floor.
        let small = with_peaks(1.0, 512.0 * 1024.0, 5);
        assert_eq!(small.verdict, Verdict::Noise, "{small:?}");
        assert!(small.rule.contains("thresholds.peak_heap"), "{}", small.rule);
        // A single run cannot be judged.
        let single = with_peaks(1.5, 0.0, 1);
        assert_eq!(single.verdict, Verdict::Noise);
        assert!(single.rule.contains("not gated"), "{}", single.rule);
    }

    #[test]
    fn peak_heap_from_schema_1_is_not_compared_with_schema_2() {
        let base = fixture();
        let mut cur = base.clone();
        cur.schema_version = crate::schema::SCHEMA_VERSION;
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
        let row = c.rows.iter().find(|r| r.metric == "peak_heap_bytes").unwrap();
        assert_eq!(row.verdict, Verdict::Incomparable);
        assert!(row.rule.contains("definition changed"), "{}", row.rule);
        assert_eq!(verdict(&c, "value-copy", 4, "allocs_per_span"), Verdict::Unchanged, "counts still compare");
    }

    #[test]
    fn different_workloads_are_incomparable_not_regressed() {
        let base = fixture();
        let mut cur = base.clone();
        cur.config.seed += 1;
        cur.scenarios[0].metrics.allocs_per_span += 100.0;
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(c.regressions, 0);
        let row = c.rows.iter().find(|r| r.metric == "allocs_per_span").unwrap();
        assert_eq!(row.verdict, Verdict::Incomparable);
        assert!(row.rule.contains("seed"), "{}", row.rule);
    }

    /// A baseline from another machine: timing is `incomparable`, naming what differs, while a
    /// planted extra allocation per span still regresses.
    #[test]
    fn timing_is_compared_only_on_the_same_machine() {
        let base = fixture();
        let mut cur = base.clone();
        cur.environment.cpu = "Other CPU @ 3.0GHz".into();
        cur.environment.rustc = "rustc 1.99.0".into();
        let i = cur.scenarios.iter().position(|s| s.name == "pointer-passing" && s.trace_state_entries == 4).unwrap();
        cur.scenarios[i].metrics.allocs_per_span += 1.0;
        cur.scenarios[i].samples.cpu_ns_per_span.iter_mut().for_each(|v| *v *= 1.3);
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
        let cpu = c
            .rows
            .iter()
            .find(|r| r.scenario == "pointer-passing" && r.trace_state_entries == 4 && r.metric == "cpu_ns_per_span")
            .unwrap();
        assert_eq!(cpu.verdict, Verdict::Incomparable);
        assert!(cpu.rule.contains("cpu '") && cpu.rule.contains("Other CPU"), "{}", cpu.rule);
        let allocs = c
            .rows
            .iter()
            .find(|r| r.scenario == "pointer-passing" && r.trace_state_entries == 4 && r.metric == "allocs_per_span")
            .unwrap();
        assert_eq!(allocs.verdict, Verdict::Regressed);
        assert!(allocs.note.contains("rustc"), "a changed compiler is shown beside the exact verdict: {}", allocs.note);
        assert_eq!(c.regressions, 1);
        assert!(c.timing_not_compared.as_deref().is_some_and(|n| n.contains("different machine")));
        // A run from before the fingerprint: timing is not compared either.
        let mut old = base.clone();
        old.environment.profile = None;
        let c = compare(&old, &base, &Thresholds::default(), ("b", "c"));
        assert!(c.rows.iter().filter(|r| r.metric == "cpu_ns_per_span").all(|r| r.verdict == Verdict::Incomparable));
    }

    #[test]
    fn new_and_missing_scenarios() {
        let base = fixture();
        let mut cur = base.clone();
        let gone = cur.scenarios.remove(0);
        let mut added = gone.clone();
        added.name = "brand-new".into();
        cur.scenarios.push(added);
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, &gone.name, gone.trace_state_entries, "allocs_per_span"), Verdict::Missing);
        assert_eq!(verdict(&c, "brand-new", gone.trace_state_entries, "allocs_per_span"), Verdict::New);
        assert_eq!(c.regressions, 0);
    }
}
