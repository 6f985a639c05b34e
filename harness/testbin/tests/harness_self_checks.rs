//! The harness checked through the test binary, whose extra scenarios crash, abort, print
//! garbage, allocate a known answer or run as an external program.

use std::path::Path;
use std::process::{Command, Output};

use spanalloc::pass::PassOutput;
use spanalloc::results::Results;

const BLOCKS: u64 = 3;
const BLOCK_BYTES: u64 = 100;
const SPANS: u64 = 4_000;

fn testbin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spanalloc-testbin")).args(args).output().expect("the test binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn results(dir: &Path) -> Results {
    serde_json::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap()
}

fn measure(pass: &str, scenario: &str, extra: &[&str]) -> PassOutput {
    let mut args = vec!["measure", "--pass", pass, "--scenario", scenario, "--rate", "0"];
    args.extend_from_slice(extra);
    let out = testbin(&args);
    assert!(out.status.success(), "measure failed: {}", stderr(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str(stdout.lines().last().unwrap()).unwrap()
}

#[test]
fn count_and_dhat_passes_measure_the_known_answer_exactly() {
    let spans = SPANS.to_string();
    let count = measure("count", "known-answer", &["--spans", &spans]);
    let c = count.counts.expect("count pass counts");
    assert_eq!(count.spans, SPANS);
    assert_eq!(c.allocs, BLOCKS * SPANS);
    assert_eq!(c.bytes_allocated, BLOCKS * BLOCK_BYTES * SPANS);
    assert_eq!((c.reallocs, c.deallocs), (0, c.allocs), "every block is freed by the exporter");
    // Stages: the blocks are allocated at span start, in the tracer stage.
    let stages = count.stages.expect("stages");
    assert_eq!(stages[spanalloc_model::stage::Stage::Tracer.index()], [c.allocs, c.bytes_allocated]);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ka.json");
    let dhat = measure("dhat", "known-answer", &["--spans", &spans, "--dhat-file", file.to_str().unwrap()]);
    let d = dhat.dhat.expect("dhat figures");
    assert_eq!((d.total_blocks, d.total_bytes), (c.allocs, c.bytes_allocated));
    assert_eq!(d.allocs_per_span, BLOCKS as f64);
    assert!(file.exists(), "the profile is written for the DHAT viewer");
    // One site, the strategy's own start, holding every block; its stacks add up to it.
    assert_eq!(d.sites.len(), 1, "sites: {:?}", d.sites);
    let site = &d.sites[0];
    assert!(site.site.contains("KnownAnswer as") && site.site.ends_with(">::start"), "site: {}", site.site);
    assert_eq!((site.blocks, site.bytes), (d.total_blocks, d.total_bytes));
    assert_eq!(site.blocks_per_span, BLOCKS as f64);
    assert_eq!(site.stacks.iter().map(|s| s.blocks).sum::<u64>(), site.blocks);
}

#[test]
fn a_crashing_child_is_reported_and_the_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = testbin(&[
        "run",
        "--scenario",
        "test-crash",
        "--scenario",
        "pooled",
        "--spans",
        "2000",
        "--rate",
        "0",
        "--no-dhat",
        "--out",
        out,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("test-crash ts=4 failed in its plain pass"), "{}", stderr(&o));
    let r = results(dir.path());
    assert_eq!(r.scenarios.len(), 1);
    assert_eq!(r.scenarios[0].name, "pooled");
    assert_eq!(r.failures.len(), 1);
    assert!(r.failures[0].stderr_tail.contains("deliberate panic"), "{:?}", r.failures[0]);
}

#[test]
fn killed_and_garbage_printing_children_are_failures_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = testbin(&[
        "run",
        "--scenario",
        "test-abort",
        "--scenario",
        "test-garbage",
        "--scenario",
        "value-copy",
        "--spans",
        "1000",
        "--rate",
        "0",
        "--no-dhat",
        "--out",
        out,
    ]);
    assert_eq!(o.status.code(), Some(1));
    let r = results(dir.path());
    assert_eq!(r.scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["value-copy"]);
    let why = |name: &str| r.failures.iter().find(|f| f.name == name).unwrap().error.clone();
    assert!(why("test-abort").contains("signal"), "{}", why("test-abort"));
    assert!(
        why("test-garbage").contains("not a result") && why("test-garbage").contains("this is not a result"),
        "{}",
        why("test-garbage")
    );
}

/// An external scenario is measured through its own program and lands in the results like any
/// row: here value-copy, run by the test binary as an external program, must match value-copy.
#[test]
fn an_external_scenario_reports_in_the_results_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = testbin(&[
        "run",
        "--scenario",
        "value-copy",
        "--scenario",
        "value-copy-external",
        "--spans",
        "2600",
        "--rate",
        "0",
        "--dhat-spans",
        "1300",
        "--out",
        out,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = results(dir.path());
    let (vc, ext) = (&r.scenarios[0], &r.scenarios[1]);
    assert_eq!((vc.name.as_str(), ext.name.as_str()), ("value-copy", "value-copy-external"));
    assert_eq!((ext.digest.as_str(), ext.spans_exported), (vc.digest.as_str(), vc.spans_exported));
    assert_eq!(ext.metrics.allocs, vc.metrics.allocs, "the same counts through the external protocol");
    assert!(ext.dhat.is_none(), "the external entry runs no dhat pass");
}

/// A binary without the meter as its global allocator would measure zeros: `run` and every
/// child refuse in one line that says what to add.
#[test]
fn a_binary_without_the_meter_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let nometer = env!("CARGO_BIN_EXE_spanalloc-nometer");
    for args in [
        vec!["run", "--scenario", "pooled", "--spans", "100", "--rate", "0", "--no-dhat", "--out", dir.path().to_str().unwrap()],
        vec!["measure", "--pass", "count", "--scenario", "pooled", "--spans", "100", "--rate", "0"],
    ] {
        let o = Command::new(nometer).args(&args).output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("#[global_allocator] static ALLOC: spanalloc::meter::Meter = spanalloc::meter::Meter;"), "{err}");
    }
    assert!(!dir.path().join("results.json").exists());
}
