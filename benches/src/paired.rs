//! Paired measurements outside criterion: medians over rounds with a distribution-free 95%
//! interval, written where `spanalloc report` reads them (`target/spanalloc-bench/*.json`).

use std::path::Path;

use serde::Serialize;

/// One measured figure: its median over rounds and the interval of that median.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    /// `group/function/parameter`, as criterion names its benchmarks.
    pub id: String,
    /// Median over rounds, ns.
    pub median_ns: f64,
    /// 95% interval of the median, ns.
    pub ci_ns: (f64, f64),
    /// Rounds measured.
    pub rounds: usize,
}

impl Estimate {
    /// The median of `values` and its 95% interval: the order statistics `k` and `n − 1 − k`
    /// with `k` the largest rank whose binomial(n, ½) tail stays under 2.5% (for 31 rounds, the
    /// 10th and 22nd smallest, 1-based).
    pub fn of(id: String, mut values: Vec<f64>) -> Self {
        values.sort_by(f64::total_cmp);
        let n = values.len();
        assert!(n >= 6, "too few rounds for an interval");
        let k = lower_rank(n);
        Estimate { id, median_ns: values[n / 2], ci_ns: (values[k], values[n - 1 - k]), rounds: n }
    }
}

/// The 0-based rank `k` such that P(Binomial(n, ½) ≤ k) ≤ 2.5%, the largest such.
fn lower_rank(n: usize) -> usize {
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

/// Writes `estimates` as JSON to `file`, making its directory.
pub fn write(file: &Path, estimates: &[Estimate]) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(file, serde_json::to_vec_pretty(estimates).map_err(std::io::Error::other)?)
}

/// Pins the calling thread to `cpu` when the machine has two CPUs or more. The count is read
/// once, before any pinning: a pinned thread, and every thread it spawns, sees only its own.
pub fn pin(cpu: usize) {
    static CPUS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cpus = *CPUS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if cpus < 2 {
        return;
    }
    // SAFETY: `set` is a zeroed cpu_set_t we own; CPU_SET writes a bit inside it, and
    // sched_setaffinity(0, …) reads it for the calling thread only.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu % cpus, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_interval_ranks_follow_the_binomial() {
        // Tables for the sign-test interval of a median at 95%: n = 31 → 10th and 22nd values.
        assert_eq!(lower_rank(31), 9);
        assert_eq!(lower_rank(10), 1, "n = 10 → 2nd and 9th");
        assert_eq!(lower_rank(6), 0, "n = 6 → 1st and 6th");
        let e = Estimate::of("x".into(), (1..=31).map(f64::from).collect());
        assert_eq!((e.median_ns, e.ci_ns), (16.0, (10.0, 22.0)));
    }

    #[test]
    fn pinning_keeps_the_thread_running() {
        std::thread::spawn(|| {
            pin(0);
            assert_eq!(1 + 1, 2);
        })
        .join()
        .unwrap();
    }
}
