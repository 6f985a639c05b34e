//! The rules that turn two values of one metric into a verdict.
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
//! with a minimum effect ([`crate::stats`]).

use super::metrics::{Counted, Metric, Rule};
use super::thresholds::Thresholds;
use super::{direction, row, Row, Verdict};
use crate::schema::{PerExport, ScenarioResult};
use crate::stats::{self, median};

/// One allocation per this many spans is the smallest count change that is a verdict.
pub const SPANS_PER_ALLOCATION_FLOOR: u64 = 100;

/// One byte per span is the smallest byte change that is a verdict.
pub const BYTES_PER_SPAN_FLOOR: f64 = 1.0;

/// Repeats a baseline needs before a row whose counts move is gated by their spread.
pub const SPREAD_MIN_REPEATS: usize = 5;

/// How far beyond the baseline's range a moving row may go, in ranges: identical runs of the SDK
/// row against a five-repeat baseline stay inside (`harness/tests/spread_gate.rs`).
pub const SPREAD_MARGIN: f64 = 1.0;

/// The floor of a count metric, in its own unit (per span or in total over `spans`).
fn floor(what: Counted, per_span: bool, spans: u64) -> f64 {
    let per = match what {
        Counted::Allocs => 1.0 / SPANS_PER_ALLOCATION_FLOOR as f64,
        Counted::Bytes => BYTES_PER_SPAN_FLOOR,
    };
    if per_span {
        per
    } else {
        per * spans as f64
    }
}

fn floor_text(what: Counted) -> String {
    match what {
        Counted::Allocs => format!("1 allocation per {SPANS_PER_ALLOCATION_FLOOR} spans"),
        Counted::Bytes => format!("{BYTES_PER_SPAN_FLOOR} B per span"),
    }
}

/// Judges `m` of the baseline row `bs` against the current row `cs`, both comparable.
pub(crate) fn judge(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult, t: &Thresholds) -> Row {
    let (b, c) = ((m.value)(bs), (m.value)(cs));
    match m.rule {
        // The baseline says whether the row is exact: a current file that calls itself inexact
        // still meets the exact rule.
        Rule::Count { what, .. } if bs.exact_counts => exact(m, bs, cs, what),
        Rule::Count { what, per_span } => spread(m, bs, cs, what, per_span),
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

/// The exact rule: no tolerance, the floor only.
/// Totals are compared only between equal span counts (the workload check makes them
/// incomparable otherwise), so a different span count means a per-span metric.
fn exact(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult, what: Counted) -> Row {
    let (b, c) = ((m.value)(bs), (m.value)(cs));
    let total = |s: &ScenarioResult| match what {
        Counted::Allocs => s.metrics.allocs,
        Counted::Bytes => s.metrics.bytes_allocated,
    };
    let (beyond, how) = if bs.spans == cs.spans {
        // Equal span counts: integers, so no rounding decides. |Δ| ≥ spans / 100 allocations,
        // or ≥ spans bytes.
        let delta = i128::from(total(cs)) - i128::from(total(bs));
        let need = match what {
            Counted::Allocs => u128::from(cs.spans).div_ceil(u128::from(SPANS_PER_ALLOCATION_FLOOR)),
            Counted::Bytes => u128::from(cs.spans) * BYTES_PER_SPAN_FLOOR as u128,
        }
        .max(1);
        let unit = if what == Counted::Allocs { "allocations" } else { "bytes" };
        let beyond = delta.unsigned_abs() >= need;
        let how = if delta == 0 {
            "no change".to_owned()
        } else {
            let side = if beyond { "at or beyond" } else { "under" };
            format!("{delta:+} {unit} over {} spans, {side} the floor of {need} ({})", cs.spans, floor_text(what))
        };
        (beyond, how)
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
        (beyond, how)
    };
    let verdict = if beyond { direction(m, c - b) } else { Verdict::Unchanged };
    row(cs, m, Some(b), Some(c), verdict, format!("exact: {how}"))
}

/// A count of one row, per span or in total, from each count pass; net of `per_export` for
/// each batch the pass exported, when given.
fn count_samples(s: &ScenarioResult, what: Counted, per_span: bool, per_export: Option<&PerExport>) -> Vec<f64> {
    let totals = match what {
        Counted::Allocs => &s.samples.allocs,
        Counted::Bytes => &s.samples.bytes_allocated,
    };
    let cost = per_export.map_or(0, |c| if what == Counted::Allocs { c.allocs } else { c.bytes });
    let spans = s.spans.max(1) as f64;
    totals
        .iter()
        .zip(s.samples.export_batches.iter().chain(std::iter::repeat(&0)))
        .map(|(&v, &batches)| {
            let net = v.saturating_sub(cost * batches) as f64;
            if per_span {
                net / spans
            } else {
                net
            }
        })
        .collect()
}

/// The cost per export both rows are judged net of: only when both files declare the same one
/// and recorded the batches of every count pass — a file alone does not change its own gate.
fn per_export<'a>(bs: &'a ScenarioResult, cs: &ScenarioResult) -> Option<&'a PerExport> {
    let recorded = |s: &ScenarioResult| s.samples.export_batches.len() == s.samples.allocs.len();
    bs.per_export.as_ref().filter(|c| cs.per_export.as_ref() == Some(*c) && recorded(bs) && recorded(cs))
}

/// The spread rule of a row whose counts move between identical runs.
fn spread(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult, what: Counted, per_span: bool) -> Row {
    let net = per_export(bs, cs);
    let base = count_samples(bs, what, per_span, net);
    let cur = count_samples(cs, what, per_span, net);
    let c = if cur.is_empty() { (m.value)(cs) } else { median(&cur) };
    if base.len() < SPREAD_MIN_REPEATS {
        let rule = format!(
            "not gated: needs repeats — this row's counts move between identical runs, so they are gated by the spread of the baseline's repeats; it has {} (needs {SPREAD_MIN_REPEATS}: --repeat {SPREAD_MIN_REPEATS})",
            base.len()
        );
        return row(cs, m, Some((m.value)(bs)), Some(c), Verdict::Noise, rule);
    }
    let (lo, hi) = base.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let range = hi - lo;
    let (band_lo, band_hi) = (lo - SPREAD_MARGIN * range, hi + SPREAD_MARGIN * range);
    let b = median(&base);
    let f = floor(what, per_span, cs.spans);
    let outside = c < band_lo || c > band_hi;
    // Half the floor: one night's noise may carry a real change of the whole floor short of it
    // (five repeats' range underestimates that noise: 2 of the 7 allocations of 25 SDK runs).
    let beyond = outside && (c - b).abs() >= f / 2.0 * (1.0 - 1e-9);
    let verdict = if beyond { direction(m, c - b) } else { Verdict::Unchanged };
    let digits = if per_span { 4 } else { 0 };
    let place = if outside { "outside" } else { "within" };
    let rule = format!(
        "spread: {place} the baseline's {} repeats {lo:.digits$}–{hi:.digits$} widened by {SPREAD_MARGIN}× their range to {band_lo:.digits$}–{band_hi:.digits$}; half the floor of {}{}{}",
        base.len(),
        floor_text(what),
        if outside && !beyond { " not reached" } else { "" },
        match net {
            Some(c) => net_text(c, what, bs, cs),
            None if bs.per_export.is_some() || cs.per_export.is_some() => {
                "; as measured: the two files do not declare the same cost per export, with every pass's batches".to_owned()
            }
            None => String::new(),
        }
    );
    row(cs, m, Some(b), Some(c), verdict, rule)
}

/// `1 allocation`, `2 allocations`.
pub fn allocations(n: u64) -> String {
    format!("{n} allocation{}", if n == 1 { "" } else { "s" })
}

/// What a judgement net of the cost per export says: the cost, and the batches on each side.
fn net_text(c: &PerExport, what: Counted, bs: &ScenarioResult, cs: &ScenarioResult) -> String {
    let cost = if what == Counted::Allocs { allocations(c.allocs) } else { format!("{} B", c.bytes) };
    let range = |s: &ScenarioResult| {
        let (lo, hi) = stats::min_max(&s.samples.export_batches);
        format!("{lo}–{hi}")
    };
    format!("; net of {cost} per export batch ({} batches in the baseline's passes, {} now: {})", range(bs), range(cs), c.why)
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
