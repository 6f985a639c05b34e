//! Wall time of `report` over a long history: 100,000 nightly lines (about 270 years of nights),
//! read, searched for change points over the whole, and drawn over the last 365
//! (harness/show/src/report/sections/history.rs). The target is under 5 s on a 2-core machine; a
//! test checks the window (harness/tests/report.rs), this measures the time. Not in the nightly's
//! list: run it with `cargo bench -p spanalloc-benches --bench report_history`.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use spanalloc_record::history::HistoryEntry;
use spanalloc_record::input::parse_results;
use spanalloc_show::report::{gather, write, Sources};

const FIXTURE: &[u8] = include_bytes!("../../harness/record/tests/fixtures/results-v1.json");

/// A run folder holding the fixture, and a history of `n` nights of it beside it: a step in
/// allocations at 80% of the way, CPU moving a few percent night to night.
fn setup(n: usize) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("spanalloc-bench-history-{}", std::process::id()));
    let run = dir.join("run");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::write(run.join("results.json"), FIXTURE).unwrap();
    let base = HistoryEntry::from_results(&parse_results(FIXTURE).unwrap());
    let mut text = String::new();
    for i in 0..n {
        let mut e = base.clone();
        e.run_id = Some(format!("run{i:06}"));
        e.commit = Some(format!("{i:040x}"));
        e.date = format!("{:04}-{:02}-{:02}T02:17:00Z", 2000 + i / 336, 1 + i % 336 / 28, 1 + i % 28);
        for h in &mut e.headline {
            h.cpu_ns_per_span *= 1.0 + 0.03 * ((i * 7919 % 13) as f64 / 13.0 - 0.5);
            h.allocs_per_span += if i * 5 >= n * 4 { 1.0 } else { 0.0 };
        }
        text.push_str(&serde_json::to_string(&e).unwrap());
        text.push('\n');
    }
    let history = dir.join("history.jsonl");
    std::fs::write(&history, text).unwrap();
    (run, history)
}

fn report_history(c: &mut Criterion) {
    let (run, history) = setup(100_000);
    let sources = Sources { history: history.clone(), ..Sources::default() };
    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    g.bench_function("history-100000", |b| b.iter(|| write(&run, &gather(&run, &sources).unwrap()).unwrap()));
    g.finish();
    let _ = std::fs::remove_dir_all(run.parent().unwrap());
}

criterion_group!(benches, report_history);
criterion_main!(benches);
