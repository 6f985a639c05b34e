//! The statistics every reader and the measuring side share: the median, and the test behind a
//! noisy metric's verdict — a two-sided Mann–Whitney U test (statrs) plus a minimum difference of
//! medians, as benchstat does.
//!
//! The p-value is statrs's normal approximation with continuity and tie correction. Its exact
//! method (`Automatic` picks it for small samples without ties) returned p = 1 for two completely
//! separated samples of five in statrs 0.19 — the lower tail where the upper is meant — so it is
//! not used. For 5 + 5 samples the approximation gives p ≈ 0.012 at complete separation, against
//! an exact 0.008: the gate can still fire at alpha = 0.05 with `--repeat 5`.

use statrs::stats_tests::mannwhitneyu::{mannwhitneyu, MannWhitneyUMethod};
use statrs::stats_tests::Alternative;

/// The smallest and largest of some counts; `(0, 0)` for none.
pub fn min_max(values: &[u64]) -> (u64, u64) {
    values.iter().min().zip(values.iter().max()).map_or((0, 0), |(&lo, &hi)| (lo, hi))
}

/// The median of the finite values; 0 for none.
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// The outcome of testing two sets of samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Significance {
    /// Two-sided p-value.
    pub p_value: f64,
    /// `(median(current) - median(baseline)) / median(baseline)`, in percent.
    pub effect_pct: f64,
    /// Both significant at `alpha` and at least `min_effect_pct` apart.
    pub significant: bool,
}

/// Tests whether `current` differs from `baseline`. `None` when the test cannot be run (NaN).
pub fn test(baseline: &[f64], current: &[f64], alpha: f64, min_effect_pct: f64) -> Option<Significance> {
    let (_, p_value) =
        mannwhitneyu(baseline, current, MannWhitneyUMethod::AsymptoticInclContinuityCorrection, Alternative::TwoSided).ok()?;
    let (mb, mc) = (median(baseline), median(current));
    let effect_pct = if mb == 0.0 {
        if mc == 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    } else {
        (mc - mb) / mb * 100.0
    };
    Some(Significance { p_value, effect_pct, significant: p_value < alpha && effect_pct.abs() >= min_effect_pct })
}

/// The median of `values` and its distribution-free 95% interval: the order statistics `k` and
/// `n − 1 − k`, `k` the largest 0-based rank whose binomial(n, ½) tail stays under 2.5% (the
/// sign test's interval: for 31 values the 10th and 22nd smallest). `None` under 6 values, where
/// no such rank exists. Returns `(median, low, high)`.
pub fn median_interval(values: &[f64]) -> Option<(f64, f64, f64)> {
    let mut v: Vec<f64> = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n < 6 {
        return None;
    }
    let k = lower_rank(n);
    Some((v[n / 2], v[k], v[n - 1 - k]))
}

/// The 0-based rank `k` such that P(Binomial(n, ½) ≤ k) ≤ 2.5%, the largest such.
pub fn lower_rank(n: usize) -> usize {
    // P(X ≤ k) accumulated with exact binomial terms (n is small).
    let mut term = 0.5f64.powi(n as i32); // P(X = 0)
    let mut cdf = term;
    let mut k = 0;
    while k + 1 < n / 2 {
        term *= (n - k) as f64 / (k + 1) as f64;
        if cdf + term > 0.025 {
            break;
        }
        cdf += term;
        k += 1;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_of_counts_and_of_none() {
        assert_eq!(min_max(&[7, 1972, 4, 508]), (4, 1972));
        assert_eq!(min_max(&[]), (0, 0));
    }

    /// Five repeats of a CPU figure with ~3% run-to-run spread.
    const BASE: [f64; 5] = [1000.0, 1030.0, 985.0, 1012.0, 1021.0];

    #[test]
    fn no_change_fires_no_gate() {
        let same = [1008.0, 995.0, 1025.0, 990.0, 1017.0];
        let s = test(&BASE, &same, 0.05, 5.0).unwrap();
        assert!(!s.significant, "{s:?}");
        assert!(s.p_value > 0.05);
    }

    #[test]
    fn a_planted_30_percent_increase_fires() {
        let slower: Vec<f64> = BASE.iter().map(|v| v * 1.3).collect();
        let s = test(&BASE, &slower, 0.05, 5.0).unwrap();
        assert!(s.significant, "{s:?}");
        assert!((s.effect_pct - 30.0).abs() < 1.0);
        // Complete separation of 5 and 5: z = (25 - 12.5 - 0.5) / sqrt(5·5·11/12), p = 2(1 - Φ(z)).
        assert!((s.p_value - 0.01219).abs() < 1e-4, "{}", s.p_value);
    }

    #[test]
    fn significant_but_tiny_is_not_a_regression() {
        let a = [100.0, 100.1, 100.2, 100.3, 100.4];
        let b = [101.0, 101.1, 101.2, 101.3, 101.4];
        let s = test(&a, &b, 0.05, 5.0).unwrap();
        assert!(s.p_value < 0.05 && !s.significant, "{s:?}");
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[f64::NAN, 1.0]), 1.0);
    }

    #[test]
    fn nan_cannot_be_tested() {
        assert!(test(&[f64::NAN, 1.0], &[1.0, 2.0], 0.05, 5.0).is_none());
    }
}
