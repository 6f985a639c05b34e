//! The sharded night: a small plan measured whole and as two shards, merged, must be the same
//! night — the count fields of its exact rows equal, compare clean against the whole — and a lost
//! shard or a shard of another night must never make a smaller, passing one.

mod common;

use std::path::Path;

use common::{results, spanalloc, stderr};

const ROWS: [&str; 4] = ["value-copy", "pointer-passing", "pooled", "atomic-swap"];

fn run(out: &Path, extra: &[&str]) {
    let mut args =
        vec!["run", "--spans", "20000", "--rate", "0", "--trace-state", "0,4", "--no-dhat", "--out", out.to_str().unwrap()];
    for r in ROWS {
        args.extend(["--scenario", r]);
    }
    args.extend_from_slice(extra);
    let o = spanalloc(&args);
    assert!(o.status.success(), "spanalloc {args:?}: {}", stderr(&o));
}

fn compare(baseline: &Path, current: &Path) -> std::process::Output {
    spanalloc(&["compare", baseline.to_str().unwrap(), current.to_str().unwrap(), "--fail-on", "exact", "--format", "text"])
}

#[test]
fn two_shards_merged_are_the_whole_night_and_a_lost_or_foreign_shard_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (whole, s1, s2, merged) =
        (dir.path().join("whole"), dir.path().join("s1"), dir.path().join("s2"), dir.path().join("merged"));
    run(&whole, &[]);
    run(&s1, &["--shard", "1/2", "--shard-run", "night-7"]);
    run(&s2, &["--shard", "2/2", "--shard-run", "night-7"]);
    let shard = results(&s1);
    assert_eq!(shard.config.trace_state, [0, 4], "a shard's config holds the whole plan");
    assert!(shard.scenarios.iter().all(|s| s.trace_state_entries == 0), "shard 1/2 measures the first size only");
    // One group (the built-in strategies) at two sizes: two units, one a shard, each recorded
    // whole in every shard's file.
    let split = &shard.config.shard.as_ref().expect("a shard says which it is").split;
    let dealt: Vec<(usize, usize, &str, usize)> =
        split.iter().map(|u| (u.shard, u.trace_state, u.group.as_str(), u.rows.len())).collect();
    assert_eq!(dealt, [(1, 0, "built-in", ROWS.len()), (2, 4, "built-in", ROWS.len())]);
    assert_eq!(results(&s2).config.shard.unwrap().split, *split, "every shard deals alike");

    let o = spanalloc(&["merge", s1.to_str().unwrap(), s2.to_str().unwrap(), "--out", merged.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (w, m) = (results(&whole), results(&merged));
    assert_eq!(m.scenarios.len(), ROWS.len() * 2);
    let shards = m.config.shards.as_ref().expect("the merge records its shards");
    assert_eq!((shards.count, shards.lost.len(), shards.delivered.len()), (2, 0, 2));
    for ws in w.scenarios.iter().filter(|s| s.exact_counts) {
        let ms = m
            .scenarios
            .iter()
            .find(|s| s.key() == ws.key())
            .unwrap_or_else(|| panic!("{} ts={} not merged", ws.name, ws.trace_state_entries));
        let fields = |s: &spanalloc::record::schema::ScenarioResult| {
            (s.metrics.allocs, s.metrics.reallocs, s.metrics.bytes_allocated, s.dropped_spans, s.digest.clone(), s.spans)
        };
        assert_eq!(
            fields(ms),
            fields(ws),
            "{} ts={}: the merged night's counts differ from the whole's",
            ws.name,
            ws.trace_state_entries
        );
        assert!(ms.environment.is_some(), "a merged row carries its shard's environment");
    }
    let o = compare(&whole.join("results.json"), &merged.join("results.json"));
    assert_eq!(o.status.code(), Some(0), "merged against whole: {}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));

    // Without shard 2: its rows are failures, and compare fails naming them.
    let lost = dir.path().join("lost");
    let o = spanalloc(&["merge", s1.to_str().unwrap(), "--out", lost.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "a merge that lost a shard: {}", stderr(&o));
    assert!(stderr(&o).contains("not measured: shard 2/2 lost"), "{}", stderr(&o));
    let o = compare(&whole.join("results.json"), &lost.join("results.json"));
    let said = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{said}");
    for r in ROWS {
        assert!(said.contains(&format!("{r} ts=4")) && said.contains("not measured: shard 2/2 lost"), "{r}: {said}");
    }

    // A shard of another night is refused, named.
    let other = dir.path().join("other");
    run(&other, &["--shard", "2/2", "--shard-run", "night-8"]);
    let o = spanalloc(&["merge", s1.to_str().unwrap(), other.to_str().unwrap(), "--out", dir.path().join("x").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("a shard of another night (run night-8, not night-7)"), "{}", stderr(&o));
    // And so is the same shard twice in one attempt; a later attempt replaces the earlier.
    let o = spanalloc(&["merge", s1.to_str().unwrap(), s1.to_str().unwrap(), "--out", dir.path().join("y").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let retry = dir.path().join("retry");
    run(&retry, &["--shard", "2/2", "--shard-run", "night-7", "--shard-attempt", "2"]);
    let o = spanalloc(&[
        "merge",
        s1.to_str().unwrap(),
        s2.to_str().unwrap(),
        retry.to_str().unwrap(),
        "--out",
        dir.path().join("z").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let z = results(&dir.path().join("z"));
    assert_eq!(z.config.shards.unwrap().delivered[1].attempt, 2);
}
