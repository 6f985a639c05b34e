//! Every release does the same work (the digest), names the release Cargo.lock resolved, and the
//! steps between releases are explained by site: in `compare --between` and in the report.

use std::process::Command;

const ROWS: [&str; 6] = ["otel-sdk@0.28", "otel-sdk@0.29", "otel-sdk@0.30", "otel-sdk@0.31", "otel-sdk@0.32", "otel-sdk"];

fn releases(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_spanalloc-releases")).args(args).output().unwrap()
}

/// `opentelemetry_sdk`'s versions in this workspace's Cargo.lock.
fn locked_sdk_versions() -> Vec<String> {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock")).unwrap();
    let lines: Vec<&str> = lock.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0] == "name = \"opentelemetry_sdk\"")
        .map(|w| w[1].trim_start_matches("version = \"").trim_end_matches('"').to_owned())
        .collect()
}

#[test]
fn six_releases_do_the_same_work_and_each_step_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    // Paced at 20,000 spans/s: at the SDK's 40,000 gate rate a debug build of six releases on a
    // loaded runner can fall behind, its bounded queue drops spans, and the run fails on what this
    // test does not look at (the releases' work and sites, not their pace).
    let mut args =
        vec!["run", "--spans", "2600", "--rate", "20000", "--trace-state", "0,4", "--dhat-spans", "1300", "--out", out];
    for row in ROWS {
        args.extend(["--scenario", row]);
    }
    let o = releases(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("results.json")).unwrap()).unwrap();
    assert_eq!(r["failures"], serde_json::json!([]));
    let locked = locked_sdk_versions();
    for (i, ts) in [0u64, 4].into_iter().enumerate() {
        let expected = &r["config"]["expected"][i];
        for name in ROWS {
            let row = r["scenarios"].as_array().unwrap().iter().find(|s| s["name"] == name && s["trace_state_entries"] == ts);
            let row = row.unwrap_or_else(|| panic!("no {name} at ts={ts}"));
            assert_eq!(row["digest"], expected["digest"], "{name} ts={ts}");
            assert_eq!(row["spans_exported"], expected["spans_exported"], "{name} ts={ts}");
            let release = row["settings"]["opentelemetry_sdk release"].as_str().unwrap();
            assert!(locked.iter().any(|v| v == release), "{name} says {release}; Cargo.lock has {locked:?}");
            if let Some(minor) = name.strip_prefix("otel-sdk@") {
                assert!(release.starts_with(&format!("{minor}.")), "{name} runs over {release}");
            }
        }
    }
    // 0.32 boxed the span in 96 fewer bytes (BoxedSpan::new, 384 → 288 B per span).
    let o = releases(&["compare", "--between", "otel-sdk@0.31", "otel-sdk@0.32", &format!("{out}/results.json")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let between = String::from_utf8_lossy(&o.stdout);
    assert!(between.lines().any(|l| l.contains("BoxedSpan::new") && l.contains("-96.0")), "{between}");
    let page = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    let section = &page[page.find("opentelemetry_sdk by release").expect("the section")..];
    let section = &section[..section.find("</section>").unwrap()];
    for step in ["0.28.0 → 0.29.0", "0.29.0 → 0.30.0", "0.30.0 → 0.31.0", "0.31.0 → 0.32.1", "0.32.1 → 0.33.1"] {
        assert_eq!(section.matches(step).count(), 2, "{step} at both sizes in:\n{section}");
    }
    let step = &section[section.find("0.31.0 → 0.32.1, n = 0").unwrap()..];
    let step = &step[..step.find("</ul>").unwrap()];
    assert!(step.contains("BoxedSpan::new</code>: +0.000 blocks/span, -96.0 B/span"), "{step}");
}
