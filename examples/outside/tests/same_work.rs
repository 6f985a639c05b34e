//! Your row beside a built-in: the same spans (digest), and the counts you expect, exactly.

use std::process::Command;

#[test]
fn boxed_span_does_value_shareds_work_with_one_more_allocation_per_span() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_my-strategies"))
        .args(["run", "--scenario", "value-shared", "--scenario", "boxed-span", "--spans", "2600", "--rate", "0"])
        .args(["--no-dhat", "--trace-state", "0,4", "--out", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("results.json")).unwrap()).unwrap();
    let row = |name: &str, ts: u64| {
        r["scenarios"].as_array().unwrap().iter().find(|s| s["name"] == name && s["trace_state_entries"] == ts).cloned().unwrap()
    };
    for ts in [0, 4] {
        let (shared, boxed) = (row("value-shared", ts), row("boxed-span", ts));
        assert_eq!(boxed["digest"], shared["digest"], "ts={ts}: the same spans");
        let spans = boxed["spans_exported"].as_u64().unwrap();
        let allocs = |s: &serde_json::Value| s["metrics"]["allocs"].as_u64().unwrap();
        assert_eq!(allocs(&boxed), allocs(&shared) + spans, "ts={ts}: one Box per span");
    }
}
