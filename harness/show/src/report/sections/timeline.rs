//! The live-heap timeline of the measured region: one panel per scenario, each with its own
//! scale, so a large heap (the SDK's queue) does not flatten the others into the axis.

use crate::report::builder::Builder;
use crate::report::charts::{self, Series};

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    let period = b.results().config.meter.timeline_period_ms;
    b.section("timeline", &format!("Live heap over the measured region (trace-state {}, a sample every {period} ms)", b.ts));
    let series: Vec<Series> = b
        .at_ts()
        .iter()
        .filter(|s| !s.timeline.is_empty())
        .map(|s| {
            // Seconds from the region's first sample: a reader asks "how long into the pass".
            let start = s.timeline.first().map_or(0, |p| p[0]);
            let points = s.timeline.iter().map(|p| (p[0].saturating_sub(start) as f64 / 1000.0, p[1] as f64 / 1024.0)).collect();
            Series { label: s.label(), points }
        })
        .collect();
    if series.is_empty() {
        b.absent("No timeline was recorded.");
    } else {
        b.chart(
            "timeline",
            charts::small_multiples("live heap above the harness's own", "s from the measured region's start", "KiB", &series),
        );
    }
    b.end();
}
