//! The live-heap timeline of the measured region.

use crate::report::charts::{self, Series};
use crate::report::page::Builder;

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("timeline", &format!("Live heap over the measured region (trace-state {})", b.ts));
    let series: Vec<Series> = b
        .at_ts()
        .iter()
        .filter(|s| !s.timeline.is_empty())
        .map(|s| Series {
            label: s.name.clone(),
            points: s.timeline.iter().map(|p| (p[0] as f64, p[1] as f64 / 1024.0)).collect(),
        })
        .collect();
    if series.is_empty() {
        b.absent("No timeline was recorded.");
    } else {
        b.chart("timeline", charts::lines("live heap", "ms", "KiB", &series));
    }
    b.end();
}
