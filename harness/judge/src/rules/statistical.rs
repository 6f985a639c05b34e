//! The statistical rule: timing (and peak heap) needs repeats on both sides and a significant
//! Mann–Whitney U test with a minimum effect ([`spanalloc_record::stats`]); otherwise `noise`.

use super::judgement::{direction, Judgement};
use crate::metrics::Metric;
use crate::thresholds::Thresholds;
use crate::verdict::Verdict;
use spanalloc_record::schema::ScenarioResult;
use spanalloc_record::stats::{self, median};
use spanalloc_record::units::human_bytes;

/// Peak heap: the statistical rule over the count passes' samples, and beyond both a percentage
/// and an absolute floor (thresholds.peak_heap) — a scheduling-dependent peak moves a little.
pub(crate) fn peak_heap(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult, t: &Thresholds) -> Judgement {
    let (b, c) = ((m.value)(bs), (m.value)(cs));
    let (sb, sc) = (&bs.samples.peak_heap_bytes, &cs.samples.peak_heap_bytes);
    let mut r = judge(m, bs, cs, t, sb, sc);
    if r.verdict == Verdict::Regressed || r.verdict == Verdict::Improved {
        let (mb, mc) = (r.baseline.unwrap_or(b), r.current.unwrap_or(c));
        let beyond_pct = mb == 0.0 || ((mc - mb) / mb * 100.0).abs() > t.peak_heap.threshold_pct;
        if !(beyond_pct && (mc - mb).abs() >= t.peak_heap.min_bytes) {
            r.verdict = Verdict::Noise;
            r.rule = format!(
                "{}; but within {}% or {} (thresholds.peak_heap)",
                r.rule,
                t.peak_heap.threshold_pct,
                human_bytes(t.peak_heap.min_bytes)
            );
        }
    }
    r
}

/// The noisy-metric rule: gated only with enough repeats on both sides, by a test and a minimum
/// effect; otherwise `noise`.
pub(crate) fn judge(m: &Metric, bs: &ScenarioResult, cs: &ScenarioResult, t: &Thresholds, sb: &[f64], sc: &[f64]) -> Judgement {
    let (b, c) = ((m.value)(bs), (m.value)(cs));
    let (mb, mc) = (if sb.is_empty() { b } else { median(sb) }, if sc.is_empty() { c } else { median(sc) });
    let n = t.noisy.min_samples;
    if sb.len() < n || sc.len() < n {
        let rule = format!("noisy, not gated: n={}/{}, needs {n} each (--repeat {n})", sb.len(), sc.len());
        return Judgement::new(Some(mb), Some(mc), Verdict::Noise, rule);
    }
    let needs = format!("needs p<{} and {}%", t.noisy.alpha, t.noisy.min_effect_pct);
    match stats::test(sb, sc, t.noisy.alpha, t.noisy.min_effect_pct) {
        Some(s) => {
            let rule =
                format!("noisy: p={:.3}, n={}/{}, medians {:+.1}% apart; {needs}", s.p_value, sb.len(), sc.len(), s.effect_pct);
            let verdict = if s.significant { direction(m, mc - mb) } else { Verdict::Noise };
            Judgement::new(Some(mb), Some(mc), verdict, rule)
        }
        None => Judgement::new(
            Some(mb),
            Some(mc),
            Verdict::Noise,
            format!("noisy: samples cannot be tested (n={}/{})", sb.len(), sc.len()),
        ),
    }
}
