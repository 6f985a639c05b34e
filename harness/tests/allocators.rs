//! The allocator axis: the same rows over system, jemalloc and mimalloc. Allocation counts and
//! requested bytes are the program's, not the allocator's: every exact row must count the same
//! over each. Needs the allocator executables, so it runs with the features on:
//! `cargo test -p spanalloc --features jemalloc,mimalloc --test allocators` (`.ci/run` does).
#![cfg(all(feature = "jemalloc", feature = "mimalloc"))]

use std::process::Command;

use spanalloc::record::Results;

#[test]
fn exact_rows_count_the_same_over_every_allocator() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_spanalloc"))
        .args(["run", "--allocator", "system,jemalloc,mimalloc", "--trace-state", "1,4", "--spans", "3000", "--wide"])
        .args(["--warmup", "500", "--rate", "0", "--no-dhat", "--out"])
        .arg(dir.path())
        // cargo built the executables for this test; a nested cargo would wait on its lock.
        .env("SPANALLOC_PREBUILT_ALLOCATORS", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let r: Results = serde_json::from_slice(&std::fs::read(dir.path().join("results.json")).unwrap()).unwrap();
    assert_eq!(r.allocators(), ["system", "jemalloc", "mimalloc"]);
    let mut checked = 0;
    for s in r.scenarios.iter().filter(|s| s.allocator == "system" && s.name != "otel-sdk") {
        for other in ["jemalloc", "mimalloc"] {
            let o = r
                .scenarios
                .iter()
                .find(|o| o.name == s.name && o.trace_state_entries == s.trace_state_entries && o.allocator == other)
                .unwrap_or_else(|| panic!("{} ts={} has no {other} row", s.name, s.trace_state_entries));
            assert_eq!(
                (o.metrics.allocs, o.metrics.bytes_allocated, o.metrics.allocs_per_span, o.metrics.bytes_per_span),
                (s.metrics.allocs, s.metrics.bytes_allocated, s.metrics.allocs_per_span, s.metrics.bytes_per_span),
                "{} ts={} over {other}",
                s.name,
                s.trace_state_entries
            );
            assert_eq!(o.digest, s.digest);
            assert!(o.metrics.rss_slack_bytes.is_some() && o.metrics.peak_rss_bytes > 0);
            checked += 1;
        }
    }
    assert_eq!(checked, spanalloc_builtin::STRATEGIES.len() * 2 * 2, "every strategy × two sizes × two other allocators");
    // The table names each row's allocator; at --wide, with the RSS the allocator keeps.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("allocator") && stdout.contains("RSS − live") && stdout.contains("mimalloc"), "{stdout}");
}
