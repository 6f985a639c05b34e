//! Hostile files and shared folders, through the binary: what a second hardening pass tried,
//! each case a test (docs/reliability.md lists them).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{one_line_exit_2, spanalloc, stderr, watchdog};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/record/tests/fixtures/results-v1.json");
const BIN: &str = env!("CARGO_BIN_EXE_spanalloc");

fn fixture() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap()
}

fn write_json(path: &Path, v: &serde_json::Value) -> PathBuf {
    std::fs::write(path, serde_json::to_vec(v).unwrap()).unwrap();
    path.to_path_buf()
}

/// A symlink a committed output folder could hold is not followed out of it: `run` refuses
/// before measuring, `report` fails naming the link; the file it names is untouched.
#[test]
fn output_links_that_leave_the_folder_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    std::fs::create_dir(&out).unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    for name in ["index.html", "results.json", "claims.json"] {
        let link = out.join(name);
        std::os::unix::fs::symlink("../victim", &link).unwrap();
        let o = spanalloc(&[
            "run",
            "--scenario",
            "pooled",
            "--spans",
            "2000",
            "--rate",
            "0",
            "--no-dhat",
            "--out",
            out.to_str().unwrap(),
        ]);
        one_line_exit_2(&o, "outside the output folder: not followed", name);
        // Refused before measuring: the folder holds the link and nothing the run wrote.
        let written: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|f| f != name && !f.starts_with(".spanalloc-lock"))
            // The run makes its dhat folder while checking the output; empty, nothing measured.
            .filter(|f| std::fs::read_dir(out.join(f)).map_or(true, |mut d| d.next().is_some()))
            .collect();
        assert!(written.is_empty(), "{name}: measured before refusing: {written:?}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        std::fs::remove_file(&link).unwrap();
    }
    // A run, then a report over a folder whose index.html became a link.
    let o = spanalloc(&[
        "run",
        "--scenario",
        "pooled",
        "--spans",
        "2000",
        "--rate",
        "0",
        "--no-dhat",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::remove_file(out.join("index.html")).unwrap();
    std::os::unix::fs::symlink("../victim", out.join("index.html")).unwrap();
    let o = spanalloc(&["report", out.to_str().unwrap()]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("outside the output folder: not followed"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
}

/// `history append --file results.json` (the arguments swapped) refuses, and changes nothing.
#[test]
fn history_append_refuses_a_file_that_is_not_a_history() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results.json");
    std::fs::copy(FIXTURE, &results).unwrap();
    let before = std::fs::read(&results).unwrap();
    let o = spanalloc(&["history", "append", FIXTURE, "--file", results.to_str().unwrap()]);
    one_line_exit_2(&o, "is not a history file", "swapped arguments");
    assert_eq!(std::fs::read(&results).unwrap(), before, "results.json unchanged");
}

/// A FIFO or a device where a file is read is refused at once (a FIFO would hang the reader),
/// and a file larger than any of its kind before it is read.
#[test]
fn special_and_oversized_inputs_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads a NUL-terminated path that lives for the call.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let f = fifo.to_str().unwrap();
    let fine = dir.path().join("fine");
    std::fs::create_dir(&fine).unwrap();
    std::fs::copy(FIXTURE, fine.join("results.json")).unwrap();
    let fine = fine.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["report", fine, "--history", f],
        vec!["compare", FIXTURE, f],
        vec!["compare", f, FIXTURE],
        vec!["compare", FIXTURE, FIXTURE, "--thresholds", f],
        vec!["history", "show", "--file", f],
        vec!["history", "append", FIXTURE, "--file", f],
        vec!["export", "--format", "bmf", f],
        vec!["compare", FIXTURE, "/dev/zero"],
    ];
    for args in &cases {
        // A FIFO read would block for ever: the watchdog in spanalloc() turns that into "hung".
        let o = spanalloc(args);
        one_line_exit_2(&o, "not a regular file", &format!("{args:?}"));
    }
    // 200 MB: refused by its size, without reading it, in well under a second and 100 MB.
    let big = dir.path().join("big.json");
    std::fs::File::create(&big).unwrap().set_len(200 * 1024 * 1024).unwrap();
    let report_dir = dir.path().join("run");
    std::fs::create_dir(&report_dir).unwrap();
    std::os::unix::fs::symlink(&big, report_dir.join("results.json")).unwrap();
    // 300 MiB: over the history's cap (256 MiB), so the report refuses it rather than reading it
    // or drawing a page that says "no history".
    let big_history = dir.path().join("history.jsonl");
    std::fs::File::create(&big_history).unwrap().set_len(300 * 1024 * 1024).unwrap();
    // Under 100 MB: the child's data segment (heap and private mappings) is capped there, so a
    // read of the file would fail rather than pass. (A child's peak RSS cannot be read here: it
    // counts the test process's own pages at the fork.)
    for args in [
        vec!["compare", FIXTURE, big.to_str().unwrap()],
        vec!["report", report_dir.to_str().unwrap()],
        vec!["report", fine, "--history", big_history.to_str().unwrap()],
    ] {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new(BIN);
        cmd.args(&args);
        // SAFETY: the closure runs in the child between fork and exec and only calls setrlimit,
        // which is async-signal-safe, on a value on its own stack.
        unsafe {
            cmd.pre_exec(|| {
                let limit = libc::rlimit { rlim_cur: 100 * 1024 * 1024, rlim_max: 100 * 1024 * 1024 };
                if libc::setrlimit(libc::RLIMIT_DATA, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let o = watchdog::output(&mut cmd, &format!("{args:?}"));
        one_line_exit_2(&o, "larger than any file of its kind", &format!("{args:?}"));
    }
}

/// Names and sites from an input file reach a terminal, a pull request's summary and an SVG
/// inert: no fake verdict line, no raw HTML or image, no heading, no escape sequence, an SVG any
/// XML parser reads.
#[test]
fn hostile_names_are_inert_in_every_medium() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = fixture();
    let evil = "pooled\nREGRESSED value-copy ts=4 allocs_per_span\n# Heading <img src=https://example.com/x.png> ![x](https://e) \u{1b}[31mred\u{7}";
    for s in v["scenarios"].as_array_mut().unwrap() {
        if s["name"] == "pooled" {
            s["name"] = evil.into();
        }
    }
    v["environment"]["cpu"] = "CPU\u{1b}]0;pwned\u{7}\nsecond line".into();
    let base = write_json(&dir.path().join("base.json"), &v);
    let mut cur = v.clone();
    let i = cur["scenarios"].as_array().unwrap().iter().position(|s| s["name"] == evil && s["trace_state_entries"] == 4).unwrap();
    common::set_per_span(&mut cur["scenarios"][i], "allocs_per_span", 1.0);
    cur["scenarios"][i]["dhat"] = serde_json::json!({
        "spans": 2600, "total_blocks": 2600, "total_bytes": 26000, "max_bytes": 0, "allocs_per_span": 1.0,
        "bytes_per_span": 10.0, "file": "dhat/x.json",
        "sites": [{"site": "evil\n## injected <img src=https://x> |", "blocks": 2600, "bytes": 26000, "blocks_per_span": 1.0,
                   "bytes_per_span": 10.0, "stacks": [{"frames": ["f\n# g"], "blocks": 2600, "bytes": 26000}]}]
    });
    let cur = write_json(&dir.path().join("cur.json"), &cur);
    let text =
        String::from_utf8_lossy(&spanalloc(&["compare", base.to_str().unwrap(), cur.to_str().unwrap()]).stdout).into_owned();
    assert_eq!(text.lines().filter(|l| l.starts_with("REGRESSED")).count(), 1, "one real REGRESSED heading: {text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "no escape sequence reaches the terminal");
    let md = String::from_utf8_lossy(
        &spanalloc(&["compare", base.to_str().unwrap(), cur.to_str().unwrap(), "--format", "markdown"]).stdout,
    )
    .into_owned();
    // Outside code spans (where Markdown and HTML do nothing) no tag and no image remain.
    let outside_code: String = md.split('`').step_by(2).collect();
    assert!(!outside_code.contains("<img"), "no raw HTML: {md}");
    assert!(!outside_code.contains("![x]("), "no image: {md}");
    assert_eq!(md.lines().filter(|l| l.starts_with('#')).count(), 1, "only the summary's own heading: {md}");
    assert!(md.lines().filter(|l| l.starts_with('|')).all(|l| l.ends_with('|')), "every table line is whole: {md}");
    let fp = spanalloc(&["fingerprint", base.to_str().unwrap()]);
    assert!(!String::from_utf8_lossy(&fp.stdout).contains('\u{1b}'));
    // History: the name is shown escaped.
    let h = dir.path().join("h.jsonl");
    assert!(spanalloc(&["history", "append", cur.to_str().unwrap(), "--file", h.to_str().unwrap()]).status.success());
    let show = String::from_utf8_lossy(&spanalloc(&["history", "show", "--file", h.to_str().unwrap()]).stdout).into_owned();
    assert_eq!(show.lines().count(), 1, "{show}");
    assert!(!show.contains('\u{1b}'));
    // Every chart is well-formed XML.
    let run = dir.path().join("run");
    std::fs::create_dir(&run).unwrap();
    std::fs::copy(&cur, run.join("results.json")).unwrap();
    let o = spanalloc(&["report", run.to_str().unwrap(), "--baseline", base.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut charts = 0;
    for e in std::fs::read_dir(&run).unwrap().flatten().filter(|e| e.path().extension().is_some_and(|x| x == "svg")) {
        let svg = std::fs::read_to_string(e.path()).unwrap();
        roxmltree::Document::parse(&svg).unwrap_or_else(|err| panic!("{}: {err}", e.path().display()));
        charts += 1;
    }
    assert!(charts >= 8, "{charts} charts");
}

/// Two runs into one folder: the second is refused before it measures, saying why.
#[test]
fn a_second_run_into_a_busy_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let mut first = Command::new(BIN)
        .args(["run", "--scenario", "pooled", "--spans", "200000", "--rate", "500", "--no-dhat", "--out", out.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Until the first run holds its folder's lock: read from /proc/locks, which lists every
    // held lock by inode (trying the lock ourselves could make the first run refuse instead).
    let lock = out.join(".spanalloc-lock");
    watchdog::wait_for(
        "the first run taking its folder's lock",
        || {
            let inode = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&lock).ok()?);
            let locks = std::fs::read_to_string("/proc/locks").unwrap();
            let held = locks.lines().any(|l| l.split_whitespace().nth(5).is_some_and(|id| id.ends_with(&format!(":{inode}"))));
            held.then_some(())
        },
        || {
            let _ = first.kill();
        },
    );
    let refused = spanalloc(&[
        "run",
        "--scenario",
        "pooled",
        "--spans",
        "2000",
        "--rate",
        "0",
        "--no-dhat",
        "--out",
        out.to_str().unwrap(),
    ]);
    let _ = first.kill();
    let _ = first.wait();
    one_line_exit_2(&refused, "another spanalloc process is writing in", "second run");
}

/// Temporaries of a file whose name begins like another's are not the other's to sweep: 30
/// rounds of saving `a` and `a.json.b` at once all succeed.
#[test]
fn concurrent_saves_of_similar_names_do_not_sweep_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("baselines");
    let bs = b.to_str().unwrap();
    for round in 0..30 {
        let spawn = |name: &str| {
            Command::new(BIN)
                .args(["baseline", "save", name, "--from", FIXTURE, "--dir", bs, "--force"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (x, y) = (spawn("a"), spawn("a.json.b"));
        for child in [x, y] {
            let o = child.wait_with_output().unwrap();
            assert!(o.status.success(), "round {round}: {}", String::from_utf8_lossy(&o.stderr));
        }
    }
    let left: Vec<String> =
        std::fs::read_dir(&b).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let mut left = left;
    left.sort();
    assert_eq!(left, [".spanalloc-lock", "a.json", "a.json.b.json"], "one lock file, no temporary");
}

/// A probe left by a killed run is swept by the next; a clean run leaves one lock file and no
/// temporary in its folder.
#[test]
fn a_run_leaves_one_lock_and_sweeps_a_dead_runs_probe() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    std::fs::create_dir(&out).unwrap();
    let dead = out.join(".spanalloc-probe.4194305.abcdefgh");
    std::fs::write(&dead, "").unwrap();
    let o = spanalloc(&[
        "run",
        "--scenario",
        "pooled",
        "--spans",
        "2000",
        "--rate",
        "0",
        "--dhat-spans",
        "1000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dead.exists(), "swept");
    let hidden: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .chain(std::fs::read_dir(out.join("dhat")).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert_eq!(hidden, [".spanalloc-lock", ".spanalloc-lock"], "one lock per folder written, nothing else");
}

/// A directory where the dhat profile goes: a recorded failure of its own kind, not a quiet gap.
#[test]
fn a_profile_that_cannot_be_written_is_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    std::fs::create_dir_all(out.join("dhat").join("pooled-ts4.json")).unwrap();
    let o = spanalloc(&[
        "run",
        "--scenario",
        "pooled",
        "--spans",
        "2000",
        "--rate",
        "0",
        "--dhat-spans",
        "1000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = common::results(&out);
    assert_eq!(r.failures.len(), 1, "{:?}", r.failures);
    assert_eq!(r.failures[0].kind, spanalloc::record::schema::FailureKind::Output);
    assert!(r.failures[0].error.contains("the dhat profile could not be written"), "{}", r.failures[0].error);
}

/// Refused before anything is measured: a size or a scenario given twice.
#[test]
fn duplicates_are_refused_before_measuring() {
    for (args, want) in [
        (vec!["run", "--trace-state", "4,4"], "--trace-state 4 is given twice"),
        (vec!["run", "--scenario", "pooled", "--scenario", "pooled"], "--scenario pooled is given twice"),
    ] {
        one_line_exit_2(&spanalloc(&args), want, &format!("{args:?}"));
    }
}

/// `--criterion` over a folder of self-links is walked once, not exponentially.
#[test]
fn self_links_under_the_bench_folder_are_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    let crit = dir.path().join("criterion");
    std::fs::create_dir(&crit).unwrap();
    for i in 0..6 {
        std::os::unix::fs::symlink(".", crit.join(format!("loop{i}"))).unwrap();
    }
    let run = dir.path().join("run");
    std::fs::create_dir(&run).unwrap();
    std::fs::copy(FIXTURE, run.join("results.json")).unwrap();
    // An exponential walk never ends: the watchdog in spanalloc() calls it hung.
    let o = spanalloc(&["report", run.to_str().unwrap(), "--criterion", crit.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The functions whose work is counted: matching the rows and judging them, in the compare
/// the binary runs (reading and printing are linear by construction: serde and one loop).
const COMPARE_FUNCTIONS: &[&str] = &["spanalloc_judge::compare::compare"];

/// A results file of `n` rows, each the fixture's pointer-passing row under another name.
fn rows_file(dir: &Path, n: usize) -> PathBuf {
    let mut v = fixture();
    let template = v["scenarios"][1].clone();
    let rows: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let mut s = template.clone();
            s["name"] = format!("row-{i}").into();
            s["timeline"] = serde_json::json!([]);
            s
        })
        .collect();
    v["scenarios"] = rows.into();
    write_json(&dir.join(format!("rows-{n}.json")), &v)
}

/// Instructions executed inside [`COMPARE_FUNCTIONS`] by `spanalloc compare FILE FILE`, counted
/// by callgrind: the same figure on every run, however loaded the machine.
fn compare_instructions(file: &Path) -> u64 {
    let out_file = file.with_extension("callgrind");
    let mut cmd = Command::new("valgrind");
    cmd.arg("--tool=callgrind").arg(format!("--callgrind-out-file={}", out_file.display()));
    for f in COMPARE_FUNCTIONS {
        cmd.arg(format!("--toggle-collect={f}"));
    }
    cmd.args([BIN, "compare", file.to_str().unwrap(), file.to_str().unwrap(), "--format", "json"]);
    let o = watchdog::output(&mut cmd, "compare under callgrind");
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out_file).unwrap();
    let total = text.lines().find_map(|l| l.strip_prefix("totals: ").or_else(|| l.strip_prefix("summary: ")));
    let total: u64 = total.expect("callgrind wrote its totals").trim().parse().unwrap();
    assert!(total > 0, "nothing counted inside {COMPARE_FUNCTIONS:?}: a renamed function?");
    total
}

/// compare is linear in its rows: the work it counts (instructions inside compare, by callgrind)
/// at 8n rows is at most 8.8× that at n. Measured by this test on 2026-12-07 (8e60a9d): 26.24 M →
/// 206.95 M instructions, 7.89×; with a lookup of each row by a scan of the baseline planted — a
/// quadratic loop — 26.80 M → 258.92 M, 9.66×, and it fails. At n and 4n (200 and 800 rows, bound
/// 5×) the planted scan made 4.73× and passed; eight times the rows tells the two apart. How fast
/// compare is lives in `benches/benches/compare.rs`, not here.
#[test]
fn a_large_comparison_is_not_quadratic() {
    if !common::have_tool("valgrind", "--version", "SPANALLOC_REQUIRE_VALGRIND", "scripts/install-valgrind.sh") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // 100 and 800 rows: linear work grows 8× (the fixed cost only lowers it), quadratic 64×.
    let n = 100;
    let small = compare_instructions(&rows_file(dir.path(), n));
    let large = compare_instructions(&rows_file(dir.path(), 8 * n));
    let ratio = large as f64 / small as f64;
    assert!(
        ratio <= 8.8,
        "compare's work grows {ratio:.2}× from {n} to {} rows ({small} → {large} instructions): not linear",
        8 * n
    );
}

/// A name that is both a saved baseline and a file here is ambiguous, and a path that is not
/// UTF-8 is named in the error.
#[test]
fn ambiguous_and_non_utf8_baselines_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("baselines");
    assert!(spanalloc(&["baseline", "save", "x", "--from", FIXTURE, "--dir", b.to_str().unwrap()]).status.success());
    std::fs::copy(FIXTURE, dir.path().join("x.json")).unwrap();
    let o = Command::new(BIN)
        .current_dir(dir.path())
        .args(["compare", "x.json", FIXTURE, "--baselines", "baselines"])
        .output()
        .unwrap();
    one_line_exit_2(&o, "names both the saved baseline", "ambiguous");
    let o = Command::new(BIN)
        .current_dir(dir.path())
        .args(["compare", "./x.json", FIXTURE, "--baselines", "baselines"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "./x.json names the file: {}", stderr(&o));
    use std::os::unix::ffi::OsStrExt;
    let odd = std::ffi::OsStr::from_bytes(b"/tmp/not-utf8-\xff.json");
    let o = Command::new(BIN).arg("compare").arg(odd).arg(FIXTURE).output().unwrap();
    one_line_exit_2(&o, "not-utf8-", "non-UTF-8 path");
}

/// A failure kind, pass or reason crafted as Markdown, HTML, a NUL or a right-to-left override:
/// the one-line error quoting it is inert on a terminal, the PR comment's copy of it
/// (scripts/md-text.sh, as pr-judge.sh uses it) is inert Markdown, and a reason shown in the
/// comparison and the page has its hidden characters escaped.
#[test]
fn crafted_failures_are_inert_in_errors_comments_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let base = write_json(&dir.path().join("base.json"), &fixture());
    let mut v = fixture();
    v["failures"] = serde_json::json!([{"name": "value-copy", "trace_state_entries": 0,
        "kind": "x](http://a)<img src=x onerror=1>\n# h\u{202e}", "pass": "count", "error": "e", "stderr_tail": ""}]);
    let cur = write_json(&dir.path().join("kind.json"), &v);
    let o = spanalloc(&["compare", base.to_str().unwrap(), cur.to_str().unwrap(), "--format", "markdown"]);
    one_line_exit_2(&o, "unknown variant", "a crafted failure kind");
    let err = stderr(&o);
    assert!(!err.contains('\u{202e}') && err.contains("\\u{202e}"), "the override is shown as an escape: {err}");
    // The comment's copy: no link, no tag, no heading survives.
    let mut md = Command::new("bash")
        .args(["-c", concat!("source ", env!("CARGO_MANIFEST_DIR"), "/../scripts/md-text.sh && md_text")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut md.stdin.take().unwrap(), err.as_bytes()).unwrap();
    let md = String::from_utf8(md.wait_with_output().unwrap().stdout).unwrap();
    assert_eq!(md.lines().count(), 1, "{md}");
    assert!(md.contains("x\\](http://a)\\<img src=x onerror=1\\>"), "{md}");
    for c in ["]", "<", ">", "#", "`"] {
        assert!(!md.replace(&format!("\\{c}"), "").contains(c), "an unescaped {c}: {md}");
    }
    // A reason holding a NUL and an override: escaped in the comparison and on the page.
    v["failures"] = serde_json::json!([{"name": "value-copy", "trace_state_entries": 0, "kind": "crash", "pass": "count",
        "error": "bad\u{0}x\u{202e}evil", "stderr_tail": "t\u{0}\u{202e}"}]);
    let cur = write_json(&dir.path().join("reason.json"), &v);
    for format in ["text", "markdown"] {
        let o = spanalloc(&["compare", base.to_str().unwrap(), cur.to_str().unwrap(), "--format", format]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("bad") && !out.contains('\u{0}') && !out.contains('\u{202e}'), "{format}: {out}");
    }
    let run = dir.path().join("run");
    std::fs::create_dir(&run).unwrap();
    std::fs::copy(&cur, run.join("results.json")).unwrap();
    let o = spanalloc(&["report", run.to_str().unwrap(), "--history", dir.path().join("none.jsonl").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = std::fs::read_to_string(run.join("index.html")).unwrap();
    assert!(!page.contains('\u{0}') && !page.contains('\u{202e}'), "hidden characters reach the page");
}

/// A `dhat/` folder inside --out that is a symlink out of it: the run refuses before measuring,
/// and nothing is written where the link points (the second pass checked files, not folders).
#[test]
fn a_symlinked_dhat_folder_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    std::fs::create_dir(&out).unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink("../elsewhere", out.join("dhat")).unwrap();
    let o = spanalloc(&[
        "run",
        "--scenario",
        "pooled",
        "--spans",
        "2000",
        "--rate",
        "0",
        "--dhat-spans",
        "200",
        "--trace-state",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    one_line_exit_2(&o, "outside the output folder: not followed", "a symlinked dhat folder");
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0, "something was written through the link");
}

/// A 30 MB string (within the input cap) wherever a results file holds one: a name is refused
/// (names repeat in every row of every output), any other is shown at most a small multiple of
/// once — `compare --format json` writes under 50 MB (it wrote 2.1 GB from a 30 MB name).
#[test]
fn a_huge_string_is_not_multiplied_into_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let big = "x".repeat(30 << 20);
    let plant = |what: &str| {
        let mut v = fixture();
        match what {
            "name" => v["scenarios"][1]["name"] = big.clone().into(),
            "cpu" => v["environment"]["cpu"] = big.clone().into(),
            "failure" => {
                v["failures"] = serde_json::json!([{"name": "value-copy", "trace_state_entries": 0, "kind": "crash",
                    "pass": "count", "error": big, "stderr_tail": ""}]);
            }
            _ => unreachable!(),
        }
        write_json(&dir.path().join(format!("{what}.json")), &v)
    };
    let name = plant("name");
    let o = spanalloc(&["compare", name.to_str().unwrap(), name.to_str().unwrap(), "--format", "json"]);
    one_line_exit_2(&o, "longer than 200, the most a name may be", "a 30 MB name");
    for what in ["cpu", "failure"] {
        let file = plant(what);
        for format in ["json", "markdown", "text"] {
            let o = spanalloc(&["compare", file.to_str().unwrap(), file.to_str().unwrap(), "--format", format]);
            assert!(o.status.code().is_some_and(|c| c < 2), "{what} {format}: {}", stderr(&o));
            assert!(o.stdout.len() < 50 << 20, "{what} {format}: {} bytes from a 30 MB string", o.stdout.len());
        }
    }
}

/// Two rows whose ids are one (a scenario literally named `pooled@jemalloc` beside pooled on
/// jemalloc) would export, compare and chart as one: refused at input.
#[test]
fn a_name_that_reads_as_another_rows_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = fixture();
    let rows = v["scenarios"].as_array_mut().unwrap();
    let mut jemalloc = rows.iter().find(|s| s["name"] == "pooled").unwrap().clone();
    jemalloc["allocator"] = "jemalloc".into();
    let mut named = jemalloc.clone();
    named["allocator"] = "system".into();
    named["name"] = "pooled@jemalloc".into();
    rows.extend([jemalloc, named]);
    let file = write_json(&dir.path().join("r.json"), &v);
    let o = spanalloc(&["export", file.to_str().unwrap(), "--format", "bmf"]);
    one_line_exit_2(&o, "names two rows", "pooled@jemalloc twice");
}
