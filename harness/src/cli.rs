//! The command line — the only module that knows clap. It turns what a user typed into a plain
//! [`RunPlan`] or a reader's call, and bad input into one line with exit status 2.
//! [`main`] is the whole tool for a catalog: the `spanalloc` binary calls it with the built-in
//! scenarios, a crate of your own with its own beside them (see [`crate::catalog`]).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use spanalloc_judge::thresholds::{self, Thresholds};
use spanalloc_judge::{changes, compare, ratchet};
use spanalloc_model::WorkloadConfig;
use spanalloc_record::input::{load_results, InputError};
use spanalloc_record::schema::{Shard, VerifySettings};
use spanalloc_record::{baseline, history};
use spanalloc_show::compare::Format;
use spanalloc_show::export::ExportFormat;
use spanalloc_show::report::Sources;
use spanalloc_show::text::visible;
use spanalloc_show::{export, table};

use crate::catalog::{Catalog, Entry};
use crate::console::{say, say_raw, tell};
use crate::measure::{self, Progress, RunPlan};
use crate::pass::Pass;

/// spanalloc: measure how tracing pipelines allocate under four ways of handing on a span context.
#[derive(Debug, Parser)]
#[command(name = "spanalloc", version, about, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Measure scenarios, each pass in its own process, and write results.json.
    Run(Box<RunArgs>),
    /// List the scenarios with their descriptions.
    List,
    /// Save or list baselines (saved results files).
    #[command(arg_required_else_help = true)]
    Baseline {
        #[command(subcommand)]
        action: BaselineAction,
    },
    /// Compare a run with a baseline: exit 0 no regression, 1 regression, 2 could not compare.
    Compare(CompareArgs),
    /// The nightly history of headline figures.
    #[command(arg_required_else_help = true)]
    History {
        #[command(subcommand)]
        action: HistoryAction,
    },
    /// Print results as Bencher Metric Format or github-action-benchmark JSON.
    Export(ExportArgs),
    /// Merge the shards of one night (`run --shard I/N`) into one results.json: the rows are
    /// their union, each with the environment its shard measured it on, and a shard none of the
    /// files delivered makes its rows failures (exit 1). Shards of another night, plan or commit,
    /// or a shard given twice in one attempt, are refused (exit 2).
    Merge(MergeArgs),
    /// Check the meter from outside: each row's pass without the meter under valgrind's DHAT at N
    /// and 2N unpaced spans, its Δblocks set against the count passes' Δ(allocs + reallocs) at
    /// the same sizes. Exit 0 every row agrees (exact rows to the block; a row whose counts move
    /// when its DHAT runs' range and its count passes' range overlap); 1 a row disagrees, failed or cannot be verified with DHAT (named, with
    /// why); 2 bad input or no valgrind.
    Verify(VerifyArgs),
    /// Render DIR/index.html from DIR/results.json and whatever else is found.
    Report(ReportArgs),
    /// Print the environment fingerprint of a results file: its id, then what it holds.
    Fingerprint {
        /// The results.
        #[arg(default_value = "reports/latest/results.json")]
        results: PathBuf,
        /// Print the id only.
        #[arg(long)]
        id: bool,
        /// Print the run's own id instead (unique per run: what the nightly acts on).
        #[arg(long, conflicts_with_all = ["id", "counts_key"])]
        run_id: bool,
        /// Print the counts key instead: what the run's exact counts depend on besides the code
        /// (toolchains, allocator, profile), which names the counts baseline every machine shares;
        /// with --id, the key alone.
        #[arg(long)]
        counts_key: bool,
        /// The fingerprint of this binary on this machine, without a results file (the nightly
        /// names its bench baselines with it before anything is measured).
        #[arg(long, conflicts_with_all = ["run_id", "counts_key"])]
        here: bool,
        /// Print the machines the file's rows were measured on instead, a fingerprint id a line
        /// (a merged night's shards may have run on several).
        #[arg(long, conflicts_with_all = ["id", "run_id", "counts_key", "here"])]
        machines: bool,
    },
    /// Run one pass of one scenario in this process (what `run` starts its children with).
    #[command(hide = true)]
    Measure(MeasureArgs),
}

/// A rate: 0 (unpaced) or more spans/s.
fn rate(s: &str) -> Result<u64, String> {
    s.parse::<u64>().map_err(|_| format!("must be 0 (unpaced) or more spans/s, got {s}"))
}

/// The workload, shared by `run` and `measure`.
#[derive(Debug, Clone, Args)]
struct WorkloadArgs {
    /// Measured spans per pass.
    #[arg(long, default_value_t = 1_000_000)]
    spans: u64,
    /// Target spans per second over all producers; 0 = as fast as possible.
    #[arg(long, default_value = "100000", value_parser = rate, allow_negative_numbers = true)]
    rate: u64,
    /// Producer threads.
    #[arg(long, default_value_t = 1)]
    producers: usize,
    /// Workload seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Warm-up spans before the measured region (excluded from every figure).
    #[arg(long, default_value_t = 20_000)]
    warmup: u64,
}

impl WorkloadArgs {
    /// The workload at one trace-state size; the model checks it, this side names the flag.
    fn config(&self, trace_state: usize) -> Result<WorkloadConfig, String> {
        let cfg = WorkloadConfig {
            seed: self.seed,
            spans: self.spans,
            warmup: self.warmup,
            rate: self.rate,
            producers: self.producers,
            trace_state_entries: trace_state,
            ..Default::default()
        };
        cfg.validate().map_err(|e| format!("--{e}"))?;
        Ok(cfg)
    }
}

#[derive(Debug, Clone, Args)]
struct RunArgs {
    /// A scenario to run (repeatable); default all listed.
    #[arg(long = "scenario", value_name = "NAME")]
    scenarios: Vec<String>,
    /// Trace-state entries per trace; a comma-separated list runs the sweep.
    #[arg(long, value_delimiter = ',', default_value = "4")]
    trace_state: Vec<usize>,
    #[command(flatten)]
    workload: WorkloadArgs,
    /// Runs of the plain and count passes per scenario, for statistics.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Print every column of the run table (setup heap, retained, peak RSS, exported/s, the
    /// meter's cost); by default it fits 120 columns.
    #[arg(long)]
    wide: bool,
    /// Where results.json, the dhat profiles and the report go.
    #[arg(long, default_value = "reports/latest")]
    out: PathBuf,
    /// Skip the dhat pass (and its cross-check).
    #[arg(long)]
    no_dhat: bool,
    /// Spans in the dhat pass (dhat costs ~2.5 µs per allocation).
    #[arg(long, default_value_t = 20_000)]
    dhat_spans: u64,
    /// Add the instructions pass: each in-process row once more, unpaced, under callgrind, which
    /// counts the instructions of its measured region — a CPU figure that repeats from night to
    /// night where CPU time does not. Needs valgrind; about a second per row at 2,000 spans.
    #[arg(long)]
    instructions: bool,
    /// Spans in the instructions pass (callgrind runs the code ~50 times slower).
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..))]
    instructions_spans: u64,
    /// Check the meter from outside, as `spanalloc verify` does: each system-allocator row at one
    /// trace-state size runs its pass without the meter under valgrind's DHAT at --verify-spans
    /// and twice as many unpaced spans, against the meter's count passes at the same sizes. A row
    /// that disagrees, or cannot be judged, fails the run; one DHAT cannot see (the Go twin, a
    /// jemalloc or mimalloc row) is listed with why. Needs valgrind.
    #[arg(long)]
    verify: bool,
    /// N for --verify: the smaller size, in spans; the larger is 2N.
    #[arg(long, default_value_t = crate::verify::DEFAULT_SPANS, value_parser = clap::value_parser!(u64).range(1..))]
    verify_spans: u64,
    /// The trace-state size --verify checks every row at (default: the plan's size nearest 4).
    /// On a sharded night, each shard verifies its rows at that size.
    #[arg(long, value_name = "ENTRIES")]
    verify_trace_state: Option<usize>,
    /// Add the Go twin's rows (go-value, go-pointer, go-pointer-embedded, go-pool, go-atomic,
    /// go-user-pointer) and the article's receiver benchmarks (C8, go test -benchmem), or only
    /// the Go rows named with --scenario; needs Go (scripts/install-go.sh).
    #[arg(long)]
    go: bool,
    /// Allocators beneath the meter, comma-separated: system, jemalloc, mimalloc. Each other
    /// than system runs in an executable of its own, built by cargo the first time it is asked for.
    #[arg(long = "allocator", value_delimiter = ',', default_value = "system")]
    allocators: Vec<String>,
    /// Seconds a pass may go without exporting a span more before it is killed and recorded as
    /// stuck (the run goes on).
    #[arg(long, default_value_t = crate::spawn::DEFAULT_STALL.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    stall_timeout: u64,
    /// Measure shard I of N of the plan: the units dealt to it. A unit is one group's rows at one
    /// size — the built-in strategies and the SDK, the Go twin, each row added to the catalog —
    /// so that the rows a claim contrasts on timing are measured on one machine; the units go
    /// costliest first to the shard with the least predicted work (every shard's results record
    /// the whole split). `spanalloc merge` makes the night whole again.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// The night a shard belongs to: the CI run's id (default: $GITHUB_RUN_ID). Merging refuses
    /// shards of another night.
    #[arg(long, value_name = "ID")]
    shard_run: Option<String>,
    /// The CI run's attempt (default: $GITHUB_RUN_ATTEMPT, or 1): a re-run shard replaces its
    /// earlier attempt when merged.
    #[arg(long, value_name = "N")]
    shard_attempt: Option<u32>,
    #[command(flatten)]
    sources: SourceArgs,
}

#[derive(Debug, Subcommand)]
enum BaselineAction {
    /// Save a results file as baseline NAME (atomically).
    Save {
        /// The baseline's name.
        name: String,
        /// The results to save.
        #[arg(long, default_value = "reports/latest/results.json")]
        from: PathBuf,
        /// The baselines directory.
        #[arg(long, default_value = baseline::DEFAULT_DIR)]
        dir: PathBuf,
        /// Save a run that has failures all the same, marked as such (compare says so).
        #[arg(long)]
        allow_failures: bool,
        /// Replace a baseline of that name; without it an existing one is kept and the save
        /// refused. With --machine: tonight's rows replace the baseline's own.
        #[arg(long)]
        force: bool,
        /// Save the rows one machine measured (a fingerprint id, as `fingerprint --machines`
        /// lists a merged night's) as that machine's timing baseline, which gathers them night
        /// by night: the rows it has not measured before are added, the others kept (--force
        /// replaces them with tonight's).
        #[arg(long)]
        machine: Option<String>,
    },
    /// Tighten baseline NAME where the history shows a gain held for --nights nights: each such
    /// row is replaced by the latest night's, marked with that night (its provenance).
    Ratchet {
        /// The baseline's name (or path).
        name: PathBuf,
        /// The latest night's results: the history's last line must be this run.
        #[arg(long, default_value = "reports/latest/results.json")]
        from: PathBuf,
        /// The history file.
        #[arg(long, default_value = history::DEFAULT_FILE)]
        history: PathBuf,
        /// The baselines directory.
        #[arg(long, default_value = baseline::DEFAULT_DIR)]
        dir: PathBuf,
        /// Which baseline it is: counts (allocations and bytes, per counts key) or timing (CPU
        /// per span, this machine's).
        #[arg(long, default_value = "counts", value_parser = ["counts", "timing"])]
        kind: String,
        /// Nights a gain must hold.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=1000))]
        nights: u64,
        /// Say what it would tighten; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Output format: text or markdown.
        #[arg(long, default_value = "text", value_parser = ["text", "markdown"])]
        format: String,
    },
    /// List the saved baselines.
    List {
        /// The baselines directory.
        #[arg(long, default_value = baseline::DEFAULT_DIR)]
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, Args)]
struct CompareArgs {
    /// A baseline name (under --baselines) or a results file path; with --between, the results
    /// to read (default reports/latest/results.json).
    #[arg(required_unless_present = "between")]
    baseline: Option<PathBuf>,
    /// The current results.
    #[arg(default_value = "reports/latest/results.json")]
    current: PathBuf,
    /// Two rows of one run, hand-off by hand-off, instead of a baseline: which hand-offs account
    /// for the difference (e.g. `--between value-copy pointer-passing`).
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    between: Option<Vec<String>>,
    /// Output format: text, markdown or json.
    #[arg(long, default_value = "text")]
    format: Format,
    /// The regression rules (default reports/thresholds.toml; the built-in defaults, said so,
    /// when that file is absent). A file named here must exist.
    #[arg(long)]
    thresholds: Option<PathBuf>,
    /// The baselines directory.
    #[arg(long, default_value = baseline::DEFAULT_DIR)]
    baselines: PathBuf,
    /// Which regressions set exit status 1: all, or exact ones only (counts and bytes — a pull
    /// request's gate on a shared runner, where timing is shown but not trusted).
    #[arg(long, default_value = "all", value_parser = ["all", "exact"])]
    fail_on: String,
    /// Which metrics to compare: all, counts only (allocations and bytes: the nightly's gate
    /// against the counts baseline every machine shares), or timing only (CPU, latency, RSS,
    /// rate, peak heap: against the machine's own baseline).
    #[arg(long, default_value = "all", value_parser = ["all", "counts", "timing"])]
    metrics: String,
    /// Judge only the rows both runs have: baseline rows this run lacks are left out, counted
    /// and named, instead of failing the comparison. For a deliberate subset (`run --scenario`);
    /// the nightly and CI never pass it.
    #[arg(long)]
    only_common: bool,
    /// Judge the rows one machine measured (a fingerprint id, as `fingerprint --machines` lists
    /// a merged night's): the night's timing, machine by machine, each against that machine's
    /// own baseline. A baseline row another machine measured tonight is named, not failed; a
    /// baseline holding another machine's rows is refused.
    #[arg(long)]
    machine: Option<String>,
}

#[derive(Debug, Subcommand)]
enum HistoryAction {
    /// Append one line for a results file.
    Append {
        /// The results to record.
        #[arg(default_value = "reports/latest/results.json")]
        results: PathBuf,
        /// The history file.
        #[arg(long, default_value = history::DEFAULT_FILE)]
        file: PathBuf,
    },
    /// Print the history, one run per line.
    Show {
        /// The history file.
        #[arg(long, default_value = history::DEFAULT_FILE)]
        file: PathBuf,
    },
    /// The change points of every series in the history (scenario × size × metric, per machine
    /// for timing and per counts key for counts): exact counts at every step, the rest as Apache
    /// Otava finds them (windowed E-Divisive, Student's t-test).
    Changes {
        /// The history file.
        #[arg(long, default_value = history::DEFAULT_FILE)]
        file: PathBuf,
        /// Output format: text, markdown or json.
        #[arg(long, default_value = "text")]
        format: Format,
        /// Only the change points the latest night created or moved.
        #[arg(long)]
        new: bool,
        /// Points per analysis window (Otava's default).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(2..=1_000))]
        window: u64,
        /// The p-value a change point must reach (Otava's default).
        #[arg(long, default_value_t = 0.001)]
        max_pvalue: f64,
    },
}

#[derive(Debug, Clone, Args)]
struct ExportArgs {
    /// The format: bmf or gab.
    #[arg(long)]
    format: ExportFormat,
    /// The results to export.
    #[arg(default_value = "reports/latest/results.json")]
    results: PathBuf,
    /// Export a run that has failures all the same (by default it is refused: a tracking service
    /// would record a failed run's figures as if they were good).
    #[arg(long)]
    allow_failures: bool,
    /// Which figures: counts (allocations and bytes per span: exact), timing (CPU, latency, peak
    /// heap and RSS: noisy), or all. Feed counts and timing to separate suites, each with its own
    /// alert threshold (docs/nightly.md).
    #[arg(long, default_value = "all")]
    suite: spanalloc_show::export::Suite,
    /// Export the gate instead of the figures: each row's counts judged against this baseline (a
    /// file or a saved name), as floors over it — 0 within the floor, the change in floors
    /// beyond, 1000000 for a row that could not be judged — so that a tracking service alerting
    /// on "above 0" alerts exactly when the gate fails (docs/nightly.md has the recipes).
    #[arg(long, value_name = "BASELINE")]
    against: Option<PathBuf>,
    /// Where saved baselines live, for --against NAME.
    #[arg(long, default_value = "reports/baselines")]
    baselines: PathBuf,
    /// The thresholds file, for --against (default: reports/thresholds.toml when present).
    #[arg(long)]
    thresholds: Option<PathBuf>,
    /// With --against: rows whose counts repeat exactly, rows gated by their measured spread, or
    /// all. Give exact and moving rows separate steps.
    #[arg(long, default_value = "all")]
    rows: spanalloc_show::export_gate::Rows,
}

#[derive(Debug, Clone, Args)]
struct MergeArgs {
    /// Each shard's results: a results.json, or the directory its run wrote (its dhat profiles
    /// are taken along).
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Where the merged results.json and the shards' dhat profiles go.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Clone, Args)]
struct VerifyArgs {
    /// A scenario to verify (repeatable); default all listed.
    #[arg(long = "scenario", value_name = "NAME")]
    scenarios: Vec<String>,
    /// Trace-state sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "4")]
    trace_state: Vec<usize>,
    /// Allocators: system is verified; jemalloc and mimalloc are listed as not verifiable.
    #[arg(long = "allocator", value_delimiter = ',', default_value = "system")]
    allocators: Vec<String>,
    /// N: the smaller size, in spans; the larger is 2N (DHAT runs the code ~50 times slower).
    #[arg(long, default_value_t = crate::verify::DEFAULT_SPANS, value_parser = clap::value_parser!(u64).range(1..))]
    spans: u64,
    /// Warm-up spans at both sizes.
    #[arg(long, default_value_t = crate::verify::DEFAULT_WARMUP)]
    warmup: u64,
    /// Count passes per size (a row whose counts move runs at least 5, and as many DHAT runs).
    #[arg(long, default_value_t = crate::verify::DEFAULT_REPEAT as u64, value_parser = clap::value_parser!(u64).range(1..))]
    repeat: u64,
    /// Seconds a pass may go without exporting a span more before it is killed.
    #[arg(long, default_value_t = crate::spawn::DEFAULT_STALL.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    stall_timeout: u64,
}

#[derive(Debug, Clone, Args)]
struct ReportArgs {
    /// The run's directory (holds results.json).
    #[arg(default_value = "reports/latest")]
    dir: PathBuf,
    #[command(flatten)]
    sources: SourceArgs,
}

/// Where a report finds its optional inputs.
#[derive(Debug, Clone, Args)]
struct SourceArgs {
    /// The baseline to compare with: a name under --baselines, or a path. None by default: a
    /// report compares with a baseline only when asked.
    #[arg(long)]
    baseline: Option<String>,
    /// The baselines directory.
    #[arg(long, default_value = baseline::DEFAULT_DIR)]
    baselines: PathBuf,
    /// The regression rules (default reports/thresholds.toml, or the built-in defaults when it
    /// is absent).
    #[arg(long)]
    thresholds: Option<PathBuf>,
    /// The history file.
    #[arg(long, default_value = history::DEFAULT_FILE)]
    history: PathBuf,
    /// criterion's output directory.
    #[arg(long, default_value = "target/criterion")]
    criterion: PathBuf,
    /// iai-callgrind's output directory.
    #[arg(long, default_value = "target/iai")]
    iai: PathBuf,
}

impl From<&SourceArgs> for Sources {
    fn from(a: &SourceArgs) -> Self {
        Sources {
            baseline: a.baseline.clone(),
            baselines: a.baselines.clone(),
            thresholds: a.thresholds.clone(),
            history: a.history.clone(),
            criterion: a.criterion.clone(),
            iai: a.iai.clone(),
            tool: tool_name(),
        }
    }
}

/// This binary's name as its user runs it (`spanalloc`, or a crate's own on the extension point).
fn tool_name() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "spanalloc".into())
}

#[derive(Debug, Clone, Args)]
struct MeasureArgs {
    #[arg(long)]
    pass: Pass,
    #[arg(long)]
    scenario: String,
    #[arg(long, default_value_t = 4)]
    trace_state: usize,
    #[command(flatten)]
    workload: WorkloadArgs,
    #[arg(long, default_value_t = 3)]
    fan_out: usize,
    #[arg(long, default_value_t = 2)]
    depth: usize,
    #[arg(long, default_value_t = 10)]
    propagate_every: u64,
    #[arg(long, default_value_t = 1.0)]
    sample_ratio: f64,
    /// Where the dhat pass writes its profile.
    #[arg(long)]
    dhat_file: Option<PathBuf>,
    /// After a count pass's region, the current-context slot under a writer (a row's first count
    /// pass: the one whose check the row keeps).
    #[arg(long)]
    current_check: bool,
}

/// Runs the spanalloc command line over `catalog`. Exit status: 0 fine, 1 a scenario failed or
/// a check disagreed (or `compare` found a regression), 2 bad input.
pub fn main(catalog: Catalog) -> ExitCode {
    let code = command(catalog);
    // Output that did not arrive is data lost: a failed write of stdout (a full disk, an I/O
    // error) exits 2, whatever the command concluded. A closed pipe is the reader's choice.
    if let Some(e) = crate::console::stdout_failure() {
        tell!("spanalloc: cannot write to stdout: {e}");
        return ExitCode::from(2);
    }
    code
}

fn command(catalog: Catalog) -> ExitCode {
    // An outside crate's binary (the extension point) names itself in its usage and messages.
    // Leaked once: clap names a command with a static string, and this lives as long as the process.
    let tool: &'static str = Box::leak(tool_name().into_boxed_str());
    crate::console::set_tool(tool);
    let parsed = <Cli as clap::CommandFactory>::command()
        .name(tool)
        .bin_name(tool)
        .try_get_matches()
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            say_raw!("{}", e.render());
            return ExitCode::SUCCESS;
        }
        // Nothing asked for: the commands (or a group's actions), not just the description.
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            tell!("{}", e.render());
            return ExitCode::from(2);
        }
        Err(e) => return usage_error(&one_line(&e.to_string())),
    };
    match cli.command {
        Command::List => {
            for e in catalog.entries() {
                say!("{:<16} {}", e.name(), e.description());
            }
            ExitCode::SUCCESS
        }
        Command::Measure(m) => measure_command(&catalog, &m),
        Command::Run(args) => run_command(&catalog, &args),
        Command::Baseline { action } => or_input_error(match action {
            BaselineAction::Save { name, from, dir, allow_failures, force, machine: None } => {
                baseline::save(&name, &from, &dir, baseline::SaveOptions { allow_failures, force }).map(|f| {
                    say!("saved baseline {name} to {}", f.display());
                    ExitCode::SUCCESS
                })
            }
            BaselineAction::Save { name, from, dir, allow_failures, force, machine: Some(machine) } => {
                baseline::save_machine(&name, &from, &dir, &machine, baseline::SaveOptions { allow_failures, force }).map(
                    |(f, said)| {
                        say!("saved machine {machine}'s rows to baseline {name} ({}): {said}", f.display());
                        ExitCode::SUCCESS
                    },
                )
            }
            BaselineAction::Ratchet { name, from, history: file, dir, kind, nights, dry_run, format } => {
                ratchet_command(&name, &from, &file, &dir, &kind, nights as usize, dry_run, format == "markdown")
            }
            BaselineAction::List { dir } => baseline::list(&dir).map(|lines| {
                if lines.is_empty() {
                    say!("no baselines in {}", dir.display());
                }
                lines.iter().for_each(|l| say!("{l}"));
                ExitCode::SUCCESS
            }),
        }),
        Command::Compare(args) => or_input_error(compare_command(&args)),
        Command::History { action } => or_input_error(match action {
            HistoryAction::Append { results, file } => history::append(&results, &file).map(|(appended, warnings)| {
                warnings.iter().for_each(|w| tell!("spanalloc: warning: {w}"));
                match appended {
                    history::Appended::Added => say!("appended {} to {}", results.display(), file.display()),
                    history::Appended::AlreadyThere => {
                        say!("{} is already in {} (same run id): not appended again", results.display(), file.display())
                    }
                }
                ExitCode::SUCCESS
            }),
            HistoryAction::Show { file } => history::read_existing(&file).map(|(entries, warnings)| {
                warnings.iter().for_each(|w| tell!("spanalloc: warning: {w}"));
                for e in entries {
                    say!("{}", spanalloc_show::history::summary_line(&e));
                }
                ExitCode::SUCCESS
            }),
            HistoryAction::Changes { file, format, new, window, max_pvalue } => {
                if !(max_pvalue > 0.0 && max_pvalue < 1.0) {
                    return usage_error(&format!("--max-pvalue must be between 0 and 1, not {max_pvalue}"));
                }
                history::read_existing(&file).map(|(entries, warnings)| {
                    warnings.iter().for_each(|w| tell!("spanalloc: warning: {w}"));
                    let o = changes::edivisive::Options { window_len: window as usize, max_pvalue, min_magnitude: 0.0 };
                    let (found, what) = if new {
                        (changes::new_with_last(&entries, &o), "new change points with the latest night")
                    } else {
                        (changes::changes(&entries, &o), "change points")
                    };
                    say_raw!("{}", spanalloc_show::changes::render(&found, format, what));
                    ExitCode::SUCCESS
                })
            }
        }),
        Command::Report(args) => report_command(&args.dir, &(&args.sources).into()),
        Command::Fingerprint { here: true, id, .. } => {
            let env = crate::measure::environment();
            let f = env.fingerprint().expect("this binary records its profile");
            if id {
                say!("{}", f.id());
            } else {
                say!(
                    "{}  cpu '{}', cores {}, rustc '{}', profile {}",
                    f.id(),
                    visible(&f.cpu),
                    f.cores,
                    visible(&f.rustc),
                    f.profile
                );
            }
            ExitCode::SUCCESS
        }
        Command::Fingerprint { results, machines: true, .. } => or_input_error(load_results(&results).and_then(|r| {
            let machines = r.machines();
            if machines.is_empty() {
                return Err(InputError::new(
                    &results,
                    "names no machine: its rows have no fingerprint (written before schema 4)",
                ));
            }
            machines.iter().for_each(|m| say!("{m}"));
            Ok(ExitCode::SUCCESS)
        })),
        Command::Fingerprint { results, id, run_id, counts_key, .. } => or_input_error(load_results(&results).and_then(|r| {
            if counts_key {
                if id {
                    say!("{}", r.counts_key());
                } else {
                    say!("{}  {}", r.counts_key(), visible(&r.counts_key_parts()));
                }
                return Ok(ExitCode::SUCCESS);
            }
            if run_id {
                let Some(run) = r.environment.run_id.as_deref() else {
                    return Err(InputError::new(&results, "has no run id (written before schema 4)"));
                };
                say!("{}", visible(run));
                return Ok(ExitCode::SUCCESS);
            }
            let Some(f) = r.environment.fingerprint() else {
                return Err(InputError::new(&results, "has no environment fingerprint (written before schema 4)"));
            };
            if id {
                say!("{}", f.id());
            } else {
                let runner = f.runner.as_deref().unwrap_or("none");
                say!(
                    "{}  cpu '{}', cores {}, rustc '{}', allocator '{}', profile {}, runner {}",
                    f.id(),
                    visible(&f.cpu),
                    f.cores,
                    visible(&f.rustc),
                    visible(&f.allocator),
                    visible(&f.profile),
                    visible(runner)
                );
            }
            Ok(ExitCode::SUCCESS)
        })),
        Command::Merge(args) => or_input_error(merge_command(&args)),
        Command::Verify(args) => verify_command(&catalog, &args),
        Command::Export(args) if args.against.is_some() => or_input_error(export_gate_command(&args)),
        Command::Export(args) => or_input_error(load_results(&args.results).map(|r| {
            if !r.failures.is_empty() && !args.allow_failures {
                for f in &r.failures {
                    tell!("spanalloc: {}: failure: {}", args.results.display(), f.line());
                }
                tell!(
                    "spanalloc: {}: the run has {} failure(s): not exported (--allow-failures exports it anyway)",
                    args.results.display(),
                    r.failures.len()
                );
                return ExitCode::from(1);
            }
            say!("{}", export::export(&r, args.format, args.suite));
            ExitCode::SUCCESS
        })),
    }
}

/// What to tell a user whose binary runs without the meter.
const NO_METER: &str = "this binary's global allocator is not spanalloc's meter: add `#[global_allocator] static ALLOC: spanalloc::meter::Meter = spanalloc::meter::Meter;` to its main.rs";

fn run_command(catalog: &Catalog, args: &RunArgs) -> ExitCode {
    // Every pass re-runs this binary: without the meter its counts would all be zero.
    if !crate::child::meter_installed() {
        return usage_error(NO_METER);
    }
    let plan = match plan(catalog, args) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    // The report's baseline, when one is named, is checked before anything is measured.
    if let Some(b) = args.sources.baseline.as_deref().filter(|b| *b != "none") {
        match baseline::resolve(Path::new(b), &args.sources.baselines) {
            Ok(f) if f.exists() => {}
            Ok(f) => return usage_error(&format!("--baseline {b}: no such baseline ({} does not exist)", f.display())),
            Err(e) => return usage_error(&format!("--baseline {b}: {e}")),
        }
    }
    // The output folder is this run's until it ends: a second run into it is refused here, before
    // anything is measured, and this run's writes there go through the hold.
    let _hold = match spanalloc_record::fsio::hold_folder(&args.out) {
        Ok(g) => g,
        Err(e) => return usage_error(&format!("--out {}: {e}", args.out.display())),
    };
    for var in ["SPANALLOC_SIMULATE_CPU", "SPANALLOC_SIMULATE_RUSTC"] {
        if let Ok(v) = std::env::var(var) {
            tell!("spanalloc: warning: {var} is set: the fingerprint records '{v}' (a simulation, for tests)");
        }
    }
    if let Some(shard) = &plan.shard {
        tell!("spanalloc: {}", crate::split::describe(shard));
    }
    crate::signals::forward_to_children();
    let progress = Display::new(args.workload.spans);
    match measure::run(&plan, &progress) {
        Ok((_, measure::Written::Aside(file), problems)) => {
            progress.done();
            for p in &problems.0 {
                tell!("spanalloc: {p}");
            }
            tell!(
                "spanalloc: nothing was measured: {} is left as it was (an earlier run's), its report too; this run's failures are in {}",
                args.out.join("results.json").display(),
                file.display()
            );
            ExitCode::from(1)
        }
        Ok((results, measure::Written::Results(_), mut problems)) => {
            progress.done();
            let width = if args.wide { table::Width::Wide } else { table::Width::Narrow };
            say!("{}", table::headline(&results, width));
            for note in table::footnotes(&results) {
                say!("{note}");
            }
            say!("{}", table::legend(&results));
            for line in table::settings_lines(&results) {
                say!("{line}");
            }
            let metered: Vec<&spanalloc_record::schema::ScenarioResult> =
                results.scenarios.iter().filter(|s| !s.measured_in_one_pass()).collect();
            if let Some(worst) = metered.iter().map(|s| s.metrics.meter_overhead).reduce(f64::max) {
                say!(
                    "meter overhead (count-pass CPU / plain-pass CPU): worst {worst:.2}× over {} metered scenarios",
                    metered.len()
                );
            }
            if let Some(line) = table::verify_line(&results) {
                say!("{line}");
            }
            say!("results: {}", args.out.join("results.json").display());
            if report_command(&args.out, &(&args.sources).into()) != ExitCode::SUCCESS {
                problems.0.push("the report could not be rendered".into());
            }
            for p in &problems.0 {
                tell!("spanalloc: {p}");
            }
            if problems.0.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            tell!("spanalloc: cannot write the results in {}: {e}", args.out.display());
            ExitCode::from(1)
        }
    }
}

/// The plan `args` asks for, every input checked before anything runs.
fn plan<'c>(catalog: &'c Catalog, args: &RunArgs) -> Result<RunPlan<'c>, String> {
    if args.trace_state.is_empty() {
        return Err("--trace-state needs at least one size".into());
    }
    if let Some(ts) = args.trace_state.iter().enumerate().find_map(|(i, t)| args.trace_state[..i].contains(t).then_some(t)) {
        return Err(format!("--trace-state {ts} is given twice"));
    }
    if let Some(name) = args.scenarios.iter().enumerate().find_map(|(i, n)| args.scenarios[..i].contains(n).then_some(n)) {
        return Err(format!("--scenario {name} is given twice"));
    }
    let workloads = args.trace_state.iter().map(|&ts| args.workload.config(ts)).collect::<Result<Vec<_>, _>>()?;
    if args.repeat == 0 {
        return Err("--repeat must be at least 1".into());
    }
    if !args.no_dhat && args.dhat_spans == 0 {
        return Err("--dhat-spans must be at least 1 (or pass --no-dhat)".into());
    }
    let mut scenarios = chosen(catalog, &args.scenarios)?;
    if args.go {
        let go: Vec<&Entry> = catalog.entries().iter().filter(|e| e.name().starts_with(crate::go_twin::PREFIX)).collect();
        if go.is_empty() {
            return Err("--go: this binary has no Go rows".into());
        }
        // `--go --scenario go-value` runs that Go row, not all four.
        let named_go = scenarios.iter().any(|s| s.name().starts_with(crate::go_twin::PREFIX));
        for e in go.into_iter().filter(|_| !named_go) {
            if !scenarios.iter().any(|s| s.name() == e.name()) {
                scenarios.push(e);
            }
        }
    }
    let shard = shard(args)?;
    let allocators = crate::allocators::parse_list(&args.allocators)?;
    let instructions = match args.instructions {
        true => Some((args.instructions_spans, crate::instructions::check_valgrind()?)),
        false => None,
    };
    let verify = verify_settings(args)?;
    measure::check_out(&args.out)?;
    let rows = scenarios.len() * workloads.len() * allocators.len();
    measure::check_room(&args.out, rows, !args.no_dhat)?;
    let programs = measure::prepare_externals(&scenarios)?;
    let allocators = crate::allocators::executables(catalog.allocator_build(), &allocators)?;
    let mut plan = RunPlan {
        workloads,
        scenarios,
        repeat: args.repeat,
        dhat_spans: (!args.no_dhat).then_some(args.dhat_spans),
        instructions,
        verify,
        out: args.out.clone(),
        reference: catalog.reference().to_owned(),
        programs,
        allocators,
        stall: Duration::from_secs(args.stall_timeout),
        shard,
    };
    let split = plan.shard.as_ref().map(|s| crate::split::deal(&plan, s.count));
    if let (Some(shard), Some(split)) = (plan.shard.as_mut(), split) {
        shard.split = split;
    }
    Ok(plan)
}

/// The outside check `--verify` asks for, at the size it names or the plan's nearest 4 (the
/// size `spanalloc verify` checks by default); `None` without it.
fn verify_settings(args: &RunArgs) -> Result<Option<VerifySettings>, String> {
    if !args.verify {
        if args.verify_trace_state.is_some() {
            return Err("--verify-trace-state goes with --verify".into());
        }
        return Ok(None);
    }
    let trace_state = match args.verify_trace_state {
        Some(t) if args.trace_state.contains(&t) => t,
        Some(t) => return Err(format!("--verify-trace-state {t} is not among the run's --trace-state sizes")),
        None => *args.trace_state.iter().min_by_key(|&&t| t.abs_diff(4)).ok_or("--trace-state needs at least one size")?,
    };
    let double = args.verify_spans.checked_mul(2).ok_or("--verify-spans is too large to double")?;
    let warmup = crate::verify::DEFAULT_WARMUP;
    WorkloadArgs { spans: double, rate: 0, producers: 1, seed: args.workload.seed, warmup }
        .config(trace_state)
        .map_err(|e| format!("--verify: {e}"))?;
    Ok(Some(VerifySettings {
        trace_state,
        spans: args.verify_spans,
        warmup,
        repeat: crate::verify::DEFAULT_REPEAT,
        tool: crate::outside::check_valgrind()?,
    }))
}

/// The shard `--shard I/N` asks for, with its night's identity; `None` without it.
fn shard(args: &RunArgs) -> Result<Option<Shard>, String> {
    let env = |var: &str| std::env::var(var).ok().filter(|v| !v.trim().is_empty());
    let Some(spec) = &args.shard else {
        if args.shard_run.is_some() || args.shard_attempt.is_some() {
            return Err("--shard-run and --shard-attempt go with --shard I/N".into());
        }
        return Ok(None);
    };
    let parsed = spec.split_once('/').and_then(|(i, n)| Some((i.parse::<usize>().ok()?, n.parse::<usize>().ok()?)));
    let Some((index, count)) = parsed.filter(|(i, n)| (1..=*n).contains(i)) else {
        return Err(format!("--shard '{spec}': expected I/N with 1 ≤ I ≤ N, as 2/4"));
    };
    let run = args
        .shard_run
        .clone()
        .or_else(|| env("GITHUB_RUN_ID"))
        .ok_or("--shard needs its night's id: --shard-run ID (or $GITHUB_RUN_ID)")?;
    let attempt = match args.shard_attempt {
        Some(a) => a,
        None => match env("GITHUB_RUN_ATTEMPT") {
            Some(a) => a.parse().map_err(|_| format!("GITHUB_RUN_ATTEMPT '{a}' is not a number"))?,
            None => 1,
        },
    };
    // Dealt once the plan is whole (`run_plan`): the split needs every row.
    Ok(Some(Shard { index, count, run, attempt, split: Vec::new() }))
}

fn measure_command(catalog: &Catalog, m: &MeasureArgs) -> ExitCode {
    if !crate::child::meter_installed() {
        return usage_error(NO_METER);
    }
    let Some(Entry::InProcess(scenario)) = catalog.find(&m.scenario) else {
        return usage_error(&format!("unknown scenario '{}'", m.scenario));
    };
    // stats_alloc and dhat wrap the system allocator: over another one they would free its
    // blocks with the wrong allocator.
    let inner = crate::meter::inner_name();
    if inner != "system" && !matches!(m.pass, Pass::Plain | Pass::Count) {
        return usage_error(&format!(
            "the {} pass runs over the system allocator only; this executable's is {inner}",
            m.pass.name()
        ));
    }
    let cfg = match m.workload.config(m.trace_state) {
        Ok(cfg) => WorkloadConfig {
            fan_out: m.fan_out,
            depth: m.depth,
            propagate_every: m.propagate_every,
            sample_ratio: m.sample_ratio,
            ..cfg
        },
        Err(e) => return usage_error(&e),
    };
    if let Err(e) = cfg.validate() {
        return usage_error(&format!("--{e}"));
    }
    let out = crate::child::measure(scenario, &cfg, m.pass, m.dhat_file.as_deref(), m.current_check);
    match serde_json::to_string(&out) {
        Ok(line) => {
            say!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tell!("spanalloc: cannot encode the result: {e}");
            ExitCode::from(1)
        }
    }
}

#[allow(clippy::too_many_arguments)] // one per option of `baseline ratchet`
fn ratchet_command(
    name: &Path,
    from: &Path,
    file: &Path,
    dir: &Path,
    kind: &str,
    nights: usize,
    dry_run: bool,
    markdown: bool,
) -> Result<ExitCode, InputError> {
    let target = baseline::resolve(name, dir).map_err(|e| InputError::new(name, e))?;
    let current = load_results(from)?;
    let (entries, warnings) = history::read_existing(file)?;
    warnings.iter().for_each(|w| tell!("spanalloc: warning: {w}"));
    let kind = if kind == "timing" { ratchet::Kind::Timing } else { ratchet::Kind::Counts };
    // Read, judged, reported and written under the baseline's lock; the report goes out first,
    // so a ratchet that cannot say what it did changes nothing.
    let done = baseline::update(&target, |saved| {
        let (next, outcome) = ratchet::ratchet(&saved, &current, &entries, kind, nights)?;
        say_raw!("{}", spanalloc_show::ratchet::render(&outcome, &name.to_string_lossy(), dry_run, markdown));
        if let Some(e) = crate::console::stdout_failure() {
            return Err(format!("cannot write the report ({e}): the baseline is left as it was"));
        }
        Ok((!dry_run && !outcome.tightened.is_empty()).then_some(next))
    })?;
    Ok(match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(&e),
    })
}

/// The rows `--scenario` names, or the catalog's default run when none is named.
fn chosen<'c>(catalog: &'c Catalog, names: &[String]) -> Result<Vec<&'c Entry>, String> {
    if names.is_empty() {
        return Ok(catalog.default_run());
    }
    names.iter().map(|n| catalog.find(n).ok_or_else(|| format!("unknown scenario '{n}' (known: {})", catalog.names()))).collect()
}

fn verify_command(catalog: &Catalog, args: &VerifyArgs) -> ExitCode {
    let request = || -> Result<crate::verify::Request<'_>, String> {
        let valgrind = crate::outside::check_valgrind()?;
        let scenarios = chosen(catalog, &args.scenarios)?;
        let workload = WorkloadArgs { spans: args.spans, rate: 0, producers: 1, seed: 42, warmup: args.warmup };
        let workloads = args.trace_state.iter().map(|&ts| workload.config(ts)).collect::<Result<Vec<_>, _>>()?;
        let double = args.spans.checked_mul(2).ok_or("--spans is too large to double")?;
        WorkloadArgs { spans: double, ..workload.clone() }.config(0)?;
        let allocators = crate::allocators::parse_list(&args.allocators)?;
        let sizes = crate::verify::Sizes { spans: args.spans, warmup: args.warmup, repeat: args.repeat as usize };
        Ok(crate::verify::Request {
            scenarios,
            workloads,
            allocators,
            sizes,
            valgrind,
            stall: Duration::from_secs(args.stall_timeout),
        })
    };
    match request() {
        Ok(r) if crate::verify::run(&r) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => usage_error(&e),
    }
}

/// `merge SHARDS… --out DIR`.
fn merge_command(args: &MergeArgs) -> Result<ExitCode, InputError> {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for given in &args.shards {
        let file = if given.is_dir() { given.join("results.json") } else { given.clone() };
        let results = load_results(&file)?;
        dirs.push(file.parent().map(Path::to_path_buf).unwrap_or_default());
        files.push(spanalloc_record::merge::ShardFile { name: file.display().to_string(), results });
    }
    let merged = match spanalloc_record::merge::merge(files, crate::time::run_id()) {
        Ok(m) => m,
        Err(e) => return Ok(usage_error(&e)),
    };
    if let Err(e) = measure::check_out(&args.out) {
        return Ok(usage_error(&e));
    }
    // The dhat profiles travel with their rows: every regular file of each shard's dhat/ (a link
    // is not followed out of the shard's folder).
    for dir in &dirs {
        let Ok(entries) = std::fs::read_dir(dir.join("dhat")) else { continue };
        for e in entries.flatten() {
            let is_file = e.file_type().is_ok_and(|t| t.is_file());
            let relative = Path::new("dhat").join(e.file_name());
            let copied = is_file
                && std::fs::read(e.path())
                    .and_then(|bytes| spanalloc_record::fsio::write_output(&args.out, &relative, &bytes))
                    .is_ok();
            if is_file && !copied {
                tell!("spanalloc: cannot copy {} into {}", e.path().display(), args.out.display());
                return Ok(ExitCode::from(1));
            }
        }
    }
    let json = serde_json::to_vec_pretty(&merged).expect("results serialise");
    let written = match spanalloc_record::fsio::write_output(&args.out, Path::new("results.json"), &json) {
        Ok(p) => p,
        Err(e) => {
            tell!("spanalloc: cannot write the merged results in {}: {e}", args.out.display());
            return Ok(ExitCode::from(1));
        }
    };
    let shards = merged.config.shards.as_ref().expect("a merge records its shards");
    say!(
        "merged {} of {} shards of night {}: {} rows → {}",
        shards.delivered.len(),
        shards.count,
        shards.run,
        merged.scenarios.len(),
        written.display()
    );
    for f in merged.failures.iter().filter(|f| f.kind == spanalloc_record::schema::FailureKind::ShardLost) {
        tell!("spanalloc: {}", f.line());
    }
    Ok(if shards.lost.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `export --against BASELINE`: the gate's verdicts, never refused for failures (a failed row is
/// exported as not judged, which alerts).
fn export_gate_command(args: &ExportArgs) -> Result<ExitCode, InputError> {
    let baseline_arg = args.against.as_deref().expect("--against was given");
    let thresholds = match &args.thresholds {
        Some(file) => Thresholds::load_or_default(file, true)?,
        None => Thresholds::load_or_default(Path::new(thresholds::DEFAULT_FILE), false)?,
    };
    let baseline_file = baseline::resolve(baseline_arg, &args.baselines).map_err(|e| InputError::new(baseline_arg, e))?;
    let baseline = load_results(&baseline_file)?;
    let current = load_results(&args.results)?;
    let labels = (&*baseline_arg.to_string_lossy(), &*args.results.to_string_lossy());
    let comparison = compare::compare(&baseline, &current, &thresholds, labels).restricted(Some(true));
    say!("{}", spanalloc_show::export_gate::export_gate(&comparison, &current, &baseline, args.format, args.rows));
    Ok(ExitCode::SUCCESS)
}

fn compare_command(args: &CompareArgs) -> Result<ExitCode, InputError> {
    if let Some(pair) = &args.between {
        // --between attributes a difference; it judges nothing, so rules given for a judgement
        // would be silently unused.
        if args.thresholds.is_some() {
            return Ok(usage_error("--between judges nothing, so --thresholds does not apply: leave one of them out"));
        }
        return between_command(args, &pair[0], &pair[1]);
    }
    let Some(baseline_arg) = args.baseline.as_deref() else {
        return Ok(usage_error("compare needs a baseline (or --between A B)"));
    };
    let thresholds = match &args.thresholds {
        Some(file) => Thresholds::load_or_default(file, true)?,
        None => Thresholds::load_or_default(Path::new(thresholds::DEFAULT_FILE), false)?,
    };
    let baseline_file = baseline::resolve(baseline_arg, &args.baselines).map_err(|e| InputError::new(baseline_arg, e))?;
    let baseline_name = baseline_arg.to_string_lossy();
    let baseline = load_results(&baseline_file)?;
    let mut current = load_results(&args.current)?;
    let mut elsewhere = Vec::new();
    if let Some(machine) = &args.machine {
        let theirs = baseline.machines();
        if theirs.iter().any(|m| m != machine) {
            return Err(InputError::new(
                &baseline_file,
                format!("holds rows measured on {}: not machine {machine}'s own baseline", theirs.join(", ")),
            ));
        }
        elsewhere = current
            .scenarios
            .iter()
            .filter_map(|s| current.machine_of(s).filter(|m| m != machine).map(|m| (s.id(), s.trace_state_entries, m)))
            .collect();
        current = current.on_machine(machine).ok_or_else(|| {
            InputError::new(
                &args.current,
                format!("has no row measured on machine {machine} (its machines: {})", current.machines().join(", ")),
            )
        })?;
    }
    let labels = (&*baseline_name, &*args.current.to_string_lossy());
    let scope = match args.metrics.as_str() {
        "counts" => Some(true),
        "timing" => Some(false),
        _ => None,
    };
    let mut comparison = compare::compare(&baseline, &current, &thresholds, labels).restricted(scope);
    if args.only_common {
        comparison = comparison.only_common();
    }
    if !elsewhere.is_empty() {
        comparison = comparison.measured_elsewhere(&elsewhere);
    }
    if args.fail_on == "exact" {
        comparison = comparison.gated_on_counts();
    }
    say_raw!("{}", spanalloc_show::compare::render(&comparison, args.format));
    if let Some(why) = comparison.nothing_compared() {
        // One machine's rows that are all new to its baseline (its rows there measured
        // elsewhere tonight) are a first measurement on that machine, not a failed comparison:
        // the nightly saves them into the baseline and says so.
        let first_here = args.machine.is_some()
            && !comparison.failed()
            && comparison.rows.iter().all(|r| matches!(r.verdict, compare::Verdict::New | compare::Verdict::Missing));
        if !first_here {
            return Ok(usage_error(&why));
        }
    }
    Ok(if comparison.failed() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `compare --between A B [RESULTS]`: the results are the one positional given, if any.
fn between_command(args: &CompareArgs, a: &str, b: &str) -> Result<ExitCode, InputError> {
    let file = match &args.baseline {
        Some(f) if args.current != Path::new("reports/latest/results.json") => {
            return Ok(usage_error(&format!(
                "--between reads one results file; got {} and {}",
                f.display(),
                args.current.display()
            )));
        }
        Some(f) => f.clone(),
        None => args.current.clone(),
    };
    let results = load_results(&file)?;
    match compare::between::between(&results, a, b) {
        Ok(w) => {
            say_raw!("{}", spanalloc_show::between::render(&w, args.format));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(InputError::new(&file, &e)),
    }
}

fn report_command(dir: &Path, sources: &Sources) -> ExitCode {
    let inputs = match spanalloc_show::report::gather(dir, sources) {
        Ok(i) => i,
        Err(e) => {
            tell!("spanalloc: {e}");
            return ExitCode::from(2);
        }
    };
    match spanalloc_show::report::write(dir, &inputs) {
        Ok(index) => {
            say!("report: {}", index.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            tell!("spanalloc: cannot write the report in {}: {e}", dir.display());
            ExitCode::from(1)
        }
    }
}

fn or_input_error(r: Result<ExitCode, InputError>) -> ExitCode {
    r.unwrap_or_else(|e| {
        tell!("spanalloc: {e}");
        ExitCode::from(2)
    })
}

/// A clap error on one line, the missing or bad argument named: its lines up to the usage,
/// joined ("the following required arguments were not provided: <BASELINE>").
fn one_line(error: &str) -> String {
    let lines: Vec<&str> = error
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:"))
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .collect();
    // clap's tip ("a similar argument exists: '--spans'") is kept: it is the fix for a typo.
    let joined = lines.join("; ").replace(":; ", ": ");
    let joined = joined.strip_prefix("error: ").unwrap_or(&joined);
    if joined.is_empty() {
        "bad arguments".into()
    } else {
        joined.to_owned()
    }
}

fn usage_error(e: &str) -> ExitCode {
    tell!("spanalloc: {e}");
    ExitCode::from(2)
}

/// Progress on stderr: a bar per pass on a terminal; one line per finished pass otherwise (CI
/// logs), so a long run shows life either way.
enum Display {
    Bars { bars: MultiProgress, current: Mutex<Option<ProgressBar>>, style: ProgressStyle, rows: ProgressBar },
    Lines { started: std::time::Instant },
}

impl Display {
    fn new(_spans: u64) -> Self {
        if std::io::stderr().is_terminal() {
            let style = ProgressStyle::with_template("{prefix:>32} {bar:30} {pos:>8}/{len:8} {msg}")
                .expect("valid template")
                .progress_chars("=> ");
            let bars = MultiProgress::new();
            // The whole run above the pass: which step of how many (a row's round of timed
            // passes, or its checks), and the time left at this pace.
            let rows = bars.add(ProgressBar::new(0));
            rows.set_style(
                ProgressStyle::with_template("{prefix:>32} step {pos}/{len}, {elapsed} so far, about {eta} left")
                    .expect("valid template"),
            );
            Display::Bars { bars, current: Mutex::new(None), style, rows }
        } else {
            Display::Lines { started: std::time::Instant::now() }
        }
    }

    /// Clears the bars, so that what follows starts on a line of its own.
    fn done(&self) {
        if let Display::Bars { bars, rows, .. } = self {
            rows.finish_and_clear();
            let _ = bars.clear();
        }
    }
}

impl Progress for Display {
    fn pass_started(&self, scenario: &str, ts: usize, pass: Pass, spans: u64) {
        if let Display::Bars { bars, current, style, .. } = self {
            let bar = bars.add(ProgressBar::new(spans));
            bar.set_style(style.clone());
            bar.set_prefix(format!("{scenario} ts={ts} {}", pass.name()));
            bar.enable_steady_tick(Duration::from_millis(200));
            *current.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(bar);
        }
    }

    fn exported(&self, spans: u64) {
        if let Display::Bars { current, .. } = self {
            if let Some(bar) = current.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref() {
                bar.set_position(spans);
            }
        }
    }

    fn pass_finished(&self, scenario: &str, ts: usize, pass: Pass, elapsed: Duration, outcome: Result<(), &str>) {
        match self {
            Display::Bars { current, .. } => {
                if let Some(bar) = current.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
                    match outcome {
                        Ok(()) => bar.finish_and_clear(),
                        Err(e) => bar.abandon_with_message(format!("FAILED: {e}")),
                    }
                }
            }
            Display::Lines { .. } => {
                let how = match outcome {
                    Ok(()) => "done".to_owned(),
                    Err(e) => format!("FAILED: {e}"),
                };
                tell!("spanalloc: {scenario} ts={ts} {} pass {how} in {:.1} s", pass.name(), elapsed.as_secs_f64());
            }
        }
    }

    fn warning(&self, line: &str) {
        match self {
            Display::Bars { bars, .. } => {
                let _ = bars.println(format!("spanalloc: warning: {line}"));
            }
            Display::Lines { .. } => tell!("spanalloc: warning: {line}"),
        }
    }

    fn step_started(&self, index: usize, total: usize, label: &str) {
        match self {
            Display::Bars { rows, .. } => {
                rows.set_length(total as u64);
                rows.set_position(index.saturating_sub(1) as u64);
                rows.set_prefix(label.to_owned());
            }
            // One line per step where stderr is not a terminal (a CI log): the same count, and the
            // time left at the pace of the steps so far.
            Display::Lines { started } => {
                let done = index.saturating_sub(1);
                let left = if done == 0 {
                    String::new()
                } else {
                    let each = started.elapsed().as_secs_f64() / done as f64;
                    format!(", about {:.0} s left", each * (total - done) as f64)
                };
                tell!("spanalloc: step {index} of {total}: {label}{left}");
            }
        }
    }
}
