//! Whether a metric of two rows can be compared at all: the same workload, the same definition,
//! and — for timing — the same machine and build. A reason here makes the row `incomparable`,
//! never a regression.

use crate::metrics::{Metric, Rule};
use spanalloc_record::schema::{Results, ScenarioResult};

/// How the reason of a row whose counts were not gated because of dropped spans begins.
pub(crate) const DROPPED: &str = "not gated: dropped";

/// How the reason of a total not compared between runs of different lengths begins.
pub(crate) const OTHER_LENGTH: &str = "workload differs: spans";

/// Why two entries are not comparable, if they are not: the first workload field that differs.
///
/// The number of spans matters only to totals (allocations, bytes allocated): per-span figures,
/// latency, peaks and rates compare across runs of different lengths — a default run of 1M spans
/// against a nightly's 200k.
pub(crate) fn workload_difference(
    m: &Metric,
    b: &Results,
    c: &Results,
    bs: &ScenarioResult,
    cs: &ScenarioResult,
) -> Option<String> {
    let (bc, cc) = (&b.config, &c.config);
    let total = matches!(m.rule, Rule::Count { per_span: false, .. });
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

/// Why a row's counts are not the work the other side's are: one side dropped spans (a row whose
/// pipeline may drop by design; a row that must not drop has failed its run instead).
pub(crate) fn dropped_difference(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult) -> Option<String> {
    if !m.is_count() {
        return None;
    }
    let side =
        |s: &ScenarioResult, which: &str| (s.dropped_spans > 0).then(|| format!("{which} dropped {} spans", s.dropped_spans));
    let sides: Vec<String> = [side(bs, "the baseline"), side(cs, "this run")].into_iter().flatten().collect();
    (!sides.is_empty()).then(|| format!("{} spans, not the same work: {}", DROPPED, sides.join(", ")))
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

/// How the reason of timing not compared across machines begins.
pub(crate) const ANOTHER_MACHINE: &str = "different machine";

/// How the reason of timing not compared for want of a fingerprint begins.
pub(crate) const NO_FINGERPRINT: &str = "timing not compared";

/// Why a timing metric cannot be compared between two runs, if it cannot: they ran on
/// different machines or builds (fingerprints differ), or one predates the fingerprint.
pub(crate) fn machine_difference(m: &Metric, b: &Results, c: &Results) -> Option<String> {
    if m.is_count() {
        return None;
    }
    match (b.environment.fingerprint(), c.environment.fingerprint()) {
        (Some(bf), Some(cf)) => {
            let diff = bf.differences(&cf);
            (!diff.is_empty()).then(|| format!("{ANOTHER_MACHINE}: {}", diff.join(", ")))
        }
        _ => Some(format!("{NO_FINGERPRINT}: a run without an environment fingerprint (before schema 4)")),
    }
}

/// A compiler or allocator change, shown beside a count's verdict: counts gate across machines,
/// but a new toolchain can explain a move.
pub(crate) fn toolchain_change(m: &Metric, b: &Results, c: &Results) -> Option<String> {
    if !m.is_count() {
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
