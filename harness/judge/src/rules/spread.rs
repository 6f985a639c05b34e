//! The spread rule: counts of a row that move between identical runs (a pipeline with a thread
//! of its own, several producers, a garbage-collected program) are gated by the spread of the
//! *baseline's* repeats, never by a tolerance either file declares.

use super::judgement::{direction, floor, floor_text, Judgement};
use super::net_of_export::{count_samples, net_text, per_export};
use crate::metrics::{Counted, Metric};
use crate::verdict::Verdict;
use spanalloc_record::floors::SPREAD_MARGIN;
use spanalloc_record::schema::ScenarioResult;
use spanalloc_record::stats::median;

/// Repeats a baseline needs before a row whose counts move is gated by their spread.
pub const SPREAD_MIN_REPEATS: usize = 5;

/// The spread rule of a row whose counts move between identical runs.
pub(crate) fn judge(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult, what: Counted, per_span: bool) -> Judgement {
    let declared = per_export(bs, cs);
    let net = declared.as_ref().ok().copied().flatten();
    let base = count_samples(bs, what, per_span, net);
    let cur = count_samples(cs, what, per_span, net);
    let c = if cur.is_empty() { (m.value)(cs) } else { median(&cur) };
    if base.len() < SPREAD_MIN_REPEATS {
        let rule = format!(
            "not gated: needs repeats — this row's counts move between identical runs, so they are gated by the spread of the baseline's repeats; it has {} (needs {SPREAD_MIN_REPEATS}: --repeat {SPREAD_MIN_REPEATS})",
            base.len()
        );
        return Judgement::new(Some((m.value)(bs)), Some(c), Verdict::Noise, rule);
    }
    let (lo, hi) = base.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let range = hi - lo;
    let (mut band_lo, mut band_hi) = (lo - SPREAD_MARGIN * range, hi + SPREAD_MARGIN * range);
    let b = median(&base);
    // Bytes with modes (a collector's timer cuts the batches its buffers grow to): five repeats
    // may all land in one mode, so the band reaches the widest spread measured between identical
    // runs either side — when both files name the same, so a file does not set its own gate.
    let modes = match (&bs.bytes_modes, &cs.bytes_modes) {
        (Some(bm), Some(cm)) if what == Counted::Bytes && bm == cm => {
            let reach = bm.spread_per_span * if per_span { 1.0 } else { cs.spans as f64 };
            (band_lo, band_hi) = (band_lo.min(b - reach), band_hi.max(b + reach));
            format!(
                "; its bytes have modes ({}): the band reaches {} B per span either side of the median",
                bm.why, bm.spread_per_span
            )
        }
        (Some(_), _) | (_, Some(_)) if what == Counted::Bytes => {
            "; as measured: the two files do not name the same modes of its bytes".to_owned()
        }
        _ => String::new(),
    };
    let f = floor(what, per_span, cs.spans);
    let outside = c < band_lo || c > band_hi;
    // Half the floor: one night's noise may carry a real change of the whole floor short of it
    // (five repeats' range underestimates that noise: 2 of the 7 allocations of 25 SDK runs).
    let beyond = outside && (c - b).abs() >= f / 2.0 * (1.0 - 1e-9);
    let verdict = if beyond { direction(m, c - b) } else { Verdict::Unchanged };
    let digits = if per_span { 4 } else { 0 };
    let place = if outside { "outside" } else { "within" };
    // The smallest change sure to be a verdict, whichever way: past the band's far edge and half
    // the floor. A band that reaches beyond the floor is said on the row, never silent.
    let detectable = (band_hi - b).max(b - band_lo).max(f / 2.0);
    let wide = if detectable > f * (1.0 + 1e-9) {
        format!(
            "; smallest detectable change {detectable:.digits$}, wider than the floor: this row's identical runs spread {range:.digits$}"
        )
    } else {
        String::new()
    };
    let rule = format!(
        "spread: {place} the baseline's {} repeats {lo:.digits$}–{hi:.digits$} widened by {SPREAD_MARGIN}× their range to {band_lo:.digits$}–{band_hi:.digits$}; half the floor of {}{}{modes}{wide}{}",
        base.len(),
        floor_text(what),
        if outside && !beyond { " not reached" } else { "" },
        match (net, &declared) {
            (Some(c), _) => net_text(c, what, bs, cs),
            (None, Err(why)) => format!("; as measured: {why}"),
            (None, Ok(_)) => String::new(),
        }
    );
    Judgement::new(Some(b), Some(c), verdict, rule).detecting(detectable)
}
