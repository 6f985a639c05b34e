//! `scripts/measurement-changes.sh`, which the pull-request judge runs to flag a head that changes
//! how it is measured or judged: the judge's own files, and a scenario's declarations of how its
//! row is judged (a waiver, a tolerance, its gate rate) — never a scenario's ordinary code.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().trim().to_owned()
}

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_scenarios_declaration_of_its_judgement_is_a_measurement_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "scenarios/mine/src/lib.rs", "pub fn entry() -> Scenario {\n    Scenario::new(\"mine\")\n}\n");
    write(d, "scenarios/other/src/lib.rs", "fn hand_off() {}\n");
    write(d, "README.md", "x\n");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base"]);
    let base = git(d, &["rev-parse", "HEAD"]);
    // The head waives its row's cross-check, changes another scenario's code and the README.
    write(
        d,
        "scenarios/mine/src/lib.rs",
        "pub fn entry() -> Scenario {\n    Scenario::new(\"mine\").waived(\"trust me\")\n        .with(|s| s.cross_check_waived = None)\n}\n",
    );
    write(d, "scenarios/other/src/lib.rs", "fn hand_off() { let _ = Box::new(1); }\n");
    write(d, "README.md", "y\n");
    write(d, "harness/judge/src/rules/exact.rs", "// loosened\n");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "head"]);
    let head = git(d, &["rev-parse", "HEAD"]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/measurement-changes.sh");
    let o = Command::new("bash").args([script, &base, &head]).current_dir(d).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let listed = String::from_utf8(o.stdout).unwrap();
    assert_eq!(listed, "harness/judge/src/rules/exact.rs\nscenarios/mine/src/lib.rs\n");
}
