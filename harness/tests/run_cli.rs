//! `spanalloc run` end to end: results, cross-checks, failures and bad options.

mod common;

use common::{results, spanalloc, stderr};

#[test]
fn a_small_run_writes_results_that_round_trip_and_cross_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = spanalloc(&["run", "--spans", "3000", "--rate", "0", "--trace-state", "0,4", "--dhat-spans", "2000", "--out", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Where stderr is not a terminal, one line per step (a row's round of timed passes, or its
    // checks) says how far the run is and what is left.
    let err = stderr(&o);
    assert!(err.contains("spanalloc: step 1 of 24: value-copy ts=0 round 1 of 1\n"), "{err}");
    assert!(
        err.lines().any(|l| l.starts_with("spanalloc: step 24 of 24: otel-sdk ts=4 checks, about ") && l.ends_with(" s left")),
        "{err}"
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("allocs") && text.contains("÷ VC") && text.contains("pointer-passing"), "table printed: {text}");
    // The table fits 120 columns, its notes are footnotes ([1] otel-sdk … same-thread read).
    assert!(text.lines().take_while(|l| !l.starts_with("[1]")).all(|l| l.chars().count() <= 120), "{text}");
    assert!(text.contains("otel-sdk [1]") && text.lines().any(|l| l.starts_with("[1] otel-sdk ts=0:")), "{text}");
    assert!(text.contains("÷ VC: this row's figure divided by value-copy's"), "the marks explained under it: {text}");
    let r = results(dir.path());
    assert_eq!(r.schema_version, spanalloc::record::schema::SCHEMA_VERSION);
    assert_eq!(r.scenarios.len(), 12, "six scenarios at two sizes");
    assert!(r.failures.is_empty());
    for s in &r.scenarios {
        let c = s.cross_check.as_ref().expect("dhat ran");
        assert!(c.agrees, "{} ts={}: {c:?}", s.name, s.trace_state_entries);
        // The strategies' counts do not depend on thread timing; the SDK's batch thread's do.
        assert_eq!(c.exact, s.name != "otel-sdk", "{}", s.name);
        assert!(dir.path().join(&s.dhat.as_ref().unwrap().file).exists());
        assert!(!s.timeline.is_empty() && s.stages.len() == 6);
        assert!(s.metrics.meter_overhead > 0.0);
    }
    // Round trip through serde, exactly.
    let again: spanalloc::record::Results = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(again, r);
}

#[test]
fn bad_options_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    // An --out whose results.json is a directory is refused before anything is measured.
    let occupied = dir.path().join("occupied");
    std::fs::create_dir_all(occupied.join("results.json")).unwrap();
    let missing = file.with_extension("missing");
    let cases: &[(&[&str], &str)] = &[
        (&["run", "--rate", "-5"], "invalid value '-5' for '--rate <RATE>': must be 0 (unpaced) or more spans/s, got -5"),
        (&["run", "--spans", "0"], "--spans must be at least 1"),
        (&["run", "--trace-state", "4,33"], "--trace-state must be 0..=32 entries (the W3C limit), got 33"),
        (&["run", "--scenario", "test-abort"], "unknown scenario 'test-abort'"),
        (
            &["run", "--scenario", "nope"],
            "unknown scenario 'nope' (known: value-copy, value-shared, pointer-passing, pooled, atomic-swap, otel-sdk, go-value, go-pointer, go-pointer-embedded, go-pool, go-atomic, go-user-pointer)",
        ),
        (&["run", "--out", file.to_str().unwrap()], "cannot write to --out"),
        (&["run", "--spans", "many"], "invalid value 'many' for '--spans <SPANS>'"),
        (&["run", "--repeat", "0"], "--repeat must be at least 1"),
        (&["run", "--spans", "100000000", "--out", occupied.to_str().unwrap()], "results.json is a directory"),
        (&["compare"], "the following required arguments were not provided: <BASELINE>"),
        (&["run", "--allocator", "tcmalloc"], "unknown allocator 'tcmalloc' (known: system, jemalloc, mimalloc)"),
        (&["compare", "--between", "value-copy"], "--between"),
        (&["history", "show", "--file", missing.to_str().unwrap()], "no such file"),
        // A typo gets clap's suggestion, on the same one line.
        (&["run", "--spanz", "5"], "unexpected argument '--spanz' found; tip: a similar argument exists: '--spans'"),
        (&["runn"], "unrecognized subcommand 'runn'; tip: a similar subcommand exists: 'run'"),
    ];
    for (args, want) in cases {
        let o = spanalloc(args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err:?}");
        assert!(err.starts_with("spanalloc: ") && err.contains(want), "{args:?}: {err:?}");
    }
    // Nothing asked for: the commands are listed, exit 2.
    for args in [&[][..], &["baseline"][..], &["history"][..]] {
        let o = spanalloc(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("Commands:"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn list_prints_the_strategies_the_reference_row_and_the_go_twin_only() {
    let o = spanalloc(&["list"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.lines().count(), 12, "{text}");
    for name in [
        "value-copy",
        "value-shared",
        "pointer-passing",
        "pooled",
        "atomic-swap",
        "otel-sdk",
        "go-value",
        "go-pointer",
        "go-pointer-embedded",
        "go-pool",
        "go-atomic",
        "go-user-pointer",
    ] {
        assert!(text.contains(name));
    }
    assert!(!text.contains("known-answer") && !text.contains("test-"), "test scenarios live in the test binary only");
}

/// A newcomer's first commands on a fresh clone never touch the committed example: `baseline
/// save nightly` refuses to replace it without `--force`, naming the file, and the first report
/// shows no history but the user's own (the repository tracks none).
#[test]
fn a_fresh_clones_first_commands_leave_the_committed_example_alone() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tracked = std::process::Command::new("git").current_dir(&repo).args(["ls-files", "reports"]).output().unwrap();
    let tracked = String::from_utf8_lossy(&tracked.stdout).into_owned();
    assert!(tracked.contains("reports/baselines/nightly.json"), "{tracked}");
    assert!(!tracked.contains("history"), "no committed history: {tracked}");
    // The clone's reports/, as committed.
    let clone = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(clone.path().join("reports/baselines")).unwrap();
    let committed = std::fs::read(repo.join("reports/baselines/nightly.json")).unwrap();
    std::fs::write(clone.path().join("reports/baselines/nightly.json"), &committed).unwrap();
    let in_clone = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_spanalloc")).current_dir(clone.path()).args(args).output().unwrap()
    };
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/record/tests/fixtures/results-v1.json");
    let o = in_clone(&["baseline", "save", "nightly", "--from", fixture]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("reports/baselines/nightly.json") && stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(std::fs::read(clone.path().join("reports/baselines/nightly.json")).unwrap(), committed, "unchanged");
    let o = in_clone(&["run", "--scenario", "pooled", "--spans", "2000", "--rate", "0", "--no-dhat"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = std::fs::read_to_string(clone.path().join("reports/latest/index.html")).unwrap();
    assert!(page.contains("No history yet"), "the first report shows no history");
    assert!(page.contains("no baseline compared"), "nor a comparison nobody asked for");
}

/// A binary of another name (an outside crate's, on the extension point) names itself in its
/// messages and its usage, never "spanalloc".
#[test]
fn an_outside_binary_names_itself() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("my-bench");
    std::fs::copy(env!("CARGO_BIN_EXE_spanalloc"), &bin).unwrap();
    for (args, want) in [
        (&["runn"][..], "my-bench: unrecognized subcommand 'runn'"),
        (&["compare", "/nonexistent.json", "/nonexistent.json"], "my-bench: /nonexistent.json: no such file"),
    ] {
        let o = common::watchdog::output(std::process::Command::new(&bin).args(args), "my-bench");
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).starts_with(want), "{args:?}: {}", stderr(&o));
    }
    let o = common::watchdog::output(std::process::Command::new(&bin).arg("--help"), "my-bench --help");
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("Usage: my-bench <COMMAND>") && !help.contains("Usage: spanalloc"), "{help}");
}

/// The timed passes run in rounds across the rows of a size, the order turning each round: a
/// machine growing busier over the run weighs on every row alike, and no row always follows the
/// same neighbour. Every row still gets every repeat; its checks come after the rounds.
#[test]
fn timed_passes_run_in_rounds_across_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let args = ["run", "--spans", "2000", "--rate", "0", "--trace-state", "4", "--repeat", "3", "--no-dhat"];
    let rows = ["--scenario", "value-copy", "--scenario", "pooled", "--scenario", "atomic-swap", "--out", out];
    let o = spanalloc(&[&args[..], &rows[..]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let timed: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("spanalloc: ").and_then(|l| l.split_once(" ts=4 plain pass done")).map(|(name, _)| name))
        .collect();
    let (a, b, c) = ("value-copy", "pooled", "atomic-swap");
    assert_eq!(timed, [a, b, c, c, b, a, a, b, c], "{err}");
    // A row's plain and count passes stay back to back.
    let passes: Vec<&str> = err.lines().filter(|l| l.contains(" pass done")).take(4).collect();
    assert!(passes[0].contains("value-copy ts=4 plain") && passes[1].contains("value-copy ts=4 count"), "{passes:?}");
    assert!(passes[2].contains("pooled ts=4 plain") && passes[3].contains("pooled ts=4 count"), "{passes:?}");
    // The steps: nine rounds, then each row's checks.
    assert!(err.contains("spanalloc: step 6 of 12: value-copy ts=4 round 2 of 3,"), "{err}");
    assert!(err.contains("spanalloc: step 10 of 12: value-copy ts=4 checks,"), "{err}");
    let r = results(dir.path());
    assert_eq!(r.scenarios.len(), 3);
    for s in &r.scenarios {
        let (plain, count) = (s.samples.cpu_ns_per_span.len(), s.samples.count_cpu_ns_per_span.len());
        assert_eq!((plain, count, s.samples.allocs.len()), (3, 3, 3), "{}: every repeat, once each", s.name);
    }
}
