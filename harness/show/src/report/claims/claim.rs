//! What a claim's judgement holds: the claim, its Rust or Go analogue and contrast, and a verdict
//! per trace-state size — the content of `claims.json`. Below the evaluators (`rust`, `go`) and
//! the list that runs them, so none imports the other back.

use serde::Serialize;

use super::judge::{self, Verdict};

/// The layout version of `claims.json`. Version 2: a claim judged on two rows names its
/// contrast (`contrast`), one entry per claim × contrast. Version 3: each claim names the
/// quantity it is judged on (`metric`); a size that only informs (`informs_only`: peak RSS beside
/// a heap verdict) and a size with no verdict are left out of the overall one; the verdicts
/// `nothing-carried` and `holds-not-discriminating`. Version 4: timing claims are judged on
/// interleaved rounds, with the verdict `within-spread` where the difference does not clear
/// their run-to-run spread; C8 is judged in Go on B/op (`not-reproduced` where both receivers
/// allocate the same), its Rust timing listed as `C8 (Rust)`; C5's overall detail names its
/// crossover. Version 5: C5's overall verdict is its crossover's — where a pointer starts to win,
/// between which sizes — not a summary of its per-size verdicts, which stay beside it.
pub const CLAIMS_VERSION: u32 = 5;

/// Which two rows a claim sets against each other, and which question that answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Contrast {
    /// `copy vs pointer` or `deep vs shared trace state`.
    pub name: &'static str,
    /// The row the claim's "by value" side is (`value-shared`, `value-copy`, `go-value`).
    pub value: &'static str,
    /// The row set against it (`pointer-passing`, `value-shared`, `go-pointer`).
    pub other: &'static str,
    /// The question the contrast answers.
    pub question: &'static str,
    /// Whether it is the article's own question: only one contrast per language answers it.
    pub answers_article: bool,
}

/// Every claim, judged: the content of `claims.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Claims {
    /// Layout version ([`CLAIMS_VERSION`]).
    pub version: u32,
    /// The claims, in the article's order.
    pub claims: Vec<Claim>,
}

/// One claim in one language's rows.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    /// `C1` .. `C8`.
    pub id: &'static str,
    /// Which rows judged it: `rust`, or `go` (the Go twin's).
    pub language: &'static str,
    /// The article's claim (Go).
    pub claim: &'static str,
    /// The quantity the verdicts are judged on, in a few words: `claims.json` and the page
    /// both show this one string.
    pub metric: &'static str,
    /// What is measured instead.
    pub analogue: String,
    /// The two rows set against each other, for a claim judged on a pair.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contrast: Option<Contrast>,
    /// How each verdict is decided.
    pub criterion: String,
    /// The verdict over every size.
    pub overall: Verdict,
    /// The overall verdict with the sizes it rests on.
    pub overall_detail: String,
    /// One verdict per size (trace-state size, context size, or aspect of the claim).
    pub sizes: Vec<SizeVerdict>,
}

/// A claim at one size.
#[derive(Debug, Clone, Serialize)]
pub struct SizeVerdict {
    /// The size: `ts=4`, `24 B`, or an aspect of the claim.
    pub size: String,
    /// Its verdict.
    pub verdict: Verdict,
    /// The measured numbers.
    pub measured: String,
    /// The claimed numbers.
    pub claimed: String,
    /// The measured effect, as judged (relative change or absolute figure).
    pub measured_effect: Option<f64>,
    /// The claimed effect in the same terms.
    pub claimed_effect: Option<f64>,
    /// Shown beside the verdicts, never part of the overall one (peak RSS beside a heap verdict).
    pub informs_only: bool,
}

impl Claim {
    /// A claim with its overall verdict and detail derived from `sizes`.
    pub fn new(
        id: &'static str,
        claim: &'static str,
        metric: &'static str,
        analogue: impl Into<String>,
        criterion: String,
        sizes: Vec<SizeVerdict>,
    ) -> Self {
        let counted: Vec<&SizeVerdict> = sizes.iter().filter(|s| !s.informs_only).collect();
        let verdicts: Vec<Verdict> = counted.iter().map(|s| s.verdict).collect();
        let overall = judge::overall(&verdicts);
        let overall_detail = if overall == Verdict::DependsOnSize {
            // Only the sizes that were judged: an inconclusive size is no size the claim depends on.
            let mut groups: Vec<(Verdict, Vec<&str>)> = Vec::new();
            for s in counted.iter().filter(|s| s.verdict.is_judged()) {
                match groups.iter_mut().find(|(v, _)| *v == s.verdict) {
                    Some((_, names)) => names.push(&s.size),
                    None => groups.push((s.verdict, vec![&s.size])),
                }
            }
            let parts: Vec<String> = groups.iter().map(|(v, names)| format!("{} at {}", v.word(), names.join(", "))).collect();
            let unjudged: Vec<&str> = counted.iter().filter(|s| !s.verdict.is_judged()).map(|s| s.size.as_str()).collect();
            let rest = if unjudged.is_empty() { String::new() } else { format!(" (not judged at {})", unjudged.join(", ")) };
            format!("depends on size: {}{rest}", parts.join("; "))
        } else {
            overall.word().to_owned()
        };
        Claim {
            id,
            language: "rust",
            claim,
            metric,
            analogue: analogue.into(),
            contrast: None,
            criterion,
            overall,
            overall_detail,
            sizes,
        }
    }
}

/// A size with no verdict, and why.
pub(super) fn not_measured(size: String, why: &str) -> SizeVerdict {
    SizeVerdict {
        size,
        verdict: Verdict::NotMeasured,
        measured: why.to_owned(),
        claimed: String::new(),
        measured_effect: None,
        claimed_effect: None,
        informs_only: false,
    }
}

/// A relative change in words: "12.3% less", "4.0% more", or "no change".
pub(super) fn pct(effect: f64) -> String {
    // Under 0.05% either way prints as no change, never "-0.0% less".
    if (effect * 100.0).abs() < 0.05 {
        "no change".to_owned()
    } else if effect < 0.0 {
        format!("{:.1}% less", -effect * 100.0)
    } else {
        format!("{:.1}% more", effect * 100.0)
    }
}
