//! `spanalloc compare`: every scenario × trace-state × metric, baseline against current, with a
//! verdict. Which metrics ([`crate::metrics`]), whether two rows can be compared (`comparable`),
//! the rules that judge them ([`crate::rules`], each asked once per row and metric), and what a
//! user may loosen, with a reason ([`crate::thresholds`]).
//!
//! Counts of an exact row have no tolerance; counts that move between identical runs are gated
//! by the baseline's measured spread; timing counts only when both sides hold repeated samples
//! and a statistical test says the difference is real and large enough. Runs of different
//! workloads are `incomparable`, not regressed. A current run with failures never passes.

pub mod between;
pub mod releases;
pub mod sites;

mod comparable;

use serde::Serialize;

use crate::metrics::{self, Metric, METRICS};
use crate::rules::loosening;
use crate::rules::{self, Hidden, Judgement};
use crate::thresholds::Thresholds;
pub use crate::verdict::Verdict;
pub use comparable::NotCompared;
use comparable::{
    definition_difference, dropped_difference, length_difference, machine_difference, recording_difference, toolchain_change,
    workload_difference,
};
use spanalloc_record::schema::{Failure, Results, ScenarioResult};

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
    /// The verdict a loosening in thresholds.toml turned into `unchanged`, with its reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<Hidden>,
    /// For a count judged by a rule: the smallest change, in the metric's unit, the rule is sure
    /// to call a verdict on this row (the floor for an exact row; a moving row's band reach).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detectable: Option<f64>,
    /// Why it was not compared, for a row `incomparable`: what follows from it is decided from
    /// this, never from the words of `rule`.
    #[serde(skip)]
    pub not_compared: Option<NotCompared>,
}

/// A baseline row the comparison could not judge, and why. It fails the comparison — a gate is
/// green only for what it judged — unless it was left out of a subset the user asked for
/// (`--only-common`: rows the current run does not have).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unjudged {
    /// Scenario, as rows name it.
    pub scenario: String,
    /// Trace-state entries.
    pub trace_state_entries: usize,
    /// Why it was not judged.
    pub reason: String,
    /// Whether the current run lacks the row (the one case `--only-common` may leave out).
    pub absent: bool,
    /// Whether it fails the comparison.
    pub fails: bool,
    /// The machine that measured it tonight, when that was another than the one judged
    /// (`--machine`): it is judged against that machine's own baseline, and does not fail here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elsewhere: Option<String>,
}

/// How to rerun one failed or regressed row locally and judge it against the same baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reproduce {
    /// Scenario, as rows name it.
    pub scenario: String,
    /// Trace-state entries.
    pub trace_state_entries: usize,
    /// The baseline the row was judged against, as the comparison was given it.
    pub baseline: String,
    /// One shell command: the row measured alone, on the same workload, then compared.
    pub command: String,
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
    /// Changes a loosening in thresholds.toml turned into `unchanged` (counted there too).
    pub hidden: usize,
    /// The current run's failures: any makes the comparison fail.
    pub failures: usize,
    /// Baseline rows (scenario × trace state) that could not be judged: each fails.
    pub not_judged: usize,
    /// Baseline rows left out on purpose (`--only-common`): not in this run, not judged.
    pub left_out: usize,
    /// Baseline rows another machine measured tonight (`--machine`): judged against its own.
    pub elsewhere: usize,
    /// Rows (scenario × trace state) a side of which dropped spans: not judged (among
    /// `not_judged`), and failed.
    pub dropped: usize,
}

impl Summary {
    /// The counts of `rows`, beside the current run's failures.
    fn of(rows: &[Row], failures: usize, unjudged: &[Unjudged]) -> Summary {
        let count = |v: Verdict| rows.iter().filter(|r| r.verdict == v).count();
        let dropped: std::collections::HashSet<(&str, usize)> = rows
            .iter()
            .filter(|r| r.not_compared == Some(NotCompared::Dropped))
            .map(|r| (r.scenario.as_str(), r.trace_state_entries))
            .collect();
        Summary {
            regressed: count(Verdict::Regressed),
            improved: count(Verdict::Improved),
            unchanged: count(Verdict::Unchanged),
            noise: count(Verdict::Noise),
            new: count(Verdict::New),
            missing: count(Verdict::Missing),
            incomparable: count(Verdict::Incomparable),
            hidden: rows.iter().filter(|r| r.hidden.is_some()).count(),
            failures,
            not_judged: unjudged.iter().filter(|u| u.fails).count(),
            left_out: unjudged.iter().filter(|u| !u.fails && u.elsewhere.is_none()).count(),
            elsewhere: unjudged.iter().filter(|u| u.elsewhere.is_some()).count(),
            dropped: dropped.len(),
        }
    }

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
    /// The current run's failures, shown first: a run with any never passes.
    pub failures: Vec<Failure>,
    /// Baseline rows that were not judged, with why: shown right after the failures; each one
    /// that `fails` fails the comparison.
    pub unjudged: Vec<Unjudged>,
    /// For every regressed or unjudged row, the command that reruns it locally.
    pub reproduce: Vec<Reproduce>,
    /// Said when the baseline was saved although its run had failures (`--allow-failures`).
    pub baseline_note: Option<String>,
    /// Where the rules came from (the file and its version, or the built-in defaults), and what
    /// of it is not applied.
    pub thresholds: String,
    /// Whether only counts fail the comparison (`--fail-on exact`): timing is then shown as
    /// informational, and the verdict mark follows the counts alone.
    pub counts_gate_only: bool,
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

    /// Regressions of the counts (allocations and bytes), which do not depend on the machine.
    pub fn exact_regressions(&self) -> usize {
        let counts = metrics::count_names();
        self.rows.iter().filter(|r| r.verdict == Verdict::Regressed && counts.contains(&r.metric)).count()
    }

    /// The comparison of the counts only (`Some(true)`), of timing only (`Some(false)`), or of
    /// everything: the nightly judges counts against one baseline for every machine and timing
    /// against the machine's own. Failures are kept either way.
    pub fn restricted(mut self, counts: Option<bool>) -> Comparison {
        let Some(counts) = counts else { return self };
        let names = metrics::count_names();
        self.rows.retain(|r| names.contains(&r.metric) == counts);
        self.explanations.retain(|_| counts);
        self.summary = Summary::of(&self.rows, self.failures.len(), &self.unjudged);
        self.regressions = self.summary.regressed;
        if counts {
            self.timing_not_compared = None;
        }
        self
    }

    /// Whether the comparison fails: a failure of the current run, a baseline row it could not
    /// judge, or a regression — of any metric, or of the counts only with `counts_only` (a pull
    /// request's gate).
    pub fn fails(&self, counts_only: bool) -> bool {
        let regressions = if counts_only { self.exact_regressions() } else { self.regressions };
        regressions > 0 || !self.failures.is_empty() || self.unjudged.iter().any(|u| u.fails)
    }

    /// The comparison of a deliberate subset (`--only-common`): baseline rows this run does not
    /// have are left out — counted and named, not failed. A row that is here but could not be
    /// judged still fails.
    pub fn only_common(mut self) -> Comparison {
        for u in self.unjudged.iter_mut().filter(|u| u.absent) {
            u.fails = false;
        }
        self.summary = Summary::of(&self.rows, self.failures.len(), &self.unjudged);
        self
    }

    /// The comparison of one machine's rows of a merged night (`--machine`): a baseline row
    /// this machine did not measure tonight, but another did, is named with that machine and
    /// not failed — it is judged against that machine's own baseline. A row no machine measured
    /// tonight still fails.
    /// `elsewhere`: each such row's id ([`ScenarioResult::id`]), size and machine.
    pub fn measured_elsewhere(mut self, elsewhere: &[(String, usize, String)]) -> Comparison {
        for u in self.unjudged.iter_mut().filter(|u| u.absent) {
            let on = elsewhere.iter().find(|(id, ts, _)| *id == u.scenario && *ts == u.trace_state_entries);
            if let Some((_, _, machine)) = on {
                u.fails = false;
                u.reason = format!("measured on machine {machine} tonight: judged against that machine's own baseline");
                u.elsewhere = Some(machine.clone());
            }
        }
        // Rerunning such a row here would judge it on the wrong machine's baseline.
        self.reproduce.retain(|r| !elsewhere.iter().any(|(id, ts, _)| *id == r.scenario && *ts == r.trace_state_entries));
        self.summary = Summary::of(&self.rows, self.failures.len(), &self.unjudged);
        self
    }

    /// The comparison gated on its counts only (`--fail-on exact`): what it shows says so.
    pub fn gated_on_counts(mut self) -> Comparison {
        self.counts_gate_only = true;
        self
    }

    /// Whether it fails under its own gate.
    pub fn failed(&self) -> bool {
        self.fails(self.counts_gate_only)
    }
}

/// Compares `current` with `baseline` under `t`.
pub fn compare(baseline: &Results, current: &Results, t: &Thresholds, labels: (&str, &str)) -> Comparison {
    let mut rows = Vec::new();
    // Indexed by key, so that a comparison of many rows stays linear.
    let in_baseline: std::collections::HashMap<_, &ScenarioResult> = baseline.scenarios.iter().map(|s| (s.key(), s)).collect();
    let in_current: std::collections::HashSet<_> = current.scenarios.iter().map(ScenarioResult::key).collect();
    for cs in &current.scenarios {
        let bs = in_baseline.get(&cs.key()).copied();
        for m in METRICS {
            let row = match bs {
                None => row(cs, m, Judgement::new(None, Some((m.value)(cs)), Verdict::New, "only in this run".into())),
                Some(bs) => {
                    let why = length_difference(m, bs, cs)
                        .map(|w| (NotCompared::OtherLength, w))
                        .or_else(|| workload_difference(baseline, current, bs, cs).map(|w| (NotCompared::Workload, w)))
                        .or_else(|| dropped_difference(m, bs, cs).map(|w| (NotCompared::Dropped, w)))
                        .or_else(|| definition_difference(m, baseline, current).map(|w| (NotCompared::Definition, w)))
                        .or_else(|| recording_difference(m, bs, cs).map(|w| (NotCompared::Definition, w)))
                        .or_else(|| {
                            machine_difference(m, baseline.environment_of(bs), current.environment_of(cs))
                                .map(|w| (NotCompared::Machine, w))
                        });
                    match why {
                        Some((kind, why)) => {
                            let j = Judgement::new(Some((m.value)(bs)), Some((m.value)(cs)), Verdict::Incomparable, why);
                            Row { not_compared: Some(kind), ..row(cs, m, j) }
                        }
                        None => {
                            let judged = rules::judge(m, bs, cs, t);
                            let mut r = row(cs, m, loosening::apply(judged, &cs.id(), cs.trace_state_entries, m.name, t));
                            if let Some(change) = toolchain_change(m, baseline.environment_of(bs), current.environment_of(cs)) {
                                r.note = if r.note.is_empty() { change } else { format!("{}; {change}", r.note) };
                            }
                            r
                        }
                    }
                }
            };
            rows.push(row);
        }
    }
    let explanations = explanations(baseline, current, &rows);
    let mut unjudged = not_judged(&rows);
    for bs in baseline.scenarios.iter().filter(|b| !in_current.contains(&b.key())) {
        for m in METRICS {
            rows.push(row(bs, m, Judgement::new(Some((m.value)(bs)), None, Verdict::Missing, "only in the baseline".into())));
        }
        unjudged.push(Unjudged {
            scenario: bs.id(),
            trace_state_entries: bs.trace_state_entries,
            reason: absence(bs, current),
            absent: true,
            fails: true,
            elsewhere: None,
        });
    }
    let timing_metric = METRICS.iter().find(|m| !m.is_count()).expect("a timing metric");
    let reproduce = reproductions(baseline, current, &rows, &unjudged, labels.0);
    // After the rerun commands: the benchmarks are no row `run --scenario` could rerun.
    unjudged.extend(benchmarks_lost(baseline, current));
    let summary = Summary::of(&rows, current.failures.len(), &unjudged);
    let baseline_note = baseline.saved_with_failures.then(|| {
        format!(
            "the baseline {} was saved with {} failure(s) (--allow-failures): its rows may not be the same work",
            labels.0,
            baseline.failures.len()
        )
    });
    let mut thresholds = t.source.clone();
    for n in &t.not_applied {
        thresholds.push_str(&format!("; {n}"));
    }
    Comparison {
        baseline: labels.0.to_owned(),
        current: labels.1.to_owned(),
        summary,
        regressions: summary.regressed,
        timing_not_compared: machine_difference(timing_metric, &baseline.environment, &current.environment),
        rows,
        explanations,
        failures: current.failures.clone(),
        unjudged,
        reproduce,
        baseline_note,
        thresholds,
        counts_gate_only: false,
    }
}

/// The name the article's receiver benchmarks are listed under when they are not judged.
pub const GO_BENCHMEM: &str = "go-article-benchmem";

/// The article's receiver benchmarks (schema 18) the baseline has and this run lacks, each a
/// failure: a night that ran the Go rows without them measured less than its baseline.
fn benchmarks_lost(baseline: &Results, current: &Results) -> Vec<Unjudged> {
    let Some(b) = &baseline.go_benchmem else { return Vec::new() };
    let have: Vec<&str> = current.go_benchmem.iter().flat_map(|c| c.benchmarks.iter().map(|x| x.name.as_str())).collect();
    b.benchmarks
        .iter()
        .filter(|x| !have.contains(&x.name.as_str()))
        .map(|x| Unjudged {
            scenario: format!("{GO_BENCHMEM} {}", x.name),
            trace_state_entries: 0,
            reason: format!(
                "not measured: the article's benchmark {} (go test -benchmem, `run --go`) is in the baseline, not in this run",
                x.name
            ),
            absent: true,
            fails: true,
            elsewhere: None,
        })
        .collect()
}

/// Rows here on both sides that no rule could judge: the first reason per scenario × trace state.
/// Timing on another machine is not among them (timing is judged per machine, by design).
fn not_judged(rows: &[Row]) -> Vec<Unjudged> {
    let mut out: Vec<Unjudged> = Vec::new();
    for r in rows {
        if !r.not_compared.is_some_and(NotCompared::unjudged) {
            continue;
        }
        if out.iter().any(|u| u.scenario == r.scenario && u.trace_state_entries == r.trace_state_entries) {
            continue;
        }
        out.push(Unjudged {
            scenario: r.scenario.clone(),
            trace_state_entries: r.trace_state_entries,
            reason: format!("{}: {}", r.metric, r.rule),
            absent: false,
            fails: true,
            elsewhere: None,
        });
    }
    out
}

/// The rerun command of every scenario × trace state that regressed or was not judged, in the
/// order they are listed: measured alone on the judged run's workload (the baseline's, for a row
/// the run lacks), then compared with the same baseline, the rest of it left out on purpose.
fn reproductions(baseline: &Results, current: &Results, rows: &[Row], unjudged: &[Unjudged], label: &str) -> Vec<Reproduce> {
    let regressed = rows.iter().filter(|r| r.verdict == Verdict::Regressed).map(|r| (r.scenario.as_str(), r.trace_state_entries));
    let mut wanted: Vec<(&str, usize)> = Vec::new();
    for key in unjudged.iter().map(|u| (u.scenario.as_str(), u.trace_state_entries)).chain(regressed) {
        if !wanted.contains(&key) {
            wanted.push(key);
        }
    }
    let find = |r: &'_ Results, (id, ts): (&str, usize)| {
        r.scenarios.iter().find(|s| s.id() == id && s.trace_state_entries == ts).map(|s| (s.clone(), r.config.clone()))
    };
    let quoted = |s: &str| {
        if s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./@=".contains(c)) {
            s.to_owned()
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    wanted
        .into_iter()
        .filter_map(|key| find(current, key).or_else(|| find(baseline, key)))
        .map(|(s, c)| {
            let mut run = format!(
                "spanalloc run --scenario {} --trace-state {} --spans {} --rate {} --repeat {} --seed {}",
                quoted(&s.name),
                s.trace_state_entries,
                s.spans,
                c.rate,
                c.repeat,
                c.seed
            );
            if s.producers != 1 {
                run.push_str(&format!(" --producers {}", s.producers));
            }
            if s.allocator != "system" {
                run.push_str(&format!(" --allocator {}", quoted(&s.allocator)));
            }
            if s.language == "go" {
                run.push_str(" --go");
            }
            Reproduce {
                scenario: s.id(),
                trace_state_entries: s.trace_state_entries,
                baseline: label.to_owned(),
                command: format!(
                    "{run} --out reports/repro && spanalloc compare {} reports/repro/results.json --only-common",
                    quoted(label)
                ),
            }
        })
        .collect()
}

/// Why the baseline row `bs` is not in `current`: re-keyed (the same scenario and size measured
/// over another allocator), or absent.
fn absence(bs: &ScenarioResult, current: &Results) -> String {
    let lost = current.failures.iter().find(|f| {
        f.kind == spanalloc_record::schema::FailureKind::ShardLost
            && f.name == bs.name
            && f.trace_state_entries == bs.trace_state_entries
    });
    if let Some(f) = lost {
        return f.error.clone();
    }
    let same = current.scenarios.iter().find(|c| c.name == bs.name && c.trace_state_entries == bs.trace_state_entries);
    match same {
        Some(c) => format!("re-keyed: measured over allocator {} in the baseline, {} in this run", bs.allocator, c.allocator),
        None => "not in this run (only in the baseline)".into(),
    }
}

/// The sites behind every exact change: a row whose allocations or bytes (per span or in total)
/// regressed or improved, explained from both sides' dhat sites, largest row change first.
fn explanations<'a>(baseline: &'a Results, current: &'a Results, rows: &[Row]) -> Vec<sites::Explanation> {
    let counts = metrics::count_names();
    // A change a loosening hid is explained too: it is named, so where it happened is worth showing.
    let changed_verdict = |r: &Row| r.hidden.as_ref().map_or(r.verdict, |h| h.verdict);
    let mut changed: Vec<&Row> = rows
        .iter()
        .filter(|r| counts.contains(&r.metric) && matches!(changed_verdict(r), Verdict::Regressed | Verdict::Improved))
        .collect();
    changed.sort_by(|a, b| b.change_pct.unwrap_or(f64::INFINITY).abs().total_cmp(&a.change_pct.unwrap_or(f64::INFINITY).abs()));
    let by_id = |res: &'a Results| -> std::collections::HashMap<(String, usize), &'a ScenarioResult> {
        res.scenarios.iter().map(|s| ((s.id(), s.trace_state_entries), s)).collect()
    };
    let (before, after) = (by_id(baseline), by_id(current));
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<sites::Explanation> = Vec::new();
    for r in changed {
        let key = (r.scenario.clone(), r.trace_state_entries);
        if !seen.insert(key.clone()) {
            continue;
        }
        let (Some(bs), Some(cs)) = (before.get(&key), after.get(&key)) else { continue };
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

/// The row of `m` on `s`, as a rule (or the walk, for a row not judged) decided it.
fn row(s: &ScenarioResult, m: &Metric, j: Judgement) -> Row {
    let change_pct = j.change_pct();
    Row {
        scenario: s.id(),
        allocator: s.allocator.clone(),
        trace_state_entries: s.trace_state_entries,
        metric: m.name,
        unit: m.unit,
        baseline: j.baseline,
        current: j.current,
        change_pct,
        verdict: j.verdict,
        rule: j.rule,
        note: String::new(),
        hidden: j.hidden,
        detectable: j.detectable,
        not_compared: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spanalloc_record::input::parse_results;

    /// The schema-1 fixture, given the fingerprint later runs record, so that timing compares.
    fn fixture() -> Results {
        let mut r =
            parse_results(include_bytes!("../../../record/tests/fixtures/results-v1.json")).expect("the fixture is valid");
        r.environment.profile = Some("release".into());
        r
    }

    fn verdict(c: &Comparison, scenario: &str, ts: usize, metric: &str) -> Verdict {
        c.rows.iter().find(|r| r.scenario == scenario && r.trace_state_entries == ts && r.metric == metric).expect("row").verdict
    }

    #[test]
    fn the_article_benchmarks_a_baseline_has_and_a_run_lacks_fail() {
        use spanalloc_record::schema::{GoBenchSample, GoBenchmark, GoBenchmem};
        let sample = GoBenchSample { ns_per_op: 30.0, bytes_per_op: 32, allocs_per_op: 1 };
        let bench = |name: &str| GoBenchmark { name: name.into(), samples: vec![sample; 5] };
        let mut base = fixture();
        base.go_benchmem = Some(GoBenchmem {
            go: "go version go1.19.8 linux/amd64".into(),
            package: "scenarios/go-twin/article".into(),
            benchtime: "200000x".into(),
            benchmarks: vec![bench("PointerReceiver"), bench("ValueReceiver")],
        });
        let c = compare(&base, &base, &Thresholds::default(), ("b", "c"));
        assert!(c.unjudged.is_empty(), "{:?}", c.unjudged);
        let mut one = base.clone();
        one.go_benchmem.as_mut().unwrap().benchmarks.pop();
        for (current, lost) in [
            (one, vec!["go-article-benchmem ValueReceiver"]),
            (fixture(), vec!["go-article-benchmem PointerReceiver", "go-article-benchmem ValueReceiver"]),
        ] {
            let c = compare(&base, &current, &Thresholds::default(), ("b", "c"));
            let named: Vec<&str> = c.unjudged.iter().filter(|u| u.fails).map(|u| u.scenario.as_str()).collect();
            assert_eq!(named, lost);
            assert!(c.unjudged.iter().all(|u| u.reason.starts_with("not measured")));
            assert!(c.fails(true), "a lost benchmark fails the comparison, counts-only gate too");
        }
        // A run with them against a baseline without: nothing to lose.
        assert!(compare(&fixture(), &base, &Thresholds::default(), ("b", "c")).unjudged.is_empty());
    }

    #[test]
    fn a_run_against_itself_regresses_nothing() {
        let r = fixture();
        let c = compare(&r, &r, &Thresholds::default(), ("a", "a"));
        assert_eq!(c.regressions, 0);
        assert!(c.rows.iter().all(|r| matches!(r.verdict, Verdict::Unchanged | Verdict::Noise)), "{:?}", c.rows);
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

    fn index(r: &Results, name: &str, ts: usize) -> usize {
        r.scenarios.iter().position(|s| s.name == name && s.trace_state_entries == ts).expect("row")
    }

    /// Adds `allocs` allocations and `bytes` bytes in total to a row, per-span figures to match.
    /// `allocs` more allocations (each freed again, as a pipeline's are) and `bytes` more bytes.
    fn add(r: &mut Results, i: usize, allocs: i64, bytes: i64) {
        let s = &mut r.scenarios[i];
        s.metrics.allocs = (s.metrics.allocs as i64 + allocs) as u64;
        s.metrics.deallocs = (s.metrics.deallocs as i64 + allocs) as u64;
        s.metrics.bytes_allocated = (s.metrics.bytes_allocated as i64 + bytes) as u64;
        s.metrics.allocs_per_span = s.metrics.allocs as f64 / s.spans as f64;
        s.metrics.bytes_per_span = s.metrics.bytes_allocated as f64 / s.spans as f64;
    }

    fn verdicts(c: &Comparison, scenario: &str, ts: usize) -> [Verdict; 4] {
        ["allocs_per_span", "allocs", "bytes_per_span", "bytes_allocated"].map(|m| verdict(c, scenario, ts, m))
    }

    /// One more allocation per span on a row of 201 is a regression, as on a row of 2: no
    /// relative tolerance.
    #[test]
    fn one_allocation_per_span_more_regresses_a_heavy_row() {
        let mut base = fixture();
        let i = index(&base, "value-copy", 4);
        let spans = base.scenarios[i].spans as i64;
        // value-copy at trace-state 32: 201 allocations and 7,125 B per span.
        let (a, b) = (base.scenarios[i].metrics.allocs as i64, base.scenarios[i].metrics.bytes_allocated as i64);
        add(&mut base, i, 201 * spans - a, 7125 * spans - b);
        let mut cur = base.clone();
        add(&mut cur, i, spans, 32 * spans);
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdicts(&c, "value-copy", 4), [Verdict::Regressed; 4], "{:#?}", c.rows);
        assert!(c.fails(true), "--fail-on exact fails on it");
        let r = c.rows.iter().find(|r| r.scenario == "value-copy" && r.trace_state_entries == 4 && r.metric == "allocs").unwrap();
        assert_eq!(
            r.rule,
            format!("exact: +{spans} allocations over {spans} spans, at or beyond the floor of 26 (1 allocation per 100 spans)")
        );
    }

    /// With equal span counts the totals decide, as integers: one allocation per 100 spans is a
    /// verdict, one fewer is not; one byte per span likewise.
    #[test]
    fn one_allocation_per_100_spans_is_a_verdict() {
        let base = fixture();
        let i = index(&base, "pointer-passing", 4);
        let spans = base.scenarios[i].spans as i64;
        assert_eq!(spans, 2600);
        let judged = |allocs: i64, bytes: i64| {
            let mut cur = base.clone();
            add(&mut cur, i, allocs, bytes);
            verdicts(&compare(&base, &cur, &Thresholds::default(), ("b", "c")), "pointer-passing", 4)
        };
        use Verdict::{Improved, Regressed, Unchanged};
        assert_eq!(judged(26, 0), [Regressed, Regressed, Unchanged, Unchanged]);
        assert_eq!(judged(25, 0), [Unchanged; 4]);
        assert_eq!(judged(0, 2600), [Unchanged, Unchanged, Regressed, Regressed]);
        assert_eq!(judged(0, 2599), [Unchanged; 4]);
        assert_eq!(judged(-26, -2600), [Improved; 4]);
        // Pooled allocates nothing: one allocation per 100 spans is still one.
        let p = index(&base, "pooled", 4);
        let mut cur = base.clone();
        add(&mut cur, p, 26, 26 * 16);
        assert_eq!(verdict(&compare(&base, &cur, &Thresholds::default(), ("b", "c")), "pooled", 4, "allocs"), Regressed);
    }

    /// Across span counts, per-span figures: the same floor, on per-span values.
    #[test]
    fn across_span_counts_the_floor_is_per_span() {
        let base = fixture();
        let i = index(&base, "pointer-passing", 4);
        let mut cur = base.clone();
        cur.scenarios[i].spans *= 10;
        cur.scenarios[i].metrics.allocs *= 10;
        cur.scenarios[i].metrics.bytes_allocated *= 10;
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, "pointer-passing", 4, "allocs_per_span"), Verdict::Unchanged);
        assert_eq!(verdict(&c, "pointer-passing", 4, "allocs"), Verdict::Incomparable, "totals of other lengths");
        cur.scenarios[i].metrics.allocs_per_span += 0.01;
        cur.scenarios[i].metrics.bytes_per_span += 0.9;
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, "pointer-passing", 4, "allocs_per_span"), Verdict::Regressed);
        assert_eq!(verdict(&c, "pointer-passing", 4, "bytes_per_span"), Verdict::Unchanged, "under 1 B per span");
    }

    /// A judged file cannot widen its own gate: a stated tolerance, or calling itself inexact,
    /// changes nothing.
    #[test]
    fn a_current_file_cannot_widen_its_gate() {
        let base = fixture();
        let i = index(&base, "value-copy", 4);
        let mut cur = base.clone();
        let three_times = 3 * cur.scenarios[i].metrics.allocs as i64;
        add(&mut cur, i, three_times, 0);
        cur.scenarios[i].counts_tolerance_pct = Some(1e9);
        cur.scenarios[i].exact_counts = false;
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, "value-copy", 4, "allocs_per_span"), Verdict::Regressed);
        // A baseline stating a tolerance does not widen it either.
        let mut base2 = base.clone();
        base2.scenarios[i].counts_tolerance_pct = Some(1e9);
        let c = compare(&base2, &cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, "value-copy", 4, "allocs_per_span"), Verdict::Regressed);
    }

    /// A row whose counts move: gated by the spread of the baseline's repeats, with the exact
    /// floor beneath; not gated without repeats, and said so.
    #[test]
    fn a_moving_row_is_gated_by_its_baselines_spread() {
        let mut base = fixture();
        let i = index(&base, "atomic-swap", 4);
        let spans = base.scenarios[i].spans;
        let a = base.scenarios[i].metrics.allocs;
        let b = base.scenarios[i].metrics.bytes_allocated;
        {
            let s = &mut base.scenarios[i];
            s.exact_counts = false;
            s.samples.allocs = vec![a, a + 3, a + 1, a + 2, a + 3];
            s.samples.bytes_allocated = vec![b, b + 96, b, b + 96, b];
        }
        let run = |base: &Results, allocs: u64, bytes: u64| {
            let mut cur = base.clone();
            let s = &mut cur.scenarios[i];
            s.samples.allocs = vec![allocs];
            s.samples.bytes_allocated = vec![bytes];
            s.metrics.allocs = allocs;
            s.metrics.bytes_allocated = bytes;
            s.metrics.allocs_per_span = allocs as f64 / spans as f64;
            s.metrics.bytes_per_span = bytes as f64 / spans as f64;
            compare(base, &cur, &Thresholds::default(), ("b", "c"))
        };
        assert_eq!(verdicts(&run(&base, a + 2, b + 96), "atomic-swap", 4), [Verdict::Unchanged; 4]);
        // Outside the band but under half the floor (13 of 26 over 2,600 spans): unchanged.
        let r = run(&base, a + 2 + 12, b);
        assert_eq!(verdict(&r, "atomic-swap", 4, "allocs"), Verdict::Unchanged, "{:#?}", r.rows);
        // +26 allocations over 2,600 spans: outside the band, at the floor.
        let c = run(&base, a + 2 + 26, b);
        assert_eq!(verdict(&c, "atomic-swap", 4, "allocs_per_span"), Verdict::Regressed, "{:#?}", c.rows);
        assert!(c.rows.iter().any(|r| r.rule.starts_with("spread: outside the baseline's 5 repeats")));
        // A spread wider than the floor: within it is unchanged, beyond it regressed.
        base.scenarios[i].samples.allocs = vec![a, a + 100, a + 50, a + 20, a + 80];
        assert_eq!(verdict(&run(&base, a + 190, b), "atomic-swap", 4, "allocs"), Verdict::Unchanged, "within max + range");
        assert_eq!(verdict(&run(&base, a + 230, b), "atomic-swap", 4, "allocs"), Verdict::Regressed);
        // Without five repeats in the baseline: not gated, and the row says why.
        base.scenarios[i].samples.allocs.truncate(1);
        let c = run(&base, a + 5000, b);
        let r =
            c.rows.iter().find(|r| r.scenario == "atomic-swap" && r.trace_state_entries == 4 && r.metric == "allocs").unwrap();
        assert_eq!(r.verdict, Verdict::Noise);
        assert!(r.rule.starts_with("not gated: needs repeats"), "{}", r.rule);
    }

    /// A row whose number of exports follows its threads' timing (opentelemetry_sdk 0.28): a
    /// cascade of small exports in most passes is no change once each batch's declared cost is
    /// taken off; a change in the work per span still is; and a cost only one file declares is
    /// not used — the counts are judged as measured.
    #[test]
    fn a_row_with_a_cost_per_export_is_judged_net_of_it() {
        let mut base = fixture();
        let i = index(&base, "atomic-swap", 4);
        let (a, b) = (base.scenarios[i].metrics.allocs, base.scenarios[i].metrics.bytes_allocated);
        let cost = spanalloc_record::schema::PerExport { allocs: 2, bytes: 24, why: "split_off and a boxed future".into() };
        // Allocations and bytes of passes with these batches, one or two allocations of noise.
        let passes = |batches: &[u64], extra: u64| -> (Vec<u64>, Vec<u64>) {
            let allocs = batches.iter().enumerate().map(|(k, n)| a + extra + 2 * n + (k as u64 % 2)).collect();
            (allocs, batches.iter().map(|n| b + 24 * n).collect())
        };
        let set = |r: &mut Results, batches: &[u64], extra: u64, cost: Option<&spanalloc_record::schema::PerExport>| {
            let (allocs, bytes) = passes(batches, extra);
            let s = &mut r.scenarios[i];
            s.exact_counts = false;
            s.per_export = cost.cloned();
            s.metrics.allocs = allocs[0];
            s.metrics.bytes_allocated = bytes[0];
            s.metrics.allocs_per_span = allocs[0] as f64 / s.spans as f64;
            s.metrics.bytes_per_span = bytes[0] as f64 / s.spans as f64;
            s.samples.allocs = allocs;
            s.samples.bytes_allocated = bytes;
            s.samples.export_batches = batches.to_vec();
        };
        set(&mut base, &[5, 5, 6, 5, 5], 0, Some(&cost));
        let cascades = [90, 120, 5, 100, 70];
        let run = |extra: u64, cost: Option<&spanalloc_record::schema::PerExport>| {
            let mut cur = base.clone();
            set(&mut cur, &cascades, extra, cost);
            compare(&base, &cur, &Thresholds::default(), ("b", "c"))
        };
        let c = run(0, Some(&cost));
        assert_eq!(verdicts(&c, "atomic-swap", 4), [Verdict::Unchanged; 4], "{:#?}", c.rows);
        assert!(c
            .rows
            .iter()
            .any(|r| r.rule.contains("net of 2 allocations per export batch (5–6 batches in the baseline's passes, 5–120 now")));
        // One allocation per 100 spans more, under the same cascades: regressed.
        let spans = base.scenarios[i].spans;
        let c = run(spans.div_ceil(100), Some(&cost));
        assert_eq!(verdict(&c, "atomic-swap", 4, "allocs"), Verdict::Regressed, "{:#?}", c.rows);
        // The current file alone cannot claim the cost, nor drop it: the counts as measured.
        let c = run(0, None);
        assert_eq!(verdict(&c, "atomic-swap", 4, "allocs"), Verdict::Regressed, "{:#?}", c.rows);
        assert!(c.rows.iter().any(|r| r
            .rule
            .ends_with("as measured: the two files do not declare the same cost per export, with every pass's batches")));
        let c = run(0, Some(&spanalloc_record::schema::PerExport { allocs: 3, ..cost.clone() }));
        assert_eq!(verdict(&c, "atomic-swap", 4, "allocs"), Verdict::Regressed, "{:#?}", c.rows);
    }

    /// The batches a file states are judged as what they are: exports per span is gated (every
    /// export of an exact row; a moving row by its baseline's spread), and a file cannot lower
    /// its allocations by batches its counts do not bear out.
    #[test]
    fn exports_are_judged_and_cannot_excuse_allocations() {
        let mut base = fixture();
        let i = index(&base, "atomic-swap", 4);
        let (a, b) = (base.scenarios[i].metrics.allocs, base.scenarios[i].metrics.bytes_allocated);
        let spans = base.scenarios[i].spans;
        // An exact row: one export more is a verdict.
        base.scenarios[i].samples.allocs = vec![a; 5];
        base.scenarios[i].samples.export_batches = vec![6; 5];
        let mut cur = base.clone();
        cur.scenarios[i].samples.export_batches.iter_mut().for_each(|n| *n += 1);
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, "atomic-swap", 4, "exports_per_span"), Verdict::Regressed, "{:#?}", c.rows);
        assert_eq!(c.regressions, 1);
        // Recorded on one side only: not judged, and that fails.
        let mut blind = base.clone();
        blind.scenarios[i].samples.export_batches.clear();
        let c = compare(&base, &blind, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, "atomic-swap", 4, "exports_per_span"), Verdict::Incomparable);
        assert!(
            c.failed() && c.unjudged.iter().any(|u| u.reason.contains("exports recorded on one side only")),
            "{:?}",
            c.unjudged
        );
        // A moving row with a cost per export of 2 allocations.
        let cost = spanalloc_record::schema::PerExport { allocs: 2, bytes: 0, why: "a test".into() };
        let set = |r: &mut Results, allocs: Vec<u64>, batches: Vec<u64>| {
            let s = &mut r.scenarios[i];
            s.exact_counts = false;
            s.per_export = Some(cost.clone());
            s.metrics.allocs = allocs[0];
            s.metrics.allocs_per_span = allocs[0] as f64 / spans as f64;
            s.samples.bytes_allocated = vec![b; allocs.len()];
            s.samples.export_batches = batches;
            s.samples.allocs = allocs;
        };
        let real = [5u64, 5, 6, 5, 5];
        set(&mut base, real.iter().map(|n| a + 2 * n).collect(), real.to_vec());
        // 13 exports more in every pass, each with its declared cost: the same work net. A row
        // that declares its exports follow its threads' timing has them shown, not gated — what
        // no file check can tell from a file that claims them (said in docs/baselines.md).
        let mut cur = base.clone();
        let extra = spans.div_ceil(100);
        set(&mut cur, real.iter().map(|n| a + extra + 2 * n).collect(), real.iter().map(|n| n + extra / 2).collect());
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, "atomic-swap", 4, "allocs"), Verdict::Unchanged, "{:#?}", c.rows);
        assert_eq!(verdict(&c, "atomic-swap", 4, "exports_per_span"), Verdict::Noise, "{:#?}", c.rows);
        // The same exports on a moving row that declares no cost: its exports are gated, and its
        // allocations judged as measured.
        let (mut plain_base, mut plain_cur) = (base.clone(), cur.clone());
        plain_base.scenarios[i].per_export = None;
        plain_cur.scenarios[i].per_export = None;
        let c = compare(&plain_base, &plain_cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, "atomic-swap", 4, "exports_per_span"), Verdict::Regressed, "{:#?}", c.rows);
        assert_eq!(verdict(&c, "atomic-swap", 4, "allocs"), Verdict::Regressed, "{:#?}", c.rows);
        // Batches its allocations do not bear out (one pass claims 200): judged as measured.
        let mut cur = base.clone();
        set(&mut cur, real.iter().map(|n| a + extra + 2 * n).collect(), vec![5, 5, 6, 5, 200]);
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, "atomic-swap", 4, "allocs"), Verdict::Regressed, "{:#?}", c.rows);
        let r =
            c.rows.iter().find(|r| r.scenario == "atomic-swap" && r.trace_state_entries == 4 && r.metric == "allocs").unwrap();
        assert!(r.rule.contains("as measured: this run's batches do not explain its allocations"), "{}", r.rule);
    }

    /// A row whose bytes have modes (fastrace: its collector's timer cuts the batches its buffers
    /// grow to) is gated with both modes named: a baseline whose five repeats all fell in one mode
    /// does not fail a night in the other, when both files name the same spread; a file alone
    /// cannot; and an allocation per span more is still caught.
    #[test]
    fn bytes_with_modes_are_gated_with_both_named() {
        let mut base = fixture();
        let i = index(&base, "atomic-swap", 4);
        let (a, b, spans) =
            (base.scenarios[i].metrics.allocs, base.scenarios[i].metrics.bytes_allocated, base.scenarios[i].spans);
        let modes = spanalloc_record::schema::BytesModes { spread_per_span: 3.3, why: "a test".into() };
        let set = |r: &mut Results, allocs: u64, bytes: u64, modes: Option<&spanalloc_record::schema::BytesModes>| {
            let s = &mut r.scenarios[i];
            s.exact_counts = false;
            s.bytes_modes = modes.cloned();
            s.metrics.allocs = allocs;
            s.metrics.bytes_allocated = bytes;
            s.metrics.allocs_per_span = allocs as f64 / spans as f64;
            s.metrics.bytes_per_span = bytes as f64 / spans as f64;
            s.samples.allocs = vec![allocs; 5];
            s.samples.bytes_allocated = vec![bytes; 5];
        };
        set(&mut base, a, b, Some(&modes));
        // The other mode: 1.82 B per span more in every pass.
        let other = b + (1.82 * spans as f64) as u64;
        let run = |allocs: u64, bytes: u64, m: Option<&spanalloc_record::schema::BytesModes>| {
            let mut cur = base.clone();
            set(&mut cur, allocs, bytes, m);
            compare(&base, &cur, &Thresholds::default(), ("b", "c"))
        };
        let c = run(a, other, Some(&modes));
        assert_eq!(verdicts(&c, "atomic-swap", 4), [Verdict::Unchanged; 4], "{:#?}", c.rows);
        let r = c
            .rows
            .iter()
            .find(|r| r.scenario == "atomic-swap" && r.trace_state_entries == 4 && r.metric == "bytes_per_span")
            .unwrap();
        assert!(r.rule.contains("its bytes have modes (a test): the band reaches 3.3 B per span either side"), "{}", r.rule);
        assert!(r.rule.contains("wider than the floor"), "{}", r.rule);
        // Beyond the modes' reach and half the floor: regressed.
        let c = run(a, b + (3.9 * spans as f64) as u64, Some(&modes));
        assert_eq!(verdict(&c, "atomic-swap", 4, "bytes_per_span"), Verdict::Regressed);
        // A current file alone cannot name modes the baseline does not.
        let mut plain = base.clone();
        plain.scenarios[i].bytes_modes = None;
        let mut cur = base.clone();
        set(&mut cur, a, other, Some(&modes));
        let c = compare(&plain, &cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdict(&c, "atomic-swap", 4, "bytes_per_span"), Verdict::Regressed);
        // One allocation per span more, in the same mode: caught.
        let c = run(a + spans, b, Some(&modes));
        assert_eq!(verdict(&c, "atomic-swap", 4, "allocs_per_span"), Verdict::Regressed);
    }

    /// A moving row's band says how far it reaches: the smallest change sure to be a verdict is
    /// on every judged count, and a band wider than the floor says so in its rule.
    #[test]
    fn a_band_wider_than_the_floor_is_said() {
        let mut base = fixture();
        let i = index(&base, "atomic-swap", 4);
        let (a, spans) = (base.scenarios[i].metrics.allocs, base.scenarios[i].spans);
        base.scenarios[i].exact_counts = false;
        let row = |c: &Comparison| {
            c.rows
                .iter()
                .find(|r| r.scenario == "atomic-swap" && r.trace_state_entries == 4 && r.metric == "allocs")
                .unwrap()
                .clone()
        };
        // Within the floor (26 over 2,600 spans): repeats 3 apart reach 3 + 1 beyond the median;
        // half the floor, 13, is what decides.
        base.scenarios[i].samples.allocs = vec![a, a + 3, a + 1, a + 2, a + 3];
        let r = row(&compare(&base, &base, &Thresholds::default(), ("b", "c")));
        assert_eq!(r.detectable, Some(13.0));
        assert!(!r.rule.contains("wider than the floor"), "{}", r.rule);
        // Repeats 100 apart: a band reaching 150 beyond the median, said on the row.
        base.scenarios[i].samples.allocs = vec![a, a + 100, a + 50, a + 20, a + 80];
        let r = row(&compare(&base, &base, &Thresholds::default(), ("b", "c")));
        assert_eq!(r.detectable, Some(150.0));
        assert!(
            r.rule.contains("smallest detectable change 150, wider than the floor: this row's identical runs spread 100"),
            "{}",
            r.rule
        );
        // An exact row's detectable change is its floor.
        let exact = fixture();
        let r = row(&compare(&exact, &exact, &Thresholds::default(), ("b", "c")));
        assert_eq!(r.detectable, Some(spans.div_ceil(100) as f64));
    }

    /// A loosening in thresholds.toml lets a change through only within its tolerance, and the
    /// comparison names what it hid.
    #[test]
    fn a_loosening_hides_nothing_silently() {
        let base = fixture();
        let i = index(&base, "pointer-passing", 4);
        let mut cur = base.clone();
        add(&mut cur, i, 52, 0);
        let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports/thresholds.toml"))
            .unwrap()
            + "\n[[loosen]]\nscenario = \"pointer-passing\"\nmetrics = [\"allocs_per_span\", \"allocs\"]\ntolerance_pct = 1\nreason = \"a planted change, for this test\"\n";
        let t = Thresholds::parse(&text).unwrap();
        let c = compare(&base, &cur, &t, ("b", "c"));
        assert_eq!(verdict(&c, "pointer-passing", 4, "allocs_per_span"), Verdict::Unchanged);
        assert_eq!(c.summary.hidden, 2);
        let r = c
            .rows
            .iter()
            .find(|r| r.scenario == "pointer-passing" && r.trace_state_entries == 4 && r.metric == "allocs")
            .unwrap();
        let h = r.hidden.as_ref().expect("named as hidden");
        assert_eq!(h.verdict, Verdict::Regressed);
        assert!(r.rule.contains("a planted change, for this test"), "{}", r.rule);
        assert!(!c.fails(false));
        // Beyond the tolerance it regresses as before.
        add(&mut cur, i, 52, 0);
        assert!(compare(&base, &cur, &t, ("b", "c")).fails(true));
    }

    #[test]
    fn a_failed_run_never_passes() {
        let base = fixture();
        let mut cur = base.clone();
        cur.failures.push(spanalloc_record::schema::Failure {
            name: "pooled".into(),
            trace_state_entries: 4,
            kind: spanalloc_record::schema::FailureKind::Crash,
            pass: "count".into(),
            error: "count pass exited with signal: 11 (SIGSEGV)".into(),
            stderr_tail: String::new(),
        });
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(c.regressions, 0);
        assert!(c.fails(true) && c.fails(false));
        assert_eq!(c.summary.failures, 1);
    }

    /// A row that dropped spans did other work: its counts are not judged, and that fails.
    #[test]
    fn dropped_spans_are_not_judged_and_fail() {
        let base = fixture();
        let i = index(&base, "atomic-swap", 4);
        let mut cur = base.clone();
        cur.scenarios[i].dropped_spans = 100;
        add(&mut cur, i, -500, -5000);
        let c = compare(&base, &cur, &Thresholds::default(), ("b", "c"));
        assert_eq!(verdicts(&c, "atomic-swap", 4), [Verdict::Incomparable; 4]);
        assert!(c.rows.iter().any(|r| r.rule.contains("this run dropped 100 spans")));
        assert_eq!((c.summary.not_judged, c.summary.dropped), (1, 1));
        assert!(c.fails(true) && c.fails(false), "a row not judged fails the verdict");
    }

    /// Peak heap is scheduling-dependent: the noisy rule over the count passes' samples, and
    /// the change must also pass the percentage and the absolute floor.
    #[test]
    fn peak_heap_is_judged_from_repeats_beyond_percentage_and_floor() {
        let mut base = fixture();
        base.schema_version = spanalloc_record::schema::SCHEMA_VERSION;
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
        cur.schema_version = spanalloc_record::schema::SCHEMA_VERSION;
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
        let spans = cur.scenarios[i].spans as i64;
        add(&mut cur, i, spans, 0);
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
        assert_eq!(c.regressions, 2, "allocs/span and allocs");
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
