//! Whether a metric of two rows can be compared at all: the same workload, the same definition,
//! and — for timing — the same machine and build. A reason here makes the row `incomparable`,
//! never a regression.

use crate::metrics::{Counted, Metric, Rule};
use spanalloc_record::schema::{Environment, Results, ScenarioResult};

/// Why a metric of two rows was not compared: what the walk over rows makes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotCompared {
    /// A total of runs of different lengths; its per-span twin is judged.
    OtherLength,
    /// Another workload: the row is not judged, and that fails.
    Workload,
    /// A side dropped spans at its gate rate: other work, not judged, and that fails.
    Dropped,
    /// The metric's definition changed between the two schemas: not judged, and that fails.
    Definition,
    /// Timing from another machine or build: judged per machine, by design.
    Machine,
}

impl NotCompared {
    /// Whether it leaves the baseline row unjudged (a failure).
    pub fn unjudged(self) -> bool {
        matches!(self, NotCompared::Workload | NotCompared::Definition | NotCompared::Dropped)
    }
}

/// Why a total is not compared: the runs are of different lengths (per-span figures are).
pub(crate) fn length_difference(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult) -> Option<String> {
    let total = matches!(m.rule, Rule::Count { per_span: false, .. });
    (total && bs.spans != cs.spans).then(|| format!("workload differs: spans {} → {}", bs.spans, cs.spans))
}

/// Why two entries are not comparable, if they are not: the first workload field that differs.
///
/// The number of spans matters only to totals ([`length_difference`]): per-span figures,
/// latency, peaks and rates compare across runs of different lengths — a default run of 1M spans
/// against a nightly's 200k.
pub(crate) fn workload_difference(b: &Results, c: &Results, bs: &ScenarioResult, cs: &ScenarioResult) -> Option<String> {
    let (bc, cc) = (&b.config, &c.config);
    let fields: [(&str, String, String); 6] = [
        ("producers", bs.producers.to_string(), cs.producers.to_string()),
        ("rate", bs.paced_rate(bc).to_string(), cs.paced_rate(cc).to_string()),
        ("seed", bc.seed.to_string(), cc.seed.to_string()),
        ("fan_out", bc.fan_out.to_string(), cc.fan_out.to_string()),
        ("depth", bc.depth.to_string(), cc.depth.to_string()),
        ("propagate_every", bc.propagate_every.to_string(), cc.propagate_every.to_string()),
    ];
    fields.into_iter().find(|(_, x, y)| x != y).map(|(name, x, y)| format!("workload differs: {name} {x} → {y}"))
}

/// Why a row's counts are not the work the other side's are: one side dropped spans. Every row is
/// gated at a rate it holds (`Scenario::gate_rate`), so a drop is never excused: a run that
/// dropped has failed already; a baseline that did (saved before schema 14) cannot judge the row.
pub(crate) fn dropped_difference(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult) -> Option<String> {
    if !m.is_count() {
        return None;
    }
    let side =
        |s: &ScenarioResult, which: &str| (s.dropped_spans > 0).then(|| format!("{which} dropped {} spans", s.dropped_spans));
    let sides: Vec<String> = [side(bs, "the baseline"), side(cs, "this run")].into_iter().flatten().collect();
    (!sides.is_empty()).then(|| format!("dropped spans at its gate rate, not the same work, so not judged: {}", sides.join(", ")))
}

/// Why a count recorded on one side only is not judged: the exports of every count pass, which
/// files before schema 12 (and the Go twin's before 15) do not hold. A gate is green only for
/// what it judged, so this fails.
pub(crate) fn recording_difference(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult) -> Option<String> {
    if !matches!(m.rule, Rule::Count { what: Counted::Exports, .. }) {
        return None;
    }
    let (b, c) = (bs.samples.exports_recorded(), cs.samples.exports_recorded());
    (b != c).then(|| {
        let side = if b { "this run" } else { "the baseline" };
        format!("exports recorded on one side only: {side} did not count every pass's exports, so they are not judged")
    })
}

/// Why a metric cannot be compared between two schema versions, if it cannot: its definition
/// changed between them.
pub(crate) fn definition_difference(m: &Metric, b: &Results, c: &Results) -> Option<String> {
    let since = spanalloc_record::schema::PEAK_ABOVE_HARNESS_SINCE;
    let peak_rule = matches!(m.rule, Rule::Peak);
    (peak_rule && (b.schema_version < since) != (c.schema_version < since)).then(|| {
        format!(
            "definition changed: schema {} counted the harness's own buffers in peak heap, schema {} does not",
            b.schema_version.min(c.schema_version),
            b.schema_version.max(c.schema_version)
        )
    })
}

/// Why a timing metric cannot be compared between two runs, if it cannot: they ran on
/// different machines or builds (fingerprints differ), or one predates the fingerprint.
/// A merged night's rows each carry their shard's machine: so timing is judged row by row.
pub(crate) fn machine_difference(m: &Metric, b: &Environment, c: &Environment) -> Option<String> {
    if m.is_count() {
        return None;
    }
    match (b.fingerprint(), c.fingerprint()) {
        (Some(bf), Some(cf)) => {
            let diff = bf.differences(&cf);
            (!diff.is_empty()).then(|| format!("different machine: {}", diff.join(", ")))
        }
        _ => Some("timing not compared: a run without an environment fingerprint (before schema 4)".into()),
    }
}

/// A compiler or allocator change, shown beside a count's verdict: counts gate across machines,
/// but a new toolchain can explain a move.
pub(crate) fn toolchain_change(m: &Metric, be: &Environment, ce: &Environment) -> Option<String> {
    if !m.is_count() {
        return None;
    }
    let mut changes = Vec::new();
    if be.rustc != ce.rustc {
        changes.push(format!("rustc '{}' → '{}'", be.rustc, ce.rustc));
    }
    if be.allocator != ce.allocator {
        changes.push(format!("allocator '{}' → '{}'", be.allocator, ce.allocator));
    }
    (!changes.is_empty()).then(|| changes.join(", "))
}
