//! A merged night's timing is judged machine by machine (docs/nightly.md): `compare --machine`
//! judges one machine's rows against that machine's own baseline, names a baseline row another
//! machine measured tonight instead of failing it, and still fails a row no machine measured;
//! `baseline save --machine` gathers a machine's rows night by night. Each case is crafted from
//! one small run of value-copy and pointer-passing at trace-state 0 and 4, some of its rows
//! given another machine's environment, as a shard on another machine type would write them.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{spanalloc, stderr};
use serde_json::Value;

/// The one small run every case starts from, made once for this test binary.
fn run() -> &'static Path {
    static RUN: OnceLock<tempfile::TempDir> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let o = spanalloc(&[
            "run",
            "--scenario",
            "value-copy",
            "--scenario",
            "pointer-passing",
            "--trace-state",
            "0,4",
            "--spans",
            "2000",
            "--rate",
            "0",
            "--no-dhat",
            "--out",
            dir.path().to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        dir
    })
    .path()
}

/// The run as a merged night whose rows at trace-state `on_b` were measured on machine B (the
/// run's own machine with another CPU), written to `dir/name`.
fn night(dir: &Path, name: &str, on_b: u64, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut v: Value = serde_json::from_slice(&std::fs::read(run().join("results.json")).unwrap()).unwrap();
    let mut b = v["environment"].clone();
    b["cpu"] = "Machine B's CPU".into();
    for s in v["scenarios"].as_array_mut().unwrap().iter_mut().filter(|s| s["trace_state_entries"] == on_b) {
        s["environment"] = b.clone();
    }
    edit(&mut v);
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    p
}

fn out(args: &[&str]) -> (Option<i32>, String) {
    let o = spanalloc(args);
    (o.status.code(), format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o)))
}

/// The machines `file`'s rows were measured on: A (the file's own) first.
fn machines(file: &Path) -> Vec<String> {
    let (code, text) = out(&["fingerprint", file.to_str().unwrap(), "--machines"]);
    assert_eq!(code, Some(0), "{text}");
    text.lines().map(str::to_owned).collect()
}

fn rows(file: &Path) -> Vec<(String, u64)> {
    let v: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let rows = v["scenarios"].as_array().unwrap().iter();
    rows.map(|s| (s["name"].as_str().unwrap().to_owned(), s["trace_state_entries"].as_u64().unwrap())).collect()
}

fn save(file: &Path, dir: &Path, name: &str, machine: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["baseline", "save", name, "--from", file.to_str().unwrap(), "--dir", dir.to_str().unwrap()];
    args.extend_from_slice(&["--machine", machine]);
    args.extend_from_slice(extra);
    out(&args)
}

fn compare(name: &str, file: &Path, dir: &Path, machine: &str) -> (Option<i32>, String) {
    let (f, d) = (file.to_str().unwrap(), dir.to_str().unwrap());
    out(&["compare", name, f, "--baselines", d, "--metrics", "timing", "--machine", machine])
}

#[test]
fn each_machine_keeps_a_baseline_of_the_rows_it_measured_and_gathers_the_rest_night_by_night() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("baselines");
    let first = night(dir.path(), "first.json", 4, |_| {});
    let [a, b] = <[String; 2]>::try_from(machines(&first)).unwrap();
    assert_ne!(a, b);

    // The first night: each machine's baseline holds its own rows, nothing else.
    let (code, text) = save(&first, &base, "timing-a", &a, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("first save: 2 row(s)"), "{text}");
    let a_file = base.join("timing-a.json");
    assert_eq!(rows(&a_file), [("value-copy".into(), 0), ("pointer-passing".into(), 0)]);
    assert_eq!(save(&first, &base, "timing-b", &b, &[]).0, Some(0));
    assert_eq!(rows(&base.join("timing-b.json")), [("value-copy".into(), 4), ("pointer-passing".into(), 4)]);

    // The next night the shards land the other way round: A's rows at ts 0 were measured on B.
    // Judged on A: nothing of A's baseline was measured on A, and that is said, not failed.
    let swapped = night(dir.path(), "swapped.json", 0, |v| {
        let a_env = v["environment"].clone();
        for s in v["scenarios"].as_array_mut().unwrap().iter_mut().filter(|s| s["trace_state_entries"] == 4) {
            s["environment"] = a_env.clone();
        }
    });
    let (code, text) = compare("timing-a", &swapped, &base, &a);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("2 baseline row(s) measured on another machine tonight"), "{text}");
    assert!(text.contains(&format!("judged elsewhere value-copy ts=0: measured on machine {b} tonight")), "{text}");
    assert!(!text.contains("To rerun"), "a row judged elsewhere is no row to rerun here:\n{text}");
    // B judges its baseline's rows... which A measured tonight, and its new ones.
    assert_eq!(compare("timing-b", &swapped, &base, &b).0, Some(0));

    // A's baseline gathers the rows it measured for the first time, and keeps the others.
    let (code, text) = save(&swapped, &base, "timing-a", &a, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("2 row(s) added, 0 it had kept as they were"), "{text}");
    assert_eq!(rows(&a_file).len(), 4);
    // The third night is the first one's again: A judges its two rows, and gathers nothing.
    let (code, text) = compare("timing-a", &first, &base, &a);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("2 baseline row(s) measured on another machine tonight"), "{text}");
    let (code, text) = save(&first, &base, "timing-a", &a, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("0 row(s) added, 2 it had kept as they were"), "{text}");
}

#[test]
fn a_row_no_machine_measured_still_fails_and_another_machines_baseline_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("baselines");
    let first = night(dir.path(), "first.json", 4, |_| {});
    let [a, b] = <[String; 2]>::try_from(machines(&first)).unwrap();
    assert_eq!(save(&first, &base, "timing-a", &a, &[]).0, Some(0));

    // value-copy ts 0 measured nowhere tonight: A's comparison fails it, by name.
    let lost = night(dir.path(), "lost.json", 4, |v| {
        v["scenarios"].as_array_mut().unwrap().retain(|s| !(s["name"] == "value-copy" && s["trace_state_entries"] == 0));
    });
    let (code, text) = compare("timing-a", &lost, &base, &a);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("NOT JUDGED value-copy ts=0: not in this run"), "{text}");

    // A whole merged file is no machine's baseline: judged with --machine, it is refused.
    let whole = first.to_str().unwrap();
    let (code, text) = out(&["compare", whole, whole, "--metrics", "timing", "--machine", &a]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains(&format!("holds rows measured on {a}, {b}: not machine {a}'s own baseline")), "{text}");
    // Nor is A's baseline B's, nor does a machine the night never ran on save anything.
    let (code, text) = compare("timing-a", &first, &base, &b);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains(&format!("holds rows measured on {a}: not machine {b}'s own baseline")), "{text}");
    let (code, text) = save(&first, &base, "timing-x", "0123456789abcdef", &[]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains(&format!("has no row measured on machine 0123456789abcdef (its machines: {a}, {b})")), "{text}");
    assert!(!base.join("timing-x.json").exists());
}

#[test]
fn another_workload_is_not_gathered_into_a_machines_baseline_but_starts_it_again_when_forced() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("baselines");
    let first = night(dir.path(), "first.json", 4, |_| {});
    let a = machines(&first).remove(0);
    assert_eq!(save(&first, &base, "timing-a", &a, &[]).0, Some(0));
    let before = std::fs::read(base.join("timing-a.json")).unwrap();
    let other = night(dir.path(), "other.json", 4, |v| v["config"]["seed"] = 7.into());
    let (code, text) = save(&other, &base, "timing-a", &a, &[]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("holds another workload (seed 42 → 7): not gathered into (--force starts it again)"), "{text}");
    assert_eq!(std::fs::read(base.join("timing-a.json")).unwrap(), before, "a refused save changed the baseline");
    let (code, text) = save(&other, &base, "timing-a", &a, &["--force"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("started again on another workload (seed 42 → 7): 2 row(s)"), "{text}");
}

#[test]
fn the_report_says_which_machine_measured_each_row_and_divides_no_timing_across_machines() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("night");
    std::fs::create_dir(&run).unwrap();
    let file = night(dir.path(), "first.json", 4, |_| {});
    std::fs::copy(&file, run.join("results.json")).unwrap();
    let [a, b] = <[String; 2]>::try_from(machines(&file)).unwrap();
    let missing = dir.path().join("no-history.jsonl");
    let (code, text) = out(&["report", run.to_str().unwrap(), "--history", missing.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{text}");
    let html = std::fs::read_to_string(run.join("index.html")).unwrap();
    assert!(html.contains(&format!("This night's shards ran on 2 machines (<b>m1</b> {a}, <b>m2</b> {b})")), "{text}");
    assert!(html.contains(&format!("pointer-passing <sup title=\"measured on machine {b}\">m2</sup>")));
    // pointer-passing at ts 4 was measured on B, value-copy (its reference) too: divided; at
    // ts 0 both on A. A row whose reference is on another machine reads "other machine".
    assert!(!html.contains("other machine</td>"), "no row here is set against another machine's");
    let mixed = night(dir.path(), "mixed.json", 4, |v| {
        let a_env = v["environment"].clone();
        row_of(v, "value-copy", 4)["environment"] = a_env;
    });
    std::fs::copy(&mixed, run.join("results.json")).unwrap();
    let (code, text) = out(&["report", run.to_str().unwrap(), "--history", missing.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{text}");
    let html = std::fs::read_to_string(run.join("index.html")).unwrap();
    assert_eq!(html.matches("<td>other machine</td>").count(), 2, "pointer-passing ts 4's peak heap and CPU ratios");
}

fn row_of<'a>(v: &'a mut Value, name: &str, ts: u64) -> &'a mut Value {
    let rows = v["scenarios"].as_array_mut().unwrap();
    rows.iter_mut().find(|s| s["name"] == name && s["trace_state_entries"] == ts).unwrap()
}
