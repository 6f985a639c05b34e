//! The one place a test may look at a clock: a watchdog against hangs, never a speed claim.
//!
//! These machines are shared and noisy (a 2-core CI runner with two busy loops beside the tests is
//! the case `.ci/run` rehearses), so a test that asserts "faster than N s" fails on a slow day and
//! proves little on a fast one. What a test may fairly ask is that a step *ends*: each guarded
//! step gets [`HANG_LIMIT`], and past it the test kills what it started and fails with "hung".
//! How fast a thing is belongs in a benchmark (`benches/`), and "not quadratic" in a counted-work
//! check. `harness/tests/no_timed_asserts.rs` fails when a clock is read in a test anywhere else.
//!
//! Included by path from every test crate that needs it, so there is one copy.
#![allow(dead_code)] // each test file uses its own subset

use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long one guarded step may take before it is called hung. Generous by design (the issue
/// sets ≥ 120 s): every guarded step ends in seconds, so only a real hang ever reaches it.
pub const HANG_LIMIT: Duration = Duration::from_secs(180);

/// Runs `cmd` to its end and returns what it printed. Past [`HANG_LIMIT`] the process is killed
/// and the test fails naming `what` as hung.
pub fn output(cmd: &mut Command, what: &str) -> Output {
    let child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("the command starts");
    let pid = child.id() as libc::pid_t;
    let (tx, rx) = mpsc::channel();
    // wait_with_output reads both pipes to their end; on another thread, so this one can time it.
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(HANG_LIMIT) {
        Ok(out) => out.expect("the command's output is read"),
        Err(_) => {
            // SAFETY: kill sends a signal to the process this function started; the waiting
            // thread still owns (and reaps) it, so the pid cannot have been reused.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("{what}: hung (still running after {} s; killed)", HANG_LIMIT.as_secs());
        }
    }
}

/// Asks `check` every 20 ms until it answers `Some`, and returns that. Past [`HANG_LIMIT`] it runs
/// `give_up` (to kill what the test started) and fails naming `what` as hung.
pub fn wait_for<T>(what: &str, mut check: impl FnMut() -> Option<T>, give_up: impl FnOnce()) -> T {
    let started = Instant::now();
    loop {
        if let Some(found) = check() {
            return found;
        }
        if started.elapsed() > HANG_LIMIT {
            give_up();
            panic!("{what}: hung (not so after {} s)", HANG_LIMIT.as_secs());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
