//! A verdict: what became of one metric of one row. One type for every output (text, Markdown,
//! JSON, HTML, exports), so a word means the same wherever it is read.

use serde::Serialize;

/// What became of one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Worse beyond the threshold: fails the comparison.
    Regressed,
    /// Better beyond the threshold.
    Improved,
    /// Within the threshold.
    Unchanged,
    /// A noisy metric without a significant change, or not gated (too few samples).
    Noise,
    /// Only in the current run.
    New,
    /// Only in the baseline.
    Missing,
    /// The two runs used different workloads.
    Incomparable,
}

impl Verdict {
    /// The word printed in tables.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Regressed => "regressed",
            Verdict::Improved => "improved",
            Verdict::Unchanged => "unchanged",
            Verdict::Noise => "noise",
            Verdict::New => "new",
            Verdict::Missing => "missing",
            Verdict::Incomparable => "incomparable",
        }
    }
}
