//! Starting one pass in a fresh child process and reading back what it reports.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use indicatif::ProgressBar;

use crate::child::Pass;
use crate::cli::WorkloadArgs;
use crate::results::PassOutput;

/// Lines of a child's stderr kept for a failure report.
const TAIL_LINES: usize = 20;

/// A pass that did not produce a result.
#[derive(Debug)]
pub struct PassFailure {
    /// What went wrong.
    pub error: String,
    /// The child's last stderr lines.
    pub stderr_tail: String,
}

/// One pass to run.
pub struct PassSpec<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// The pass.
    pub pass: Pass,
    /// Trace-state entries.
    pub trace_state: usize,
    /// The workload (spans and rate may differ from the run's for the dhat passes).
    pub workload: WorkloadArgs,
    /// The dhat profile path.
    pub dhat_file: Option<&'a Path>,
}

/// Runs `spec` in a child of this executable, showing its progress on `bar`.
pub fn run_pass(spec: &PassSpec<'_>, bar: &ProgressBar) -> Result<PassOutput, PassFailure> {
    let exe = std::env::current_exe()
        .map_err(|e| PassFailure { error: format!("cannot find the spanalloc executable: {e}"), stderr_tail: String::new() })?;
    let w = &spec.workload;
    let mut cmd = Command::new(exe);
    cmd.arg("measure")
        .args(["--pass", spec.pass.name(), "--scenario", spec.scenario])
        .args(["--trace-state", &spec.trace_state.to_string()])
        .args(["--spans", &w.spans.to_string(), "--rate", &w.rate.to_string()])
        .args(["--producers", &w.producers.to_string(), "--seed", &w.seed.to_string()])
        .args(["--warmup", &w.warmup.to_string()]);
    if let Some(f) = spec.dhat_file {
        cmd.arg("--dhat-file").arg(f);
    }
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child =
        cmd.spawn().map_err(|e| PassFailure { error: format!("cannot start child: {e}"), stderr_tail: String::new() })?;

    let stderr = child.stderr.take().expect("piped");
    let progress = bar.clone();
    let reader = std::thread::spawn(move || {
        let mut tail: std::collections::VecDeque<String> = std::collections::VecDeque::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(n) = line.strip_prefix("@progress ").and_then(|n| n.parse::<u64>().ok()) {
                progress.set_position(n);
                continue;
            }
            if tail.len() == TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(line);
        }
        Vec::from(tail).join("\n")
    });
    let mut stdout = String::new();
    let read = child.stdout.take().expect("piped").read_to_string(&mut stdout);
    let status = child.wait();
    let stderr_tail = reader.join().unwrap_or_default();
    let fail = |error: String| PassFailure { error, stderr_tail: stderr_tail.clone() };
    let status = status.map_err(|e| fail(format!("waiting for child: {e}")))?;
    read.map_err(|e| fail(format!("reading child output: {e}")))?;
    if !status.success() {
        return Err(fail(format!("{} pass exited with {status}", spec.pass.name())));
    }
    let line = stdout.lines().last().unwrap_or("");
    serde_json::from_str(line)
        .map_err(|e| fail(format!("{} pass printed something that is not a result ({e}): {:.120}", spec.pass.name(), line)))
}
