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
        .map(|s| Series { label: s.label(), points: s.timeline.iter().map(|p| (p[0] as f64, p[1] as f64 / 1024.0)).collect() })
        .collect();
    if series.is_empty() {
        b.absent("No timeline was recorded.");
    } else {
        b.chart("timeline", charts::small_multiples("live heap above the harness's own", "ms", "KiB", &series));
    }
    b.end();
}
