//! The Go twin through `spanalloc run`: its four rows beside the Rust rows, exporting the same
//! spans (equal digests), with their GC figures. Needs Go: without it the test says so and
//! passes, unless SPANALLOC_REQUIRE_GO is set (`.ci/run` installs Go and sets it).

mod common;

use std::process::Command;

use spanalloc::record::Results;

fn have_go() -> bool {
    common::have_tool("go", "version", "SPANALLOC_REQUIRE_GO", "scripts/install-go.sh")
}

#[test]
fn go_rows_export_the_same_spans_as_the_rust_rows() {
    if !have_go() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_spanalloc"))
        .args(["run", "--scenario", "value-copy", "--go", "--trace-state", "0,4", "--spans", "20000", "--rate", "0"])
        .args(["--warmup", "2000", "--no-dhat", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Results = serde_json::from_slice(&std::fs::read(dir.path().join("results.json")).unwrap()).unwrap();
    for ts in [0, 4] {
        let rust = r.scenarios.iter().find(|s| s.name == "value-copy" && s.trace_state_entries == ts).unwrap();
        assert_eq!(rust.language, "rust");
        for go in ["go-value", "go-pointer", "go-pointer-embedded", "go-pool", "go-atomic", "go-user-pointer"] {
            let g = r.scenarios.iter().find(|s| s.name == go && s.trace_state_entries == ts).unwrap_or_else(|| panic!("{go}"));
            assert_eq!((g.spans_exported, &g.digest), (rust.spans_exported, &rust.digest), "{go} ts={ts}");
            assert_eq!(g.language, "go");
            assert!(g.metrics.gc_cycles.is_some() && g.settings.contains_key("GOGC") && g.settings.contains_key("GOMAXPROCS"));
            assert!(g.metrics.allocs_per_span > 0.0);
            // Go rows are taken against go-value, not value-copy.
            assert_eq!(r.reference_for(g).map(|s| s.name.as_str()), Some("go-value"));
        }
    }
    // The article's receiver benchmarks ride with the Go rows: five repeats of each, whose B/op
    // and allocs/op (the runtime's counts per call) repeat exactly; C8 in Go is judged on B/op.
    let b = r.go_benchmem.as_ref().expect("a run with the Go rows carries the article's benchmarks");
    let names: Vec<&str> = b.benchmarks.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["PointerReceiver", "ValueReceiver"]);
    for x in &b.benchmarks {
        assert_eq!(x.samples.len(), 5, "{}", x.name);
        assert!(x
            .samples
            .iter()
            .all(|s| (s.bytes_per_op, s.allocs_per_op) == (x.samples[0].bytes_per_op, x.samples[0].allocs_per_op)));
    }
    assert!(b.benchmarks[0].samples[0].bytes_per_op < b.benchmarks[1].samples[0].bytes_per_op, "{b:?}");
    let claims: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("claims.json")).unwrap()).unwrap();
    let c8 = claims["claims"].as_array().unwrap().iter().find(|c| c["id"] == "C8" && c["language"] == "go").expect("C8 in Go");
    assert!(c8["metric"].as_str().unwrap().starts_with("B/op"), "{c8}");
    assert_eq!(c8["sizes"][0]["size"], "B/op");
}

/// A Go row run alone is still checked against the model's own digest, and `--go` with a named
/// Go row runs that row only.
#[test]
fn a_go_row_alone_is_checked_against_the_model() {
    if !have_go() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_spanalloc"))
        .args(["run", "--go", "--scenario", "go-value", "--trace-state", "0,4", "--spans", "20000", "--rate", "0"])
        .args(["--warmup", "2000", "--no-dhat", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Results = serde_json::from_slice(&std::fs::read(dir.path().join("results.json")).unwrap()).unwrap();
    assert_eq!(r.scenarios.len(), 2, "go-value at two sizes, no other row");
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    for (s, e) in r.scenarios.iter().zip(&r.config.expected) {
        assert_eq!((s.name.as_str(), s.trace_state_entries), ("go-value", e.trace_state_entries));
        assert_eq!((s.spans_exported, &s.digest), (e.spans_exported, &e.digest), "the model's own digest");
        assert!(!s.exact_counts, "the Go runtime allocates in the background: gated by measured spread");
    }
}

#[test]
fn go_rows_without_go_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_spanalloc"))
        .args(["run", "--go", "--spans", "1000", "--out"])
        .arg(dir.path())
        .env("GO", "/nonexistent/go")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("scripts/install-go.sh"), "{stderr}");
}
