//! The harness checked through the test binary, whose extra scenarios crash, abort, print
//! garbage, allocate a known answer or run as an external program.

use std::path::Path;
use std::process::{Command, Output};

use spanalloc::pass::PassOutput;
use spanalloc::record::Results;

#[path = "../../tests/common/watchdog.rs"]
mod watchdog;

const BLOCKS: u64 = 3;
const BLOCK_BYTES: u64 = 100;
const SPANS: u64 = 4_000;

/// Runs the test binary; one that never ends fails the test as hung.
fn testbin(args: &[&str]) -> Output {
    watchdog::output(
        Command::new(env!("CARGO_BIN_EXE_spanalloc-testbin")).args(args),
        &format!("spanalloc-testbin {}", args.join(" ")),
    )
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
    assert!(stderr(&o).contains("test-crash ts=4 crash (plain pass): plain pass exited with"), "{}", stderr(&o));
    let r = results(dir.path());
    assert_eq!(r.scenarios.len(), 1);
    assert_eq!(r.scenarios[0].name, "pooled");
    assert_eq!(r.failures.len(), 1);
    assert!(r.failures[0].stderr_tail.contains("deliberate panic"), "{:?}", r.failures[0]);
    assert_eq!(r.failures[0].kind, spanalloc::record::schema::FailureKind::Crash);
    // The run failed, so no comparison with it passes — not even against itself, whose rows agree.
    let file = dir.path().join("results.json");
    let c = testbin(&["compare", file.to_str().unwrap(), file.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&c.stdout);
    assert_eq!(c.status.code(), Some(1), "{text}");
    assert!(text.contains("RUN FAILED (1 failure(s)); 0 regressed"), "{text}");
    assert!(text.lines().nth(2).is_some_and(|l| l.contains("test-crash ts=4 crash (plain pass)")), "listed first: {text}");
    let c = testbin(&["compare", file.to_str().unwrap(), file.to_str().unwrap(), "--fail-on", "exact"]);
    assert_eq!(c.status.code(), Some(1));
    // Nor is it saved as a clean baseline.
    let saved = dir.path().join("baselines");
    let b = testbin(&["baseline", "save", "x", "--from", file.to_str().unwrap(), "--dir", saved.to_str().unwrap()]);
    assert_eq!(b.status.code(), Some(2));
    assert!(stderr(&b).contains("the run has 1 failure(s)"), "{}", stderr(&b));
    assert!(!saved.join("x.json").exists());
}

/// A run in which every pass failed measured nothing: it never replaces a results file that has
/// rows (nor its report); its failures go beside it.
#[test]
fn a_run_that_measured_nothing_keeps_the_last_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let good = testbin(&["run", "--scenario", "pooled", "--spans", "2000", "--rate", "0", "--no-dhat", "--out", out]);
    assert!(good.status.success(), "{}", stderr(&good));
    let before = std::fs::read(dir.path().join("results.json")).unwrap();
    let page = std::fs::read(dir.path().join("index.html")).unwrap();
    let o = testbin(&["run", "--scenario", "test-crash", "--spans", "2000", "--rate", "0", "--no-dhat", "--out", out]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nothing was measured"), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.path().join("results.json")).unwrap(), before);
    assert_eq!(std::fs::read(dir.path().join("index.html")).unwrap(), page);
    let failed: Results = serde_json::from_slice(&std::fs::read(dir.path().join("failed-run.json")).unwrap()).unwrap();
    assert!(failed.scenarios.is_empty() && failed.failures.len() == 1, "{:?}", failed.failures);
}

/// The dhat cross-check never vanishes: a row whose dhat pass dropped spans is run again slower
/// and checked, or its check is a recorded failure — never a `null` without one.
#[test]
fn a_dhat_pass_that_drops_is_retried_or_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let args = |scenario, rate| {
        [
            "run",
            "--scenario",
            scenario,
            "--spans",
            "4000",
            "--dhat-spans",
            "2000",
            "--trace-state",
            "0",
            "--rate",
            rate,
            "--out",
            out,
        ]
    };
    // Its main passes at 50,000 spans/s keep up; its dhat pass, unpaced (paced at 100,000), drops:
    // the retry at 50,000 spans/s is checked, and agrees.
    let o = testbin(&args("test-drops-when-fast", "50000"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("running the pair again at 50000/s"), "{}", stderr(&o));
    let r = results(dir.path());
    let check = r.scenarios[0].cross_check.as_ref().expect("checked after the retry");
    assert!(check.agrees && !check.exact, "{check:?}");
    assert_eq!(check.retried_at_rate, Some(50_000));
    assert_eq!(r.scenarios[0].dropped_spans, 0);
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    // The real SDK with an 8-span queue drops at every rate: its main passes fail the run (they
    // dropped at its gate rate), its cross-check too; the row is kept, marked.
    let o = testbin(&args("test-sdk-tiny-queue", "100000"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = results(dir.path());
    assert!(r.scenarios[0].cross_check.is_none());
    assert!(r.scenarios[0].dropped_spans > 0);
    let kinds: Vec<_> = r.failures.iter().map(|f| f.kind).collect();
    use spanalloc::record::schema::FailureKind;
    assert_eq!(kinds, [FailureKind::Dropped, FailureKind::CrossCheck], "{:?}", r.failures);
    assert!(r.failures[0].error.contains("at its gate rate, 100000 spans/s"), "{}", r.failures[0].error);
    assert!(r.failures[1].error.contains("at every rate tried (100000/s, 50000/s, 25000/s)"), "{}", r.failures[1].error);
}

/// A row whose queue drops at 100,000 spans/s and holds at its declared gate rate (60,000):
/// measured there at a run of 100,000, judged — an unchanged copy passes, +10 allocations per
/// span fail — while the same row without a gate rate fails its run when it drops.
#[test]
fn a_row_is_gated_at_the_rate_it_declares_and_fails_when_it_drops_there() {
    let run = |scenario: &str, repeats: &str| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap().to_owned();
        let o = testbin(&[
            "run",
            "--scenario",
            scenario,
            "--spans",
            "4000",
            "--no-dhat",
            "--trace-state",
            "0",
            "--repeat",
            repeats,
            "--out",
            &out,
        ]);
        (o, dir)
    };
    let (o, base) = run("test-gated-drops-when-fast", "5");
    assert!(o.status.success(), "{}", stderr(&o));
    let r = results(base.path());
    assert_eq!((r.config.rate, r.scenarios[0].rate, r.scenarios[0].dropped_spans), (100_000, Some(60_000), 0));
    let baseline = base.path().join("results.json");
    let o = testbin(&["compare", baseline.to_str().unwrap(), baseline.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    // +10 allocations per span.
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&baseline).unwrap()).unwrap();
    add_allocs_per_span(&mut v["scenarios"][0], 10);
    let current = base.path().join("more.json");
    std::fs::write(&current, serde_json::to_vec(&v).unwrap()).unwrap();
    let o = testbin(&["compare", baseline.to_str().unwrap(), current.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stdout));
    let verdict: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(verdict["regressed"].as_array().unwrap().iter().any(|r| r["metric"] == "allocs_per_span"), "{verdict}");
    // Without a gate rate the same row drops at 100,000 spans/s: a recorded failure, not a skip.
    let (o, dir) = run("test-drops-when-fast", "1");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = results(dir.path());
    assert!(r.scenarios[0].dropped_spans > 0);
    assert_eq!(r.failures[0].kind, spanalloc::record::schema::FailureKind::Dropped, "{:?}", r.failures);
    assert!(r.failures[0].error.contains("at its gate rate, 100000 spans/s"), "{}", r.failures[0].error);
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

/// A run of known-answer into a new directory, with the planted allocation or without.
fn known_answer_run(planted: bool) -> tempfile::TempDir {
    known_answer_planted(planted.then_some("1"))
}

/// A run of known-answer into a new directory, with `plant` as SPANALLOC_TEST_PLANT, or none.
fn known_answer_planted(plant: Option<&str>) -> tempfile::TempDir {
    planted_run(
        &["--scenario", "known-answer", "--spans", "2000", "--dhat-spans", "2000", "--warmup", "500", "--rate", "0"],
        plant,
    )
}

/// `run ARGS` into a new directory, with `plant` as SPANALLOC_TEST_PLANT, or none; it must pass.
fn planted_run(args: &[&str], plant: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_spanalloc-testbin"));
    cmd.arg("run").args(args).arg("--out").arg(dir.path());
    match plant {
        Some(p) => cmd.env("SPANALLOC_TEST_PLANT", p),
        None => cmd.env_remove("SPANALLOC_TEST_PLANT"),
    };
    let out = watchdog::output(&mut cmd, &format!("run {}", args.join(" ")));
    assert!(out.status.success(), "run failed: {}", stderr(&out));
    dir
}

/// Adds `n` allocations per span to a row of a results file, in its totals, every count pass
/// and the deallocations that freed them, as a run that made them would write it.
fn add_allocs_per_span(row: &mut serde_json::Value, n: i64) {
    let more = n * row["spans"].as_i64().unwrap();
    for count in ["allocs", "deallocs"] {
        row["metrics"][count] = (row["metrics"][count].as_i64().unwrap() + more).into();
        let passes: Vec<serde_json::Value> =
            row["samples"][count].as_array().unwrap().iter().map(|p| (p.as_i64().unwrap() + more).into()).collect();
        row["samples"][count] = passes.into();
    }
    row["metrics"]["allocs_per_span"] = (row["metrics"]["allocs_per_span"].as_f64().unwrap() + n as f64).into();
}

fn compare(baseline: &Path, current: &Path, format: &str) -> (Option<i32>, String) {
    let out = testbin(&["compare", baseline.to_str().unwrap(), current.to_str().unwrap(), "--format", format]);
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn compare_names_the_site_of_a_planted_allocation_first() {
    let (before, after) = (known_answer_run(false), known_answer_run(true));
    let (b, a) = (before.path().join("results.json"), after.path().join("results.json"));
    assert_eq!(results(after.path()).scenarios[0].metrics.allocs_per_span, BLOCKS as f64 + 1.0);

    let (code, text) = compare(&b, &a, "text");
    assert_eq!(code, Some(1), "{text}");
    let at = text.find("where it changed").unwrap_or_else(|| panic!("no explanation:\n{text}"));
    let first = text[at..].lines().nth(2).unwrap();
    assert!(first.trim_start().starts_with("+1.000 blocks/span, +8.0 B/span"), "{first}");
    assert!(first.contains("KnownAnswer as spanalloc_model::strategy::Strategy>::end"), "{first}");
    assert!(first.contains("(0.000 → 1.000 blocks/span"), "{first}");

    let (_, md) = compare(&b, &a, "markdown");
    let row = md.lines().skip_while(|l| !l.starts_with("| site |")).nth(2).unwrap_or_else(|| panic!("{md}"));
    assert!(row.contains(">::end`") && row.contains("| +1.000 |"), "{row}");

    let (_, json) = compare(&b, &a, "json");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let site = &v["explanations"][0]["sites"][0];
    assert!(site["site"].as_str().unwrap().ends_with(">::end"), "{site}");
    assert_eq!(site["after_blocks_per_span"].as_f64().unwrap() - site["before_blocks_per_span"].as_f64().unwrap(), 1.0);
}

#[test]
fn compare_names_a_doctored_baselines_site_first_in_every_format() {
    let run = known_answer_run(false);
    let current = run.path().join("results.json");
    // The baseline: the same run with one site's count lowered by one block per span, and the
    // row's allocations with it, as if the site had made one allocation fewer per span.
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&current).unwrap()).unwrap();
    let row = &mut v["scenarios"][0];
    add_allocs_per_span(row, -1);
    let site = &mut row["dhat"]["sites"][0];
    let name = site["site"].as_str().unwrap().to_owned();
    let dhat_spans = 2000;
    site["blocks"] = (site["blocks"].as_u64().unwrap() - dhat_spans).into();
    site["blocks_per_span"] = (site["blocks_per_span"].as_f64().unwrap() - 1.0).into();
    let baseline = run.path().join("doctored.json");
    std::fs::write(&baseline, serde_json::to_vec(&v).unwrap()).unwrap();

    let (code, text) = compare(&baseline, &current, "text");
    assert_eq!(code, Some(1), "{text}");
    let at = text.find("where it changed").unwrap_or_else(|| panic!("{text}"));
    let first = text[at..].lines().nth(2).unwrap();
    assert!(first.contains(&name) && first.contains("+1.000 blocks/span") && first.contains("(2.000 → 3.000"), "{first}");
    let (_, md) = compare(&baseline, &current, "markdown");
    let first = md.lines().skip_while(|l| !l.starts_with("| site |")).nth(2).unwrap();
    assert!(first.contains(&format!("`{name}`")) && first.contains("2.000 → 3.000"), "{first}");
    let (_, json) = compare(&baseline, &current, "json");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["explanations"][0]["sites"][0]["site"], name.as_str());
    assert_eq!(v["explanations"][0]["sites"][0]["before_blocks_per_span"], 2.0);
}

#[test]
fn between_lists_the_hand_offs_of_two_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = testbin(&[
        "run",
        "--scenario",
        "value-copy",
        "--scenario",
        "pointer-passing",
        "--spans",
        "2000",
        "--dhat-spans",
        "2000",
        "--warmup",
        "500",
        "--rate",
        "0",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let file = dir.path().join("results.json");
    let out = testbin(&["compare", "--between", "value-copy", "pointer-passing", file.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let size = &v["sizes"][0];
    let hand_offs = size["hand_offs"].as_array().unwrap();
    let names: Vec<&str> = hand_offs.iter().take(3).map(|h| h["site"].as_str().unwrap()).collect();
    // value-copy's three clone points, 2n+1 = 9 blocks each at n = 4 for a child span, are the difference.
    for clone_point in ["publish", "end", "sample"] {
        assert!(names.contains(&clone_point), "{names:?}");
    }
    // The hand-offs add up to each row's allocations per span (dhat and the meter agree).
    for (side, metric) in [("before_blocks_per_span", "a_allocs_per_span"), ("after_blocks_per_span", "b_allocs_per_span")] {
        let sum: f64 = hand_offs.iter().map(|h| h[side].as_f64().unwrap()).sum();
        assert!((sum - size[metric].as_f64().unwrap()).abs() < 1e-9, "{side}: {sum} vs {}", size[metric]);
    }
    let bad = testbin(&["compare", "--between", "value-copy", "nope", file.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("no row 'nope'"), "{}", stderr(&bad));
}

/// Same work is proved against the model for every row, an external one alone included: an
/// external row that must not drop and exports one trace fewer fails its run (a `dropped`
/// failure), it is not excused as a full queue.
#[test]
fn an_external_row_alone_is_checked_against_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = testbin(&["run", "--scenario", "test-short-external", "--spans", "2600", "--rate", "0", "--no-dhat", "--out", out]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = results(dir.path());
    assert_eq!(r.config.expected[0].spans_exported, 2600);
    assert_eq!(r.scenarios[0].spans_exported, 2587);
    assert_eq!(r.scenarios[0].dropped_spans, 0, "not excused as dropped");
    assert_eq!(r.failures.len(), 1, "{:?}", r.failures);
    assert_eq!(r.failures[0].kind, spanalloc::record::schema::FailureKind::Dropped);
    assert!(r.failures[0].error.contains("must not drop spans, and exported 2587 of the 2600"), "{}", r.failures[0].error);
    // The same program on the whole workload passes, alone.
    let o = testbin(&["run", "--scenario", "value-copy-external", "--spans", "2600", "--rate", "0", "--no-dhat", "--out", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = results(dir.path());
    assert_eq!(r.scenarios[0].digest, r.config.expected[0].digest);
}

/// A child that stops (SIGSTOP) reports nothing more: the watchdog kills it after the stall
/// timeout, records it as stuck, and the run goes on with the next scenario.
#[test]
fn a_stopped_child_is_killed_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = testbin(&[
        "run",
        "--scenario",
        "test-stop",
        "--scenario",
        "pooled",
        "--spans",
        "2000",
        "--rate",
        "0",
        "--no-dhat",
        "--stall-timeout",
        "2",
        "--out",
        out,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = results(dir.path());
    assert_eq!(r.failures.len(), 1, "{:?}", r.failures);
    assert_eq!(r.failures[0].kind, spanalloc::record::schema::FailureKind::Stuck);
    assert!(r.failures[0].error.contains("no span exported for 2 s, killed by the watchdog"), "{}", r.failures[0].error);
    assert_eq!(r.scenarios.len(), 1, "pooled was measured after it");
}

/// Counts the meter takes are judged through the real meter: one block per span never freed
/// (allocations flat) and one reallocation per span, each in a test build of an exact row,
/// regress the row by name.
#[test]
fn a_planted_leak_or_realloc_is_a_regression_by_name() {
    let base = known_answer_planted(None);
    let baseline = base.path().join("results.json");
    let exact = results(base.path());
    assert!(exact.scenarios[0].exact_counts, "known-answer is an exact row");
    for (plant, metric, flat) in
        [("leak", "leaked_blocks_per_span", Some("allocs_per_span")), ("realloc", "reallocs_per_span", None)]
    {
        let run = known_answer_planted(Some(plant));
        let r = results(run.path());
        let (m, b) = (&r.scenarios[0].metrics, &exact.scenarios[0].metrics);
        let spans = r.scenarios[0].spans;
        match plant {
            "leak" => assert_eq!((m.allocs, m.leaked_blocks() - b.leaked_blocks()), (b.allocs, spans as i64)),
            _ => assert_eq!(m.reallocs - b.reallocs, spans),
        }
        for format in ["text", "markdown", "json"] {
            let (code, out) = compare(&baseline, &run.path().join("results.json"), format);
            assert_eq!(code, Some(1), "{plant} {format}: {out}");
            // The rows a format lists as regressed.
            let regressed: Vec<String> = match format {
                "json" => {
                    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                    v["regressed"].as_array().unwrap().iter().map(|r| r["metric"].as_str().unwrap().to_owned()).collect()
                }
                "markdown" => out.lines().filter(|l| l.contains("**regressed**")).map(str::to_owned).collect(),
                _ => {
                    let table = out.split("REGRESSED").nth(1).unwrap_or_default();
                    table.lines().take_while(|l| !l.starts_with('└')).map(str::to_owned).collect()
                }
            };
            assert!(regressed.iter().any(|l| l.contains(metric)), "{plant} {format}: {metric} not regressed:\n{out}");
            if let Some(flat) = flat {
                assert!(!regressed.iter().any(|l| l.contains(flat)), "{plant} {format}: {flat} moved:\n{out}");
            }
        }
    }
}

/// The otel-sdk row at trace-state 0 and 4, with `repeats` count passes, its attributes planted
/// as `plant` asks or as the row builds them.
fn sdk_run(plant: Option<&str>, repeats: &str) -> tempfile::TempDir {
    let args = ["--scenario", "otel-sdk", "--trace-state", "0,4", "--spans", "2000", "--dhat-spans", "2000", "--repeat", repeats];
    planted_run(&args, plant)
}

/// A one-line change in a real pipeline — the SDK row's attributes pushed into
/// `Vec::with_capacity(2)` instead of collected — costs one reallocation per span and no
/// allocation: compare fails on reallocations alone and its sites diff names the line's function.
#[test]
fn the_sdk_rows_attributes_pushed_into_a_small_vector_regress_by_reallocation() {
    // The row's counts move (its batch thread is not parked), so its gate is the spread of five.
    let (base, planted) = (sdk_run(None, "5"), sdk_run(Some("sdk-attributes"), "1"));
    let (b, c) = (results(base.path()), results(planted.path()));
    for (bs, cs) in b.scenarios.iter().zip(&c.scenarios) {
        assert_eq!(cs.metrics.reallocs - bs.metrics.reallocs, cs.spans, "one more reallocation per span");
    }
    let (baseline, current) = (base.path().join("results.json"), planted.path().join("results.json"));
    let (code, json) = compare(&baseline, &current, "json");
    assert_eq!(code, Some(1), "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let regressed: Vec<(&str, u64)> = v["regressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["metric"].as_str().unwrap(), r["trace_state_entries"].as_u64().unwrap()))
        .collect();
    for ts in [0, 4] {
        assert!(regressed.contains(&("reallocs_per_span", ts)), "ts {ts}: {regressed:?}");
        assert!(!regressed.contains(&("allocs_per_span", ts)), "ts {ts}: allocations moved: {regressed:?}");
    }
    let (_, text) = compare(&baseline, &current, "text");
    let at = text.find("where it changed").unwrap_or_else(|| panic!("no explanation:\n{text}"));
    let first = text[at..].lines().nth(2).unwrap();
    assert!(first.contains("<spanalloc_testbin::Pushed as spanalloc_otel_sdk::Attributes>::build"), "{first}");
    assert!(first.trim_start().starts_with("+2.000 blocks/span"), "the allocation and its reallocation: {first}");
    // Shown to the thousandth, as allocations per span are: a fraction of a reallocation per
    // span is not rounded away.
    let row = text.lines().find(|l| l.contains("reallocs_per_span")).unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<&str> = row.split('┆').map(str::trim).collect();
    let (b, c): (f64, f64) = (cells[3].parse().unwrap(), cells[4].parse().unwrap());
    assert!(cells[3].contains('.') && (c - b - 1.0).abs() < 1e-3, "{row}");
}
