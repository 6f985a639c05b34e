//! How a strategy crate makes itself known to the harness: a name, a line of description, and a
//! function that runs the shared pipeline with that strategy.

use crate::pipeline::{RunHooks, RunReport};
use crate::workload::WorkloadConfig;

/// A runnable scenario.
#[derive(Clone, Copy)]
pub struct Scenario {
    /// The name users select it by (`--scenario NAME`).
    pub name: &'static str,
    /// One line saying how it hands the context on.
    pub description: &'static str,
    /// Runs the workload with this strategy. The configuration must be valid.
    pub run: fn(&WorkloadConfig, &dyn RunHooks) -> RunReport,
    /// Whether its allocation counts, with one producer, are the same whatever the thread
    /// timing. True for the strategies, whose pipeline allocates nothing of its own after setup;
    /// false for a scenario with a pipeline of its own (the SDK's batch processor), whose
    /// counts move by a few allocations from run to run. Meters are then compared within 1%.
    pub exact_counts: bool,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario").field("name", &self.name).finish_non_exhaustive()
    }
}
