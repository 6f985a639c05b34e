//! Planted series for testing change-point detection: a level, a relative step at a known night,
//! and Gaussian noise at a given relative spread — deterministic for a seed.
//!
//! The generator is written out (splitmix64 and Box–Muller) rather than taken from `rand`, whose
//! distributions may change their values between releases: the detection table in
//! docs/change-points.md and the tests must draw the same series forever.

/// Gaussian noise of unit spread, deterministic for `seed`.
pub struct Noise {
    state: u64,
    spare: Option<f64>,
}

impl Noise {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Noise { state: seed ^ 0x9e37_79b9_7f4a_7c15, spare: None }
    }

    fn uniform(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// The next standard normal value.
    pub fn next_normal(&mut self) -> f64 {
        if let Some(s) = self.spare.take() {
            return s;
        }
        let (u, v) = (self.uniform(), self.uniform());
        let r = (-2.0 * u.ln()).sqrt();
        let t = 2.0 * std::f64::consts::PI * v;
        self.spare = Some(r * t.sin());
        r * t.cos()
    }
}

/// What to plant in a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plant {
    /// Nights.
    pub len: usize,
    /// The level before any change.
    pub level: f64,
    /// The index of the first night after the step (`None`: no step).
    pub step_at: Option<usize>,
    /// The step, relative to the level (0.02 = +2%).
    pub step: f64,
    /// A drift over the whole series, relative to the level (0.05 = +5% by the last night).
    pub drift: f64,
    /// The noise's spread, relative to the level (one standard deviation).
    pub noise: f64,
}

/// The series `p` describes, with noise from `seed`.
pub fn series(p: &Plant, seed: u64) -> Vec<f64> {
    let mut noise = Noise::new(seed);
    (0..p.len)
        .map(|i| {
            let stepped = p.step_at.is_some_and(|at| i >= at);
            let drift = if p.len > 1 { p.drift * i as f64 / (p.len - 1) as f64 } else { 0.0 };
            p.level * (1.0 + if stepped { p.step } else { 0.0 } + drift + p.noise * noise.next_normal())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_noise_has_unit_spread_and_repeats_for_a_seed() {
        let mut n = Noise::new(1);
        let v: Vec<f64> = (0..20_000).map(|_| n.next_normal()).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / v.len() as f64).sqrt();
        assert!(mean.abs() < 0.03 && (sd - 1.0).abs() < 0.03, "{mean} {sd}");
        let p = Plant { len: 5, level: 100.0, step_at: Some(3), step: 0.1, drift: 0.0, noise: 0.0 };
        assert_eq!(series(&p, 7), [100.0, 100.0, 100.0, 110.00000000000001, 110.00000000000001]);
        let noisy = Plant { noise: 0.01, ..p };
        assert_eq!(series(&noisy, 7), series(&noisy, 7));
    }
}
