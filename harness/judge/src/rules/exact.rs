//! The exact rule: counts of a row that repeat exactly are judged with no tolerance, at the floor
//! only (one allocation per 100 spans, one byte per span), however large the row. With equal span
//! counts the totals are compared as integers, so no float rounding decides.

use super::judgement::{direction, floor, floor_text, Judgement};
use crate::metrics::{Counted, Metric, Rule};
use crate::verdict::Verdict;
use spanalloc_record::floors::{BYTES_PER_SPAN_FLOOR, SPANS_PER_ALLOCATION_FLOOR};
use spanalloc_record::schema::ScenarioResult;

/// The exact rule: no tolerance, the floor only.
/// Totals are compared only between equal span counts (the workload check makes them
/// incomparable otherwise), so a different span count means a per-span metric.
pub(crate) fn judge(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult, what: Counted) -> Judgement {
    let (b, c) = ((m.value)(bs), (m.value)(cs));
    let (beyond, how, need) = if bs.spans == cs.spans {
        // Equal span counts: integers, so no rounding decides. |Δ| ≥ spans / 100 allocations,
        // or ≥ spans bytes.
        let delta = what.total(cs) - what.total(bs);
        let need = match what {
            Counted::Bytes => u128::from(cs.spans) * BYTES_PER_SPAN_FLOOR as u128,
            // An export is a call into the exporter, not an allocation: every one counts.
            Counted::Exports => 1,
            _ => u128::from(cs.spans).div_ceil(u128::from(SPANS_PER_ALLOCATION_FLOOR)),
        }
        .max(1);
        let unit = what.unit();
        let beyond = delta.unsigned_abs() >= need;
        let how = if delta == 0 {
            "no change".to_owned()
        } else {
            let side = if beyond { "at or beyond" } else { "under" };
            let floor_words = if what == Counted::Exports { "an exact row's every export".to_owned() } else { floor_text(what) };
            format!("{delta:+} {unit} over {} spans, {side} the floor of {need} ({floor_words})", cs.spans)
        };
        (beyond, how, need as f64)
    } else {
        // Different span counts: per span. A workload's per-span figures drift a little with its
        // length (its last trace is cut short); see docs/measuring.md for the drift measured.
        let delta = c - b;
        let f = floor(what, true, 0);
        // A hair under the floor still counts: 0.01 computed from two floats may print as 0.0099….
        let beyond = delta.abs() >= f * (1.0 - 1e-9);
        let how = if delta == 0.0 {
            "no change".to_owned()
        } else {
            let side = if beyond { "at or beyond" } else { "under" };
            format!("{delta:+.4} per span ({} → {} spans), {side} the floor of {}", bs.spans, cs.spans, floor_text(what))
        };
        (beyond, how, f * cs.spans as f64)
    };
    let verdict = if beyond { direction(m, c - b) } else { Verdict::Unchanged };
    // The floor, in the metric's own unit.
    let per_span = matches!(m.rule, Rule::Count { per_span: true, .. });
    let detectable = if per_span { need / cs.spans.max(1) as f64 } else { need };
    Judgement::new(Some(b), Some(c), verdict, format!("exact: {how}")).detecting(detectable)
}
