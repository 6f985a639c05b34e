//! Change points in one noisy series, as Apache Otava 0.8 finds them by default
//! (`otava/analysis.py`, `compute_change_points`, after Fleming et al., "Hunter", ICPE 2023):
//!
//! 1. **Split:** slide a window of `window_len` points (step half a window) over the series; in
//!    each, run E-Divisive (Matteson and James 2014: the split maximising the energy statistic
//!    Q̂ between its two sides), keeping a candidate while Student's t-test between the pieces it
//!    separates has p ≤ 10 × `max_pvalue` ("weak" change points).
//! 2. **Merge:** drop the weakest — the highest p-value, or, once every p is below `max_pvalue`,
//!    the smallest relative change, while it is at most `min_magnitude` — recomputing its
//!    neighbours' statistics, until all that remain are significant.
//!
//! Deterministic: no permutations. Written out rather than bound to Python (the suite is Rust
//! and a year of nights must take under a second); `tests/otava.rs` holds it to Otava's answers.
//! Tie-breaking follows numpy's (the first maximum in row-major order), so the same series gives
//! the same indexes.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Otava's defaults (`otava/series.py`, `AnalysisOptions`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Points per window.
    pub window_len: usize,
    /// The p-value a change point must reach.
    pub max_pvalue: f64,
    /// The smallest relative change a significant change point is kept at.
    pub min_magnitude: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options { window_len: 50, max_pvalue: 0.001, min_magnitude: 0.0 }
    }
}

/// A change point: the index of the first point after it, and the two pieces' statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangePoint {
    /// The first index of the piece after the change.
    pub index: usize,
    /// Mean of the piece before (up to the previous change point).
    pub mean_before: f64,
    /// Mean of the piece after (up to the next).
    pub mean_after: f64,
    /// Student's t-test between the two pieces (two-sided, equal variances).
    pub pvalue: f64,
}

impl ChangePoint {
    /// Otava's magnitude: the larger of the forward and backward relative changes.
    pub fn magnitude(&self) -> f64 {
        let rel = |a: f64, b: f64| if a == 0.0 { 0.0 } else { b / a - 1.0 };
        rel(self.mean_before, self.mean_after).abs().max(rel(self.mean_after, self.mean_before).abs())
    }
}

/// Otava's `TTestSignificanceTester.compare`: numpy's population standard deviations fed to
/// scipy's `ttest_ind_from_stats` (which takes them as sample deviations), equal variances.
fn ttest(left: &[f64], right: &[f64]) -> (f64, f64, f64) {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let std = |v: &[f64], m: f64| {
        if v.len() < 2 {
            0.0
        } else {
            (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64).sqrt()
        }
    };
    let (ml, mr) = (mean(left), mean(right));
    let (sl, sr) = (std(left, ml), std(right, mr));
    let (n1, n2) = (left.len() as f64, right.len() as f64);
    if left.len() + right.len() <= 2 {
        return (ml, mr, 1.0);
    }
    let df = n1 + n2 - 2.0;
    let pooled = ((n1 - 1.0) * sl * sl + (n2 - 1.0) * sr * sr) / df;
    let denom = (pooled * (1.0 / n1 + 1.0 / n2)).sqrt();
    let t = (ml - mr) / denom;
    let p = if t.is_nan() {
        f64::NAN
    } else if t.is_infinite() {
        0.0
    } else {
        let dist = StudentsT::new(0.0, 1.0, df).expect("df > 0");
        (2.0 * dist.sf(t.abs())).min(1.0)
    };
    (ml, mr, p)
}

/// `[start, stop)` pieces between sorted change points (Otava's `get_intervals`).
fn intervals(cps: &[usize], len: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(cps.len() + 1);
    let mut start = 0;
    for &c in cps.iter().chain(std::iter::once(&len)) {
        if c != start {
            out.push((start, c));
        }
        start = c;
    }
    out
}

/// The statistics of change point `index` among `pieces`: split the piece it lies inside, or
/// (an existing change point) the two pieces it separates.
fn stats(series: &[f64], index: usize, pieces: &[(usize, usize)]) -> ChangePoint {
    let mut around = None;
    for (i, &(start, stop)) in pieces.iter().enumerate() {
        if stop == index {
            around = Some(((start, stop), pieces[i + 1]));
            break;
        }
        if start < index && index < stop {
            around = Some(((start, index), (index, stop)));
            break;
        }
    }
    let ((a, b), (c, d)) = around.expect("a change point lies in or between pieces");
    let (mean_before, mean_after, pvalue) = ttest(&series[a..b], &series[c..d]);
    ChangePoint { index, mean_before, mean_after, pvalue }
}

/// The energy statistic over one window: distances, and 2-D prefix sums of them so that any
/// block's sum is O(1).
struct Energy {
    n: usize,
    /// `sums[(i) * (n + 1) + j]` = Σ of |x_a − x_b| over a < i, b < j.
    sums: Vec<f64>,
}

impl Energy {
    fn new(x: &[f64]) -> Self {
        let n = x.len();
        let w = n + 1;
        let mut sums = vec![0.0; w * w];
        for i in 0..n {
            let mut row = 0.0;
            for j in 0..n {
                row += (x[i] - x[j]).abs();
                sums[(i + 1) * w + j + 1] = sums[i * w + j + 1] + row;
            }
        }
        Energy { n, sums }
    }

    /// Σ |x_a − x_b| for a in [a0, a1), b in [b0, b1).
    fn block(&self, a0: usize, a1: usize, b0: usize, b1: usize) -> f64 {
        let w = self.n + 1;
        self.sums[a1 * w + b1] - self.sums[a0 * w + b1] - self.sums[a1 * w + b0] + self.sums[a0 * w + b0]
    }

    /// Q(τ, κ) for the piece starting at `start`: X = [start, τ), Y = [τ, κ).
    fn q(&self, start: usize, tau: usize, kappa: usize) -> f64 {
        let (n, m) = ((tau - start) as f64, (kappa - tau) as f64);
        let cross = self.block(start, tau, tau, kappa);
        let within_x = self.block(start, tau, start, tau) / 2.0;
        let within_y = self.block(tau, kappa, tau, kappa) / 2.0;
        let mut q = 2.0 / (m + n) * cross;
        if n > 1.0 {
            q -= 2.0 * m / (m + n) / (n - 1.0) * within_x;
        }
        if m > 1.0 {
            q -= 2.0 * n / (m + n) / (m - 1.0) * within_y;
        }
        q
    }

    /// Otava's `get_candidate_change_point` over `[start, end)`: numpy's argmax over its Q
    /// matrix, whose cells below the diagonal are 0 — so when every real split scores below 0,
    /// the answer is the first of those zeros, as Otava's is.
    fn candidate(&self, start: usize, end: usize) -> (usize, f64) {
        let size = end - 1 - start;
        let (mut best, mut at) = (f64::NEG_INFINITY, (0, 0));
        for i in 0..size {
            for j in 0..size {
                let v = if j >= i { self.q(start, start + i + 1, start + j + 2) } else { 0.0 };
                if v > best {
                    (best, at) = (v, (i, j));
                }
            }
        }
        (at.0 + 1 + start, best)
    }
}

/// E-Divisive over `x` alone (Otava's `ChangePointDetector.get_change_points`): the indexes,
/// relative to `x`, in order.
fn divisive(x: &[f64], max_pvalue: f64) -> Vec<usize> {
    let energy = Energy::new(x);
    let mut cps: Vec<usize> = Vec::new();
    loop {
        let pieces = intervals(&cps, x.len());
        let mut best: Option<(usize, f64)> = None;
        for &(a, b) in &pieces {
            if b - a > 1 {
                let c = energy.candidate(a, b);
                if best.is_none_or(|(_, q)| c.1 > q) {
                    best = Some(c);
                }
            }
        }
        let Some((index, _)) = best else { break };
        if stats(x, index, &pieces).pvalue <= max_pvalue {
            cps.push(index);
            cps.sort_unstable();
        } else {
            break;
        }
    }
    cps
}

/// Otava's `split`: weak change points from overlapping windows.
fn split(series: &[f64], window_len: usize, max_pvalue: f64) -> Vec<usize> {
    assert!(window_len >= 2, "window length must be at least 2");
    let step = window_len / 2;
    let (mut start, mut cps) = (0, Vec::new());
    while start < series.len() {
        let end = (start + window_len).min(series.len());
        let found: Vec<usize> = divisive(&series[start..end], max_pvalue).into_iter().map(|i| i + start).collect();
        let last = found.last().copied().unwrap_or(0);
        for c in found {
            if !cps.contains(&c) {
                cps.push(c);
            }
        }
        start = last.max(start + step);
    }
    cps.sort_unstable();
    cps
}

/// Otava's `merge`.
fn merge(series: &[f64], mut cps: Vec<ChangePoint>, o: &Options) -> Vec<ChangePoint> {
    // Python's max/min return the first extreme; NaN compares false, as there.
    let first_max = |v: &[ChangePoint]| {
        let mut k = 0;
        for (i, c) in v.iter().enumerate() {
            if c.pvalue > v[k].pvalue {
                k = i;
            }
        }
        k
    };
    let first_min_magnitude = |v: &[ChangePoint]| {
        let mut k = 0;
        for (i, c) in v.iter().enumerate() {
            if c.magnitude() < v[k].magnitude() {
                k = i;
            }
        }
        k
    };
    while !cps.is_empty() {
        let mut weakest = first_max(&cps);
        if cps[weakest].pvalue < o.max_pvalue {
            weakest = first_min_magnitude(&cps);
            if cps[weakest].magnitude() > o.min_magnitude {
                return cps;
            }
        }
        cps.remove(weakest);
        let idx: Vec<usize> = cps.iter().map(|c| c.index).collect();
        let pieces = intervals(&idx, series.len());
        for k in [weakest, weakest + 1] {
            if k < cps.len() {
                cps[k] = stats(series, cps[k].index, &pieces);
            }
        }
    }
    cps
}

/// The change points of `series` with Otava's default analysis.
pub fn change_points(series: &[f64], o: &Options) -> Vec<ChangePoint> {
    if series.len() < 3 {
        return Vec::new();
    }
    let first_pass = if o.max_pvalue < 0.05 {
        o.max_pvalue * 10.0
    } else if o.max_pvalue < 0.5 {
        o.max_pvalue * 2.0
    } else {
        o.max_pvalue
    };
    let weak = split(series, o.window_len, first_pass);
    let pieces = intervals(&weak, series.len());
    let weak: Vec<ChangePoint> = weak.iter().map(|&i| stats(series, i, &pieces)).collect();
    merge(series, weak, o)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic noise of unit spread (a fixed LCG, so the test needs no dependency).
    fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                let mut u = 0.0;
                for _ in 0..12 {
                    s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    u += (s >> 11) as f64 / (1u64 << 53) as f64;
                }
                u - 6.0
            })
            .collect()
    }

    #[test]
    fn a_step_is_found_where_it_is_and_noise_alone_gives_none() {
        let x: Vec<f64> = noise(80, 7).iter().enumerate().map(|(i, e)| 100.0 + e + if i >= 40 { 10.0 } else { 0.0 }).collect();
        let cps = change_points(&x, &Options::default());
        assert_eq!(cps.iter().map(|c| c.index).collect::<Vec<_>>(), [40]);
        assert!(cps[0].pvalue < 1e-6 && (cps[0].mean_after - cps[0].mean_before - 10.0).abs() < 1.5);
        let flat: Vec<f64> = noise(80, 9).iter().map(|e| 100.0 + e).collect();
        assert!(change_points(&flat, &Options::default()).is_empty());
    }

    #[test]
    fn the_t_test_matches_scipy() {
        // scipy.stats.ttest_ind_from_stats(2.0, 0.816496580927726, 3, 5.0, 0.816496580927726, 3)
        // (numpy's population deviations of [1, 2, 3] and [4, 5, 6]) → p = 0.010822550462608247
        let (_, _, p) = ttest(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]);
        assert!((p - 0.010822550462608247).abs() < 1e-12, "{p}");
    }
}
