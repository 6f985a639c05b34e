//! `spanalloc run` without the command line: a plain [`RunPlan`] in — workloads, scenarios,
//! passes, an output directory — and `results.json` out. Every pass of every scenario × trace
//! state runs in a fresh child; this side gathers, checks and aggregates what they report.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use spanalloc_model::WorkloadConfig;
use spanalloc_results::fsio::write_atomic;
use spanalloc_results::schema::{
    CrossCheck, DhatSummary, Environment, Failure, MeterSettings, Results, RunConfig, ScenarioResult, SCHEMA_VERSION,
};

use crate::aggregate::{combine, Passes};
use crate::catalog::Entry;
use crate::meter::slots::FLUSH_BYTES;
use crate::meter::timeline;
use crate::pass::Pass;
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
    /// Where results.json and the dhat profiles go.
    pub out: PathBuf,
    /// The scenario every ratio is taken against.
    pub reference: String,
    /// The prepared program of every external scenario in the plan ([`prepare_externals`]).
    pub programs: HashMap<&'static str, PathBuf>,
    /// The allocators beneath the meter, each with the executable its plain and count passes run
    /// in ([`crate::allocators::executables`]); `system` and this executable by default.
    pub allocators: Vec<(String, PathBuf)>,
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
        std::fs::create_dir_all(&dir).map_err(|e| fail(&dir, e))?;
        tempfile::NamedTempFile::new_in(&dir).map_err(|e| fail(&dir, e))?;
    }
    for name in OUTPUTS {
        let file = out.join(name);
        if file.is_dir() {
            return Err(format!("cannot write to --out {}: {} is a directory", out.display(), file.display()));
        }
    }
    Ok(())
}

fn environment() -> Environment {
    Environment {
        git_commit: sys::git_commit(),
        rustc: env!("SPANALLOC_RUSTC_VERSION").to_owned(),
        cpu: sys::cpu_model(),
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
            fan_out: first.fan_out,
            depth: first.depth,
            propagate_every: first.propagate_every,
            reference: self.reference.clone(),
            meter: MeterSettings {
                peak_flush_bytes: FLUSH_BYTES as u64,
                timeline_period_ms: timeline::PERIOD.as_millis() as u64,
            },
        }
    }

    fn exact(&self, name: &str) -> bool {
        self.scenarios.iter().find(|e| e.name() == name).is_none_or(|e| e.exact_counts())
    }
}

/// Runs everything `plan` holds and writes `results.json`; returns the results and the
/// problems that should fail the run.
pub fn run(plan: &RunPlan<'_>, progress: &dyn Progress) -> std::io::Result<(Results, Problems)> {
    let mut results = Results {
        schema_version: SCHEMA_VERSION,
        config: plan.config(),
        environment: environment(),
        scenarios: vec![],
        failures: vec![],
    };
    let mut problems = Problems::default();
    for cfg in &plan.workloads {
        let ts = cfg.trace_state_entries;
        for (allocator, exe) in &plan.allocators {
            for entry in &plan.scenarios {
                if matches!(entry, Entry::External(_)) && allocator != "system" {
                    if ts == plan.workloads[0].trace_state_entries {
                        progress.warning(&format!(
                            "{} runs in a program of its own, with its own allocator: not run over {allocator}",
                            entry.name()
                        ));
                    }
                    continue;
                }
                let exe = matches!(entry, Entry::InProcess(_)).then_some(exe.as_path());
                // The dhat pass always runs over the system allocator, so a row already measured
                // over another allocator at this size has this row's sites: take them, once run.
                let profiled = results
                    .scenarios
                    .iter()
                    .find(|r| r.name == entry.name() && r.trace_state_entries == ts && r.dhat.is_some())
                    .map(|r| (r.dhat.clone(), r.cross_check.clone()));
                let reused = profiled.is_some();
                match measure_scenario(plan, entry, cfg, exe, allocator, profiled, progress) {
                    Ok(r) => {
                        if let Some(c) = r.cross_check.as_ref().filter(|c| !c.agrees && !reused) {
                            problems.0.push(format!(
                            "CROSS-CHECK FAILED for {} ts={ts}: dhat saw {} blocks / {} bytes, the meter {} / {} over {} spans",
                            r.name, c.dhat_blocks, c.dhat_bytes, c.meter_blocks, c.meter_bytes, c.spans
                        ));
                        }
                        results.scenarios.push(r);
                    }
                    Err(f) => {
                        problems.0.push(format!("{} ts={ts} failed in its {} pass: {}", entry.name(), f.pass, f.error));
                        results.failures.push(f);
                    }
                }
            }
        }
    }
    let mut warnings = Vec::new();
    check_digests(&mut results, |n| plan.exact(n), &mut problems, &mut warnings);
    for w in &warnings {
        progress.warning(w);
    }
    let json = serde_json::to_vec_pretty(&results).map_err(std::io::Error::other)?;
    write_atomic(&plan.out.join("results.json"), &json)?;
    Ok((results, problems))
}

/// Every scenario at one trace-state size must export the same spans: otherwise the comparison
/// is not of the same work. The strategies set the expectation; a scenario with a pipeline of its
/// own (the SDK row) that exported fewer is marked with its dropped spans and warned about, not
/// failed: losing spans under load is its real behaviour, and its figures say so.
fn check_digests(results: &mut Results, exact: impl Fn(&str) -> bool, problems: &mut Problems, warnings: &mut Vec<String>) {
    for ts in results.config.trace_state.clone() {
        let reference = results
            .scenarios
            .iter()
            .find(|s| s.trace_state_entries == ts && exact(&s.name))
            .map(|s| (s.digest.clone(), s.spans_exported, s.name.clone()));
        let Some((digest, exported, first)) = reference else { continue };
        for r in results.scenarios.iter_mut().filter(|s| s.trace_state_entries == ts) {
            if (r.digest.as_str(), r.spans_exported) == (digest.as_str(), exported) {
                continue;
            }
            if !exact(&r.name) && r.spans_exported < exported {
                r.dropped_spans = exported - r.spans_exported;
                warnings.push(format!(
                    "{} ts={ts} dropped {} of {exported} spans (its batch queue was full): not the same work, left out of the fairness check",
                    r.name, r.dropped_spans
                ));
            } else {
                problems.0.push(format!(
                    "UNFAIR COMPARISON at ts={ts}: {} exported {} spans with digest {}, {first} exported {exported} with {digest}",
                    r.name, r.spans_exported, r.digest
                ));
            }
        }
    }
}

/// Measures `entry` on `cfg`; an in-process entry's plain and count passes run in `exe` (the
/// build over `allocator`), its dhat pass and that pass's twin in this executable, over the
/// system allocator dhat wraps.
fn measure_scenario(
    plan: &RunPlan<'_>,
    entry: &Entry,
    cfg: &WorkloadConfig,
    exe: Option<&Path>,
    allocator: &str,
    profiled: Option<(Option<DhatSummary>, Option<CrossCheck>)>,
    progress: &dyn Progress,
) -> Result<ScenarioResult, Failure> {
    let (name, ts) = (entry.name(), cfg.trace_state_entries);
    // The label passes are reported under: the scenario, and its allocator when not the default.
    let label = if allocator == "system" { name.to_owned() } else { format!("{name}@{allocator}") };
    let failure = |pass: &str, f: PassFailure| Failure {
        name: name.into(),
        trace_state_entries: ts,
        pass: pass.into(),
        error: f.error,
        stderr_tail: f.stderr_tail,
    };
    let program = plan.programs.get(name).map(PathBuf::as_path).or(exe);
    let system = plan.programs.get(name).map(PathBuf::as_path);
    let pass_in = |program: Option<&Path>, pass: Pass, cfg: &WorkloadConfig, dhat_file: Option<&Path>| {
        progress.pass_started(&label, ts, pass, cfg.spans);
        let started = Instant::now();
        let out = run_pass(entry, program, pass, cfg, dhat_file, &|n| progress.exported(n));
        progress.pass_finished(&label, ts, pass, started.elapsed(), out.as_ref().map(|_| ()).map_err(|f| f.error.as_str()));
        out.map_err(|f| failure(pass.name(), f))
    };
    let pass = |pass: Pass, cfg: &WorkloadConfig, dhat_file: Option<&Path>| pass_in(program, pass, cfg, dhat_file);
    let mut passes = Passes { plain: vec![], count: vec![], dhat: None, dhat_twin: None };
    // Interleaved, so that a machine getting busier affects both passes alike.
    for _ in 0..plan.repeat {
        if entry.runs(Pass::Plain) {
            passes.plain.push(pass(Pass::Plain, cfg, None)?);
        }
        passes.count.push(pass(Pass::Count, cfg, None)?);
    }
    if passes.plain.is_empty() {
        // A program that measures in one pass: its count pass is its timing pass too.
        passes.plain = passes.count.clone();
    }
    let dhat_here = crate::meter::inner_name() == "system";
    if let Some(spans) = plan.dhat_spans.filter(|_| entry.runs(Pass::Dhat) && dhat_here && profiled.is_none()) {
        let suffix = if allocator == "system" { String::new() } else { format!("-{allocator}") };
        let file: PathBuf = plan.out.join("dhat").join(format!("{name}-ts{ts}{suffix}.json"));
        let unpaced = WorkloadConfig { spans, rate: 0, ..cfg.clone() };
        passes.dhat = Some(pass_in(system, Pass::Dhat, &unpaced, Some(&file))?);
        passes.dhat_twin = Some(pass_in(system, Pass::Count, &unpaced, None)?);
    }
    let mut r = combine(name, ts, cfg.producers, entry.exact_counts(), &passes).map_err(|e| Failure {
        name: name.into(),
        trace_state_entries: ts,
        pass: "combine".into(),
        error: e.0,
        stderr_tail: String::new(),
    })?;
    if let Some((dhat, cross_check)) = profiled {
        (r.dhat, r.cross_check) = (dhat, cross_check);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Results {
        spanalloc_results::input::parse_results(include_bytes!("../results/tests/fixtures/results-v1.json"))
            .expect("valid fixture")
    }

    #[test]
    fn a_strategy_with_other_spans_is_unfair() {
        let mut r = fixture();
        r.scenarios[1].digest = "0000000000000000".into();
        let (mut problems, mut warnings) = (Problems::default(), Vec::new());
        check_digests(&mut r, |n| n != "otel-sdk", &mut problems, &mut warnings);
        assert_eq!(problems.0.len(), 1, "{:?}", problems.0);
        assert!(problems.0[0].starts_with("UNFAIR COMPARISON at ts=0: pointer-passing"), "{}", problems.0[0]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn the_sdk_row_dropping_spans_is_marked_not_failed() {
        let mut r = fixture();
        let mut sdk = r.scenarios[0].clone();
        sdk.name = "otel-sdk".into();
        sdk.spans_exported -= 100;
        sdk.digest = "1111111111111111".into();
        r.scenarios.push(sdk);
        let (mut problems, mut warnings) = (Problems::default(), Vec::new());
        check_digests(&mut r, |n| n != "otel-sdk", &mut problems, &mut warnings);
        assert!(problems.0.is_empty(), "{:?}", problems.0);
        assert_eq!(r.scenarios.last().unwrap().dropped_spans, 100);
        assert!(warnings[0].contains("otel-sdk ts=0 dropped 100 of"), "{}", warnings[0]);
        // The same loss from a strategy is a failure.
        let mut r = fixture();
        r.scenarios[2].spans_exported -= 100;
        let (mut problems, mut warnings) = (Problems::default(), Vec::new());
        check_digests(&mut r, |n| n != "otel-sdk", &mut problems, &mut warnings);
        assert_eq!(problems.0.len(), 1);
    }
}
