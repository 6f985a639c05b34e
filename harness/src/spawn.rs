//! Starting one pass in a fresh child process and reading back what it reports: a child of
//! this executable (`measure`) for an in-process scenario, an external scenario's own program
//! otherwise. Either prints a [`PassOutput`] as its last stdout line.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use spanalloc_model::WorkloadConfig;

use crate::catalog::{Entry, PassRequest};
use crate::pass::{Pass, PassOutput};

/// Lines of a child's stderr kept for a failure report.
const TAIL_LINES: usize = 20;

/// A pass that did not produce a result.
#[derive(Debug)]
pub struct PassFailure {
    /// What went wrong.
    pub error: String,
    /// The child's last stderr lines.
    pub stderr_tail: String,
    /// Whether the watchdog killed it for making no progress.
    pub stuck: bool,
}

impl PassFailure {
    fn new(error: String) -> Self {
        PassFailure { error, stderr_tail: String::new(), stuck: false }
    }
}

/// How long a pass may go without reporting a span more before the watchdog kills it: long
/// enough for the slowest phase that exports nothing — a dhat pass's warm-up at trace-state 32
/// (20,000 spans × ~213 allocations × ~2.5 µs under dhat: about 11 s), a row below its rate, the
/// current-context check after the region — with a wide margin on a loaded machine.
pub const DEFAULT_STALL: Duration = Duration::from_secs(120);

/// The flag that asks a count pass for the current-context check after its region. A row keeps
/// one check, its first count pass's: asked of every count pass, the other four were run and
/// dropped — in a debug build up to 1.7 s a pass, most of some tests' time.
pub const CURRENT_CHECK: &str = "--current-check";

/// The arguments of `spanalloc measure` for one pass: every workload field, so that the child
/// runs exactly `cfg`.
pub fn measure_args(name: &str, pass: Pass, cfg: &WorkloadConfig, dhat_file: Option<&Path>) -> Vec<String> {
    let mut args: Vec<String> = vec!["measure".into(), "--pass".into(), pass.name().into(), "--scenario".into(), name.into()];
    let fields = [
        ("--trace-state", cfg.trace_state_entries.to_string()),
        ("--spans", cfg.spans.to_string()),
        ("--rate", cfg.rate.to_string()),
        ("--producers", cfg.producers.to_string()),
        ("--seed", cfg.seed.to_string()),
        ("--warmup", cfg.warmup.to_string()),
        ("--fan-out", cfg.fan_out.to_string()),
        ("--depth", cfg.depth.to_string()),
        ("--propagate-every", cfg.propagate_every.to_string()),
        ("--sample-ratio", cfg.sample_ratio.to_string()),
    ];
    for (flag, value) in fields {
        args.push(flag.into());
        args.push(value);
    }
    if let Some(f) = dhat_file {
        args.push("--dhat-file".into());
        args.push(f.to_string_lossy().into_owned());
    }
    args
}

/// Runs `pass` of `entry` on `cfg` in a child process: `program` is an external entry's
/// prepared program, or for an in-process one the executable to run it in (this one, or its
/// build over another allocator). `on_progress` gets the child's exported-span count as it
/// reports it; `profile` is where the dhat pass writes its profile, or callgrind the
/// instructions pass's counts; a child whose count has not moved for `stall` (or that reports
/// nothing at all, a stopped one) is killed and the pass fails as stuck. `current_check` asks an
/// in-process count pass for the current-context check after its region ([`CURRENT_CHECK`]).
#[allow(clippy::too_many_arguments)]
pub fn run_pass(
    entry: &Entry,
    program: Option<&Path>,
    pass: Pass,
    cfg: &WorkloadConfig,
    profile: Option<&Path>,
    current_check: bool,
    stall: Duration,
    on_progress: &(dyn Fn(u64) + Sync),
) -> Result<PassOutput, PassFailure> {
    let mut cmd = match (entry, program) {
        (Entry::InProcess(s), program) => {
            let exe = match program {
                Some(p) => p.to_path_buf(),
                None => {
                    std::env::current_exe().map_err(|e| PassFailure::new(format!("cannot find the spanalloc executable: {e}")))?
                }
            };
            // The instructions and outside passes' file is valgrind's, not the child's.
            let (mut cmd, child_file) = match (pass, profile) {
                (Pass::Instructions, Some(profile)) => (crate::instructions::command(&exe, profile), None),
                (Pass::Outside, Some(profile)) => (crate::outside::command(&exe, profile), None),
                (Pass::Instructions | Pass::Outside, None) => {
                    return Err(PassFailure::new(format!("the {} pass needs a file for valgrind", pass.name())))
                }
                _ => (Command::new(exe), profile),
            };
            cmd.args(measure_args(s.name, pass, cfg, child_file));
            if current_check && pass == Pass::Count {
                cmd.arg(CURRENT_CHECK);
            }
            cmd
        }
        (Entry::External(e), Some(program)) => {
            let mut cmd = Command::new(program);
            cmd.args((e.args)(&PassRequest { pass, cfg, profile }));
            cmd
        }
        (Entry::External(e), None) => return Err(PassFailure::new(format!("{} was not prepared", e.name))),
    };
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    crate::signals::die_with_parent(&mut cmd);
    let mut child = cmd.spawn().map_err(|e| PassFailure::new(format!("cannot start child: {e}")))?;
    crate::signals::set_child(child.id());

    let stderr = child.stderr.take().expect("piped");
    let mut stdout_pipe = child.stdout.take().expect("piped");
    let pid = child.id();
    let started = Instant::now();
    // When the count last moved, in ms since the start; and whether the pass is over.
    let moved = AtomicU64::new(0);
    let over = AtomicBool::new(false);
    let killed = AtomicBool::new(false);
    let (read, stderr_tail) = std::thread::scope(|scope| {
        let watchdog = scope.spawn(|| {
            while !over.load(Ordering::Acquire) {
                // Parked, not asleep: unparked when the pass is over, so that the parent does not
                // wait out a tick after every pass.
                std::thread::park_timeout(Duration::from_millis(100));
                let since = started.elapsed().saturating_sub(Duration::from_millis(moved.load(Ordering::Acquire)));
                if since > stall && !over.load(Ordering::Acquire) {
                    killed.store(true, Ordering::Release);
                    // SAFETY: kill sends a signal to the child this function started and has not
                    // reaped yet (it is reaped after this scope), so its pid is still its own.
                    unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
                    return;
                }
            }
        });
        let (moved, started) = (&moved, &started);
        let reader = scope.spawn(move || {
            let mut last = None;
            let mut tail: std::collections::VecDeque<String> = std::collections::VecDeque::new();
            // A panic's message, kept even when a long backtrace pushes it out of the tail.
            let mut panic: Vec<String> = Vec::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(n) = line.strip_prefix("@progress ").and_then(|n| n.parse::<u64>().ok()) {
                    if last != Some(n) {
                        last = Some(n);
                        moved.store(started.elapsed().as_millis() as u64, Ordering::Release);
                    }
                    on_progress(n);
                    continue;
                }
                if panic.len() == 1 || (panic.is_empty() && line.contains("panicked at")) {
                    panic.push(line.clone());
                }
                if tail.len() == TAIL_LINES {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
            if panic.first().is_some_and(|p| !tail.contains(p)) {
                panic.push("…".into());
                panic.extend(tail);
                return panic.join("\n");
            }
            Vec::from(tail).join("\n")
        });
        let mut stdout = String::new();
        let read = stdout_pipe.read_to_string(&mut stdout).map(|_| stdout);
        let tail = reader.join().unwrap_or_default();
        over.store(true, Ordering::Release);
        watchdog.thread().unpark();
        (read, tail)
    });
    let status = child.wait();
    crate::signals::set_child(0);
    if killed.load(Ordering::Acquire) {
        return Err(PassFailure {
            error: format!("stuck: no span exported for {} s, killed by the watchdog", stall.as_secs()),
            stderr_tail,
            stuck: true,
        });
    }
    let fail = |error: String| PassFailure { error, stderr_tail: stderr_tail.clone(), stuck: false };
    let status = status.map_err(|e| fail(format!("waiting for child: {e}")))?;
    let stdout = read.map_err(|e| fail(format!("reading child output: {e}")))?;
    if !status.success() {
        return Err(fail(format!("{} pass exited with {status}", pass.name())));
    }
    let line = stdout.lines().last().unwrap_or("");
    let mut out: PassOutput = serde_json::from_str(line)
        .map_err(|e| fail(format!("{} pass printed something that is not a result ({e}): {:.120}", pass.name(), line)))?;
    out.scenario = entry.name().to_owned();
    Ok(out)
}
