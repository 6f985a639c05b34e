//! Running the `spanalloc` binary from tests.
#![allow(dead_code)] // each test file uses its own subset

pub mod faults;
pub mod watchdog;

use std::path::Path;
use std::process::{Command, Output};

use spanalloc::pass::PassOutput;
use spanalloc::record::Results;

/// Whether `program ARG` runs: a tool the calling test needs. Without it the test says so and is
/// skipped, unless the environment variable `require` is set (`.ci/run` sets it after
/// `installer` ran): there a missing tool fails, never skips.
pub fn have_tool(program: &str, arg: &str, require: &str, installer: &str) -> bool {
    let found = Command::new(program).arg(arg).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os(require).is_none(), "{require} is set but there is no {program} on the PATH ({installer})");
        eprintln!("no {program} on the PATH: this test is skipped ({installer} installs it)");
    }
    found
}

/// Runs `spanalloc ARGS` and returns its output; a run that never ends fails the test as hung.
/// A `run` or `measure` that does not say its warm-up gets [`TEST_WARMUP`].
pub fn spanalloc(args: &[&str]) -> Output {
    let mut args = args.to_vec();
    let says_warmup = args.iter().any(|a| *a == "--warmup" || a.starts_with("--warmup="));
    if matches!(args.first(), Some(&"run" | &"measure")) && !says_warmup {
        args.extend(["--warmup", TEST_WARMUP]);
    }
    watchdog::output(Command::new(env!("CARGO_BIN_EXE_spanalloc")).args(&args), &format!("spanalloc {}", args.join(" ")))
}

/// The warm-up of the tests' runs and passes: the default 20,000 spans, run before every pass of
/// a debug build, were most of a short test run's work (twelve rows of 2,600 spans: 9.9 s of CPU,
/// 5.8 s with these 2,000). A test that needs another warm-up says its own.
pub const TEST_WARMUP: &str = "2000";

/// One pass of one scenario, unpaced, in a child: its parsed report.
pub fn measure(pass: &str, scenario: &str, extra: &[&str]) -> PassOutput {
    let mut args = vec!["measure", "--pass", pass, "--scenario", scenario, "--rate", "0"];
    args.extend_from_slice(extra);
    let out = spanalloc(&args);
    assert!(out.status.success(), "measure failed: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str(stdout.lines().last().unwrap()).unwrap()
}

/// The results a run wrote into `dir`.
pub fn results(dir: &Path) -> Results {
    serde_json::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap()
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Bad input's contract: exit 2 and one line on stderr holding `want` (`what` names the case).
#[allow(dead_code)] // not every test binary that includes this module refuses input
pub fn one_line_exit_2(o: &Output, want: &str, what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{what}: {err}");
    assert_eq!(err.lines().count(), 1, "{what}: one line, got {err:?}");
    assert!(err.contains(want), "{what}: want {want:?}, got {err:?}");
}

/// Sets a results row's count — `allocs_per_span`, `bytes_per_span`, `allocs` or
/// `bytes_allocated` — to about `value`, with its twin (the total, or the per-span figure) to
/// match, as a run writes them: a reader refuses a file whose per-span figure and total disagree.
/// Allocations added or taken away are freed or not freed with them, as a pipeline's are: the
/// blocks the region leaves stay as they were.
pub fn set_per_span(row: &mut serde_json::Value, metric: &str, value: f64) {
    let spans = row["spans"].as_u64().expect("a row with spans");
    let (per_span, total_name) = match metric {
        "allocs_per_span" | "allocs" => ("allocs_per_span", "allocs"),
        "bytes_per_span" | "bytes_allocated" => ("bytes_per_span", "bytes_allocated"),
        _ => panic!("not a count: {metric}"),
    };
    let total = if metric == per_span { (value * spans as f64).round() as u64 } else { value.round() as u64 };
    if total_name == "allocs" {
        let delta = total as i64 - row["metrics"]["allocs"].as_u64().unwrap() as i64;
        row["metrics"]["deallocs"] = ((row["metrics"]["deallocs"].as_u64().unwrap() as i64 + delta).max(0) as u64).into();
    }
    row["metrics"][total_name] = total.into();
    row["metrics"][per_span] = (total as f64 / spans as f64).into();
}
