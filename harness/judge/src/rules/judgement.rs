//! What every rule answers with ([`Judgement`]), and what the rules share to reach it: which way
//! a change goes and the floor of a count. Below the rules and the dispatch, so no rule imports
//! the module that asks it.

use serde::Serialize;

use crate::metrics::{Counted, Metric};
use crate::verdict::Verdict;
use spanalloc_record::floors::{BYTES_PER_SPAN_FLOOR, SPANS_PER_ALLOCATION_FLOOR, SPANS_PER_EXPORT_FLOOR};

/// What a rule decided for one metric of one row, and why: the whole of its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    /// The baseline's value as the rule weighed it (a median of samples for a noisy metric).
    pub baseline: Option<f64>,
    /// The current value as the rule weighed it.
    pub current: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
    /// The rule that decided, with the figures it weighed.
    pub rule: String,
    /// The verdict a loosening in thresholds.toml turned into `unchanged`, with its reason.
    pub hidden: Option<Hidden>,
    /// For a count: the smallest change, in the metric's unit, this rule is sure to call a
    /// verdict on this row — the floor for an exact row, the band's reach (or half the floor,
    /// whichever is wider) for a moving one.
    pub detectable: Option<f64>,
}

impl Judgement {
    /// A rule's answer, nothing hidden.
    pub fn new(baseline: Option<f64>, current: Option<f64>, verdict: Verdict, rule: String) -> Judgement {
        Judgement { baseline, current, verdict, rule, hidden: None, detectable: None }
    }

    /// The same answer, with the smallest change the rule would have caught.
    pub fn detecting(self, change: f64) -> Judgement {
        Judgement { detectable: Some(change), ..self }
    }

    /// `(current - baseline) / baseline` in percent, when both exist and the baseline is not 0.
    pub fn change_pct(&self) -> Option<f64> {
        match (self.baseline, self.current) {
            (Some(b), Some(c)) if b != 0.0 => Some((c - b) / b * 100.0),
            _ => None,
        }
    }
}

/// A change a loosening let through: named, never silent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hidden {
    /// What the rule alone said.
    pub verdict: Verdict,
    /// The rule alone.
    pub rule: String,
    /// The loosening's tolerance.
    pub tolerance_pct: f64,
    /// Its reason, as thresholds.toml gives it.
    pub reason: String,
}

/// `worse` if the change goes the bad way, by direction.
pub(crate) fn direction(m: &Metric, delta: f64) -> Verdict {
    if (delta > 0.0) != m.larger_is_better {
        Verdict::Regressed
    } else {
        Verdict::Improved
    }
}

/// The floor of a count metric, in its own unit (per span or in total over `spans`).
pub(crate) fn floor(what: Counted, per_span: bool, spans: u64) -> f64 {
    let per = match what {
        Counted::Bytes => BYTES_PER_SPAN_FLOOR,
        Counted::Exports => 1.0 / SPANS_PER_EXPORT_FLOOR as f64,
        _ => 1.0 / SPANS_PER_ALLOCATION_FLOOR as f64,
    };
    if per_span {
        per
    } else {
        per * spans as f64
    }
}

pub(crate) fn floor_text(what: Counted) -> String {
    match what {
        Counted::Allocs => format!("1 allocation per {SPANS_PER_ALLOCATION_FLOOR} spans"),
        Counted::Bytes => format!("{BYTES_PER_SPAN_FLOOR} B per span"),
        Counted::Reallocs => format!("1 reallocation per {SPANS_PER_ALLOCATION_FLOOR} spans"),
        Counted::Leaked => format!("1 leaked block per {SPANS_PER_ALLOCATION_FLOOR} spans"),
        Counted::Exports => format!("1 export per {SPANS_PER_EXPORT_FLOOR} spans"),
    }
}
