//! `spanalloc run` without the command line: a plain [`RunPlan`] in — workloads, scenarios,
//! passes, an output directory — and `results.json` out. Every pass of every scenario × trace
//! state runs in a fresh child; this side gathers, checks and aggregates what they report.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use spanalloc_model::reference::{self, Expected, SameWork};
use spanalloc_model::WorkloadConfig;
use spanalloc_record::fsio::{move_into_output, temporary_for, write_output};
use spanalloc_record::schema::{
    CrossCheck, DhatSummary, Environment, ExpectedExport, Failure, FailureKind, Instructions, MeterSettings, Results, RunConfig,
    ScenarioResult, Shard, VerifySettings, SCHEMA_VERSION,
};

use crate::aggregate::{combine, Passes};
use crate::catalog::Entry;
use crate::meter::slots::FLUSH_BYTES;
use crate::meter::timeline;
use crate::pass::{same_work, Pass, PassOutput};
use crate::spawn::{run_pass, PassFailure};
use crate::sys;

/// What to measure.
pub struct RunPlan<'a> {
    /// One workload per trace-state size, each valid; they differ in nothing else.
    pub workloads: Vec<WorkloadConfig>,
    /// The scenarios, in table order.
    pub scenarios: Vec<&'a Entry>,
    /// Plain and count passes per scenario.
    pub repeat: usize,
    /// Spans of the unpaced dhat pass and its cross-check; `None` skips them.
    pub dhat_spans: Option<u64>,
    /// Spans of the unpaced instructions pass and the valgrind it runs under
    /// ([`crate::instructions::check_valgrind`]); `None` skips it.
    pub instructions: Option<(u64, String)>,
    /// The outside check (`--verify`): each row at one size, its pass without the meter under
    /// valgrind's DHAT against the meter ([`crate::verify`]); `None` skips it.
    pub verify: Option<VerifySettings>,
    /// Where results.json and the dhat profiles go.
    pub out: PathBuf,
    /// The scenario every ratio is taken against.
    pub reference: String,
    /// The prepared program of every external scenario in the plan ([`prepare_externals`]).
    pub programs: HashMap<&'static str, PathBuf>,
    /// The allocators beneath the meter, each with the executable its plain and count passes run
    /// in ([`crate::allocators::executables`]); `system` and this executable by default.
    pub allocators: Vec<(String, PathBuf)>,
    /// How long a pass may export nothing more before it is killed as stuck
    /// ([`crate::spawn::DEFAULT_STALL`]).
    pub stall: Duration,
    /// The part of the plan this run measures (`--shard I/N`); `None` measures all of it.
    pub shard: Option<Shard>,
}

/// Hears how a run goes, pass by pass.
pub trait Progress: Sync {
    /// A pass of `scenario` at trace state `ts` starts, for `spans` spans.
    fn pass_started(&self, scenario: &str, ts: usize, pass: Pass, spans: u64);
    /// The running pass has exported `spans` measured spans.
    fn exported(&self, spans: u64);
    /// The pass ended after `elapsed`, with `Err` holding why it failed.
    fn pass_finished(&self, scenario: &str, ts: usize, pass: Pass, elapsed: Duration, outcome: Result<(), &str>);
    /// Something the user should know that does not fail the run.
    fn warning(&self, line: &str);
    /// Row `index` (from 1) of the `total` this run measures starts: `label` names it.
    /// Step `index` (from 1) of the `total` this run takes starts: `label` names it. A step is
    /// one row's round of timed passes, or its checks after the rounds.
    fn step_started(&self, index: usize, total: usize, label: &str);
}

/// What a run found wrong besides bad input: each makes the exit status 1.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<String>);

/// Makes every external scenario of `scenarios` ready (builds its program), once, before
/// anything is measured; `Err` names the scenario and why it cannot run.
pub fn prepare_externals(scenarios: &[&Entry]) -> Result<HashMap<&'static str, PathBuf>, String> {
    let mut programs = HashMap::new();
    for entry in scenarios {
        if let Entry::External(e) = entry {
            let program = (e.prepare)().map_err(|why| format!("{}: {why}", e.name))?;
            programs.insert(e.name, program);
        }
    }
    Ok(programs)
}

/// The files a run writes into its output directory, besides the dhat profiles and the charts.
pub const OUTPUTS: [&str; 3] = ["results.json", "index.html", "claims.json"];

/// Checks that `out` can take every output before anything is measured: a directory where a
/// file should go, or an unwritable directory, would otherwise lose the whole measurement.
pub fn check_out(out: &Path) -> Result<(), String> {
    let fail = |what: &Path, e: std::io::Error| format!("cannot write to --out {}: {}: {e}", out.display(), what.display());
    for dir in [out.to_path_buf(), out.join("dhat")] {
        // A `dhat/` that is a link out of the folder is refused before anything is made through it.
        spanalloc_record::fsio::refuse_escaping_link(out, &dir)
            .map_err(|e| format!("cannot write to --out {}: {e}", out.display()))?;
        std::fs::create_dir_all(&dir).map_err(|e| fail(&dir, e))?;
        spanalloc_record::fsio::probe_writable(&dir).map_err(|e| fail(&dir, e))?;
    }
    for name in OUTPUTS {
        let file = out.join(name);
        if file.is_dir() {
            return Err(format!("cannot write to --out {}: {} is a directory", out.display(), file.display()));
        }
        spanalloc_record::fsio::refuse_escaping_link(out, &file)
            .map_err(|e| format!("cannot write to --out {}: {e}", out.display()))?;
    }
    Ok(())
}

/// What a row leaves in the output folder at most, its dhat profile included (the SDK row's at
/// trace-state 32 over 20,000 spans is the largest, under 1 MB; its results entry a few hundred
/// KB), with room to spare; and what the report and results need besides.
const BYTES_PER_ROW: u64 = 4 * 1024 * 1024;
const BYTES_PER_RUN: u64 = 16 * 1024 * 1024;

/// Checks that `out`'s file system has room for what a run of `rows` rows writes, before anything
/// is measured: a full disk found at the end would lose the whole measurement.
pub fn check_room(out: &Path, rows: usize, dhat: bool) -> Result<(), String> {
    let per_row = if dhat { BYTES_PER_ROW } else { BYTES_PER_ROW / 4 };
    let need = BYTES_PER_RUN + per_row * rows as u64;
    let free = crate::sys::free_bytes(out).map_err(|e| format!("cannot write to --out {}: {e}", out.display()))?;
    if free < need {
        return Err(format!(
            "--out {}: {} MiB free, and a run of {rows} rows writes up to {} MiB: not started",
            out.display(),
            free / (1024 * 1024),
            need / (1024 * 1024)
        ));
    }
    Ok(())
}

/// `SPANALLOC_SIMULATE_CPU` and `SPANALLOC_SIMULATE_RUSTC`, for the tests that play a fleet of
/// machines and a toolchain bump on one machine (scripts/check-nightly.sh): they replace what the
/// fingerprint records, and a run says so.
fn simulated(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

/// Where and with what this binary runs: what a results file records.
pub fn environment() -> Environment {
    Environment {
        git_commit: sys::git_commit(),
        rustc: simulated("SPANALLOC_SIMULATE_RUSTC").unwrap_or_else(|| env!("SPANALLOC_RUSTC_VERSION").to_owned()),
        cpu: simulated("SPANALLOC_SIMULATE_CPU").unwrap_or_else(sys::cpu_model),
        cores: sys::cores(),
        allocator: "system (glibc malloc)".to_owned(),
        started_at: crate::time::now_rfc3339(),
        profile: Some(if cfg!(debug_assertions) { "debug" } else { "release" }.to_owned()),
        runner: std::env::var("SPANALLOC_RUNNER").ok().filter(|r| !r.trim().is_empty()),
        kernel: sys::kernel(),
        run_id: Some(crate::time::run_id()),
    }
}

impl RunPlan<'_> {
    fn config(&self) -> RunConfig {
        let first = self.workloads.first().cloned().unwrap_or_default();
        RunConfig {
            spans: first.spans,
            rate: first.rate,
            trace_state: self.workloads.iter().map(|w| w.trace_state_entries).collect(),
            producers: first.producers,
            seed: first.seed,
            warmup: first.warmup,
            repeat: self.repeat,
            dhat_spans: self.dhat_spans,
            instructions_spans: self.instructions.as_ref().map(|i| i.0),
            instructions_tool: self.instructions.as_ref().map(|i| i.1.clone()),
            fan_out: first.fan_out,
            depth: first.depth,
            propagate_every: first.propagate_every,
            reference: self.reference.clone(),
            meter: MeterSettings {
                peak_flush_bytes: FLUSH_BYTES as u64,
                timeline_period_ms: timeline::PERIOD.as_millis() as u64,
            },
            expected: Vec::new(),
            shard: self.shard.clone(),
            shards: None,
            verify: self.verify.clone(),
        }
    }
}

/// Where a run's results went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// `results.json` in the output directory.
    Results(PathBuf),
    /// The run measured nothing and the output directory's `results.json` holds rows of an
    /// earlier run: that file is kept, and this run's failures went here instead.
    Aside(PathBuf),
}

/// The file an all-failed run is written to when it would replace a results file with rows.
pub const FAILED_RUN: &str = "failed-run.json";

/// Runs everything `plan` holds and writes `results.json` (or, when nothing was measured and an
/// earlier run's rows are there, [`FAILED_RUN`]); returns the results, where they went, and the
/// problems that fail the run — every failure of `results.failures` among them.
pub fn run(plan: &RunPlan<'_>, progress: &dyn Progress) -> std::io::Result<(Results, Written, Problems)> {
    let mut config = plan.config();
    // What every row must export, from the model alone: the same-work check needs no reference row.
    let expected: Vec<Expected> = plan.workloads.iter().map(reference::expected).collect();
    config.expected = plan
        .workloads
        .iter()
        .zip(&expected)
        .map(|(w, e)| ExpectedExport {
            trace_state_entries: w.trace_state_entries,
            spans_exported: e.spans_exported,
            digest: format!("{:016x}", e.digest),
        })
        .collect();
    let mut results = Results {
        schema_version: SCHEMA_VERSION,
        config,
        environment: environment(),
        scenarios: vec![],
        failures: vec![],
        saved_with_failures: false,
        go_benchmem: None,
    };
    let mut problems = Problems::default();
    let taken = |position: usize, ts: usize, row: &str| plan.shard.as_ref().is_none_or(|s| s.takes(position, ts, row));
    let rows = plan
        .workloads
        .iter()
        .enumerate()
        .map(|(position, cfg)| {
            let ts = cfg.trace_state_entries;
            let over = |(a, _): &(String, PathBuf)| {
                plan.scenarios.iter().filter(|e| runs_over(e, a) && taken(position, ts, &row_name(e.name(), a))).count()
            };
            plan.allocators.iter().map(over).sum::<usize>()
        })
        .sum::<usize>();
    // A step: one row's round of timed passes, or its checks after the rounds.
    let total = rows * (plan.repeat + 1);
    let mut step = 0;
    for (position, (cfg, expected)) in plan.workloads.iter().zip(&expected).enumerate() {
        let ts = cfg.trace_state_entries;
        let mut rows = vec![];
        for (allocator, exe) in &plan.allocators {
            for entry in &plan.scenarios {
                if !runs_over(entry, allocator) {
                    if ts == plan.workloads[0].trace_state_entries {
                        progress.warning(&format!(
                            "{} runs in a program of its own, with its own allocator: not run over {allocator}",
                            entry.name()
                        ));
                    }
                    continue;
                }
                if !taken(position, ts, &row_name(entry.name(), allocator)) {
                    continue;
                }
                let exe = matches!(entry, Entry::InProcess(_)).then_some(exe.as_path());
                // A stack with its own span ids proves its work by the structure alone.
                let expected = match entry.same_work() {
                    SameWork::Digest => *expected,
                    other => other.expected(cfg),
                };
                rows.push(Row { entry, cfg, expected, allocator, exe });
            }
        }
        // The timed passes in rounds across the rows of this size: every row's round before any
        // row's next, so that a machine growing busier or quieter over the run weighs on every
        // row alike and the rows' spreads are comparable; the order turns each round, so that no
        // row always follows the same neighbour. A row whose pass fails leaves the rounds.
        let mut timed: Vec<Result<Passes, Failure>> = rows.iter().map(|_| Ok(Passes::default())).collect();
        for round in 0..plan.repeat {
            let order: Vec<usize> = if round % 2 == 0 { (0..rows.len()).collect() } else { (0..rows.len()).rev().collect() };
            for i in order {
                step += 1;
                let Ok(passes) = &mut timed[i] else { continue };
                progress.step_started(step, total, &format!("{} round {} of {}", rows[i].label(), round + 1, plan.repeat));
                if let Err(f) = timed_round(plan, &rows[i], passes, progress) {
                    timed[i] = Err(f);
                }
            }
        }
        for (at, timed) in rows.iter().zip(timed) {
            step += 1;
            let measured = match timed {
                Ok(passes) => {
                    progress.step_started(step, total, &format!("{} checks", at.label()));
                    // The dhat pass always runs over the system allocator, so a row already
                    // measured over another allocator at this size has this row's sites.
                    let profiled = results
                        .scenarios
                        .iter()
                        .find(|r| r.name == at.entry.name() && r.trace_state_entries == ts && r.dhat.is_some())
                        .map(|r| (r.dhat.clone(), r.cross_check.clone()));
                    finish_row(plan, at, passes, profiled, progress)
                }
                Err(f) => Measured { failures: vec![f], ..Measured::default() },
            };
            for w in &measured.warnings {
                progress.warning(w);
            }
            results.failures.extend(measured.failures);
            results.scenarios.extend(measured.row);
        }
    }
    // The article's receiver benchmarks ride with the Go rows, once per night: on the shard that
    // measures the first Go row at the plan's first size. A run that asked for them and could not
    // read them fails.
    let first_go = plan.scenarios.iter().find(|e| e.name().starts_with(crate::go_twin::PREFIX));
    let first_ts = plan.workloads.first().map(|w| w.trace_state_entries);
    if first_go.zip(first_ts).is_some_and(|(go, ts)| taken(0, ts, &row_name(go.name(), "system"))) {
        match crate::go_benchmem::run() {
            Ok(b) => results.go_benchmem = Some(b),
            Err(e) => results.failures.push(failure(GO_BENCHMEM_ROW, 0, FailureKind::Crash, "benchmem", e, String::new())),
        }
    }
    problems.0.extend(results.failures.iter().map(Failure::line));
    let json = serde_json::to_vec_pretty(&results).map_err(std::io::Error::other)?;
    let written = if results.scenarios.is_empty() && has_rows(&plan.out.join("results.json")) {
        Written::Aside(write_output(&plan.out, Path::new(FAILED_RUN), &json)?)
    } else {
        Written::Results(write_output(&plan.out, Path::new("results.json"), &json)?)
    };
    Ok((results, written, problems))
}

/// The name a failure of the article's benchmarks is recorded under.
const GO_BENCHMEM_ROW: &str = "go-article-benchmem";

/// Whether `file` is a results file with at least one row (an unreadable one is not).
fn has_rows(file: &Path) -> bool {
    spanalloc_record::input::load_results(file).is_ok_and(|r| !r.scenarios.is_empty())
}

/// Whether `entry` runs over `allocator`: a program of its own runs with its own allocator only.
pub(crate) fn runs_over(entry: &Entry, allocator: &str) -> bool {
    !(matches!(entry, Entry::External(_)) && allocator != "system")
}

/// A row's name as results give it: the scenario's, `@allocator` added over any but the system's.
pub(crate) fn row_name(scenario: &str, allocator: &str) -> String {
    if allocator == "system" {
        scenario.to_owned()
    } else {
        format!("{scenario}@{allocator}")
    }
}

/// One row to measure: a scenario at one workload over one allocator.
struct Row<'a> {
    entry: &'a Entry,
    cfg: &'a WorkloadConfig,
    /// What the model says the workload exports.
    expected: Expected,
    allocator: &'a str,
    /// The executable an in-process entry's plain and count passes run in.
    exe: Option<&'a Path>,
}

impl Row<'_> {
    /// The name its passes and failures go under: the scenario, and its allocator when not the
    /// default.
    fn name(&self) -> String {
        row_name(self.entry.name(), self.allocator)
    }

    /// How progress names the row: its name and its size.
    fn label(&self) -> String {
        format!("{} ts={}", self.name(), self.cfg.trace_state_entries)
    }
}

/// What measuring one row gave: the row, if its passes completed, and everything that failed.
#[derive(Default)]
struct Measured {
    row: Option<ScenarioResult>,
    failures: Vec<Failure>,
    warnings: Vec<String>,
}

fn failure(name: &str, ts: usize, kind: FailureKind, pass: &str, error: String, stderr_tail: String) -> Failure {
    Failure { name: name.into(), trace_state_entries: ts, kind, pass: pass.into(), error, stderr_tail }
}

/// Same work, checked against the model: a row exports exactly the spans the model says. One
/// that exported fewer fails the run: a row that must not drop lost spans, and one whose bounded
/// queue may drop by design did so at its gate rate, the rate its counts are gated at — it is
/// marked with its dropped spans, and must declare a rate it holds (`Scenario::gated_at`).
fn check_same_work(r: &mut ScenarioResult, at: &Row<'_>, m: &mut Measured) {
    let (e, ts) = (at.expected, r.trace_state_entries);
    if same_work(r.spans_exported, &r.digest, e) {
        return;
    }
    if r.spans_exported < e.spans_exported && at.entry.may_drop() {
        r.dropped_spans = e.spans_exported - r.spans_exported;
        let error = format!(
            "dropped {} of {} spans at its gate rate, {} spans/s (its bounded queue was full): not the same work, so its counts cannot be judged; a row must hold the rate it is gated at (declare one it holds on this machine: Scenario::gated_at)",
            r.dropped_spans,
            e.spans_exported,
            at.entry.paced_rate(at.cfg.rate, at.cfg.trace_state_entries)
        );
        m.failures.push(failure(&r.id(), ts, FailureKind::Dropped, "count", error, String::new()));
        return;
    }
    let (kind, error) = if r.spans_exported < e.spans_exported {
        (
            FailureKind::Dropped,
            format!(
                "must not drop spans, and exported {} of the {} the model expects (digest {}, expected {:016x})",
                r.spans_exported, e.spans_exported, r.digest, e.digest
            ),
        )
    } else {
        (
            FailureKind::Unfair,
            format!(
                "UNFAIR COMPARISON: exported {} spans with digest {}, the model expects {} with {:016x}",
                r.spans_exported, r.digest, e.spans_exported, e.digest
            ),
        )
    };
    m.failures.push(failure(&r.id(), ts, kind, "count", error, String::new()));
}

/// How many times a dhat pass and its twins are run again, each at half the rate before, when a
/// row that may drop spans dropped some in them.
const DHAT_RETRIES: u32 = 2;

/// Count passes beside a dhat pass of a row whose counts move: their spread is part of the
/// cross-check's tolerance.
const MOVING_TWINS: usize = 3;

/// One pass of `at`, reported to `progress`; a failure is the row's, under its label.
#[allow(clippy::too_many_arguments)]
fn row_pass(
    plan: &RunPlan<'_>,
    at: &Row<'_>,
    progress: &dyn Progress,
    program: Option<&Path>,
    pass: Pass,
    cfg: &WorkloadConfig,
    dhat_file: Option<&Path>,
    current_check: bool,
) -> Result<PassOutput, Failure> {
    let (label, ts) = (at.name(), cfg.trace_state_entries);
    progress.pass_started(&label, ts, pass, cfg.spans);
    let started = Instant::now();
    let out = run_pass(at.entry, program, pass, cfg, dhat_file, current_check, plan.stall, &|n| progress.exported(n));
    progress.pass_finished(&label, ts, pass, started.elapsed(), out.as_ref().map(|_| ()).map_err(|f| f.error.as_str()));
    out.map_err(|f: PassFailure| {
        let kind = if f.stuck { FailureKind::Stuck } else { FailureKind::Crash };
        failure(&label, ts, kind, pass.name(), f.error, f.stderr_tail)
    })
}

/// The program a row's plain and count passes run in: its own, or the allocator's executable.
fn program_of<'p>(plan: &'p RunPlan<'_>, at: &Row<'p>) -> Option<&'p Path> {
    plan.programs.get(at.entry.name()).map(PathBuf::as_path).or(at.exe)
}

/// One round of a row's timed passes: its plain pass (where it runs one), then its count pass,
/// back to back, so that a machine getting busier affects both alike.
fn timed_round(plan: &RunPlan<'_>, at: &Row<'_>, passes: &mut Passes, progress: &dyn Progress) -> Result<(), Failure> {
    let program = program_of(plan, at);
    if at.entry.runs(Pass::Plain) {
        passes.plain.push(row_pass(plan, at, progress, program, Pass::Plain, at.cfg, None, false)?);
    }
    // The row keeps its first count pass's current-context check: only that pass runs one.
    let first = passes.count.is_empty();
    passes.count.push(row_pass(plan, at, progress, program, Pass::Count, at.cfg, None, first)?);
    Ok(())
}

/// Finishes one row from its rounds of timed passes: combines them, then — where they run — the
/// probes above its rate, the instructions pass, the outside check, the dhat pass and the
/// cross-check, the current-context check and the same-work check. Every check that fails or
/// cannot run is a failure; the row is kept whenever its passes completed, so its figures can be
/// read beside why they failed.
fn finish_row(
    plan: &RunPlan<'_>,
    at: &Row<'_>,
    mut passes: Passes,
    profiled: Option<(Option<DhatSummary>, Option<CrossCheck>)>,
    progress: &dyn Progress,
) -> Measured {
    let (entry, cfg, allocator) = (at.entry, at.cfg, at.allocator);
    let (name, ts) = (entry.name(), cfg.trace_state_entries);
    let label = at.name();
    let mut m = Measured::default();
    let program = program_of(plan, at);
    let system = plan.programs.get(name).map(PathBuf::as_path);
    let pass_in = |program: Option<&Path>, pass: Pass, cfg: &WorkloadConfig, dhat_file: Option<&Path>| {
        row_pass(plan, at, progress, program, pass, cfg, dhat_file, false)
    };
    if passes.plain.is_empty() {
        // A program that measures in one pass: its count pass is its timing pass too.
        passes.plain = passes.count.clone();
    }
    let mut r = match combine(name, ts, cfg.producers, entry.exact_counts(), &passes) {
        Ok(r) => r,
        Err(e) => {
            m.failures.push(failure(&label, ts, FailureKind::Inconsistent, "combine", e.0, String::new()));
            return m;
        }
    };
    r.same_work = entry.same_work().word().into();
    r.carries_trace_state = entry.carries_trace_state();
    r.per_export = entry.per_export();
    r.bytes_modes = entry.bytes_modes();
    let gate = entry.paced_rate(cfg.rate, cfg.trace_state_entries);
    r.rate = Some(gate);
    check_same_work(&mut r, at, &mut m);
    if m.failures.is_empty() {
        // The plain passes' median exported rate, as the row's metrics already hold it.
        let achieved = r.metrics.achieved_rate;
        let probe = |c: &WorkloadConfig| {
            let out = pass_in(program, Pass::Probe, c, None)?;
            let dropped = entry.same_work().expected(c).spans_exported.saturating_sub(out.spans_exported);
            Ok((out, dropped))
        };
        match crate::holds::find(cfg, gate, achieved, &probe) {
            Ok(h) => r.holds = h,
            Err(f) => m.failures.push(f),
        }
    }
    if let Some(c) = r.current_check.filter(|c| !c.passed()) {
        m.failures.push(failure(
            &label,
            ts,
            FailureKind::CurrentContext,
            "count",
            format!(
                "the current-context slot failed its check: {} reads, {} torn, {} out of order, over {} stores",
                c.reads, c.torn, c.out_of_order, c.stores
            ),
            String::new(),
        ));
    }
    if let Some((spans, _)) = plan.instructions.as_ref().filter(|_| allocator == "system") {
        let warmup = cfg.warmup.min(crate::instructions::WARMUP_CAP);
        let unpaced = WorkloadConfig { spans: *spans, rate: 0, warmup, ..cfg.clone() };
        match count_instructions(entry, &unpaced, &|pass, cfg, f| pass_in(program, pass, cfg, f)) {
            Ok(i) => r.instructions = Some(i),
            Err(f) => m.failures.push(f),
        }
    }
    if let Some(v) = plan.verify.as_ref().filter(|v| v.trace_state == ts) {
        // One producer, whatever the run's: the check is of the meter, and a row is judged
        // exactly only where its counts repeat.
        let one = WorkloadConfig { producers: 1, ..cfg.clone() };
        let sizes = crate::verify::Sizes { spans: v.spans, warmup: v.warmup, repeat: v.repeat };
        let outcome = match crate::verify::not_verifiable(entry, allocator) {
            Some(why) => crate::verify::Outcome::NotVerifiable(why),
            None => crate::verify::verify(entry, &one, sizes, &|pass, c, f| pass_in(system, pass, c, f).map_err(|f| f.error)),
        };
        if !outcome.passed() && !matches!(outcome, crate::verify::Outcome::NotVerifiable(_)) {
            let said = outcome.describe(entry.exact_counts(), v.spans);
            m.failures.push(failure(&label, ts, FailureKind::Verify, Pass::Outside.name(), said, String::new()));
        }
        r.verified = Some(outcome.record());
    }
    let dhat_here = crate::meter::inner_name() == "system";
    match profiled {
        Some((dhat, cross_check)) => (r.dhat, r.cross_check) = (dhat, cross_check),
        None => {
            if let Some(spans) = plan.dhat_spans.filter(|_| entry.runs(Pass::Dhat) && dhat_here) {
                let suffix = if allocator == "system" { String::new() } else { format!("-{allocator}") };
                let relative = PathBuf::from("dhat").join(format!("{name}-ts{ts}{suffix}.json"));
                let unpaced = WorkloadConfig { spans, rate: 0, ..cfg.clone() };
                let exact = r.exact_counts;
                // dhat writes the profile itself: into a temporary, moved into place once whole,
                // so a killed pass never leaves a truncated profile where the last one was.
                let tmp = temporary_for(&plan.out, &relative);
                let profiled = profile(at, &unpaced, &tmp, exact, &|pass, cfg, f| pass_in(system, pass, cfg, f), &mut m);
                let installed = profiled.as_ref().map(|_| {
                    move_into_output(&plan.out, &relative, &tmp).map_err(|e| {
                        failure(
                            &label,
                            ts,
                            FailureKind::Output,
                            "dhat",
                            format!("the dhat profile could not be written to {}: {e}", plan.out.join(&relative).display()),
                            String::new(),
                        )
                    })
                });
                let _ = std::fs::remove_file(&tmp);
                if let Some(Err(f)) = installed {
                    m.failures.push(f);
                }
                match profiled {
                    Some((mut dhat, mut check)) => {
                        if let Some(d) = dhat.dhat.as_mut() {
                            d.file = relative.to_string_lossy().into_owned();
                        }
                        check.waived = at.entry.cross_check_waived().map(str::to_owned);
                        if !check.agrees && check.waived.is_some() {
                            m.warnings.push(format!(
                                "{label} ts={ts}: cross-check waived ({}): dhat saw {} blocks / {} bytes, the meter {} / {} over {} spans",
                                check.waived.as_deref().unwrap_or_default(),
                                check.dhat_blocks,
                                check.dhat_bytes,
                                check.meter_blocks,
                                check.meter_bytes,
                                check.spans
                            ));
                        } else if !check.agrees {
                            let how = if exact {
                                "exactly".to_owned()
                            } else {
                                format!("within {} blocks / {} bytes", check.tolerance_blocks, check.tolerance_bytes)
                            };
                            m.failures.push(failure(
                                &label,
                                ts,
                                FailureKind::CrossCheck,
                                "dhat",
                                format!(
                                    "CROSS-CHECK FAILED: dhat saw {} blocks / {} bytes, the meter {} / {} over {} spans (must agree {how})",
                                    check.dhat_blocks, check.dhat_bytes, check.meter_blocks, check.meter_bytes, check.spans
                                ),
                                String::new(),
                            ));
                        }
                        (r.dhat, r.cross_check) = (dhat.dhat.clone(), Some(check));
                    }
                    None => r.dhat = None,
                }
            }
        }
    }
    m.row = Some(r);
    m
}

/// The instructions pass of `entry` on `unpaced`: in-process rows under callgrind; a program of
/// its own has no marked region, and the row says so. The pass must do the model's work like
/// every other: a row that may drop spans and dropped some has no count (a count of less work),
/// and says why; any other difference fails the run.
fn count_instructions(entry: &Entry, unpaced: &WorkloadConfig, pass: &PassFn<'_>) -> Result<Instructions, Failure> {
    let (name, ts) = (entry.name(), unpaced.trace_state_entries);
    if !matches!(entry, Entry::InProcess(_)) {
        let why = "a program of its own: its measured region is not marked for callgrind".to_owned();
        return Ok(Instructions { spans: unpaced.spans, instructions: None, not_measured: Some(why) });
    }
    let dir = tempfile::tempdir().map_err(|e| {
        failure(name, ts, FailureKind::Output, "instructions", format!("no temporary folder for callgrind: {e}"), String::new())
    })?;
    let profile = dir.path().join("callgrind.out");
    let out = pass(Pass::Instructions, unpaced, Some(&profile))?;
    let expected = entry.same_work().expected(unpaced);
    if !same_work(out.spans_exported, &out.digest, expected) {
        let what = format!(
            "exported {} spans with digest {}, the model expects {}",
            out.spans_exported, out.digest, expected.spans_exported
        );
        if out.spans_exported < expected.spans_exported && entry.may_drop() {
            let why = format!("dropped spans under callgrind ({what}): a count of less work");
            return Ok(Instructions { spans: out.spans, instructions: None, not_measured: Some(why) });
        }
        return Err(failure(name, ts, FailureKind::Unfair, "instructions", format!("UNFAIR COMPARISON: {what}"), String::new()));
    }
    let instructions = crate::instructions::read_region(&profile)
        .map_err(|e| failure(name, ts, FailureKind::Crash, "instructions", e, String::new()))?;
    Ok(Instructions { spans: out.spans, instructions: Some(instructions), not_measured: None })
}

type PassFn<'f> = dyn Fn(Pass, &WorkloadConfig, Option<&Path>) -> Result<PassOutput, Failure> + 'f;

/// The dhat pass and its twin count passes on `unpaced`, and the cross-check between them. A row
/// that may drop spans and dropped some in either is run again at half the rate, at most
/// [`DHAT_RETRIES`] times; if it still cannot be checked, that is a failure, never a quiet gap.
fn profile(
    at: &Row<'_>,
    unpaced: &WorkloadConfig,
    file: &Path,
    exact: bool,
    pass: &PassFn<'_>,
    m: &mut Measured,
) -> Option<(PassOutput, CrossCheck)> {
    let (name, ts) = (at.entry.name(), unpaced.trace_state_entries);
    let expected = at.entry.same_work().expected(unpaced);
    let per_export = at.entry.per_export();
    // The first attempt is the scenario's own unpaced pass (paced at its unpaced or gate rate, if
    // it has one); a retry names its rate.
    let paced = at.entry.paced_rate(0, unpaced.trace_state_entries);
    let first_rate = if paced == 0 { WorkloadConfig::default().rate } else { paced };
    let mut tried = Vec::new();
    for attempt in 0..=DHAT_RETRIES {
        let rate = if attempt == 0 { 0 } else { first_rate >> attempt };
        tried.push(if attempt == 0 {
            if paced == 0 {
                "unpaced".into()
            } else {
                format!("{paced}/s")
            }
        } else {
            format!("{rate}/s")
        });
        let cfg = WorkloadConfig { rate, ..unpaced.clone() };
        let dhat = match pass(Pass::Dhat, &cfg, Some(file)) {
            Ok(d) if d.dhat.as_ref().is_some_and(|p| p.sites.is_empty() && p.total_blocks > 0) => {
                m.failures.push(failure(
                    name,
                    ts,
                    FailureKind::Output,
                    "dhat",
                    format!("the dhat pass wrote no readable profile ({})", file.display()),
                    String::new(),
                ));
                return None;
            }
            Ok(d) => d,
            Err(f) => {
                m.failures.push(f);
                return None;
            }
        };
        let mut twins = Vec::new();
        for _ in 0..if exact { 1 } else { MOVING_TWINS } {
            match pass(Pass::Count, &cfg, None) {
                Ok(t) => twins.push(t),
                Err(f) => {
                    m.failures.push(f);
                    return None;
                }
            }
        }
        let short: Vec<&PassOutput> =
            std::iter::once(&dhat).chain(&twins).filter(|p| !same_work(p.spans_exported, &p.digest, expected)).collect();
        if short.is_empty() {
            return match crate::aggregate::cross_check(&dhat, &twins, exact, per_export.as_ref()) {
                Ok(mut check) => {
                    check.retried_at_rate = (attempt > 0).then_some(rate);
                    Some((dhat, check))
                }
                Err(e) => {
                    m.failures.push(failure(name, ts, FailureKind::CrossCheck, "dhat", e.0, String::new()));
                    None
                }
            };
        }
        let worst = short.iter().map(|p| p.spans_exported).min().unwrap_or(0);
        if !at.entry.may_drop() || attempt == DHAT_RETRIES {
            let kind = if at.entry.may_drop() { FailureKind::CrossCheck } else { FailureKind::Unfair };
            m.failures.push(failure(
                name,
                ts,
                kind,
                "dhat",
                format!(
                    "cross-check could not run: the dhat pass or its twin exported {worst} of the {} spans the model expects at every rate tried ({})",
                    expected.spans_exported,
                    tried.join(", ")
                ),
                String::new(),
            ));
            return None;
        }
        m.warnings.push(format!(
            "{name} ts={ts}: the dhat pass or its twin dropped spans ({worst} of {} exported at {}): running the pair again at {}/s",
            expected.spans_exported,
            tried.last().map_or("", String::as_str),
            first_rate >> (attempt + 1)
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Results {
        spanalloc_record::input::parse_results(include_bytes!("../record/tests/fixtures/results-v1.json")).expect("valid fixture")
    }

    fn at<'a>(entry: &'a Entry, cfg: &'a WorkloadConfig, r: &ScenarioResult) -> Row<'a> {
        let digest = u64::from_str_radix(&r.digest, 16).unwrap();
        Row { entry, cfg, expected: Expected { spans_exported: r.spans_exported, digest }, allocator: "system", exe: None }
    }

    #[test]
    fn other_spans_than_the_model_expects_are_unfair_or_dropped() {
        let r0 = fixture().scenarios[1].clone();
        let cfg = WorkloadConfig::default();
        let strategy = Entry::InProcess(spanalloc_builtin::STRATEGIES[2]);
        let sdk = Entry::InProcess(spanalloc_builtin::REFERENCE_ROW);
        // The same work: nothing to say.
        let mut m = Measured::default();
        check_same_work(&mut r0.clone(), &at(&strategy, &cfg, &r0), &mut m);
        assert!(m.failures.is_empty() && m.warnings.is_empty());
        // Another digest, same count: unfair.
        let mut r = r0.clone();
        r.digest = "0000000000000000".into();
        check_same_work(&mut r, &at(&strategy, &cfg, &r0), &mut m);
        assert_eq!(m.failures.len(), 1);
        assert_eq!(m.failures[0].kind, FailureKind::Unfair);
        assert!(m.failures[0].error.starts_with("UNFAIR COMPARISON"), "{}", m.failures[0].error);
        // Fewer spans from a row that must not drop: a failure of its own kind.
        let mut m = Measured::default();
        let mut r = r0.clone();
        r.spans_exported -= 100;
        check_same_work(&mut r, &at(&strategy, &cfg, &r0), &mut m);
        assert_eq!(m.failures[0].kind, FailureKind::Dropped);
        // The same loss from a row that may drop by design: marked, and failed — it dropped at
        // the rate its counts are gated at, naming that rate.
        let mut m = Measured::default();
        let mut r = r0.clone();
        r.spans_exported -= 100;
        check_same_work(&mut r, &at(&sdk, &cfg, &r0), &mut m);
        assert_eq!(r.dropped_spans, 100);
        assert_eq!(m.failures[0].kind, FailureKind::Dropped);
        let gate = sdk.paced_rate(cfg.rate, cfg.trace_state_entries);
        assert!(gate < cfg.rate, "the SDK row is gated below the default rate");
        assert!(
            m.failures[0]
                .error
                .starts_with(&format!("dropped 100 of {} spans at its gate rate, {gate} spans/s", r0.spans_exported)),
            "{}",
            m.failures[0].error
        );
    }
}
