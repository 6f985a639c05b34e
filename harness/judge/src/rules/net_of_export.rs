//! The net-of-export rule: a row whose number of exports follows its threads' timing
//! (opentelemetry_sdk 0.28–0.30: a worker that falls behind exports a span or a few at a time,
//! each export one or two allocations more) is judged net of its cost per export, for the batches
//! each pass recorded — only when both files declare the same cost, so a file alone does not
//! change its own gate. It refines the spread rule's samples; the spread rule decides.

use super::judgement::floor;
use crate::metrics::Counted;
use spanalloc_record::schema::{PerExport, ScenarioResult};
use spanalloc_record::stats;

/// A count of one row, per span or in total, from each count pass; net of `per_export` for
/// each batch the pass exported, when given.
pub(crate) fn count_samples(s: &ScenarioResult, what: Counted, per_span: bool, per_export: Option<&PerExport>) -> Vec<f64> {
    // An export's declared cost is in allocations and bytes; what else a pass counts is as measured.
    let cost = per_export.map_or(0, |c| match what {
        Counted::Allocs => c.allocs,
        Counted::Bytes => c.bytes,
        Counted::Reallocs | Counted::Leaked | Counted::Exports => 0,
    });
    let spans = s.spans.max(1) as f64;
    what.passes(s)
        .into_iter()
        .zip(s.samples.export_batches.iter().chain(std::iter::repeat(&0)))
        .map(|(v, &batches)| {
            let net = (v - i128::from(cost * batches)).max(v.min(0)) as f64;
            if per_span {
                net / spans
            } else {
                net
            }
        })
        .collect()
}

/// The cost per export both rows are judged net of: only when both files declare the same one,
/// recorded the batches of every count pass, and those batches explain their allocations — net
/// of them, each file's passes agree within the floor. A file that states batches its counts do
/// not bear out is judged as measured: it cannot lower its own figures by what it claims
/// (`Err` says why; `Ok(None)` where neither file declares a cost).
pub(crate) fn per_export<'a>(bs: &'a ScenarioResult, cs: &ScenarioResult) -> Result<Option<&'a PerExport>, String> {
    if bs.per_export.is_none() && cs.per_export.is_none() {
        return Ok(None);
    }
    let recorded = |s: &ScenarioResult| s.samples.exports_recorded();
    let Some(c) = bs.per_export.as_ref().filter(|c| cs.per_export.as_ref() == Some(*c) && recorded(bs) && recorded(cs)) else {
        return Err("the two files do not declare the same cost per export, with every pass's batches".to_owned());
    };
    for (s, side) in [(bs, "the baseline's"), (cs, "this run's")] {
        let net = count_samples(s, Counted::Allocs, false, Some(c));
        let (lo, hi) = net.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let floor = floor(Counted::Allocs, false, s.spans);
        if hi - lo > floor {
            return Err(format!(
                "{side} batches do not explain its allocations: net of {} per export its passes still spread {:.0} (more than the floor of {floor:.0})",
                allocations(c.allocs),
                hi - lo
            ));
        }
    }
    Ok(Some(c))
}

/// `1 allocation`, `2 allocations`.
pub fn allocations(n: u64) -> String {
    format!("{n} allocation{}", if n == 1 { "" } else { "s" })
}

/// What a judgement net of the cost per export says: the cost, and the batches on each side.
pub(crate) fn net_text(c: &PerExport, what: Counted, bs: &ScenarioResult, cs: &ScenarioResult) -> String {
    let cost = match what {
        Counted::Allocs => allocations(c.allocs),
        Counted::Bytes => format!("{} B", c.bytes),
        Counted::Reallocs | Counted::Leaked | Counted::Exports => "nothing".to_owned(),
    };
    let range = |s: &ScenarioResult| {
        let (lo, hi) = stats::min_max(&s.samples.export_batches);
        format!("{lo}–{hi}")
    };
    format!("; net of {cost} per export batch ({} batches in the baseline's passes, {} now: {})", range(bs), range(cs), c.why)
}
