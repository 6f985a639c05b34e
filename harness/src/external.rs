//! A scenario measured by a program of its own (the Go twin, a user's binary): what it declares
//! and what one pass asks of it. Below both the catalog, which lists such scenarios, and the
//! programs that provide them (`go_twin`), so neither imports the other.

use std::path::{Path, PathBuf};

use spanalloc_model::WorkloadConfig;

use crate::pass::Pass;

/// One pass an external program is asked to run.
pub struct PassRequest<'a> {
    /// The pass.
    pub pass: Pass,
    /// The workload (rate already resolved).
    pub cfg: &'a WorkloadConfig,
    /// Where a profile goes, for a pass that writes one.
    pub profile: Option<&'a Path>,
}

/// A scenario measured by a program of its own, which prints one [`crate::pass::PassOutput`]
/// JSON line per pass on stdout.
#[derive(Clone, Copy)]
pub struct External {
    /// The name users select it by.
    pub name: &'static str,
    /// One line saying how it hands the context on.
    pub description: &'static str,
    /// Whether its counts are the same whatever the thread timing.
    pub exact_counts: bool,
    /// Whether its pipeline may drop spans by design (a bounded queue that drops when full);
    /// one that may not fails its run when it does.
    pub may_drop: bool,
    /// The passes it runs; `run` asks for no other.
    pub passes: &'static [Pass],
    /// Makes the program ready (builds it) and returns it, once per run, before its first pass
    /// and outside every measured region; `Err` says in one line why it cannot run.
    pub prepare: fn() -> Result<PathBuf, String>,
    /// The arguments of one pass.
    pub args: fn(&PassRequest<'_>) -> Vec<String>,
    /// Whether a default run (no `--scenario`) includes it.
    pub default_on: bool,
}
