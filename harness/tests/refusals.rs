//! Options that would quietly do less than asked are refused, through the binary (the third
//! hardening pass's minors): a statistical gate switched off by `alpha = 0`, a report asked to
//! compare with a baseline that does not exist, rules given to `compare --between`, which judges
//! nothing.

mod common;

use common::{one_line_exit_2, spanalloc, stderr};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/record/tests/fixtures/results-v1.json");
const THRESHOLDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../reports/thresholds.toml");

#[test]
fn alpha_0_is_refused_not_a_gate_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(THRESHOLDS).unwrap();
    assert!(text.contains("alpha = 0.05"), "the committed file's alpha moved: update this test");
    let file = dir.path().join("t.toml");
    std::fs::write(&file, text.replace("alpha = 0.05", "alpha = 0")).unwrap();
    let o = spanalloc(&["compare", FIXTURE, FIXTURE, "--thresholds", file.to_str().unwrap()]);
    one_line_exit_2(&o, "alpha above 0", "alpha above 0");
}

#[test]
fn a_report_asked_for_a_missing_baseline_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(FIXTURE, dir.path().join("results.json")).unwrap();
    let none = dir.path().join("none.jsonl");
    let args = |b: &'static str| {
        let mut a = vec!["report".to_owned(), dir.path().to_str().unwrap().into(), "--history".into()];
        a.extend([none.to_str().unwrap().into(), "--baselines".into(), dir.path().join("bl").to_str().unwrap().into()]);
        a.extend(["--baseline".into(), b.into()]);
        a
    };
    let run = |b| {
        let a = args(b);
        spanalloc(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    one_line_exit_2(&run("nope"), "no such baseline", "no such baseline");
    assert!(!dir.path().join("index.html").exists(), "no page that quietly compared with nothing");
    // `none` is the way to ask for no comparison.
    let o = run("none");
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn between_with_thresholds_is_refused() {
    let o = spanalloc(&["compare", "--between", "value-copy", "pooled", FIXTURE, "--thresholds", THRESHOLDS]);
    one_line_exit_2(&o, "--between judges nothing", "--between judges nothing");
}
