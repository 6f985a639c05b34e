//! Baselines, compare, history and export, end to end through the binary.

mod common;

use std::path::{Path, PathBuf};

use common::{set_per_span, spanalloc, stderr};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/record/tests/fixtures/results-v1.json");

fn small_run(out: &Path) {
    let o = spanalloc(&[
        "run",
        "--spans",
        "2600",
        "--rate",
        "0",
        "--no-dhat",
        "--trace-state",
        "0,4",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn compare(baseline: &str, current: &Path, format: &str) -> std::process::Output {
    spanalloc(&["compare", baseline, current.to_str().unwrap(), "--format", format])
}

/// A/A: separate runs of the same build and workload never regress against each other.
#[test]
fn separate_runs_of_one_workload_compare_clean() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    small_run(&a);
    for i in 0..3 {
        let b = dir.path().join(format!("b{i}"));
        small_run(&b);
        let o = compare(a.join("results.json").to_str().unwrap(), &b.join("results.json"), "text");
        let text = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "run {i}:\n{text}{}", stderr(&o));
        // Seven exact metrics (allocations, bytes, reallocations, leaked blocks, exports) at 2
        // sizes × 5 strategies; the six timing metrics are noise (one run). The SDK row's counts move between runs and are not gated without repeats (a drop
        // at its gate rate would have failed the run).
        assert!(text.contains(": 0 regressed, 0 improved, 70 unchanged, "), "{text}");
        for ts in [0, 4] {
            let said = |why: &str| {
                text.lines().any(|l| {
                    l.trim_start().starts_with(&format!("otel-sdk ts={ts}: "))
                        && l.contains(&format!("allocs_per_span, bytes_per_span, allocs, bytes_allocated, reallocs_per_span, leaked_blocks_per_span, exports_per_span ({why}"))
                })
            };
            assert!(said("noise: not gated: needs repeats"), "{text}");
        }
        assert!(!text.contains("REGRESSED"), "{text}");
    }
}

fn doctored(dir: &Path, f: impl Fn(&mut serde_json::Value)) -> PathBuf {
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    f(&mut v);
    let p = dir.join("doctored.json");
    std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    p
}

fn scenario_index(v: &serde_json::Value, name: &str, ts: u64) -> usize {
    v["scenarios"].as_array().unwrap().iter().position(|s| s["name"] == name && s["trace_state_entries"] == ts).unwrap()
}

/// A baseline doctored to be better is a regression of the current run, named in every format.
#[test]
fn planted_regressions_fail_and_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let one_alloc_better = doctored(dir.path(), |v| {
        let i = scenario_index(v, "pointer-passing", 4);
        let now = v["scenarios"][i]["metrics"]["allocs_per_span"].as_f64().unwrap();
        set_per_span(&mut v["scenarios"][i], "allocs_per_span", now - 1.0);
    });
    for format in ["text", "markdown", "json"] {
        let o = compare(one_alloc_better.to_str().unwrap(), Path::new(FIXTURE), format);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(1), "{format}: {out}");
        assert!(out.contains("pointer-passing") && out.contains("allocs_per_span"), "{format}: {out}");
        match format {
            "text" => {
                assert!(
                    out.contains(": 2 regressed, 0 improved, 46 unchanged, 8 noise against") && out.contains("REGRESSED"),
                    "{out}"
                )
            }
            "markdown" => {
                assert!(out.starts_with("### ❌ spanalloc: 2 regressed, 0 improved"), "{out}");
                // Regressions come first: the row after the table's header.
                let first_row = out.lines().skip_while(|l| !l.starts_with("|---")).nth(1).unwrap();
                assert!(first_row.contains("pointer-passing") && first_row.contains("**regressed**"), "{first_row}");
            }
            _ => {
                let j: serde_json::Value = serde_json::from_str(&out).unwrap();
                assert_eq!(j["regressions"], 2);
                let rows = j["rows"].as_array().unwrap();
                let bad: Vec<_> = rows
                    .iter()
                    .filter(|r| r["verdict"] == "regressed")
                    .map(|r| (r["scenario"].as_str().unwrap(), r["metric"].as_str().unwrap()))
                    .collect();
                assert_eq!(bad.len(), 2);
                assert!(bad.contains(&("pointer-passing", "allocs_per_span")) && bad.contains(&("pointer-passing", "allocs")));
            }
        }
    }
    let five_pct_fewer_bytes = doctored(dir.path(), |v| {
        let i = scenario_index(v, "value-copy", 4);
        let now = v["scenarios"][i]["metrics"]["bytes_per_span"].as_f64().unwrap();
        set_per_span(&mut v["scenarios"][i], "bytes_per_span", now * 0.95);
    });
    let o = compare(five_pct_fewer_bytes.to_str().unwrap(), Path::new(FIXTURE), "text");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("bytes_per_span"));
}

#[test]
fn save_list_and_compare_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let baselines = dir.path().join("baselines");
    let b = baselines.to_str().unwrap();
    let o = spanalloc(&["baseline", "save", "nightly", "--from", FIXTURE, "--dir", b]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(baselines.join("nightly.json")).unwrap(), std::fs::read(FIXTURE).unwrap());
    // A second save of that name keeps the first unless told to replace it.
    let other = doctored(dir.path(), |v| v["config"]["seed"] = 7.into());
    let o = spanalloc(&["baseline", "save", "nightly", "--from", other.to_str().unwrap(), "--dir", b]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("baseline nightly already exists: not replaced (--force replaces it)"), "{}", stderr(&o));
    assert!(stderr(&o).contains("nightly.json"), "names the file: {}", stderr(&o));
    assert_eq!(std::fs::read(baselines.join("nightly.json")).unwrap(), std::fs::read(FIXTURE).unwrap(), "kept");
    let o = spanalloc(&["baseline", "save", "nightly", "--from", other.to_str().unwrap(), "--dir", b, "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(baselines.join("nightly.json")).unwrap(), std::fs::read(&other).unwrap(), "replaced");
    let o = spanalloc(&["baseline", "save", "nightly", "--from", FIXTURE, "--dir", b, "--force"]);
    assert!(o.status.success());
    let list = spanalloc(&["baseline", "list", "--dir", b]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("nightly"));
    let o = spanalloc(&["compare", "nightly", FIXTURE, "--baselines", b]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    // A name given with its .json is the same baseline, both ways.
    let o = spanalloc(&["baseline", "save", "x.json", "--from", FIXTURE, "--dir", b]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(baselines.join("x.json").exists() && !baselines.join("x.json.json").exists());
    for name in ["x", "x.json"] {
        let o = spanalloc(&["compare", name, FIXTURE, "--baselines", b]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
    }
}

/// `text` with the last scenario's metric `name` set to `value`.
fn with_metric(text: &str, name: &str, value: serde_json::Value) -> String {
    let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
    let last = v["scenarios"].as_array().unwrap().len() - 1;
    v["scenarios"][last]["metrics"][name] = value;
    serde_json::to_string(&v).unwrap()
}

/// Bad inputs, each with its message; nothing is written or changed.
#[test]
fn bad_input_exits_2_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = std::fs::read_to_string(FIXTURE).unwrap();
    let write = |name: &str, text: &str| {
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (d.join("missing.json"), "no such file"),
        (write("empty.json", ""), "empty file"),
        (write("truncated.json", &good[..good.len() / 2]), "truncated JSON"),
        (write("shape.json", r#"{"schema_version": 1, "scenarios": 3}"#), "not a spanalloc results file of schema 1"),
        (write("noversion.json", r#"{"hello": "world"}"#), "no schema_version"),
        (
            write("future.json", &good.replacen("\"schema_version\": 1", "\"schema_version\": 99", 1)),
            "schema_version 99 is not supported",
        ),
        (
            write("negative.json", &with_metric(&good, "allocs_per_span", (-1.5).into())),
            "allocs_per_span is -1.5, expected a non-negative number",
        ),
        (write("negint.json", &with_metric(&good, "allocs", (-7).into())), "invalid value: integer `-7`"),
        (write("nan.json", &good.replacen("\"allocs_per_span\": ", "\"allocs_per_span\": NaN, \"x\": ", 1)), "not valid JSON"),
        (d.to_path_buf(), "is a directory"),
        (
            write("duplicate.json", &{
                let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
                let first = v["scenarios"][0].clone();
                v["scenarios"].as_array_mut().unwrap().push(first);
                serde_json::to_string(&v).unwrap()
            }),
            "appears more than once",
        ),
    ];
    let baselines = d.join("baselines");
    let history = d.join("history.jsonl");
    std::fs::write(&history, "").unwrap();
    for (file, want) in &cases {
        let f = file.to_str().unwrap();
        let runs = [
            spanalloc(&["compare", f, FIXTURE]),
            spanalloc(&["compare", FIXTURE, f]),
            spanalloc(&["baseline", "save", "x", "--from", f, "--dir", baselines.to_str().unwrap()]),
            spanalloc(&["history", "append", f, "--file", history.to_str().unwrap()]),
            spanalloc(&["export", "--format", "bmf", f]),
        ];
        for o in runs {
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{f}: {err}");
            assert_eq!(err.lines().count(), 1, "{f}: {err}");
            assert!(err.contains(f) && err.contains(want), "{f}: want {want:?}, got {err:?}");
        }
    }
    assert!(!baselines.exists(), "no baseline directory was made");
    assert_eq!(std::fs::read(&history).unwrap(), b"", "history unchanged");
}

#[test]
fn an_unwritable_baselines_directory_exits_2_and_keeps_its_place() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the directory should be: root can write anywhere, but not into a file.
    let blocker = dir.path().join("baselines");
    std::fs::write(&blocker, "not a directory").unwrap();
    let o = spanalloc(&["baseline", "save", "x", "--from", FIXTURE, "--dir", blocker.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a directory"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "not a directory");
    let bad_name = spanalloc(&["baseline", "save", "../escape", "--from", FIXTURE, "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(bad_name.status.code(), Some(2));
}

#[test]
fn a_torn_history_line_is_reported_skipped_and_survives_appends() {
    let dir = tempfile::tempdir().unwrap();
    let h = dir.path().join("history.jsonl");
    let hs = h.to_str().unwrap();
    assert!(spanalloc(&["history", "append", FIXTURE, "--file", hs]).status.success());
    // A crash mid-write leaves half a line.
    let mut bytes = std::fs::read(&h).unwrap();
    let whole = bytes.clone();
    bytes.extend_from_slice(&whole[..whole.len() / 2]);
    std::fs::write(&h, &bytes).unwrap();
    let o = spanalloc(&["history", "append", FIXTURE, "--file", hs]);
    assert!(o.status.success());
    assert!(stderr(&o).contains("torn"), "{}", stderr(&o));
    let show = spanalloc(&["history", "show", "--file", hs]);
    assert!(show.status.success());
    assert_eq!(String::from_utf8_lossy(&show.stdout).lines().count(), 2, "both whole entries are read");
    assert!(stderr(&show).contains("line 2 skipped"), "{}", stderr(&show));
    // And a later append still works and is read.
    assert!(spanalloc(&["history", "append", FIXTURE, "--file", hs]).status.success());
    let (entries, warnings) = spanalloc::record::history::read(&h).unwrap();
    assert_eq!((entries.len(), warnings.len()), (3, 1));
}

#[test]
fn exports_for_bencher_and_github_action_benchmark() {
    let bmf = spanalloc(&["export", "--format", "bmf", FIXTURE]);
    let v: serde_json::Value = serde_json::from_slice(&bmf.stdout).unwrap();
    assert!(v["value-copy/ts4"]["allocs-per-span"]["value"].as_f64().unwrap() > 50.0);
    assert_eq!(v.as_object().unwrap().len(), 8);
    let gab = spanalloc(&["export", "--format", "gab", FIXTURE]);
    let v: serde_json::Value = serde_json::from_slice(&gab.stdout).unwrap();
    let first = &v.as_array().unwrap()[0];
    assert!(first["name"].as_str().unwrap().ends_with("allocs-per-span"));
    assert!(first["unit"].is_string() && first["value"].is_number());
}

/// A baseline from another machine: every timing row is `incomparable` and names what differs,
/// while a planted extra allocation per span still regresses and fails the comparison.
#[test]
fn another_machines_baseline_gates_counts_not_timing() {
    let dir = tempfile::tempdir().unwrap();
    let with_env = |cpu: &str, planted: f64, file: &str| {
        let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
        v["environment"]["profile"] = "release".into();
        v["environment"]["cpu"] = cpu.into();
        let i = scenario_index(&v, "pointer-passing", 4);
        let now = v["scenarios"][i]["metrics"]["allocs_per_span"].as_f64().unwrap();
        set_per_span(&mut v["scenarios"][i], "allocs_per_span", now + planted);
        let p = dir.path().join(file);
        std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
        p
    };
    let baseline = with_env("Machine A @ 2.0GHz", 0.0, "a.json");
    let current = with_env("Machine B @ 3.0GHz", 1.0, "b.json");
    let o = compare(baseline.to_str().unwrap(), &current, "json");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = j["rows"].as_array().unwrap();
    let cpu = rows.iter().find(|r| r["metric"] == "cpu_ns_per_span").unwrap();
    assert_eq!(cpu["verdict"], "incomparable");
    assert!(cpu["rule"].as_str().unwrap().contains("cpu 'Machine A @ 2.0GHz' → 'Machine B @ 3.0GHz'"), "{}", cpu["rule"]);
    let planted = rows
        .iter()
        .find(|r| r["scenario"] == "pointer-passing" && r["trace_state_entries"] == 4 && r["metric"] == "allocs_per_span")
        .unwrap();
    assert_eq!(planted["verdict"], "regressed");
    assert!(j["timing_not_compared"].as_str().unwrap().contains("different machine"));
    let text = String::from_utf8_lossy(&compare(baseline.to_str().unwrap(), &current, "text").stdout).into_owned();
    assert!(text.contains("different machine: cpu"), "the summary says so: {text}");
}

/// The answer comes first: the count of every verdict, the rows that moved, then the rest folded
/// one line per scenario × trace state, each naming the rule that decided it. Nothing comparable
/// at all is not a green "no regression": exit 2.
#[test]
fn the_summary_comes_first_and_nothing_comparable_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let worse = doctored(dir.path(), |v| {
        let i = scenario_index(v, "pooled", 4);
        set_per_span(&mut v["scenarios"][i], "allocs_per_span", 1.0);
        let j = scenario_index(v, "value-copy", 0);
        set_per_span(&mut v["scenarios"][j], "bytes_per_span", 1.0e6);
    });
    let o = compare(FIXTURE, &worse, "text");
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let first = text.lines().next().unwrap();
    // The fixture predates the fingerprint: its timing is not compared.
    assert!(
        first.contains(": 4 regressed, 0 improved, 44 unchanged, 8 noise against")
            && first.ends_with("not compared: 0 missing, 0 new, 48 incomparable"),
        "{first}"
    );
    // Largest change first: value-copy's bytes (from 0 to a million) before pooled's allocation.
    let regressed: Vec<&str> =
        text.lines().filter(|l| l.contains("┆ allocs_per_span") || l.contains("┆ bytes_per_span")).collect();
    assert!(regressed[0].contains("value-copy") && regressed[1].contains("pooled"), "{regressed:?}");
    assert!(
        text.contains("exact: +2600 allocations over 2600 spans, at or beyond the floor of 26"),
        "the rule is on the row: {text}"
    );
    let folded = text.lines().filter(|l| l.starts_with("  ") && l.contains(" ts=") && !l.contains("spanalloc run")).count();
    assert_eq!(folded, 16, "one line per scenario × trace state, settled and not compared: {text}");
    assert!(text.contains("incomparable: timing not compared: a run without an environment fingerprint"), "{text}");
    let j: serde_json::Value = serde_json::from_slice(&compare(FIXTURE, &worse, "json").stdout).unwrap();
    assert_eq!(j["summary"]["regressed"], 4);
    assert_eq!(j["summary"]["unchanged"], 44);
    assert_eq!(j["regressed"][0]["scenario"], "value-copy");
    assert!(j["rows"].as_array().unwrap().iter().all(|r| !r["rule"].as_str().unwrap().is_empty()));
    let md = String::from_utf8_lossy(&compare(FIXTURE, &worse, "markdown").stdout).into_owned();
    assert!(md.starts_with("### ❌ spanalloc: 4 regressed, 0 improved, 44 unchanged, 8 noise"), "{md}");
    assert!(md.contains("<details><summary>Unchanged and noise"), "{md}");

    // Another seed: nothing is comparable.
    let other_seed = doctored(dir.path(), |v| v["config"]["seed"] = 7.into());
    for format in ["text", "markdown", "json"] {
        let o = compare(FIXTURE, &other_seed, format);
        assert_eq!(o.status.code(), Some(2), "{format}");
        let err = stderr(&o);
        assert!(err.contains("could not compare") && err.contains("seed 42 → 7"), "{format}: {err}");
    }
}

/// A run with failures: compare lists them first and exits 1 in every format, whatever its rows
/// say; export refuses it; a baseline is saved from it only when asked, marked, and every
/// comparison against that baseline says so.
#[test]
fn a_run_with_failures_never_passes() {
    let dir = tempfile::tempdir().unwrap();
    let failed = doctored(dir.path(), |v| {
        v["failures"] = serde_json::json!([{
            "name": "pooled", "trace_state_entries": 4, "kind": "crash", "pass": "count",
            "error": "count pass exited with signal: 11 (SIGSEGV)", "stderr_tail": ""
        }]);
    });
    let f = failed.to_str().unwrap();
    for format in ["text", "markdown", "json"] {
        let o = compare(FIXTURE, &failed, format);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(1), "{format}: {out}");
        match format {
            "json" => {
                let j: serde_json::Value = serde_json::from_str(&out).unwrap();
                assert_eq!(j["failures"][0]["kind"], "crash");
                assert_eq!(j["summary"]["failures"], 1);
            }
            _ => {
                assert!(out.lines().next().unwrap().contains("RUN FAILED (1 failure(s)); 0 regressed"), "{format}: {out}");
                let failure = out.find("pooled ts=4 crash (count pass)").unwrap_or_else(|| panic!("{format}: {out}"));
                assert!(failure < out.find("unchanged and noise").or(out.find("Unchanged and noise")).unwrap(), "first: {out}");
            }
        }
    }
    let o = spanalloc(&["compare", FIXTURE, f, "--fail-on", "exact"]);
    assert_eq!(o.status.code(), Some(1), "a PR's gate fails on it too");

    let o = spanalloc(&["export", "--format", "bmf", f]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "nothing exported");
    assert!(stderr(&o).contains("the run has 1 failure(s): not exported (--allow-failures"), "{}", stderr(&o));
    assert!(spanalloc(&["export", "--format", "bmf", f, "--allow-failures"]).status.success());

    let b = dir.path().join("baselines");
    let bs = b.to_str().unwrap();
    let o = spanalloc(&["baseline", "save", "x", "--from", f, "--dir", bs]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not saved as a baseline (--allow-failures saves it, marked)"), "{}", stderr(&o));
    assert!(!b.join("x.json").exists());
    let o = spanalloc(&["baseline", "save", "x", "--from", f, "--dir", bs, "--allow-failures"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = spanalloc(&["compare", "x", FIXTURE, "--baselines", bs]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "the current run is clean: {text}");
    assert!(text.contains("the baseline x was saved with 1 failure(s) (--allow-failures)"), "{text}");
}

/// compare names the rules it used: the file and its version, or the built-in defaults and why;
/// a file named explicitly must exist.
#[test]
fn compare_names_its_thresholds() {
    let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/../reports/thresholds.toml");
    let o = spanalloc(&["compare", FIXTURE, FIXTURE, "--thresholds", committed]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("thresholds: ")
            && String::from_utf8_lossy(&o.stdout).contains("thresholds.toml (version 2)")
    );
    // Tests run in harness/, where reports/thresholds.toml does not exist.
    let o = spanalloc(&["compare", FIXTURE, FIXTURE]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("thresholds: built-in defaults (reports/thresholds.toml not found)"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = spanalloc(&["compare", FIXTURE, FIXTURE, "--thresholds", "/nonexistent/t.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/t.toml"), "{}", stderr(&o));
}
