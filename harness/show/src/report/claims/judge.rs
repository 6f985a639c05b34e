//! How one measured effect is judged against a claimed one, with direction and size apart.
//!
//! An effect is a relative change, `after / before − 1` (−0.617 is "61.7% less"), or for a claim
//! stated in absolute units, that quantity itself. The verdict classes:
//! - `holds`: the direction is right and the size within ±25% of the claimed effect;
//! - `holds in direction`: the direction is right, the size outside that band;
//! - `contradicted`: the direction is wrong;
//! - `inconclusive`: the noise interval of the measured effect reaches both directions, or a noisy
//!   effect (timing, peak memory) is under 5%;
//! - `not measured`: the inputs are missing;
//! - `nothing carried`: the row the claim would save against carries nothing to save (C6 where
//!   value-copy allocates nothing per span: a pool has nothing to remove);
//! - `holds, not discriminating`: a check every candidate passes (C7: a mutex's slot reads as
//!   safely as an atomic's).
//!
//! The overall verdict rests on the judged sizes only (holds, holds in direction, contradicted):
//! an inconclusive size or one with nothing to judge is not a size the claim "depends on".

use serde::Serialize;

/// The band around the claimed effect within which a size holds, as a fraction of it.
pub const SIZE_BAND: f64 = 0.25;

/// A verdict at one size, or overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Direction right, size within the band.
    Holds,
    /// Direction right, size outside the band.
    HoldsInDirection,
    /// Direction wrong.
    Contradicted,
    /// The noise reaches both directions.
    Inconclusive,
    /// No input to judge from.
    NotMeasured,
    /// The claim has no counterpart here (a GC count in Rust).
    NotApplicable,
    /// Nothing to save: the row the claim saves against carries nothing (no allocation per span).
    NothingCarried,
    /// The claimed effect does not appear where the claim was made: both sides measured the
    /// same (both 0 B/op, say, when escape analysis keeps everything on the stack).
    NotReproduced,
    /// A timing contrast whose difference does not clear the run-to-run spread its interleaved
    /// rounds measured: no verdict either way.
    WithinSpread,
    /// Every candidate passes the check, the claim's and the alternatives: true, and no reason to
    /// prefer the claim's means.
    HoldsNotDiscriminating,
    /// Overall only: the sizes disagree.
    DependsOnSize,
}

impl Verdict {
    /// The words shown.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::HoldsInDirection => "holds in direction",
            Verdict::Contradicted => "contradicted",
            Verdict::Inconclusive => "inconclusive",
            Verdict::NotMeasured => "not measured",
            Verdict::NotApplicable => "not applicable",
            Verdict::NothingCarried => "nothing carried",
            Verdict::NotReproduced => "not reproduced",
            Verdict::WithinSpread => "not judged: within run-to-run spread",
            Verdict::HoldsNotDiscriminating => "holds, not discriminating",
            Verdict::DependsOnSize => "depends on size",
        }
    }

    /// A CSS class for the word.
    pub fn class(self) -> &'static str {
        match self {
            Verdict::Holds | Verdict::HoldsNotDiscriminating => "v-holds",
            Verdict::HoldsInDirection => "v-direction",
            Verdict::Contradicted => "v-contradicted",
            Verdict::DependsOnSize => "v-depends",
            _ => "v-none",
        }
    }

    /// A verdict on the claim's direction (and size): what an overall verdict rests on.
    pub fn is_judged(self) -> bool {
        matches!(self, Verdict::Holds | Verdict::HoldsInDirection | Verdict::Contradicted | Verdict::HoldsNotDiscriminating)
    }
}

/// A measured effect with its noise: `interval` holds the effect's plausible range (from
/// confidence intervals or the spread of repeats); an exact count has a point interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effect {
    /// The point estimate.
    pub value: f64,
    /// Lowest and highest plausible value.
    pub interval: (f64, f64),
}

impl Effect {
    /// An exact effect: no noise.
    pub fn exact(value: f64) -> Self {
        Effect { value, interval: (value, value) }
    }

    /// `a / b − 1` with `a` and `b` each known within `(lo, hi)`: the interval is the widest
    /// ratio the two ranges allow.
    pub fn ratio(a: (f64, f64, f64), b: (f64, f64, f64)) -> Option<Self> {
        let (a_point, a_lo, a_hi) = a;
        let (b_point, b_lo, b_hi) = b;
        (b_lo > 0.0 && b_point > 0.0)
            .then(|| Effect { value: a_point / b_point - 1.0, interval: (a_lo / b_hi - 1.0, a_hi / b_lo - 1.0) })
    }
}

/// The smallest relative difference a noisy claim (timing, peak memory) is judged on: criterion's
/// interval captures the noise within one run, not between runs, and a single run of a peak has
/// no spread at all, so a difference under this is called inconclusive (the same 5% floor
/// `compare` puts on noisy metrics). Identical runs' peak RSS differs by a few percent here.
pub const MIN_NOISY_EFFECT: f64 = 0.05;

/// Judges a noisy effect (timing, peak memory): as [`judge`], but inconclusive below
/// [`MIN_NOISY_EFFECT`].
pub fn judge_noisy(measured: Effect, claimed: f64) -> Verdict {
    if measured.value.abs() < MIN_NOISY_EFFECT {
        Verdict::Inconclusive
    } else {
        judge(measured, claimed)
    }
}

/// [`judge_paired`]'s test, as every timing claim's criterion states it.
pub const PAIRED_RULE: &str = "judged on interleaved rounds, the two sides back to back in each: the effect is the median round's ratio, and a verdict is given only when at least 90% of the rounds go the same way (every one of 5) and the median differs by 5% or more — else not judged, within run-to-run spread";

/// The least number of interleaved rounds a timing verdict rests on.
pub const MIN_ROUNDS: usize = 5;

/// The share of rounds that must go the same way before a timing contrast is judged.
pub const AGREEING_ROUNDS: f64 = 0.9;

/// A timing contrast measured in interleaved rounds — round i of `base` and of `other` ran back
/// to back, so their ratio cancels what the machine was doing then. The effect is the median of
/// the rounds' ratios `other_i / base_i − 1`, its interval the sign test's 95% interval of that
/// median (from 6 rounds; at 5, their whole range). The test: a verdict only when at least
/// [`AGREEING_ROUNDS`] of the rounds go the same way (every one of 5) and the median differs by
/// 5% or more ([`MIN_NOISY_EFFECT`]); otherwise [`Verdict::WithinSpread`]. A difference the
/// rounds' own spread could make gives no verdict, so two identical runs do not flip: with no
/// real difference, 28 of 31 rounds agree by chance once in 200,000 runs (a 95% interval alone
/// misleads one contrast in twenty). `None` under [`MIN_ROUNDS`] pairs or with a zero round.
pub fn judge_paired(base: &[f64], other: &[f64], claimed: f64) -> Option<(Verdict, Effect)> {
    let n = base.len().min(other.len());
    if n < MIN_ROUNDS || base.iter().chain(other).any(|v| !v.is_finite() || *v <= 0.0) {
        return None;
    }
    let ratios: Vec<f64> = base.iter().zip(other).map(|(b, o)| o / b - 1.0).collect();
    let (value, lo, hi) = spanalloc_record::stats::median_interval(&ratios).unwrap_or_else(|| {
        let (lo, hi) = ratios.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &r| (lo.min(r), hi.max(r)));
        (spanalloc_record::stats::median(&ratios), lo, hi)
    });
    let effect = Effect { value, interval: (lo, hi) };
    let up = ratios.iter().filter(|r| **r > 0.0).count();
    let down = ratios.iter().filter(|r| **r < 0.0).count();
    let agree = up.max(down) as f64 / n as f64 >= AGREEING_ROUNDS;
    let judged = agree && value.abs() >= MIN_NOISY_EFFECT;
    Some((if judged { judge(effect, claimed) } else { Verdict::WithinSpread }, effect))
}

/// The spread a paired effect was judged against, as a verdict's text gives it: `±X%`, half
/// the interval's width.
pub fn spread_text(e: Effect) -> String {
    format!("±{:.1}%", (e.interval.1 - e.interval.0) / 2.0 * 100.0)
}

/// Judges `measured` against `claimed` (same units, non-zero).
pub fn judge(measured: Effect, claimed: f64) -> Verdict {
    let (lo, hi) = measured.interval;
    if lo < 0.0 && hi > 0.0 || measured.value == 0.0 {
        return Verdict::Inconclusive;
    }
    if measured.value.signum() != claimed.signum() {
        return Verdict::Contradicted;
    }
    if (measured.value - claimed).abs() <= SIZE_BAND * claimed.abs() {
        Verdict::Holds
    } else {
        Verdict::HoldsInDirection
    }
}

/// The overall verdict of per-size verdicts: theirs when every judged size agrees, `depends on
/// size` when they do not. With no judged size: `inconclusive` if any size was, else `nothing
/// carried` or `not applicable` if every measured size says so, else `not measured`.
pub fn overall(per_size: &[Verdict]) -> Verdict {
    let judged: Vec<Verdict> = per_size.iter().copied().filter(|v| v.is_judged()).collect();
    if let Some(first) = judged.first() {
        return if judged.iter().all(|v| v == first) { *first } else { Verdict::DependsOnSize };
    }
    let measured: Vec<Verdict> = per_size.iter().copied().filter(|v| *v != Verdict::NotMeasured).collect();
    if measured.contains(&Verdict::Inconclusive) {
        Verdict::Inconclusive
    } else if let Some(first) = measured.first().filter(|f| measured.iter().all(|v| v == *f)) {
        *first
    } else if measured.is_empty() {
        Verdict::NotMeasured
    } else {
        Verdict::NotApplicable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One doctored effect per verdict class, against the article's −61.7%.
    #[test]
    fn every_class_from_doctored_numbers() {
        let claimed = -0.617;
        assert_eq!(judge(Effect::exact(-0.60), claimed), Verdict::Holds);
        assert_eq!(judge(Effect::exact(-0.47), claimed), Verdict::Holds, "inside the band: 0.75 × 61.7 = 46.3");
        assert_eq!(judge(Effect::exact(-0.93), claimed), Verdict::HoldsInDirection, "more than claimed");
        assert_eq!(judge(Effect::exact(-0.20), claimed), Verdict::HoldsInDirection, "less than claimed");
        assert_eq!(judge(Effect::exact(0.40), claimed), Verdict::Contradicted);
        assert_eq!(judge(Effect { value: -0.05, interval: (-0.2, 0.1) }, claimed), Verdict::Inconclusive);
        assert_eq!(judge(Effect { value: -0.6, interval: (-0.7, -0.5) }, claimed), Verdict::Holds);
        // A tight interval around a 0.2% timing difference is still no difference.
        assert_eq!(judge_noisy(Effect { value: -0.002, interval: (-0.018, -0.0004) }, -0.33), Verdict::Inconclusive);
        assert_eq!(judge_noisy(Effect::exact(-0.30), -0.33), Verdict::Holds);
        // A single run's peak RSS 1.4% higher by pointer is not a contradiction: it has no spread.
        assert_eq!(judge_noisy(Effect::exact(0.014), -0.365), Verdict::Inconclusive);
        assert_eq!(judge_noisy(Effect::exact(0.08), -0.365), Verdict::Contradicted);
    }

    #[test]
    fn paired_rounds_judge_a_real_difference_and_not_the_spread() {
        // Noise: ±10% round to round, no difference: within spread, never a verdict.
        let base: Vec<f64> = (0..31).map(|i| 100.0 + f64::from(i % 7) * 3.0).collect();
        let same: Vec<f64> = base.iter().enumerate().map(|(i, v)| v * if i % 2 == 0 { 1.08 } else { 0.93 }).collect();
        assert_eq!(judge_paired(&base, &same, -0.5).unwrap().0, Verdict::WithinSpread);
        // A planted 2× cost on one side, under the same noise: judged, and the same way every time.
        let slower: Vec<f64> = same.iter().map(|v| v * 2.0).collect();
        let (v, e) = judge_paired(&base, &slower, 1.0).unwrap();
        assert_eq!(v, Verdict::Holds, "{e:?}");
        assert_eq!(judge_paired(&slower, &base, 1.0).unwrap().0, Verdict::Contradicted);
        // Too few rounds: no judgement at all.
        assert!(judge_paired(&base[..4], &slower[..4], 1.0).is_none());
        // Five rounds: their whole range is the interval.
        assert_eq!(judge_paired(&base[..5], &slower[..5], 1.0).unwrap().0, Verdict::Holds);
    }

    #[test]
    fn overall_agrees_or_depends_on_size() {
        use Verdict::*;
        assert_eq!(overall(&[Holds, Holds]), Holds);
        assert_eq!(overall(&[Contradicted, HoldsInDirection]), DependsOnSize);
        assert_eq!(overall(&[NotMeasured, HoldsInDirection]), HoldsInDirection);
        assert_eq!(overall(&[NotMeasured]), NotMeasured);
        assert_eq!(overall(&[]), NotMeasured);
        // Only judged sizes count: an inconclusive size is not one the claim depends on.
        assert_eq!(overall(&[Inconclusive, Holds]), Holds);
        assert_eq!(overall(&[Inconclusive, Holds, Contradicted]), DependsOnSize);
        assert_eq!(overall(&[Inconclusive, NotMeasured]), Inconclusive);
        assert_eq!(overall(&[NothingCarried, Holds]), Holds);
        assert_eq!(overall(&[NothingCarried, NotMeasured]), NothingCarried);
        assert_eq!(overall(&[NotApplicable, NotApplicable]), NotApplicable);
        assert_eq!(overall(&[HoldsNotDiscriminating, HoldsNotDiscriminating]), HoldsNotDiscriminating);
    }

    #[test]
    fn ratios_carry_their_noise() {
        let e = Effect::ratio((90.0, 85.0, 95.0), (100.0, 95.0, 105.0)).unwrap();
        assert!((e.value + 0.1).abs() < 1e-12);
        assert!((e.interval.0 - (85.0 / 105.0 - 1.0)).abs() < 1e-12 && (e.interval.1 - (95.0 / 95.0 - 1.0)).abs() < 1e-12);
        assert!(Effect::ratio((1.0, 1.0, 1.0), (0.0, 0.0, 0.0)).is_none());
    }
}
