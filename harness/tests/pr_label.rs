//! `scripts/pr-label.sh`, which the pull-request judge asks whether the accept label counts for
//! the head it judges. scripts/check-pr.sh rehearses the judge with a stale label and then a
//! current one; this walks every case of the events, a pull request without the label among them.

use std::io::Write;
use std::process::{Command, Stdio};

const LABEL: &str = "allocations-accepted";
const MEASURED_AT: &str = "2026-12-05T10:00:00Z";

fn said(events: &str) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/pr-label.sh");
    let mut child = Command::new("bash")
        .args([script, LABEL, MEASURED_AT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(events.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().trim().to_owned()
}

fn event(kind: &str, name: &str, at: &str) -> String {
    format!(r#"{{"event": "{kind}", "label": {{"name": "{name}"}}, "created_at": "{at}"}}"#)
}

#[test]
fn the_label_counts_only_when_added_after_the_heads_run_began_and_not_removed() {
    let events = |list: &[String]| format!("[{}]", list.join(", "));
    let (before, after, later) = ("2026-12-05T09:00:00Z", "2026-12-05T11:00:00Z", "2026-12-05T12:00:00Z");
    assert_eq!(said("[]"), "none", "no events");
    assert_eq!(said(&events(&[event("labeled", "bug", after)])), "none", "another label");
    assert_eq!(said(&events(&[event("labeled", LABEL, after)])), "current");
    assert_eq!(said(&events(&[event("labeled", LABEL, MEASURED_AT)])), "current", "added as the run began");
    assert_eq!(said(&events(&[event("labeled", LABEL, before)])), "stale", "added on an earlier head");
    assert_eq!(said(&events(&[event("labeled", LABEL, after), event("unlabeled", LABEL, later)])), "none", "removed");
    assert_eq!(
        said(&events(&[event("labeled", LABEL, later), event("unlabeled", LABEL, after), event("labeled", LABEL, before)])),
        "current",
        "events out of order: the last addition counts"
    );
    assert_eq!(said(&events(&[event("labeled", LABEL, before), event("unlabeled", LABEL, before)])), "none");
}
