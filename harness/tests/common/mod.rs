//! Running the `spanalloc` binary from tests.
#![allow(dead_code)] // each test file uses its own subset

pub mod faults;

use std::path::Path;
use std::process::{Command, Output};

use spanalloc::pass::PassOutput;
use spanalloc::results::Results;

/// Runs `spanalloc ARGS` and returns its output.
pub fn spanalloc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spanalloc")).args(args).output().expect("spanalloc runs")
}

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
