//! How long the change-point analysis of a year of nights takes: 365 nights of a history with
//! as many series as the nightly has today (its rows × sizes × seven metrics), CPU figures drawn
//! with steps and noise, counts with a step, analysed once, timed (median of 5 runs).
//!
//! cargo run --release -p spanalloc-judge --example year_of_nights [NIGHTS] [ROWS]

use std::time::Instant;

use spanalloc_judge::changes::{self, edivisive, synthetic};
use spanalloc_record::history::{HeadlineRow, HistoryEntry};
use spanalloc_record::input::parse_results;

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().expect("a number"));
    let nights = args.next().unwrap_or(365);
    // The full nightly: 13 rows (5 strategies, otel-sdk, 5 Go rows, 2 real stacks) × 4 sizes.
    let rows = args.next().unwrap_or(52);
    let results = parse_results(include_bytes!("../../record/tests/fixtures/results-v1.json")).unwrap();
    let template = HistoryEntry::from_results(&results);
    let row = template.headline[0].clone();
    let series: Vec<Vec<f64>> = (0..rows)
        .map(|r| {
            let plant = synthetic::Plant {
                len: nights,
                level: 1000.0 + r as f64,
                step_at: Some(nights / 3),
                step: 0.05,
                drift: 0.02,
                noise: changes::NOISE_CPU,
            };
            synthetic::series(&plant, r as u64)
        })
        .collect();
    let entries: Vec<HistoryEntry> = (0..nights)
        .map(|i| {
            let mut e = template.clone();
            e.run_id = Some(format!("night{i}"));
            e.fingerprint = Some("machine".into());
            e.counts_key = Some("key".into());
            e.headline = (0..rows)
                .map(|r| HeadlineRow {
                    scenario: format!("row{}", r / 4),
                    trace_state_entries: r % 4,
                    cpu_ns_per_span: series[r][i],
                    latency_p99_ns: (series[r][(i + 7) % nights] * 100.0) as u64,
                    peak_rss_bytes: (series[r][(i + 3) % nights] * 1e4) as u64,
                    peak_heap_bytes: (series[r][(i + 5) % nights] * 1e3) as u64,
                    allocs_per_span: if i > nights / 2 { 7.0 } else { 6.0 },
                    exact_counts: Some(true),
                    reallocs_per_span: None,
                    leaked_blocks_per_span: None,
                    instructions_per_span: Some(series[r][(i + 11) % nights] * 20.0),
                    ..row.clone()
                })
                .collect();
            e
        })
        .collect();
    let n_series = changes::series(&entries).len();
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..5 {
        let t = Instant::now();
        found = changes::changes(&entries, &edivisive::Options::default()).len();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{nights} nights × {n_series} series: {found} change points in {:.3} s (median of 5; fastest {:.3} s)",
        times[2], times[0]
    );
}
