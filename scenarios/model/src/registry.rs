//! How a scenario makes itself known: a name, a line of description, and a function that runs
//! the walk with its pipeline. A strategy crate builds its entry with [`Scenario::strategy`], a
//! scenario with a pipeline of its own (the SDK row) with [`Scenario::pipeline`].

use crate::current_check::{self, CheckConfig, CheckReport};
use crate::pipeline::Pipeline;
use crate::processor::StrategyPipeline;
use crate::reference::SameWork;
use crate::strategy::Strategy;
use crate::walk::{self, RunHooks, RunReport};
use crate::workload::WorkloadConfig;

/// A runnable scenario.
#[derive(Clone, Copy)]
pub struct Scenario {
    /// The name users select it by (`--scenario NAME`).
    pub name: &'static str,
    /// One line saying how it hands the context on.
    pub description: &'static str,
    /// Runs the workload. The configuration must be valid.
    pub run: fn(&WorkloadConfig, &dyn RunHooks) -> RunReport,
    /// Whether its allocation counts, with one producer, are the same whatever the thread
    /// timing. True for the strategies, whose pipeline allocates nothing of its own after setup;
    /// false for a scenario with a pipeline of its own (the SDK's batch processor), whose
    /// counts move by a few allocations from run to run. Meters are then compared within 1%.
    pub exact_counts: bool,
    /// Checks its current-context slot under a writer ([`crate::current_check`]); `None` for a
    /// scenario whose current context is thread-local (the SDK's).
    pub check_current: Option<fn(CheckConfig) -> CheckReport>,
    /// The rate a pass asked to run as fast as possible (`rate` 0) is paced at instead, for a
    /// scenario whose own bounded queue drops spans when outrun (the SDK's batch processor):
    /// an unpaced pass would measure different work. `None`: unpaced means unpaced.
    pub unpaced_rate: Option<u64>,
    /// The fastest rate its passes are paced at, gated counts among them: a stack whose producer
    /// cannot hold the run's rate on the CI machine (two cores) declares the rate it holds, with
    /// the measured reason in its doc. Baseline and current rows then ran at the same rate, and
    /// a row that drops spans at its gate rate fails its run. `None`: the run's rate.
    pub gate_rate: Option<u64>,
    /// From this many trace-state entries on, a lower gate rate: a stack that holds
    /// [`Scenario::gate_rate`] at small trace states but not at the largest (its per-span CPU
    /// grows with the entries) declares the rate it holds there, with the measured reason.
    pub gate_rate_from: Option<(usize, u64)>,
    /// Whether its pipeline may drop spans by design (a bounded queue that drops when full, as
    /// the SDK's batch processor does). Its passes are paced, never unpaced, and its dhat pass is
    /// run again slower when it drops. A drop in its measured passes still fails the run, as it
    /// does for a row that may not drop: it dropped at its gate rate ([`Scenario::gate_rate`]).
    pub may_drop: bool,
    /// How it proves it did the workload's work: the full digest, or — for a stack that draws
    /// its own span ids — the structure ([`SameWork`]).
    pub same_work: SameWork,
    /// Whether it carries the W3C trace state. One that does not is measured at every size but
    /// never set against rows that do above 0 entries: it does less work there.
    pub carries_trace_state: bool,
    /// Why its dhat profile cannot be held to its count passes, if it cannot: a pipeline whose
    /// allocations follow its threads' timing so closely that the profiler, by slowing every
    /// allocation, changes the work it measures (fastrace's collector, whose buffers grow to
    /// whichever batch its timer cut). The check still runs and is recorded with this reason; a
    /// disagreement is then a warning that names it, not a failure. A pipeline whose number of
    /// exports is all that follows the timing declares [`Scenario::per_export`] instead.
    pub cross_check_waived: Option<&'static str>,
    /// What each export costs, for a pipeline whose number of exports follows its threads'
    /// timing (opentelemetry_sdk 0.28–0.30's batch processor falls into exporting a span or a
    /// few at a time when its worker falls behind). Its count passes record their export
    /// batches, and the gate judges its counts net of this cost per batch, so a cascade of
    /// exports is not read as a change in the work per span. `None`: counts are judged as
    /// measured.
    pub per_export: Option<PerExport>,
    /// For a pipeline whose bytes take one of several values between identical runs — its
    /// buffers grow to whichever batch a timer cut (fastrace's collector) — the widest spread of
    /// its bytes per span measured between identical runs, and why. The gate then names both
    /// modes: a moving row's bytes band reaches at least this far either side of the baseline's
    /// median, when both files declare the same, and the row says so. `None`: the band is the
    /// baseline's repeats alone.
    pub bytes_modes: Option<BytesModes>,
}

/// The widest spread of a row's bytes per span between identical runs, measured, and why it
/// has modes at all ([`Scenario::bytes_modes`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BytesModes {
    /// Bytes per span, the widest spread measured between identical runs.
    pub spread_per_span: f64,
    /// Where the modes come from, and the runs that measured the spread.
    pub why: &'static str,
}

/// The allocations and bytes one export costs a pipeline, whatever the batch's size, and why
/// (the lines of the implementation that allocate them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PerExport {
    /// Allocations per export.
    pub allocs: u64,
    /// Bytes per export, beyond what is proportional to the spans it carries.
    pub bytes: u64,
    /// Where they come from.
    pub why: &'static str,
}

impl Scenario {
    /// A strategy on the model's pipeline: exact counts, its current-context slot checked.
    pub const fn strategy<S: Strategy>(name: &'static str, description: &'static str) -> Scenario {
        Scenario {
            name,
            description,
            run: walk::run::<StrategyPipeline<S>>,
            exact_counts: true,
            check_current: Some(current_check::run::<S>),
            unpaced_rate: None,
            gate_rate: None,
            gate_rate_from: None,
            may_drop: false,
            same_work: SameWork::Digest,
            carries_trace_state: true,
            cross_check_waived: None,
            per_export: None,
            bytes_modes: None,
        }
    }

    /// A scenario with a pipeline of its own: its counts may move with thread timing.
    pub const fn pipeline<P: Pipeline>(name: &'static str, description: &'static str) -> Scenario {
        Scenario {
            name,
            description,
            run: walk::run::<P>,
            exact_counts: false,
            check_current: None,
            unpaced_rate: None,
            gate_rate: None,
            gate_rate_from: None,
            may_drop: false,
            same_work: SameWork::Digest,
            carries_trace_state: true,
            cross_check_waived: None,
            per_export: None,
            bytes_modes: None,
        }
    }

    /// The same scenario, its unpaced passes paced at `rate` (see [`Scenario::unpaced_rate`]).
    pub const fn with_unpaced_rate(self, rate: u64) -> Scenario {
        Scenario { unpaced_rate: Some(rate), ..self }
    }

    /// The same scenario, its passes paced at `rate` at most (see [`Scenario::gate_rate`]).
    pub const fn gated_at(self, rate: u64) -> Scenario {
        Scenario { gate_rate: Some(rate), ..self }
    }

    /// The same scenario, its passes at `entries` trace-state entries or more paced at `rate` at
    /// most (see [`Scenario::gate_rate_from`]).
    pub const fn gated_from(self, entries: usize, rate: u64) -> Scenario {
        Scenario { gate_rate_from: Some((entries, rate)), ..self }
    }

    /// The rate its passes at `entries` trace-state entries are paced at most: the lower of
    /// [`Scenario::gate_rate`] and, from its size on, [`Scenario::gate_rate_from`]'s.
    pub fn gate_at(&self, entries: usize) -> Option<u64> {
        let from = self.gate_rate_from.filter(|(at, _)| entries >= *at).map(|(_, rate)| rate);
        match (self.gate_rate, from) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The same scenario, declared to drop spans by design when its bounded queue is full (see
    /// [`Scenario::may_drop`]).
    pub const fn may_drop_spans(self) -> Scenario {
        Scenario { may_drop: true, ..self }
    }

    /// The same scenario, its dhat cross-check recorded but not failed, for `why` (see
    /// [`Scenario::cross_check_waived`]).
    pub const fn waive_cross_check(self, why: &'static str) -> Scenario {
        Scenario { cross_check_waived: Some(why), ..self }
    }

    /// The same scenario, its counts judged net of `cost` per export (see
    /// [`Scenario::per_export`]).
    pub const fn costs_per_export(self, cost: PerExport) -> Scenario {
        Scenario { per_export: Some(cost), ..self }
    }

    /// The same scenario, its bytes gated with both of their modes named (see
    /// [`Scenario::bytes_modes`]).
    pub const fn bytes_have_modes(self, modes: BytesModes) -> Scenario {
        Scenario { bytes_modes: Some(modes), ..self }
    }

    /// The same scenario, proving its work by the structure digest and declared not to carry
    /// the trace state (a stack with its own span ids and no trace state: fastrace).
    pub const fn structure_only(self) -> Scenario {
        Scenario { same_work: SameWork::Structure, carries_trace_state: false, ..self }
    }

    /// The workload this scenario runs for `cfg`: the same, except that an unpaced request is
    /// paced at [`Scenario::unpaced_rate`] when the scenario has one, and no pass runs faster
    /// than its [`Scenario::gate_rate`].
    pub fn workload(&self, cfg: &WorkloadConfig) -> WorkloadConfig {
        WorkloadConfig { rate: paced_rate(cfg.rate, self.unpaced_rate, self.gate_at(cfg.trace_state_entries)), ..cfg.clone() }
    }

    /// Runs the scenario on [`Scenario::workload`]`(cfg)`.
    pub fn run_workload(&self, cfg: &WorkloadConfig, hooks: &dyn RunHooks) -> RunReport {
        (self.run)(&self.workload(cfg), hooks)
    }
}

/// The rate a pass asked to run at `requested` spans/s (0: as fast as possible) is paced at, for
/// a scenario with these rates ([`Scenario::unpaced_rate`], [`Scenario::gate_rate`]).
pub fn paced_rate(requested: u64, unpaced: Option<u64>, gate: Option<u64>) -> u64 {
    let rate = match unpaced.filter(|_| requested == 0) {
        Some(r) => r,
        None => requested,
    };
    match gate {
        Some(g) if rate == 0 || rate > g => g,
        _ => rate,
    }
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario").field("name", &self.name).finish_non_exhaustive()
    }
}
