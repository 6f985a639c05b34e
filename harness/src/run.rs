//! `spanalloc run`: every selected scenario × trace-state size, each pass in a fresh child,
//! gathered into `results.json` and a terminal table.

use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::aggregate::{combine, Passes};
use crate::child::Pass;
use crate::cli::{RunArgs, UsageError, WorkloadArgs};
use crate::fsio::write_atomic;
use crate::results::{Environment, Failure, PassOutput, Results, RunConfig, SCHEMA_VERSION};
use crate::spawn::{run_pass, PassFailure, PassSpec};
use crate::{scenarios, sys, table};

/// What a run found wrong besides bad input: each makes the exit status 1.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<String>);

/// Checks the options before anything runs; every problem is a [`UsageError`].
pub fn validate(args: &RunArgs) -> Result<Vec<&'static spanalloc_model::Scenario>, UsageError> {
    for &ts in &args.trace_state {
        args.workload.config(ts)?;
    }
    if args.trace_state.is_empty() {
        return Err(UsageError("--trace-state needs at least one size".into()));
    }
    if args.repeat == 0 {
        return Err(UsageError("--repeat must be at least 1".into()));
    }
    if !args.no_dhat && args.dhat_spans == 0 {
        return Err(UsageError("--dhat-spans must be at least 1 (or pass --no-dhat)".into()));
    }
    let selected = if args.scenarios.is_empty() {
        scenarios::ALL.iter().collect()
    } else {
        args.scenarios
            .iter()
            .map(|n| {
                scenarios::by_name(n).ok_or_else(|| UsageError(format!("unknown scenario '{n}' (known: {})", scenarios::names())))
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    check_writable(&args.out)?;
    Ok(selected)
}

fn check_writable(out: &Path) -> Result<(), UsageError> {
    let fail = |e: std::io::Error| UsageError(format!("cannot write to --out {}: {e}", out.display()));
    std::fs::create_dir_all(out.join("dhat")).map_err(fail)?;
    tempfile::NamedTempFile::new_in(out).map_err(fail)?;
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
    }
}

/// Runs everything `args` selects and writes `results.json`; returns the results and the
/// problems that should fail the run.
pub fn run(args: &RunArgs, selected: &[&spanalloc_model::Scenario]) -> anyhow::Result<(Results, Problems)> {
    let config = RunConfig {
        spans: args.workload.spans,
        rate: args.workload.rate as u64,
        trace_state: args.trace_state.iter().map(|&t| t as usize).collect(),
        producers: args.workload.producers,
        seed: args.workload.seed,
        warmup: args.workload.warmup,
        repeat: args.repeat,
        dhat_spans: (!args.no_dhat).then_some(args.dhat_spans),
        fan_out: spanalloc_model::WorkloadConfig::default().fan_out,
        depth: spanalloc_model::WorkloadConfig::default().depth,
        propagate_every: spanalloc_model::WorkloadConfig::default().propagate_every,
    };
    let mut results =
        Results { schema_version: SCHEMA_VERSION, config, environment: environment(), scenarios: vec![], failures: vec![] };
    let mut problems = Problems::default();
    let bars = MultiProgress::new();
    let style = ProgressStyle::with_template("{prefix:>26} {bar:30} {pos:>8}/{len:8} {msg}")
        .expect("valid template")
        .progress_chars("=> ");

    for &ts in &results.config.trace_state.clone() {
        for scenario in selected {
            let bar = bars.add(ProgressBar::new(args.workload.spans));
            bar.set_style(style.clone());
            bar.set_prefix(format!("{} ts={ts}", scenario.name));
            bar.enable_steady_tick(Duration::from_millis(200));
            match measure_scenario(args, scenario.name, ts, &bar) {
                Ok(r) => {
                    if let Some(c) = r.cross_check.as_ref().filter(|c| !c.agrees) {
                        problems.0.push(format!(
                            "CROSS-CHECK FAILED for {} ts={ts}: dhat saw {} blocks / {} bytes, the meter {} / {} over {} spans",
                            r.name, c.dhat_blocks, c.dhat_bytes, c.meter_blocks, c.meter_bytes, c.spans
                        ));
                    }
                    bar.finish_with_message("done");
                    results.scenarios.push(r);
                }
                Err(f) => {
                    bar.abandon_with_message(format!("FAILED: {}", f.error));
                    problems.0.push(format!("{} ts={ts} failed in its {} pass: {}", scenario.name, f.pass, f.error));
                    results.failures.push(f);
                }
            }
        }
    }
    let mut warnings = Vec::new();
    check_digests(&mut results, &mut problems, &mut warnings);
    for w in &warnings {
        eprintln!("spanalloc: warning: {w}");
    }
    let json = serde_json::to_vec_pretty(&results)?;
    write_atomic(&args.out.join("results.json"), &json)?;
    Ok((results, problems))
}

/// Every scenario at one trace-state size must export the same spans: otherwise the comparison
/// is not of the same work. The strategies set the expectation; a scenario with a pipeline of its
/// own (the SDK row) that exported fewer is marked with its dropped spans and warned about, not
/// failed: losing spans under load is its real behaviour, and its figures say so.
fn check_digests(results: &mut Results, problems: &mut Problems, warnings: &mut Vec<String>) {
    for ts in results.config.trace_state.clone() {
        let reference = results
            .scenarios
            .iter()
            .find(|s| s.trace_state_entries == ts && scenarios::exact_counts(&s.name))
            .map(|s| (s.digest.clone(), s.spans_exported, s.name.clone()));
        let Some((digest, exported, first)) = reference else { continue };
        for r in results.scenarios.iter_mut().filter(|s| s.trace_state_entries == ts) {
            if (r.digest.as_str(), r.spans_exported) == (digest.as_str(), exported) {
                continue;
            }
            if !scenarios::exact_counts(&r.name) && r.spans_exported < exported {
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

fn measure_scenario(args: &RunArgs, name: &str, ts: usize, bar: &ProgressBar) -> Result<crate::results::ScenarioResult, Failure> {
    let failure = |pass: &str, f: PassFailure| Failure {
        name: name.into(),
        trace_state_entries: ts,
        pass: pass.into(),
        error: f.error,
        stderr_tail: f.stderr_tail,
    };
    let spec = |pass: Pass, workload: WorkloadArgs, dhat_file: Option<&'_ Path>| -> Result<PassOutput, Failure> {
        bar.set_message(pass.name());
        bar.set_length(workload.spans);
        bar.set_position(0);
        run_pass(&PassSpec { scenario: name, pass, trace_state: ts, workload, dhat_file }, bar)
            .map_err(|f| failure(pass.name(), f))
    };
    let mut passes = Passes { plain: vec![], count: vec![], dhat: None, dhat_twin: None };
    // Interleaved, so that a machine getting busier affects both passes alike.
    for _ in 0..args.repeat {
        passes.plain.push(spec(Pass::Plain, args.workload.clone(), None)?);
        passes.count.push(spec(Pass::Count, args.workload.clone(), None)?);
    }
    if !args.no_dhat {
        let file: PathBuf = args.out.join("dhat").join(format!("{name}-ts{ts}.json"));
        let unpaced = WorkloadArgs { spans: args.dhat_spans, rate: 0, ..args.workload.clone() };
        passes.dhat = Some(spec(Pass::Dhat, unpaced.clone(), Some(&file))?);
        passes.dhat_twin = Some(spec(Pass::Count, unpaced, None)?);
    }
    combine(name, ts, args.workload.producers, scenarios::exact_counts(name), &passes).map_err(|e| Failure {
        name: name.into(),
        trace_state_entries: ts,
        pass: "combine".into(),
        error: e.0,
        stderr_tail: String::new(),
    })
}

/// Prints the table, each scenario's settings and the meter overhead line.
pub fn print_summary(results: &Results) {
    println!("{}", table::headline(results));
    let mut seen = std::collections::BTreeSet::new();
    for s in results.scenarios.iter().filter(|s| !s.settings.is_empty()) {
        if seen.insert(&s.name) {
            let settings: Vec<String> = s.settings.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            println!("{}: {}", s.name, settings.join("; "));
        }
    }
    if let Some(worst) = results.scenarios.iter().map(|s| s.metrics.meter_overhead).reduce(f64::max) {
        println!(
            "meter overhead (count-pass CPU / plain-pass CPU): worst {worst:.2}× over {} scenarios",
            results.scenarios.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Results {
        crate::input::parse_results(include_bytes!("../tests/fixtures/results-v1.json")).expect("valid fixture")
    }

    #[test]
    fn a_strategy_with_other_spans_is_unfair() {
        let mut r = fixture();
        r.scenarios[1].digest = "0000000000000000".into();
        let (mut problems, mut warnings) = (Problems::default(), Vec::new());
        check_digests(&mut r, &mut problems, &mut warnings);
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
        check_digests(&mut r, &mut problems, &mut warnings);
        assert!(problems.0.is_empty(), "{:?}", problems.0);
        assert_eq!(r.scenarios.last().unwrap().dropped_spans, 100);
        assert!(warnings[0].contains("otel-sdk ts=0 dropped 100 of"), "{}", warnings[0]);
        // The same loss from a strategy is a failure.
        let mut r = fixture();
        r.scenarios[2].spans_exported -= 100;
        let (mut problems, mut warnings) = (Problems::default(), Vec::new());
        check_digests(&mut r, &mut problems, &mut warnings);
        assert_eq!(problems.0.len(), 1);
    }
}
