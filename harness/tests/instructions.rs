//! The instructions pass (`run --instructions`): callgrind's count of the measured region on every
//! thread, warm-up left out, carried into results.json and the history. Needs valgrind: without
//! it the test says so and passes, unless SPANALLOC_REQUIRE_VALGRIND is set (`.ci/run` sets it).

mod common;

use std::process::Command;

use common::{results, spanalloc, stderr};
use spanalloc_record::history::HistoryEntry;

fn have_valgrind() -> bool {
    common::have_tool("valgrind", "--version", "SPANALLOC_REQUIRE_VALGRIND", "scripts/install-valgrind.sh")
}

/// Instructions per span of each row of a run with `warmup` warm-up spans.
fn counted(warmup: &str) -> Vec<(String, usize, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = spanalloc(&[
        "run",
        "--instructions",
        "--instructions-spans",
        "1000",
        "--warmup",
        warmup,
        "--scenario",
        "value-copy",
        "--scenario",
        "pooled",
        "--trace-state",
        "0,4",
        "--spans",
        "1000",
        "--no-dhat",
        "--out",
        out,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = results(dir.path());
    assert_eq!(r.config.instructions_spans, Some(1000));
    assert!(r.config.instructions_tool.as_deref().is_some_and(|t| t.starts_with("valgrind-")), "{:?}", r.config);
    // The history line carries each row's figure.
    let line = HistoryEntry::from_results(&r);
    assert!(line.headline.iter().all(|h| h.instructions_per_span.is_some()), "{line:?}");
    r.scenarios
        .iter()
        .map(|s| {
            let i = s.instructions.as_ref().expect("an instructions pass");
            assert_eq!((i.spans, &i.not_measured), (1000, &None));
            (s.name.clone(), s.trace_state_entries, i.per_span().unwrap())
        })
        .collect()
}

#[test]
fn the_instructions_pass_counts_the_measured_region_of_every_thread_and_no_warm_up() {
    if !have_valgrind() {
        return;
    }
    let short = counted("100");
    let long = counted("2000");
    for ((name, ts, a), (_, _, b)) in short.iter().zip(&long) {
        // The producer and exporter threads do the work: a count of the main thread alone would
        // be a few hundred instructions per span, not thousands.
        assert!(*a > 2_000.0, "{name} ts={ts}: {a} instructions per span");
        // Twenty times the warm-up moves the region's count by a hair (the allocator's state),
        // where counting the warm-up would triple it.
        assert!((b / a - 1.0).abs() < 0.01, "{name} ts={ts}: {a} with 100 warm-up spans, {b} with 2,000");
    }
    let per = |n: &str, t: usize| short.iter().find(|(s, ts, _)| s == n && *ts == t).unwrap().2;
    // Copying four trace-state entries costs value-copy instructions it does not cost the pool.
    assert!(per("value-copy", 4) > per("value-copy", 0) * 1.5, "{short:?}");
    assert!(per("pooled", 4) < per("value-copy", 4), "{short:?}");
}

#[test]
fn without_valgrind_the_instructions_pass_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_spanalloc"))
        .args(["run", "--instructions", "--spans", "100", "--no-dhat", "--out"])
        .arg(&out)
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--instructions needs valgrind"), "{err}");
    assert!(!out.join("results.json").exists());
}
