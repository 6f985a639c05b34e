//! The rules that turn two values of one metric into a verdict: each in its own file, deciding
//! alone and saying why in one [`Judgement`]. [`judge`] asks the rule that owns the metric once;
//! [`loosening`] is applied after it, by the walk over rows.
//!
//! **Counts of an exact row** (one producer, a scenario whose counts repeat exactly) have no
//! tolerance: a change of at least one allocation per 100 spans, or one byte per span, is a
//! verdict however large the row — +1 allocation per span on a row of 200 as on a row of 2. With
//! equal span counts the totals are compared as integers, so no float rounding decides.
//!
//! **Counts of a row whose counts move** between identical runs (a pipeline with a thread of its
//! own, several producers, a garbage-collected program) are gated by the spread of the
//! *baseline's* repeats: outside `[min − R, max + R]` (R their range), and at least half the
//! exact floor away from their median — so a change of one allocation per 100 spans is a verdict
//! whichever way one night's noise falls, while that noise is under half the floor (the SDK row:
//! 7 allocations over 5,000 spans against a floor of 50). A baseline
//! without enough repeats does not gate them, and says so. A row whose number of exports follows
//! its threads' timing (opentelemetry_sdk 0.28–0.30: a worker that falls behind exports a span or
//! a few at a time, each export one or two allocations more) is judged net of its cost per export,
//! for the batches each pass recorded, when both files declare the same cost: 20,000-span passes
//! of 0.28 with 53 to 1,412 batches count 659,182 to 661,904 allocations, 659,075 to 659,080 net.
//! Neither rule reads a tolerance from either file: a judged file does not set its own gate.
//!
//! **Timing** (and peak heap) needs repeats on both sides and a significant Mann–Whitney U test
//! with a minimum effect ([`spanalloc_record::stats`]).

pub mod exact;
pub mod judgement;
pub mod loosening;
pub mod net_of_export;
pub mod spread;
pub mod statistical;

use crate::metrics::{Counted, Metric, Rule};
use crate::thresholds::Thresholds;
use crate::verdict::Verdict;
pub use judgement::{Hidden, Judgement};
use spanalloc_record::schema::ScenarioResult;
pub use spread::SPREAD_MIN_REPEATS;

/// Judges `m` of the baseline row `bs` against the current row `cs`, both comparable, by the one
/// rule that owns the metric.
pub(crate) fn judge(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult, t: &Thresholds) -> Judgement {
    match m.rule {
        // A collected heap frees on its collector's schedule: what is live at the end of the
        // region is garbage not yet collected, not a leak.
        Rule::Count { what: Counted::Leaked, .. } if bs.language != "rust" || cs.language != "rust" => Judgement::new(
            Some((m.value)(bs)),
            Some((m.value)(cs)),
            Verdict::Noise,
            format!("not a leak: a {} heap is collected on its own schedule", cs.language),
        ),
        // Neither file recorded the exports of every pass (a file before schema 12): the
        // exports cannot be judged, and no other count depends on them. One side alone is not
        // judged either, and fails (`compare::comparable::recording_difference`).
        Rule::Count { what: Counted::Exports, .. } if !bs.samples.exports_recorded() && !cs.samples.exports_recorded() => {
            Judgement::new(
                None,
                None,
                Verdict::Noise,
                "not recorded: neither file counted this row's exports (before schema 12)".into(),
            )
        }
        // A row whose number of exports follows its threads' timing, by declaration with the
        // cost of each (opentelemetry_sdk 0.28–0.30: 137 to 3,290 exports per 20,000 spans between
        // identical runs, scripts/check-spread.sh): its exports cannot be gated, and excuse
        // nothing unless its allocations bear them out (net_of_export::per_export).
        Rule::Count { what: Counted::Exports, .. } if bs.per_export.is_some() && bs.per_export == cs.per_export => {
            let why = bs.per_export.as_ref().map_or("", |c| c.why.as_str());
            Judgement::new(
                Some((m.value)(bs)),
                Some((m.value)(cs)),
                Verdict::Noise,
                format!("not gated: this row's number of exports follows its threads' timing, declared with what each costs ({why}); its counts are judged net of them where its allocations bear them out"),
            )
        }
        // The baseline says whether the row is exact: a current file that calls itself inexact
        // still meets the exact rule.
        Rule::Count { what, .. } if bs.exact_counts => exact::judge(m, bs, cs, what),
        Rule::Count { what, per_span } => spread::judge(m, bs, cs, what, per_span),
        Rule::Peak => statistical::peak_heap(m, bs, cs, t),
        Rule::Noisy { samples } => statistical::judge(m, bs, cs, t, samples(&bs.samples), samples(&cs.samples)),
    }
}
