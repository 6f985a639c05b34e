//! When did it change: change points over the nightly history, per series — one scenario × size ×
//! metric, on one machine for machine figures (CPU, latency, RSS: per fingerprint id) and under
//! one counts key for what the code alone decides (allocations, bytes, peak heap).
//!
//! Exact counts (a row whose counts repeat exactly) change wherever they step: every step is a
//! change point. Every other series is analysed as Apache Otava analyses one by default
//! ([`edivisive`]). Each change point is reported with the first run after it, the commits it
//! lies between, the medians of the pieces either side, its size and its p-value.

pub mod edivisive;
pub mod synthetic;

use serde::Serialize;

use spanalloc_record::history::HistoryEntry;
use spanalloc_record::stats::median;

/// The night-to-night spread of a night's CPU ns/span, relative (one standard deviation over the
/// mean): the median over the twelve built-in rows × sizes of a real 14-night history made on
/// this project's 2-core machine (`scripts/real-history.sh 14`, kept as
/// `tests/fixtures/history-real.jsonl`); the rows ranged from 0.096 to 0.249.
pub const NOISE_CPU: f64 = 0.130;
/// The same for a night's peak heap (the rows: 0 to 0.036).
pub const NOISE_HEAP: f64 = 0.012;
/// The same for a night's instructions per span (`run --instructions`): the median over 32 rows ×
/// sizes (the built-ins, tracing-otel and fastrace at 0, 1, 4, 32) of five runs of one binary on
/// this machine, one after another (callgrind counts instructions, not time, so a busy machine
/// does not move it). The rows ranged from 0.00004 to 0.020: fastrace, whose collector gathers on
/// a 1 s timer, moves by 2% at every size, and at 32 entries the rows whose producer allocates
/// what the exporter frees by 0.5–1.8%.
pub const NOISE_INSTRUCTIONS: f64 = 0.000204;
/// The widest row's spread of instructions per span (fastrace at trace-state 32).
pub const NOISE_INSTRUCTIONS_WIDEST: f64 = 0.020;
/// Every measured spread, named: the detection table (examples/detection_table.rs) and the
/// differential test against Otava (tests/otava.rs) draw their series under each.
pub const MEASURED_NOISE: [(&str, f64); 4] = [
    ("CPU ns/span", NOISE_CPU),
    ("instructions/span, median row", NOISE_INSTRUCTIONS),
    ("instructions/span, widest row", NOISE_INSTRUCTIONS_WIDEST),
    ("peak heap", NOISE_HEAP),
];

/// Lines written before history version 2 carry no machine: they join count series only.
pub const UNKNOWN_MACHINE: &str = "unknown machine";

/// What a metric's series is keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Keyed {
    /// The counts key: allocations, bytes and peak heap are the code's, on any machine.
    CountsKey,
    /// The fingerprint id: CPU, latency and RSS are the machine's.
    Machine,
}

/// A metric of the history's headline rows.
#[derive(Debug, Clone, Copy)]
pub struct Metric {
    /// Its name in output.
    pub name: &'static str,
    /// What its series are keyed by.
    pub keyed: Keyed,
    /// Whether it is a count (exact for a row whose counts repeat).
    pub count: bool,
    /// The smallest change of its medians that is reported: the gate's floor for a count (one
    /// allocation per 100 spans, one byte per span), a page for a memory figure. A t-test on a
    /// count that moves by a few allocations in 20,000 spans finds "significant" steps of 0.0001
    /// per span that no gate would call a change.
    pub floor: f64,
    /// Its value in a row; `None` where the row has none (an instructions figure from a night
    /// that did not count them): that night is not a point of the series.
    pub value: fn(&spanalloc_record::history::HeadlineRow) -> Option<f64>,
}

/// The name of the instructions metric: the CPU series a step of a few percent shows in.
pub const INSTRUCTIONS: &str = "instructions/span";

/// Every metric the history keeps.
pub const METRICS: [Metric; 7] = [
    Metric { name: "allocs/span", keyed: Keyed::CountsKey, count: true, floor: 0.01, value: |h| Some(h.allocs_per_span) },
    Metric { name: "bytes/span", keyed: Keyed::CountsKey, count: true, floor: 1.0, value: |h| Some(h.bytes_per_span) },
    Metric { name: "peak heap", keyed: Keyed::CountsKey, count: false, floor: 4096.0, value: |h| Some(h.peak_heap_bytes as f64) },
    Metric { name: "CPU ns/span", keyed: Keyed::Machine, count: false, floor: 0.0, value: |h| Some(h.cpu_ns_per_span) },
    // Callgrind's count depends on the binary and on the instructions the CPU offers (glibc picks
    // its memcpy by them): a series per machine, like time. Its floor is one instruction per span,
    // a hundredth of a percent of the cheapest row's (about 13,000 at trace-state 4).
    Metric { name: INSTRUCTIONS, keyed: Keyed::Machine, count: false, floor: 1.0, value: |h| h.instructions_per_span },
    Metric { name: "p99 latency ns", keyed: Keyed::Machine, count: false, floor: 0.0, value: |h| Some(h.latency_p99_ns as f64) },
    Metric { name: "peak RSS", keyed: Keyed::Machine, count: false, floor: 4096.0, value: |h| Some(h.peak_rss_bytes as f64) },
];

/// One series' identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SeriesKey {
    /// Scenario.
    pub scenario: String,
    /// Trace-state entries.
    pub trace_state_entries: usize,
    /// Metric name.
    pub metric: &'static str,
    /// The counts key or the fingerprint id it is a series of ([`UNKNOWN_MACHINE`] for old lines).
    pub key: String,
    /// The workload (spans per pass, rate, producers): a 20k-span night is not a 200k-span one.
    pub workload: String,
}

/// One series: its points, in history order, each with the entry it came from.
#[derive(Debug, Clone)]
pub struct Series {
    /// Its identity.
    pub key: SeriesKey,
    /// Whether every point is an exact count.
    pub exact: bool,
    /// The values.
    pub values: Vec<f64>,
    /// For each value, the index of its history entry.
    pub entries: Vec<usize>,
}

/// A run, as a change point names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRef {
    /// The run's id, if recorded.
    pub run_id: Option<String>,
    /// When it started.
    pub date: String,
    /// The commit it measured, if known.
    pub commit: Option<String>,
}

/// One change point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The series.
    #[serde(flatten)]
    pub series: SeriesKey,
    /// Its position in the series (the first point after the change).
    pub index: usize,
    /// The series' length.
    pub points: usize,
    /// The first run after it, as its position among the history's readable entries (the
    /// report marks it there).
    pub entry: usize,
    /// The first run after the change.
    pub first_after: RunRef,
    /// The last run before it: the change lies in the commits after this one's, up to and
    /// including `first_after`'s.
    pub last_before: RunRef,
    /// Median of the piece before (back to the previous change point).
    pub median_before: f64,
    /// Median of the piece after (up to the next).
    pub median_after: f64,
    /// `median_after / median_before − 1` (0 when the median before is 0).
    pub relative: f64,
    /// The t-test's p-value; `None` for an exact count, where any step is a change.
    pub pvalue: Option<f64>,
    /// Whether the series is an exact count.
    pub exact: bool,
}

impl Change {
    /// `abc123..def456`, the commits the change lies in; one commit when both runs measured the
    /// same (`abc123 (same commit)`: the machine moved, or the noise did, not the code).
    pub fn commit_range(&self) -> String {
        let short = |c: &Option<String>| c.as_deref().map_or_else(|| "?".to_owned(), |c| c.chars().take(12).collect());
        if self.last_before.commit.is_some() && self.last_before.commit == self.first_after.commit {
            return format!("{} (same commit)", short(&self.first_after.commit));
        }
        format!("{}..{}", short(&self.last_before.commit), short(&self.first_after.commit))
    }
}

/// Every series of `entries`, sorted by key.
pub fn series(entries: &[HistoryEntry]) -> Vec<Series> {
    let mut map: std::collections::BTreeMap<SeriesKey, Series> = std::collections::BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let c = &e.config;
        let workload = format!("{} spans, {}/s, {} producer(s)", c.spans, c.rate, c.producers);
        for h in &e.headline {
            for m in &METRICS {
                let Some(value) = (m.value)(h) else { continue };
                let key = match m.keyed {
                    Keyed::CountsKey => e.counts_key.clone().unwrap_or_else(|| UNKNOWN_MACHINE.to_owned()),
                    Keyed::Machine => match e.machine_of(h) {
                        Some(f) => f.to_owned(),
                        None => continue,
                    },
                };
                let k = SeriesKey {
                    scenario: h.scenario.clone(),
                    trace_state_entries: h.trace_state_entries,
                    metric: m.name,
                    key,
                    workload: workload.clone(),
                };
                let s = map.entry(k.clone()).or_insert_with(|| Series { key: k, exact: true, values: vec![], entries: vec![] });
                s.exact &= m.count && h.exact_counts == Some(true);
                s.values.push(value);
                s.entries.push(i);
            }
        }
    }
    map.into_values().collect()
}

/// The change points' indexes in one series.
fn points(s: &Series, o: &edivisive::Options) -> Vec<(usize, Option<f64>)> {
    if s.exact {
        (1..s.values.len()).filter(|&i| s.values[i] != s.values[i - 1]).map(|i| (i, None)).collect()
    } else {
        edivisive::change_points(&s.values, o).into_iter().map(|c| (c.index, Some(c.pvalue))).collect()
    }
}

fn floor(metric: &str) -> f64 {
    METRICS.iter().find(|m| m.name == metric).map_or(0.0, |m| m.floor)
}

fn run_ref(e: &HistoryEntry) -> RunRef {
    RunRef { run_id: e.run_id.clone(), date: e.date.clone(), commit: e.commit.clone() }
}

/// Every change point of every series in `entries`, by series, then position.
pub fn changes(entries: &[HistoryEntry], o: &edivisive::Options) -> Vec<Change> {
    let mut out = Vec::new();
    for s in series(entries) {
        let found = points(&s, o);
        let bounds: Vec<usize> = std::iter::once(0).chain(found.iter().map(|p| p.0)).chain([s.values.len()]).collect();
        for (k, &(index, pvalue)) in found.iter().enumerate() {
            let (before, after) = (&s.values[bounds[k]..index], &s.values[index..bounds[k + 2]]);
            let (median_before, median_after) = (median(before), median(after));
            if !s.exact && (median_after - median_before).abs() < floor(s.key.metric) {
                continue;
            }
            out.push(Change {
                series: s.key.clone(),
                index,
                points: s.values.len(),
                entry: s.entries[index],
                first_after: run_ref(&entries[s.entries[index]]),
                last_before: run_ref(&entries[s.entries[index - 1]]),
                median_before,
                median_after,
                relative: if median_before == 0.0 { 0.0 } else { median_after / median_before - 1.0 },
                pvalue,
                exact: s.exact,
            });
        }
    }
    out
}

/// The change points the last entry created or moved: those of the whole history that the
/// history without its last entry does not have (the same series and first run after): a new
/// step, or one the latest night moved to another run.
pub fn new_with_last(entries: &[HistoryEntry], o: &edivisive::Options) -> Vec<Change> {
    let Some((_, before)) = entries.split_last() else { return Vec::new() };
    let old = changes(before, o);
    let same = |a: &Change, b: &Change| a.series == b.series && a.first_after == b.first_after;
    changes(entries, o).into_iter().filter(|c| !old.iter().any(|o| same(o, c))).collect()
}
