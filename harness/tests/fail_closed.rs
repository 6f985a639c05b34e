//! The gate fails closed (docs/baselines.md): every count the meter takes is judged, a baseline
//! row the current run lacks or cannot be compared with fails, and a file whose figures disagree
//! with each other is refused before it is believed. Each case is crafted from one small run of
//! value-copy, pointer-passing and otel-sdk at trace-state 0 and 4.

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
            "--scenario",
            "otel-sdk",
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

fn baseline() -> PathBuf {
    run().join("results.json")
}

/// The run's results, changed by `edit`, written under `dir`.
fn crafted(dir: &Path, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut v: Value = serde_json::from_slice(&std::fs::read(baseline()).unwrap()).unwrap();
    edit(&mut v);
    let p = dir.join("current.json");
    std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    p
}

fn row<'a>(v: &'a mut Value, name: &str, ts: u64) -> &'a mut Value {
    let rows = v["scenarios"].as_array_mut().unwrap();
    rows.iter_mut().find(|s| s["name"] == name && s["trace_state_entries"] == ts).unwrap()
}

/// Adds `n` to a count's total and to every pass's, as a run that counted them would write.
fn add_count(r: &mut Value, metric: &str, samples: &str, n: u64) {
    r["metrics"][metric] = (r["metrics"][metric].as_u64().unwrap() + n).into();
    let passes: Vec<Value> = r["samples"][samples].as_array().unwrap().iter().map(|v| (v.as_u64().unwrap() + n).into()).collect();
    r["samples"][samples] = passes.into();
}

/// `compare BASELINE CURRENT` in text and Markdown: exit code, and the lines before the settled
/// rows (the headline, failures and what was not judged come first).
fn compare(current: &Path, extra: &[&str]) -> Vec<(Option<i32>, String)> {
    ["text", "markdown"]
        .iter()
        .map(|format| {
            let base = baseline();
            let mut args = vec!["compare", base.to_str().unwrap(), current.to_str().unwrap(), "--format", format];
            args.extend_from_slice(extra);
            let o = spanalloc(&args);
            let out = String::from_utf8_lossy(&o.stdout).into_owned();
            (o.status.code(), format!("{out}{}", stderr(&o)))
        })
        .collect()
}

/// Every format exits `code`, and says `cause` within its first `lines` lines.
fn fails_with(current: &Path, code: i32, cause: &str, lines: usize) {
    for (got, out) in compare(current, &[]) {
        assert_eq!(got, Some(code), "{out}");
        let head: String = out.lines().take(lines).collect::<Vec<_>>().join("\n");
        assert!(head.contains(cause), "want {cause:?} first:\n{out}");
    }
}

#[test]
fn an_identical_copy_passes() {
    let dir = tempfile::tempdir().unwrap();
    let same = crafted(dir.path(), |_| {});
    for (code, out) in compare(&same, &[]) {
        assert_eq!(code, Some(0), "{out}");
    }
}

#[test]
fn one_realloc_per_span_more_on_an_exact_row_regresses() {
    let dir = tempfile::tempdir().unwrap();
    let more = crafted(dir.path(), |v| {
        let r = row(v, "value-copy", 4);
        let spans = r["spans"].as_u64().unwrap();
        add_count(r, "reallocs", "reallocs", spans);
    });
    fails_with(&more, 1, "reallocs_per_span", 12);
    // The failure says how to reproduce it, in every format, against the same baseline.
    let base = baseline();
    let want = format!(
        "spanalloc run --scenario value-copy --trace-state 4 --spans 2000 --rate 0 --repeat 1 --seed 42 --out reports/repro && spanalloc compare {} reports/repro/results.json --only-common",
        base.display()
    );
    for (_, out) in compare(&more, &[]) {
        assert!(out.contains("value-copy ts=4: ") && out.contains(&want), "{out}");
    }
    let o = spanalloc(&["compare", base.to_str().unwrap(), more.to_str().unwrap(), "--format", "json"]);
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["reproduce"][0]["command"], want.as_str());
}

#[test]
fn a_leak_on_an_exact_row_regresses_with_allocations_flat() {
    let dir = tempfile::tempdir().unwrap();
    // One block per span never freed: allocations per span flat, deallocations one fewer a span.
    let leaked = crafted(dir.path(), |v| {
        let r = row(v, "pointer-passing", 4);
        let spans = r["spans"].as_u64().unwrap();
        r["metrics"]["deallocs"] = (r["metrics"]["deallocs"].as_u64().unwrap() - spans).into();
        let passes: Vec<Value> =
            r["samples"]["deallocs"].as_array().unwrap().iter().map(|d| (d.as_u64().unwrap() - spans).into()).collect();
        r["samples"]["deallocs"] = passes.into();
    });
    fails_with(&leaked, 1, "leaked_blocks_per_span", 12);
}

#[test]
fn a_missing_rekeyed_or_reshaped_row_fails_with_its_cause_first() {
    let dir = tempfile::tempdir().unwrap();
    let deleted = crafted(dir.path(), |v| {
        v["scenarios"].as_array_mut().unwrap().retain(|s| !(s["name"] == "value-copy" && s["trace_state_entries"] == 4));
    });
    fails_with(&deleted, 1, "NOT JUDGED value-copy ts=4: not in this run", 5);
    let rekeyed = crafted(dir.path(), |v| row(v, "pointer-passing", 0)["allocator"] = "jemalloc".into());
    fails_with(&rekeyed, 1, "re-keyed: measured over allocator system in the baseline, jemalloc in this run", 5);
    let producers = crafted(dir.path(), |v| row(v, "value-copy", 0)["producers"] = 2.into());
    fails_with(&producers, 1, "workload differs: producers 1 → 2", 5);
}

#[test]
fn a_deliberate_subset_is_said_not_judged_and_passes() {
    let dir = tempfile::tempdir().unwrap();
    let deleted = crafted(dir.path(), |v| {
        v["scenarios"].as_array_mut().unwrap().retain(|s| !(s["name"] == "value-copy" && s["trace_state_entries"] == 4));
    });
    for (code, out) in compare(&deleted, &["--only-common"]) {
        assert_eq!(code, Some(0), "{out}");
        let first = out.lines().next().unwrap();
        assert!(first.contains("1 baseline row(s) left out (--only-common): not in this run, not judged"), "{first}");
    }
}

#[test]
fn a_file_that_disagrees_with_itself_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let per_span = crafted(dir.path(), |v| {
        let r = row(v, "value-copy", 4);
        r["metrics"]["allocs_per_span"] = (r["metrics"]["allocs_per_span"].as_f64().unwrap() + 1.0).into();
    });
    fails_with(&per_span, 2, "value-copy ts=4: metrics.allocs_per_span is", 1);
    // Half its spans exported under another digest, and no failure recorded for it.
    let half = crafted(dir.path(), |v| {
        let r = row(v, "pointer-passing", 4);
        r["spans_exported"] = (r["spans_exported"].as_u64().unwrap() / 2).into();
        r["digest"] = "0000000000000000".into();
    });
    fails_with(&half, 2, "pointer-passing ts=4: spans_exported is", 1);
    let saved = dir.path().join("baselines");
    let o = spanalloc(&["baseline", "save", "forged", "--from", half.to_str().unwrap(), "--dir", saved.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not the workload's work"), "{}", stderr(&o));
    assert!(!saved.join("forged.json").exists());
    // A count pass that disagrees with the row's metric.
    let pass = crafted(dir.path(), |v| row(v, "otel-sdk", 0)["samples"]["reallocs"][0] = 1.into());
    fails_with(&pass, 2, "otel-sdk ts=0: samples.reallocs starts at 1", 1);
}

/// Judging a subset is for a person who asked: no script, workflow or CI step passes it.
#[test]
fn nothing_automated_judges_a_subset() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = vec![root.join(".ci/run")];
    for dir in ["scripts", ".github/workflows"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            files.push(e.unwrap().path());
        }
    }
    for f in files.iter().filter(|f| f.is_file()) {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        assert!(!text.contains("--only-common"), "{} passes --only-common", f.display());
    }
}

/// docs/baselines.md's table of exit codes, held to the binary: each code a row names for a
/// command is what that command returns in a case that calls for it.
#[test]
fn the_exit_code_table_holds() {
    let dir = tempfile::tempdir().unwrap();
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/baselines.md")).unwrap();
    let table: Vec<Vec<String>> = doc
        .lines()
        .skip_while(|l| !l.starts_with("## Exit codes"))
        .filter(|l| l.starts_with("| `spanalloc"))
        .map(|l| l.split('|').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect())
        .collect();
    let documented = |command: &str, code: usize| {
        let row = table
            .iter()
            .find(|r| r[0].starts_with(&format!("`spanalloc {command}`")))
            .unwrap_or_else(|| panic!("{command} in the table"));
        row[code + 1] != "—"
    };
    let b = baseline();
    let b = b.to_str().unwrap();
    let regressed = crafted(dir.path(), |v| {
        let r = row(v, "value-copy", 4);
        let spans = r["spans"].as_u64().unwrap();
        add_count(r, "reallocs", "reallocs", spans);
    });
    let failed = dir.path().join("failed.json");
    let mut v: Value = serde_json::from_slice(&std::fs::read(b).unwrap()).unwrap();
    v["failures"] = serde_json::json!([{"name": "pooled", "trace_state_entries": 4, "kind": "crash", "pass": "count", "error": "planted", "stderr_tail": ""}]);
    std::fs::write(&failed, serde_json::to_vec(&v).unwrap()).unwrap();
    let missing = dir.path().join("no-such.json");
    let (missing, failed, regressed) = (missing.to_str().unwrap(), failed.to_str().unwrap(), regressed.to_str().unwrap());
    let saved = dir.path().join("saved");
    let saved = saved.to_str().unwrap();
    let cases: Vec<(&str, usize, Vec<&str>)> = vec![
        ("compare", 0, vec!["compare", b, b]),
        ("compare", 1, vec!["compare", b, regressed]),
        ("compare", 2, vec!["compare", b, missing]),
        ("baseline save", 0, vec!["baseline", "save", "x", "--from", b, "--dir", saved]),
        ("baseline save", 2, vec!["baseline", "save", "x", "--from", b, "--dir", saved]),
        ("baseline save", 2, vec!["baseline", "save", "y", "--from", failed, "--dir", saved]),
        ("export", 0, vec!["export", "--format", "bmf", b]),
        ("export", 1, vec!["export", "--format", "bmf", failed]),
        ("export", 2, vec!["export", "--format", "bmf", missing]),
        ("history", 2, vec!["history", "show", "--file", missing]),
        ("report", 2, vec!["report", missing]),
    ];
    for (command, code, args) in cases {
        assert!(documented(command, code), "docs/baselines.md has no exit {code} for {command}");
        let o = spanalloc(&args);
        assert_eq!(o.status.code(), Some(code as i32), "{args:?}: {}", stderr(&o));
    }
    for (command, code) in [("baseline save", 1), ("history", 1), ("report", 1)] {
        assert!(!documented(command, code), "{command} never exits {code}: the table says it does");
    }
}
