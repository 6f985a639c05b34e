//! Paired measurements outside criterion: medians over rounds with a distribution-free 95%
//! interval, written where `spanalloc report` reads them (`target/spanalloc-bench/*.json`).

use std::path::Path;

use serde::Serialize;

/// One measured figure: its median over rounds, the interval of that median, and every round in
/// the order measured (rounds of a paired bench interleave its sides, so the report can pair them).
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
    /// Each round's figure, ns, in the order measured.
    pub rounds_ns: Vec<f64>,
}

impl Estimate {
    /// The median of `values` and its 95% interval ([`spanalloc_record::stats::median_interval`]).
    pub fn of(id: String, values: Vec<f64>) -> Self {
        let (median_ns, lo, hi) = spanalloc_record::stats::median_interval(&values).expect("too few rounds for an interval");
        Estimate { id, median_ns, ci_ns: (lo, hi), rounds: values.len(), rounds_ns: values }
    }
}

/// Writes `estimates` as `NAME.json` where the report looks for them: beside criterion's output
/// (`CRITERION_HOME`'s parent, `spanalloc-bench/`) when that is set, else `target/spanalloc-bench/`.
pub fn write_beside_criterion(name: &str, estimates: &[Estimate]) -> std::io::Result<()> {
    let dir = match std::env::var_os("CRITERION_HOME") {
        Some(home) => {
            Path::new(&home).parent().map_or_else(|| Path::new(".").to_path_buf(), Path::to_path_buf).join("spanalloc-bench")
        }
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/spanalloc-bench"),
    };
    write(&dir.join(format!("{name}.json")), estimates)
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
        use spanalloc_record::stats::lower_rank;
        assert_eq!(lower_rank(31), 9);
        assert_eq!(lower_rank(10), 1, "n = 10 → 2nd and 9th");
        assert_eq!(lower_rank(6), 0, "n = 6 → 1st and 6th");
        let e = Estimate::of("x".into(), (1..=31).map(f64::from).collect());
        assert_eq!((e.median_ns, e.ci_ns), (16.0, (10.0, 22.0)));
        assert_eq!(e.rounds_ns.len(), 31);
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
