//! The trace-state sweep: allocs/span and bytes/span against the number of entries, where the strategies cross.

use crate::report::builder::Builder;
use crate::report::charts::{self, Series, XAxis};
use spanalloc_record::schema::ScenarioResult;

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("sweep", "Trace-state sweep: where the strategies cross");
    let mut sizes = b.results().config.trace_state.clone();
    sizes.sort_unstable();
    if sizes.len() < 2 {
        let one = sizes.first().copied().unwrap_or(0);
        b.absent(&format!("This run used one trace-state size ({one}); run with --trace-state 0,1,4,32 for the sweep."));
        b.end();
        return;
    }
    let mut names: Vec<String> = Vec::new();
    for s in &b.results().scenarios {
        if !names.contains(&s.name) {
            names.push(s.name.clone());
        }
    }
    let series = |f: fn(&ScenarioResult) -> f64| -> Vec<Series> {
        names
            .iter()
            .map(|n| Series {
                label: b.results().marked_name(n),
                points: b.results().primary().filter(|s| &s.name == n).map(|s| (s.trace_state_entries as f64, f(s))).collect(),
            })
            .collect()
    };
    let (allocs, bytes) = (series(|s| s.metrics.allocs_per_span), series(|s| s.metrics.bytes_per_span));
    let axis = XAxis::Categories(sizes.iter().map(|&s| (s as f64, s.to_string())).collect());
    b.charts([
        (
            "sweep-allocs",
            charts::lines("allocations per span by trace-state entries", "entries", "allocs/span", &allocs, &axis, false, None),
        ),
        (
            "sweep-bytes",
            charts::lines("bytes per span by trace-state entries", "entries", "bytes/span", &bytes, &axis, false, None),
        ),
    ]);
    b.end();
}
