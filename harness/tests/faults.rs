//! Faults, as tests: processes killed mid-write, writers racing, signals to a run, read-only and
//! full disks, closed and full stdout, awkward strings. Each case's trial count is in
//! `common/faults.rs` and docs/reliability.md, which `reliability_doc_matches_the_tests` keeps
//! in step.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::faults::{trials, TRIALS};
use common::{spanalloc, stderr, watchdog};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/record/tests/fixtures/results-v1.json");
const BIN: &str = env!("CARGO_BIN_EXE_spanalloc");

fn fixture() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap()
}

/// A results file of about `points` × 8 scenarios timeline points (1 MB per ~40k points), with
/// its own run id: big enough that a write takes a while to be killed in.
fn results_file(dir: &Path, name: &str, run_id: &str, points: usize) -> PathBuf {
    let mut v = fixture();
    v["environment"]["run_id"] = run_id.into();
    for s in v["scenarios"].as_array_mut().unwrap() {
        s["timeline"] = serde_json::Value::Array((0..points).map(|i| serde_json::json!([i, 1000 + i])).collect());
    }
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    p
}

fn spawn(args: &[&str]) -> Child {
    Command::new(BIN).args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
}

/// Temporaries left beside a file.
fn temporaries(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".spanalloc-tmp"))
        .count()
}

/// Kills a write after a delay that sweeps 0–9 ms across trials, so kills land before, during
/// and after the rename.
fn kill_after(mut child: Child, trial: usize) {
    std::thread::sleep(Duration::from_micros((trial as u64 * 373) % 9_000));
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn sigkill_during_baseline_save_leaves_a_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (results_file(dir.path(), "old.json", "old", 20_000), results_file(dir.path(), "new.json", "new", 40_000));
    let baselines = dir.path().join("baselines");
    assert!(spanalloc(&[
        "baseline",
        "save",
        "b",
        "--from",
        old.to_str().unwrap(),
        "--dir",
        baselines.to_str().unwrap(),
        "--force"
    ])
    .status
    .success());
    let target = baselines.join("b.json");
    let n = trials("kill-baseline-save");
    for trial in 0..n {
        let child =
            spawn(&["baseline", "save", "b", "--from", new.to_str().unwrap(), "--dir", baselines.to_str().unwrap(), "--force"]);
        kill_after(child, trial);
        let bytes = std::fs::read(&target).unwrap();
        assert!(bytes == std::fs::read(&old).unwrap() || bytes == std::fs::read(&new).unwrap(), "trial {trial}: torn baseline");
    }
    // The next write sweeps what the killed ones left.
    assert!(spanalloc(&[
        "baseline",
        "save",
        "b",
        "--from",
        old.to_str().unwrap(),
        "--dir",
        baselines.to_str().unwrap(),
        "--force"
    ])
    .status
    .success());
    assert_eq!(temporaries(&baselines), 0);
}

#[test]
fn sigkill_during_history_append_leaves_a_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.jsonl");
    let h = history.to_str().unwrap();
    let mut lines = String::new();
    let first = results_file(dir.path(), "r0.json", "run-0", 0);
    assert!(spanalloc(&["history", "append", first.to_str().unwrap(), "--file", h]).status.success());
    let line = std::fs::read_to_string(&history).unwrap();
    for _ in 0..2_000 {
        lines.push_str(&line);
    }
    std::fs::write(&history, &lines).unwrap();
    let n = trials("kill-history-append");
    let mut count = 2_000;
    for trial in 0..n {
        let r = results_file(dir.path(), "r.json", &format!("run-{}", trial + 1), 0);
        let child = spawn(&["history", "append", r.to_str().unwrap(), "--file", h]);
        kill_after(child, trial);
        let text = std::fs::read_to_string(&history).unwrap();
        let now = text.lines().count();
        assert!(now == count || now == count + 1, "trial {trial}: {now} lines, had {count}");
        assert!(text.ends_with('\n'), "trial {trial}: a torn last line");
        count = now;
    }
    let (_, warnings) = spanalloc::record::history::read(&history).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(spanalloc(&["history", "append", first.to_str().unwrap(), "--file", h]).status.success());
    assert_eq!(temporaries(dir.path()), 0);
}

#[test]
fn concurrent_history_appends_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.jsonl");
    let h = history.to_str().unwrap();
    let rounds = trials("concurrent-history-append");
    let mut expected = Vec::new();
    for round in 0..rounds {
        let writers = 2 + round % 3;
        let files: Vec<PathBuf> = (0..writers)
            .map(|w| {
                let id = format!("round-{round}-writer-{w}");
                expected.push(id.clone());
                results_file(dir.path(), &format!("{id}.json"), &id, 0)
            })
            .collect();
        let children: Vec<Child> =
            files.iter().map(|f| spawn(&["history", "append", f.to_str().unwrap(), "--file", h])).collect();
        for mut c in children {
            assert!(c.wait().unwrap().success(), "round {round}");
        }
    }
    let (entries, warnings) = spanalloc::record::history::read(&history).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut ids: Vec<String> = entries.into_iter().map(|e| e.run_id.unwrap()).collect();
    ids.sort();
    expected.sort();
    assert_eq!(ids, expected, "every line present once");
}

#[test]
fn concurrent_baseline_saves_leave_one_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let baselines = dir.path().join("baselines");
    let b = baselines.to_str().unwrap();
    let sources: Vec<PathBuf> =
        (0..4).map(|w| results_file(dir.path(), &format!("w{w}.json"), &format!("w{w}"), 5_000 * (w + 1))).collect();
    let contents: Vec<Vec<u8>> = sources.iter().map(|s| std::fs::read(s).unwrap()).collect();
    for round in 0..trials("concurrent-baseline-save") {
        let writers = 2 + round % 3;
        let children: Vec<Child> = sources[..writers]
            .iter()
            .map(|s| spawn(&["baseline", "save", "same", "--from", s.to_str().unwrap(), "--dir", b, "--force"]))
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success(), "round {round}");
        }
        let saved = std::fs::read(baselines.join("same.json")).unwrap();
        assert!(contents.contains(&saved), "round {round}: the baseline is not one writer's whole file");
    }
    assert_eq!(temporaries(&baselines), 0);
}

/// The processes whose parent is `pid`.
fn children_of(pid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/stat"))
                .ok()
                .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().nth(1).map(str::to_owned)))
                .flatten()
                .is_some_and(|ppid| ppid == pid.to_string())
        })
        .collect()
}

fn alive(pid: u32) -> bool {
    // A zombie is gone for our purpose: it runs nothing.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| !s.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')))
}

fn signal_a_run(signal: i32, case: &str) {
    for trial in 0..trials(case) {
        let dir = tempfile::tempdir().unwrap();
        let mut run = Command::new(BIN)
            // 1,000 s of spans at 200 spans/s: the run is still measuring when signalled.
            .args([
                "run",
                "--scenario",
                "pooled",
                "--spans",
                "200000",
                "--rate",
                "200",
                "--no-dhat",
                "--out",
                dir.path().to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let run_pid = run.id();
        let child = watchdog::wait_for(
            &format!("trial {trial}: the run starting its child"),
            || children_of(run_pid).first().copied(),
            // Not left behind to load the machine: a run that never got going is killed.
            || {
                let _ = run.kill();
            },
        );
        // SAFETY: kill sends a signal to the run this test started.
        unsafe { libc::kill(run.id() as i32, signal) };
        let _ = run.wait();
        // The child goes with its run (the signal passed on, PR_SET_PDEATHSIG behind it); one
        // that outlives it for good is a hang.
        watchdog::wait_for(
            &format!("trial {trial}: the measuring child {child} ending with its run"),
            || (!alive(child)).then_some(()),
            || {
                // SAFETY: kill sends SIGKILL to the child the run left, so it does not load the machine.
                unsafe { libc::kill(child as i32, libc::SIGKILL) };
            },
        );
    }
}

#[test]
fn sigterm_to_a_run_leaves_no_child() {
    signal_a_run(libc::SIGTERM, "sigterm-run");
}

#[test]
fn sigkill_to_a_run_leaves_no_child() {
    signal_a_run(libc::SIGKILL, "sigkill-run");
}

/// A small tmpfs at `dir`, or `None` with the reason (CI runs as root, where chmod does not stop
/// a write; a mount can, when the machine allows one).
fn tmpfs(dir: &Path, options: &str) -> Result<(), String> {
    let out = Command::new("mount").args(["-t", "tmpfs", "-o", options, "tmpfs", dir.to_str().unwrap()]).output();
    match out {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(String::from_utf8_lossy(&o.stderr).trim().to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// A check that cannot run here (mounting needs root): skipped with its reason on a newcomer's
/// machine, a failure in CI, where it must run.
fn skip_outside_ci(why: &str) {
    assert!(std::env::var_os("CI").is_none(), "CI must run this check, and cannot: {why}");
    eprintln!("skipped: {why}");
}

fn unmount(dir: &Path) {
    let _ = Command::new("umount").arg(dir).status();
}

#[test]
fn a_read_only_directory_is_refused_in_one_line() {
    assert_eq!(trials("read-only-dir"), 1);
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    if let Err(why) = tmpfs(&ro, "ro,size=64k") {
        skip_outside_ci(&format!("cannot mount a read-only tmpfs here ({why})"));
        return;
    }
    let history = format!("{}/h.jsonl", ro.display());
    let cases: [Vec<&str>; 3] = [
        vec!["baseline", "save", "x", "--from", FIXTURE, "--dir", ro.to_str().unwrap()],
        vec!["history", "append", FIXTURE, "--file", &history],
        vec!["run", "--spans", "1000", "--rate", "0", "--no-dhat", "--out", ro.to_str().unwrap()],
    ];
    for args in &cases {
        let o = spanalloc(args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("Read-only file system"), "{args:?}: {err}");
    }
    unmount(&ro);
}

#[test]
fn a_full_disk_keeps_the_old_file() {
    assert_eq!(trials("full-dir"), 1);
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full");
    std::fs::create_dir(&full).unwrap();
    if let Err(why) = tmpfs(&full, "size=256k") {
        skip_outside_ci(&format!("cannot mount a tmpfs here ({why})"));
        return;
    }
    let history = full.join("history.jsonl");
    let h = history.to_str().unwrap();
    assert!(spanalloc(&["history", "append", FIXTURE, "--file", h]).status.success());
    let before = std::fs::read(&history).unwrap();
    // Fill the disk.
    let filler = vec![b'x'; 64 * 1024];
    let mut f = std::fs::File::create(full.join("filler")).unwrap();
    while std::io::Write::write_all(&mut f, &filler).is_ok() {}
    drop(f);
    let big = results_file(dir.path(), "big.json", "big-run", 0);
    let o = spanalloc(&["history", "append", big.to_str().unwrap(), "--file", h]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("No space left on device"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&history).unwrap(), before, "the history is as it was");
    let o = spanalloc(&["baseline", "save", "x", "--from", big.to_str().unwrap(), "--dir", full.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!full.join("x.json").exists());
    // A comparison written onto the full disk is data lost: exit 2, not an empty file and 0.
    for format in ["json", "markdown"] {
        let out = std::fs::File::create(full.join(format!("compare.{format}"))).unwrap();
        let o = Command::new(BIN).args(["compare", FIXTURE, FIXTURE, "--format", format]).stdout(out).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{format}: {}", stderr(&o));
        assert!(stderr(&o).contains("No space left on device"), "{}", stderr(&o));
    }
    unmount(&full);
}

#[test]
fn a_closed_stdout_keeps_the_exit_status() {
    assert_eq!(trials("closed-stdout"), 1);
    let dir = tempfile::tempdir().unwrap();
    let better = fixture();
    let pooled = better["scenarios"].as_array().unwrap().iter().position(|s| s["name"] == "pooled").unwrap();
    let mut worse = fixture();
    common::set_per_span(&mut worse["scenarios"][pooled], "allocs_per_span", 1.0);
    let (b, c) = (dir.path().join("b.json"), dir.path().join("c.json"));
    std::fs::write(&b, serde_json::to_vec(&better).unwrap()).unwrap();
    std::fs::write(&c, serde_json::to_vec(&worse).unwrap()).unwrap();
    // `compare … | head -0`: the reader is gone before the first line.
    let mut child = Command::new(BIN)
        .args(["compare", b.to_str().unwrap(), c.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a regression still exits 1: {}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn a_full_stdout_loses_data_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("h.jsonl");
    assert!(spanalloc(&["history", "append", FIXTURE, "--file", history.to_str().unwrap()]).status.success());
    let history = history.to_str().unwrap();
    assert_eq!(trials("full-stdout"), 1);
    for args in [
        vec!["list"],
        vec!["export", "--format", "bmf", FIXTURE],
        vec!["export", "--format", "gab", FIXTURE],
        vec!["compare", FIXTURE, FIXTURE, "--format", "json"],
        vec!["history", "show", "--file", history],
    ] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let o = Command::new(BIN).args(&args).stdout(full).output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("cannot write to stdout: No space left on device"), "{args:?}: {err}");
    }
}

#[test]
fn multibyte_strings_in_input_files_are_not_sliced() {
    assert_eq!(trials("multibyte-strings"), 1);
    let dir = tempfile::tempdir().unwrap();
    let mut v = fixture();
    // Five bytes a pair: byte 12, where a 12-character cut by bytes would fall, is inside a ✓.
    v["environment"]["git_commit"] = "✓é".repeat(10).into();
    v["environment"]["cpu"] = "Ünïcødé ✓ CPU".into();
    let run = dir.path().join("run");
    std::fs::create_dir(&run).unwrap();
    let f = run.join("results.json");
    std::fs::write(&f, serde_json::to_vec(&v).unwrap()).unwrap();
    let (baselines, history) = (dir.path().join("baselines"), dir.path().join("h.jsonl"));
    let (b, h, fs) = (baselines.to_str().unwrap(), history.to_str().unwrap(), f.to_str().unwrap());
    for args in [
        vec!["baseline", "save", "u", "--from", fs, "--dir", b],
        vec!["baseline", "list", "--dir", b],
        vec!["history", "append", fs, "--file", h],
        vec!["history", "show", "--file", h],
        vec!["report", run.to_str().unwrap(), "--history", h, "--baseline", "u", "--baselines", b],
        vec!["export", "--format", "bmf", fs],
    ] {
        let o = spanalloc(&args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    }
}

/// docs/reliability.md lists every case with the trials its test makes.
#[test]
fn reliability_doc_matches_the_tests() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/reliability.md")).unwrap();
    for (id, ci, long) in TRIALS {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{id}` |")))
            .unwrap_or_else(|| panic!("{id} is not in docs/reliability.md"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(cells[3], format!("{ci} / {long}"), "{id}: docs/reliability.md says {} trials", cells[3]);
    }
    let listed = doc.lines().filter(|l| l.starts_with("| `") && l.contains("` |")).count();
    assert!(listed >= TRIALS.len(), "every case");
}
