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
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario").field("name", &self.name).finish_non_exhaustive()
    }
}
