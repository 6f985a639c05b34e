//! The loosening rule: a regression or improvement within a `[[loosen]]` of thresholds.toml
//! becomes `unchanged`, the verdict it hid kept beside it — named, never silent. It applies to a
//! judgement another rule made; it never widens a gate on its own.

use super::judgement::{Hidden, Judgement};
use crate::thresholds::Thresholds;
use crate::verdict::Verdict;

/// `j`, for metric `metric` of row `scenario` at `ts` entries, after thresholds.toml's loosenings.
pub(crate) fn apply(mut j: Judgement, scenario: &str, ts: usize, metric: &str, t: &Thresholds) -> Judgement {
    if !matches!(j.verdict, Verdict::Regressed | Verdict::Improved) {
        return j;
    }
    let Some(l) = t.loosening(scenario, ts, metric) else { return j };
    let Some(pct) = j.change_pct().filter(|p| p.abs() <= l.tolerance_pct) else { return j };
    j.hidden =
        Some(Hidden { verdict: j.verdict, rule: j.rule.clone(), tolerance_pct: l.tolerance_pct, reason: l.reason.clone() });
    j.verdict = Verdict::Unchanged;
    j.rule = format!("loosened: {pct:+.2}% within {}% (thresholds.toml: {})", l.tolerance_pct, l.reason);
    j
}
