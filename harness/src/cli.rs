//! The command line: what a user may ask for, and the checks that turn bad input into a
//! one-line error with exit status 2.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::child::Pass;

/// spanalloc: measure how tracing pipelines allocate under four ways of handing on a span context.
#[derive(Debug, Parser)]
#[command(name = "spanalloc", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Measure scenarios, each pass in its own process, and write results.json.
    Run(RunArgs),
    /// List the scenarios with their descriptions.
    List,
    /// Save or list baselines (saved results files).
    Baseline {
        /// What to do.
        #[command(subcommand)]
        action: BaselineAction,
    },
    /// Compare a run with a baseline: exit 0 no regression, 1 regression, 2 could not compare.
    Compare(CompareArgs),
    /// The nightly history of headline figures.
    History {
        /// What to do.
        #[command(subcommand)]
        action: HistoryAction,
    },
    /// Print results as Bencher Metric Format or github-action-benchmark JSON.
    Export(ExportArgs),
    /// Render DIR/index.html from DIR/results.json and whatever else is found.
    Report(ReportArgs),
    /// Run one pass of one scenario in this process (what `run` starts its children with).
    #[command(hide = true)]
    Measure(MeasureArgs),
}

/// The workload, shared by `run` and `measure`.
#[derive(Debug, Clone, Args)]
pub struct WorkloadArgs {
    /// Measured spans per pass.
    #[arg(long, default_value_t = 1_000_000)]
    pub spans: u64,
    /// Target spans per second over all producers; 0 = as fast as possible.
    #[arg(long, default_value_t = 100_000, allow_negative_numbers = true)]
    pub rate: i64,
    /// Producer threads.
    #[arg(long, default_value_t = 1)]
    pub producers: usize,
    /// Workload seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Warm-up spans before the measured region (excluded from every figure).
    #[arg(long, default_value_t = 20_000)]
    pub warmup: u64,
}

/// `spanalloc run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// A scenario to run (repeatable); default all.
    #[arg(long = "scenario", value_name = "NAME")]
    pub scenarios: Vec<String>,
    /// Trace-state entries per trace; a comma-separated list runs the sweep.
    #[arg(long, value_delimiter = ',', default_value = "4", allow_negative_numbers = true)]
    pub trace_state: Vec<i64>,
    /// The workload.
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Runs of the plain and count passes per scenario, for statistics.
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    /// Where results.json, the dhat profiles and the report go.
    #[arg(long, default_value = "reports/latest")]
    pub out: PathBuf,
    /// Skip the dhat pass (and its cross-check).
    #[arg(long)]
    pub no_dhat: bool,
    /// Spans in the dhat pass (dhat costs ~2.5 µs per allocation).
    #[arg(long, default_value_t = 20_000)]
    pub dhat_spans: u64,
    /// Where the report finds its optional inputs.
    #[command(flatten)]
    pub sources: SourceArgs,
}

/// `spanalloc baseline ...`.
#[derive(Debug, Subcommand)]
pub enum BaselineAction {
    /// Save a results file as baseline NAME (atomically).
    Save {
        /// The baseline's name.
        name: String,
        /// The results to save.
        #[arg(long, default_value = "reports/latest/results.json")]
        from: PathBuf,
        /// The baselines directory.
        #[arg(long, default_value = crate::baseline::DEFAULT_DIR)]
        dir: PathBuf,
    },
    /// List the saved baselines.
    List {
        /// The baselines directory.
        #[arg(long, default_value = crate::baseline::DEFAULT_DIR)]
        dir: PathBuf,
    },
}

/// `spanalloc compare`.
#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    /// A baseline name (under --baselines) or a results file path.
    pub baseline: String,
    /// The current results.
    #[arg(default_value = "reports/latest/results.json")]
    pub current: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::compare::render::Format,
    /// The regression rules.
    #[arg(long, default_value = "reports/thresholds.toml")]
    pub thresholds: PathBuf,
    /// The baselines directory.
    #[arg(long, default_value = crate::baseline::DEFAULT_DIR)]
    pub baselines: PathBuf,
}

/// `spanalloc history ...`.
#[derive(Debug, Subcommand)]
pub enum HistoryAction {
    /// Append one line for a results file.
    Append {
        /// The results to record.
        #[arg(default_value = "reports/latest/results.json")]
        results: PathBuf,
        /// The history file.
        #[arg(long, default_value = crate::history::DEFAULT_FILE)]
        file: PathBuf,
    },
    /// Print the history, one run per line.
    Show {
        /// The history file.
        #[arg(long, default_value = crate::history::DEFAULT_FILE)]
        file: PathBuf,
    },
}

/// `spanalloc export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The format.
    #[arg(long, value_enum)]
    pub format: crate::export::ExportFormat,
    /// The results to export.
    #[arg(default_value = "reports/latest/results.json")]
    pub results: PathBuf,
}

/// `spanalloc report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The run's directory (holds results.json).
    #[arg(default_value = "reports/latest")]
    pub dir: PathBuf,
    /// Where the optional inputs are.
    #[command(flatten)]
    pub sources: SourceArgs,
}

/// Where a report finds its optional inputs.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// The baseline to compare with: a name under --baselines, or a path.
    #[arg(long, default_value = "nightly")]
    pub baseline: String,
    /// The baselines directory.
    #[arg(long, default_value = crate::baseline::DEFAULT_DIR)]
    pub baselines: PathBuf,
    /// The regression rules.
    #[arg(long, default_value = "reports/thresholds.toml")]
    pub thresholds: PathBuf,
    /// The history file.
    #[arg(long, default_value = crate::history::DEFAULT_FILE)]
    pub history: PathBuf,
    /// criterion's output directory.
    #[arg(long, default_value = "target/criterion")]
    pub criterion: PathBuf,
    /// iai-callgrind's output directory.
    #[arg(long, default_value = "target/iai")]
    pub iai: PathBuf,
}

impl From<&SourceArgs> for crate::report::Sources {
    fn from(a: &SourceArgs) -> Self {
        crate::report::Sources {
            baseline: a.baseline.clone(),
            baselines: a.baselines.clone(),
            thresholds: a.thresholds.clone(),
            history: a.history.clone(),
            criterion: a.criterion.clone(),
            iai: a.iai.clone(),
        }
    }
}

/// `spanalloc measure` (hidden).
#[derive(Debug, Clone, Args)]
pub struct MeasureArgs {
    /// The pass.
    #[arg(long, value_enum)]
    pub pass: Pass,
    /// The scenario.
    #[arg(long)]
    pub scenario: String,
    /// Trace-state entries per trace.
    #[arg(long, default_value_t = 4, allow_negative_numbers = true)]
    pub trace_state: i64,
    /// The workload.
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Where the dhat pass writes its profile.
    #[arg(long)]
    pub dhat_file: Option<PathBuf>,
}

/// A problem with the user's input: printed as one line, exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl WorkloadArgs {
    /// The workload for one trace-state size, checked.
    pub fn config(&self, trace_state: i64) -> Result<spanalloc_model::WorkloadConfig, UsageError> {
        if self.rate < 0 {
            return Err(UsageError(format!("--rate must be 0 (unpaced) or more spans/s, got {}", self.rate)));
        }
        if self.spans == 0 {
            return Err(UsageError("--spans must be at least 1".into()));
        }
        if !(0..=32).contains(&trace_state) {
            return Err(UsageError(format!("--trace-state must be 0..=32 entries (the W3C limit), got {trace_state}")));
        }
        if self.producers == 0 {
            return Err(UsageError("--producers must be at least 1".into()));
        }
        let cfg = spanalloc_model::WorkloadConfig {
            seed: self.seed,
            spans: self.spans,
            warmup: self.warmup,
            rate: self.rate as u64,
            producers: self.producers,
            trace_state_entries: trace_state as usize,
            ..Default::default()
        };
        cfg.validate().map_err(|e| UsageError(e.to_string()))?;
        Ok(cfg)
    }
}
