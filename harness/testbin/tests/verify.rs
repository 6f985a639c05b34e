//! `spanalloc verify` against the known answer: the meter agrees with valgrind's DHAT to the
//! block, a meter bug played by the test binary (one block per span from malloc, past the meter)
//! fails naming the row, rows DHAT cannot see are named with why, and a machine without valgrind
//! gets one line naming the install script. Needs valgrind: without it the test says so and
//! passes, unless SPANALLOC_REQUIRE_VALGRIND is set (`.ci/run` sets it).

use std::process::{Command, Output};

#[path = "../../tests/common/watchdog.rs"]
mod watchdog;

const BIN: &str = env!("CARGO_BIN_EXE_spanalloc-testbin");
const SPANS: u64 = 400;

fn have_valgrind() -> bool {
    let found = Command::new("valgrind").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("SPANALLOC_REQUIRE_VALGRIND").is_none(),
            "SPANALLOC_REQUIRE_VALGRIND is set but there is no valgrind"
        );
        eprintln!("no valgrind on the PATH: this test is skipped (scripts/install-valgrind.sh installs it)");
    }
    found
}

fn verify(extra: &[&str], plant: Option<&str>) -> Output {
    let spans = SPANS.to_string();
    let mut args = vec!["verify", "--spans", spans.as_str(), "--warmup", "100", "--repeat", "2"];
    args.extend_from_slice(extra);
    let mut cmd = Command::new(BIN);
    cmd.args(&args).env_remove("SPANALLOC_TEST_PLANT");
    if let Some(p) = plant {
        cmd.env("SPANALLOC_TEST_PLANT", p);
    }
    watchdog::output(&mut cmd, &format!("spanalloc-testbin {}", args.join(" ")))
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// The two Δ figures of a row's line: "DHAT Δblocks A, meter Δ(allocs + reallocs) B".
fn deltas(said: &str, row: &str) -> (u64, u64) {
    let line = said.lines().find(|l| l.starts_with(row)).unwrap_or_else(|| panic!("no line for {row}: {said}"));
    let after = |key: &str| -> u64 {
        let rest = &line[line.find(key).unwrap_or_else(|| panic!("no '{key}' in {line}")) + key.len()..];
        rest.trim_start().split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
    };
    (after("DHAT Δblocks"), after("meter Δ(allocs + reallocs)"))
}

#[test]
fn the_meter_agrees_with_dhat_to_the_block_and_a_missed_allocation_fails_by_name() {
    if !have_valgrind() {
        return;
    }
    let o = verify(&["--scenario", "known-answer", "--trace-state", "0,4"], None);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    for ts in ["0", "4"] {
        let (dhat, meter) = deltas(&said, &format!("known-answer ts={ts}: agrees"));
        assert_eq!(dhat, meter, "{said}");
        // Three known blocks per span at least, whatever the pooled pipeline beneath adds.
        assert!(dhat >= 3 * SPANS, "{said}");
    }
    assert!(said.contains("2 of 2 rows agree with DHAT"), "{said}");

    // The planted meter bug: one block per span the meter never sees.
    let o = verify(&["--scenario", "known-answer", "--trace-state", "4"], Some("uncounted"));
    let said = text(&o);
    assert_eq!(o.status.code(), Some(1), "{said}");
    let (dhat, meter) = deltas(&said, "known-answer ts=4: DISAGREES");
    assert_eq!(dhat, meter + SPANS, "one block per span more than the meter saw: {said}");
    assert!(said.contains("0 of 1 rows agree with DHAT; 1 disagree"), "{said}");
}

#[test]
fn rows_dhat_cannot_see_are_named_with_why_and_fail_the_verdict() {
    if !have_valgrind() {
        return;
    }
    let o = verify(&["--scenario", "value-copy-external", "--scenario", "known-answer", "--allocator", "jemalloc"], None);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert!(said.contains("value-copy-external@jemalloc ts=4: not verifiable with DHAT: a program of its own"), "{said}");
    assert!(said.contains("known-answer@jemalloc ts=4: not verifiable with DHAT: on jemalloc"), "{said}");
    assert!(said.contains("0 of 2 rows agree with DHAT; 0 disagree, 2 not verifiable"), "{said}");
}

#[test]
fn without_valgrind_verify_says_how_to_install_it_in_one_line() {
    let empty = tempfile::tempdir().unwrap();
    let o =
        watchdog::output(Command::new(BIN).args(["verify", "--scenario", "known-answer"]).env("PATH", empty.path()), "verify");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("scripts/install-valgrind.sh"), "{err}");
    assert!(o.stdout.is_empty());
}

/// `run --verify`: the rows at the size it names carry the verdict with both figures; the other
/// sizes carry none; a row DHAT cannot see is listed, not failed; a planted meter bug fails the
/// run with a failure of kind `verify` naming the row.
fn run_verify(plant: Option<&str>) -> (Output, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let spans = SPANS.to_string();
    let args = [
        "run",
        "--scenario",
        "known-answer",
        "--scenario",
        "value-copy-external",
        "--trace-state",
        "0,4",
        "--spans",
        "2000",
        "--warmup",
        "200",
        "--rate",
        "0",
        "--no-dhat",
        "--verify",
        "--verify-spans",
        &spans,
        "--out",
        dir,
    ];
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("SPANALLOC_TEST_PLANT");
    if let Some(p) = plant {
        cmd.env("SPANALLOC_TEST_PLANT", p);
    }
    let o = watchdog::output(&mut cmd, &format!("spanalloc-testbin {}", args.join(" ")));
    let results =
        std::fs::read(out.path().join("results.json")).unwrap_or_else(|e| panic!("no results.json ({e}): {}", text(&o)));
    (o, serde_json::from_slice(&results).unwrap())
}

fn verified<'r>(r: &'r serde_json::Value, name: &str, ts: u64) -> &'r serde_json::Value {
    let row = r["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name && s["trace_state_entries"] == ts)
        .unwrap_or_else(|| panic!("no row {name} ts={ts}"));
    &row["verified"]
}

#[test]
fn a_run_with_verify_carries_each_rows_verdict_and_fails_on_a_disagreement() {
    if !have_valgrind() {
        return;
    }
    let (o, r) = run_verify(None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(r["config"]["verify"]["trace_state"], 4, "the plan's size nearest 4: {}", r["config"]);
    assert_eq!(r["config"]["verify"]["spans"], SPANS);
    let known = verified(&r, "known-answer", 4);
    assert_eq!(known["outcome"], "agrees", "{known}");
    assert_eq!(known["dhat_blocks"], known["meter_blocks"], "{known}");
    assert!(known["dhat_blocks"][0].as_u64().unwrap() >= 3 * SPANS, "{known}");
    let external = verified(&r, "value-copy-external", 4);
    assert_eq!(external["outcome"], "not-verifiable", "{external}");
    assert!(external["why"].as_str().unwrap().contains("a program of its own"), "{external}");
    assert!(verified(&r, "known-answer", 0).is_null(), "only the size verified carries a verdict");

    let (o, r) = run_verify(Some("uncounted"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let known = verified(&r, "known-answer", 4);
    assert_eq!(known["outcome"], "disagrees", "{known}");
    let (dhat, meter) = (known["dhat_blocks"][0].as_u64().unwrap(), known["meter_blocks"][0].as_u64().unwrap());
    assert_eq!(dhat, meter + SPANS, "one block per span more than the meter saw: {known}");
    let failures = r["failures"].as_array().unwrap();
    assert!(
        failures.iter().any(|f| f["kind"] == "verify" && f["name"] == "known-answer" && f["trace_state_entries"] == 4),
        "{failures:?}"
    );
}
