//! The example's binary measures the built-ins plus its own row, doing the same work.

use std::process::Command;

#[test]
fn the_example_row_is_measured_with_the_same_digest_as_value_copy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_custom-strategy"))
        .args(["run", "--spans", "2600", "--rate", "0", "--no-dhat", "--trace-state", "4,32", "--out", out])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("results.json")).unwrap()).unwrap();
    let row = |name: &str, ts: u64| {
        r["scenarios"].as_array().unwrap().iter().find(|s| s["name"] == name && s["trace_state_entries"] == ts).cloned()
    };
    for ts in [4, 32] {
        let (vc, mine) = (row("value-copy", ts).unwrap(), row("inline-state", ts).expect("the example's row"));
        assert_eq!(mine["digest"], vc["digest"], "ts={ts}: the same spans");
        assert_eq!(mine["spans_exported"], vc["spans_exported"]);
    }
    // n = 4: the 103-byte header fits inline, so clones allocate nothing; n = 32 spills.
    assert_eq!(row("inline-state", 4).unwrap()["metrics"]["allocs"], 0);
    assert!(row("inline-state", 32).unwrap()["metrics"]["allocs_per_span"].as_f64().unwrap() > 2.0);
    assert!(row("otel-sdk", 4).is_some(), "the built-ins are all there");
}
