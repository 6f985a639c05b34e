//! Bar charts per strategy at one trace-state size: allocs/span, bytes/span, peak heap, peak RSS.

use crate::report::builder::{BarSpec, Builder};
use crate::report::charts;

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("charts", &format!("Per strategy at trace-state {}", b.ts));
    let rows = b.at_ts();
    let specs: [BarSpec; 4] = [
        ("allocs-per-span", "allocations per span", "allocs", |s| s.metrics.allocs_per_span),
        ("bytes-per-span", "bytes allocated per span", "bytes", |s| s.metrics.bytes_per_span),
        ("peak-heap", "peak live heap, setup included (MiB)", "MiB", |s| s.metrics.peak_heap_bytes as f64 / 1048576.0),
        ("peak-rss", "peak RSS (MiB)", "MiB", |s| s.metrics.peak_rss_bytes as f64 / 1048576.0),
    ];
    let member = vec![format!("ts={}", b.ts)];
    let drawn: Vec<(&str, String)> = specs
        .iter()
        .map(|(name, title, unit, f)| {
            let groups: Vec<(String, Vec<Option<f64>>)> = rows.iter().map(|s| (s.label(), vec![Some(f(s))])).collect();
            (*name, charts::hbars(title, unit, &member, &groups))
        })
        .collect();
    b.charts(drawn);
    b.end();
}
