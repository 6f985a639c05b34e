//! Turning the passes of one scenario into its [`ScenarioResult`]: medians of the noisy figures,
//! exact figures from the count pass, every repeat's counts, and the dhat cross-check.

use spanalloc_model::stage::Stage;
use spanalloc_record::floors::{BYTES_PER_SPAN_FLOOR, SPANS_PER_ALLOCATION_FLOOR, SPREAD_MARGIN};
use spanalloc_record::schema::{CrossCheck, ExportBatches, Metrics, PerExport, Samples, ScenarioResult, StageRow};
use spanalloc_record::stats::{median, min_max};

use crate::pass::PassOutput;

/// The plain and count passes of one scenario at one trace-state size.
#[derive(Default)]
pub struct Passes {
    /// Plain passes, one per repeat.
    pub plain: Vec<PassOutput>,
    /// Count passes, one per repeat.
    pub count: Vec<PassOutput>,
}

/// Spans exported per second of a pass: what a row that dropped spans really delivered.
fn exported_rate(o: &PassOutput) -> f64 {
    if o.spans == 0 {
        0.0
    } else {
        o.achieved_rate * o.spans_exported as f64 / o.spans as f64
    }
}

fn per_span(total: u64, spans: u64) -> f64 {
    if spans == 0 {
        0.0
    } else {
        total as f64 / spans as f64
    }
}

/// Why a scenario's passes cannot be combined.
#[derive(Debug, PartialEq)]
pub struct Inconsistent(pub String);

/// Combines the passes. All passes of one workload must agree on spans and digest.
/// `exact_counts` is the scenario's own claim that its counts do not depend on thread timing.
pub fn combine(
    name: &str,
    trace_state: usize,
    producers: usize,
    exact_counts: bool,
    p: &Passes,
) -> Result<ScenarioResult, Inconsistent> {
    let first_count = p.count.first().ok_or_else(|| Inconsistent("no count pass".into()))?;
    let first_plain = p.plain.first().ok_or_else(|| Inconsistent("no plain pass".into()))?;
    // A scenario with its own pipeline may drop spans, differently in each pass; the run then
    // compares what it exported with the strategies (see `dropped_spans`).
    for pass in p.plain.iter().chain(&p.count).filter(|_| exact_counts) {
        if (pass.spans_exported, &pass.digest) != (first_count.spans_exported, &first_count.digest) {
            return Err(Inconsistent(format!(
                "the {} pass exported {} spans with digest {}, the count pass {} with {}",
                pass.pass, pass.spans_exported, pass.digest, first_count.spans_exported, first_count.digest
            )));
        }
    }
    let counts = first_count.counts.ok_or_else(|| Inconsistent("count pass reported no counts".into()))?;
    // Exact means exact: one producer and a scenario whose counts do not depend on thread timing
    // must count the same allocations and bytes in every repeat.
    if exact_counts && producers == 1 {
        for (i, pass) in p.count.iter().enumerate().skip(1) {
            let other = pass.counts.ok_or_else(|| Inconsistent("count pass reported no counts".into()))?;
            let every = |c: &crate::meter::Counts| (c.allocs, c.bytes_allocated, c.reallocs, c.deallocs);
            if every(&other) != every(&counts) {
                return Err(Inconsistent(format!(
                    "exact counts differ between repeats: count pass 1 saw {} allocations / {} bytes / {} reallocations / {} deallocations, count pass {} saw {} / {} / {} / {}",
                    counts.allocs,
                    counts.bytes_allocated,
                    counts.reallocs,
                    counts.deallocs,
                    i + 1,
                    other.allocs,
                    other.bytes_allocated,
                    other.reallocs,
                    other.deallocs
                )));
            }
        }
    }
    let spans = first_count.spans;
    let cpu = |o: &PassOutput| per_span(o.cpu_ns, o.spans);
    let samples = Samples {
        cpu_ns_per_span: p.plain.iter().map(cpu).collect(),
        count_cpu_ns_per_span: p.count.iter().map(cpu).collect(),
        latency_p50_ns: p.plain.iter().map(|o| o.latency_p50_ns as f64).collect(),
        latency_p99_ns: p.plain.iter().map(|o| o.latency_p99_ns as f64).collect(),
        peak_rss_bytes: p.plain.iter().map(|o| o.peak_rss_bytes as f64).collect(),
        achieved_rate: p.plain.iter().map(exported_rate).collect(),
        peak_heap_bytes: p.count.iter().filter_map(|o| o.peak_heap_bytes).map(|b| b as f64).collect(),
        allocs: p.count.iter().filter_map(|o| o.counts.map(|c| c.allocs)).collect(),
        bytes_allocated: p.count.iter().filter_map(|o| o.counts.map(|c| c.bytes_allocated)).collect(),
        reallocs: p.count.iter().filter_map(|o| o.counts.map(|c| c.reallocs)).collect(),
        deallocs: p.count.iter().filter_map(|o| o.counts.map(|c| c.deallocs)).collect(),
        export_batches: p.count.iter().filter_map(|o| o.export_batches).collect(),
        gc_cycles: p.count.iter().filter_map(|o| o.gc_cycles).collect(),
    };
    let count_median = |f: fn(&PassOutput) -> Option<f64>| median(&p.count.iter().filter_map(f).collect::<Vec<_>>());
    let plain_cpu = median(&samples.cpu_ns_per_span);
    let rate = median(&samples.achieved_rate);
    let calls = counts.allocs + counts.deallocs + counts.reallocs;
    let metrics = Metrics {
        allocs: counts.allocs,
        deallocs: counts.deallocs,
        reallocs: counts.reallocs,
        bytes_allocated: counts.bytes_allocated,
        bytes_deallocated: counts.bytes_deallocated,
        allocs_per_span: per_span(counts.allocs, spans),
        bytes_per_span: per_span(counts.bytes_allocated, spans),
        peak_heap_bytes: median(&samples.peak_heap_bytes) as u64,
        setup_heap_bytes: count_median(|o| o.setup_heap_bytes.map(|b| b as f64)) as u64,
        retained_heap_bytes: count_median(|o| o.retained_heap_bytes.map(|b| b as f64)) as i64,
        peak_heap_error_bytes: first_count.peak_heap_error_bytes.unwrap_or(0),
        peak_rss_bytes: median(&samples.peak_rss_bytes) as u64,
        achieved_rate: rate,
        max_lag_ns: median(&p.plain.iter().map(|o| o.max_lag_ns as f64).collect::<Vec<_>>()) as u64,
        cpu_ns_per_span: plain_cpu,
        latency_p50_ns: median(&samples.latency_p50_ns) as u64,
        latency_p99_ns: median(&samples.latency_p99_ns) as u64,
        latency_max_ns: median(&p.plain.iter().map(|o| o.latency_max_ns as f64).collect::<Vec<_>>()) as u64,
        allocs_per_sec: per_span(calls, spans) * rate,
        meter_overhead: if plain_cpu > 0.0 { median(&samples.count_cpu_ns_per_span) / plain_cpu } else { 0.0 },
        rss_slack_bytes: p
            .count
            .iter()
            .any(|o| o.peak_live_bytes.is_some())
            .then(|| count_median(|o| o.peak_live_bytes.map(|live| o.peak_rss_bytes as f64 - live as f64)) as i64),
        gc_cycles: p.count.iter().any(|o| o.gc_cycles.is_some()).then(|| count_median(|o| o.gc_cycles.map(|g| g as f64)) as u64),
        gc_pause_ns: p
            .count
            .iter()
            .any(|o| o.gc_pause_ns.is_some())
            .then(|| count_median(|o| o.gc_pause_ns.map(|g| g as f64)) as u64),
    };
    let stages = first_count
        .stages
        .as_ref()
        .map(|rows| {
            Stage::ALL
                .iter()
                .zip(rows)
                .map(|(s, [a, b])| StageRow {
                    stage: s.name().into(),
                    allocs: *a,
                    bytes: *b,
                    allocs_per_span: per_span(*a, spans),
                })
                .collect()
        })
        .unwrap_or_default();
    let spans_exported = p.plain.iter().chain(&p.count).map(|o| o.spans_exported).min().unwrap_or(first_plain.spans_exported);
    Ok(ScenarioResult {
        name: name.into(),
        trace_state_entries: trace_state,
        allocator: first_count.allocator.clone().unwrap_or_else(|| "system".into()),
        language: first_count.language.clone().unwrap_or_else(|| "rust".into()),
        exact_counts: exact_counts && producers == 1,
        counts_tolerance_pct: None,
        producers,
        spans,
        spans_exported,
        digest: first_count.digest.clone(),
        same_work: spanalloc_record::schema::SAME_WORK_DIGEST.into(),
        carries_trace_state: true,
        dropped_spans: 0,
        rate: None,
        settings: first_count.settings.clone(),
        metrics,
        samples,
        dhat: None,
        cross_check: None,
        stages,
        timeline: first_count.timeline.clone().unwrap_or_default(),
        current_check: p.count.iter().find_map(|o| o.current_check),
        per_export: None,
        bytes_modes: None,
        instructions: None,
        verified: None,
        holds: None,
        provenance: None,
        environment: None,
    })
}

/// dhat's blocks and bytes against the count meter's on the same spans (the dhat pass and its
/// `twins`, count passes of the same workload): exactly where the counts do not depend on thread
/// timing (one producer, a scenario that says so). Otherwise against the twins' median, within
/// the gate's own floor (one block per 100 spans, one byte per span) or the twins' measured
/// spread if that is wider — the rule `compare` gates such a row by, not a percentage. A row
/// with a cost per export is checked net of it on both sides, for each pass's own batches: the
/// profiler's slowdown changes how many exports the same spans take, not what each costs.
pub fn cross_check(
    dhat: &PassOutput,
    twins: &[PassOutput],
    exact: bool,
    per_export: Option<&PerExport>,
) -> Result<CrossCheck, Inconsistent> {
    let d = dhat.dhat.as_ref().ok_or_else(|| Inconsistent("the dhat pass reported no profile".into()))?;
    // What a pass's exports cost, in blocks and bytes: nothing without a declared cost.
    let exports = |p: &PassOutput| -> Result<(u64, u64), Inconsistent> {
        let Some(c) = per_export else { return Ok((0, 0)) };
        let n = p.export_batches.ok_or_else(|| Inconsistent(format!("the {} pass recorded no export batches", p.pass)))?;
        Ok((c.allocs * n, c.bytes * n))
    };
    let (dhat_export_blocks, dhat_export_bytes) = exports(dhat)?;
    let mut blocks = Vec::new();
    let mut bytes = Vec::new();
    for twin in twins {
        let counts = twin.counts.ok_or_else(|| Inconsistent("the dhat twin count pass reported no counts".into()))?;
        if twin.spans != d.spans {
            return Err(Inconsistent(format!("dhat ran {} spans, its twin count pass {}", d.spans, twin.spans)));
        }
        let (export_blocks, export_bytes) = exports(twin)?;
        blocks.push(counts.dhat_blocks().saturating_sub(export_blocks));
        bytes.push(counts.dhat_bytes().saturating_sub(export_bytes));
    }
    let (Some(&b0), Some(&y0)) = (blocks.first(), bytes.first()) else {
        return Err(Inconsistent("the dhat pass has no twin count pass".into()));
    };
    let spread = |v: &[u64]| {
        let (lo, hi) = min_max(v);
        hi - lo
    };
    let middle = |v: &[u64]| median(&v.iter().map(|&x| x as f64).collect::<Vec<_>>()).round() as u64;
    let (meter_blocks, meter_bytes, tolerance_blocks, tolerance_bytes) = if exact {
        (b0, y0, 0, 0)
    } else {
        let floor_blocks = d.spans.div_ceil(SPANS_PER_ALLOCATION_FLOOR);
        let floor_bytes = (d.spans as f64 * BYTES_PER_SPAN_FLOOR) as u64;
        let margin = |r: u64| (r as f64 * (1.0 + SPREAD_MARGIN)).ceil() as u64;
        (middle(&blocks), middle(&bytes), floor_blocks.max(margin(spread(&blocks))), floor_bytes.max(margin(spread(&bytes))))
    };
    let (dhat_blocks, dhat_bytes) =
        (d.total_blocks.saturating_sub(dhat_export_blocks), d.total_bytes.saturating_sub(dhat_export_bytes));
    let batches = |p: &PassOutput| p.export_batches.unwrap_or(0);
    Ok(CrossCheck {
        agrees: dhat_blocks.abs_diff(meter_blocks) <= tolerance_blocks && dhat_bytes.abs_diff(meter_bytes) <= tolerance_bytes,
        spans: d.spans,
        dhat_blocks,
        meter_blocks,
        dhat_bytes,
        meter_bytes,
        export_batches: per_export.map(|_| ExportBatches { dhat: batches(dhat), meter: twins.iter().map(batches).collect() }),
        exact,
        tolerance_blocks,
        tolerance_bytes,
        retried_at_rate: None,
        waived: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(name: &str, allocs: u64, bytes: u64, peak: u64) -> PassOutput {
        PassOutput {
            pass: name.into(),
            scenario: "s".into(),
            spans: 100,
            spans_exported: 100,
            digest: "00".into(),
            cpu_ns: 1000,
            emit_elapsed_ns: 1000,
            achieved_rate: 1.0,
            max_lag_ns: 0,
            latency_p50_ns: 1,
            latency_p99_ns: 1,
            latency_max_ns: 1,
            peak_rss_bytes: 1000 + peak,
            counts: Some(crate::meter::Counts { allocs, bytes_allocated: bytes, ..Default::default() }),
            setup_heap_bytes: Some(10),
            retained_heap_bytes: Some(0),
            peak_heap_bytes: Some(peak),
            peak_heap_error_bytes: Some(0),
            peak_live_bytes: Some(peak + 50),
            allocator: Some("jemalloc".into()),
            language: None,
            gc_cycles: None,
            gc_pause_ns: None,
            stages: None,
            timeline: None,
            dhat: None,
            settings: Default::default(),
            current_check: None,
            export_batches: None,
        }
    }

    fn passes(counts: &[(u64, u64, u64)]) -> Passes {
        Passes {
            plain: counts.iter().map(|_| pass("plain", 0, 0, 0)).collect(),
            count: counts.iter().map(|&(a, b, p)| pass("count", a, b, p)).collect(),
        }
    }

    #[test]
    fn exact_counts_must_repeat_exactly() {
        let same = passes(&[(500, 8000, 100), (500, 8000, 300), (500, 8000, 200)]);
        let r = combine("s", 4, 1, true, &same).unwrap();
        assert_eq!(r.metrics.peak_heap_bytes, 200, "the median of the count passes' peaks");
        assert_eq!(r.samples.peak_heap_bytes, vec![100.0, 300.0, 200.0]);
        // RSS − live of each count pass (1000 + peak − (peak + 50)), then the median.
        assert_eq!(r.metrics.rss_slack_bytes, Some(950));
        assert_eq!(r.allocator, "jemalloc", "the allocator the child said it ran on");
        assert_eq!(r.samples.allocs, vec![500, 500, 500], "every repeat's counts are recorded");
        assert!(r.exact_counts);
        let differ = passes(&[(500, 8000, 100), (501, 8016, 100)]);
        let e = combine("s", 4, 1, true, &differ).unwrap_err();
        assert!(e.0.contains("500 allocations / 8000 bytes") && e.0.contains("501 / 8016"), "{}", e.0);
        // Several producers, or a scenario with its own pipeline: counts may move a little.
        let several = combine("s", 4, 2, true, &differ).unwrap();
        assert!(!several.exact_counts, "several producers: counts move");
        assert_eq!(several.samples.bytes_allocated, vec![8000, 8016]);
        assert!(combine("s", 4, 1, false, &differ).is_ok());
    }

    fn dhat_pass(blocks: u64, bytes: u64) -> PassOutput {
        let mut p = pass("dhat", 0, 0, 0);
        p.dhat = Some(spanalloc_record::schema::DhatSummary {
            spans: 100,
            total_blocks: blocks,
            total_bytes: bytes,
            max_bytes: 0,
            allocs_per_span: 0.0,
            bytes_per_span: 0.0,
            file: String::new(),
            top_sites: vec![],
            sites: vec![],
        });
        p
    }

    /// Exact rows agree exactly; rows whose counts move within the gate's floor (1 block per 100
    /// spans, 1 B per span) or their twins' measured spread, never a percentage.
    #[test]
    fn the_cross_check_is_exact_or_within_the_measured_spread() {
        let twin = |a, b| {
            let mut p = pass("count", a, b, 0);
            p.counts = Some(crate::meter::Counts { allocs: a, bytes_allocated: b, fresh_bytes: b, ..Default::default() });
            p
        };
        assert!(cross_check(&dhat_pass(500, 8000), &[twin(500, 8000)], true, None).unwrap().agrees);
        assert!(!cross_check(&dhat_pass(501, 8000), &[twin(500, 8000)], true, None).unwrap().agrees);
        // 100 spans: a floor of 1 block and 100 bytes.
        let c = cross_check(&dhat_pass(501, 8100), &[twin(500, 8000)], false, None).unwrap();
        assert!(c.agrees && (c.tolerance_blocks, c.tolerance_bytes) == (1, 100), "{c:?}");
        assert!(!cross_check(&dhat_pass(502, 8000), &[twin(500, 8000)], false, None).unwrap().agrees);
        // Twins 10 blocks apart: the spread, widened by the margin, decides.
        let c = cross_check(&dhat_pass(525, 8000), &[twin(500, 8000), twin(510, 8000), twin(505, 8000)], false, None).unwrap();
        assert_eq!((c.meter_blocks, c.tolerance_blocks), (505, 20));
        assert!(c.agrees);
        assert!(
            !cross_check(&dhat_pass(526, 8000), &[twin(500, 8000), twin(510, 8000), twin(505, 8000)], false, None)
                .unwrap()
                .agrees
        );
        // 1% of 50,000 would let 500 blocks through; the floor lets 1.
        assert!(!cross_check(&dhat_pass(50_400, 8000), &[twin(50_000, 8000)], false, None).unwrap().agrees);
    }

    /// A row with a cost per export (opentelemetry_sdk 0.28: two blocks and 24 bytes each) is
    /// checked net of it on both sides: a profile whose slowdown took 1,000 exports more agrees;
    /// a block per 100 spans more does not; and a pass without its batches cannot be checked.
    #[test]
    fn a_cost_per_export_is_taken_off_both_sides_of_the_cross_check() {
        let cost = PerExport { allocs: 2, bytes: 24, why: "test".into() };
        let exported = |mut p: PassOutput, batches: u64| {
            p.export_batches = Some(batches);
            p
        };
        let twin = |a: u64, b: u64, batches: u64| {
            let mut p = pass("count", a + 2 * batches, b + 24 * batches, 0);
            let (a, b) = (a + 2 * batches, b + 24 * batches);
            p.counts = Some(crate::meter::Counts { allocs: a, bytes_allocated: b, fresh_bytes: b, ..Default::default() });
            exported(p, batches)
        };
        let twins = [twin(500, 8000, 5), twin(501, 8000, 6), twin(500, 8000, 5)];
        let dhat = |blocks: u64, batches: u64| exported(dhat_pass(blocks + 2 * batches, 8000 + 24 * batches), batches);
        let c = cross_check(&dhat(500, 1000), &twins, false, Some(&cost)).unwrap();
        assert!(c.agrees, "{c:?}");
        assert_eq!((c.dhat_blocks, c.meter_blocks), (500, 500));
        assert_eq!(c.export_batches, Some(ExportBatches { dhat: 1000, meter: vec![5, 6, 5] }));
        assert!(!cross_check(&dhat(500, 1000), &twins, false, None).unwrap().agrees, "as measured, it disagrees");
        assert!(!cross_check(&dhat(503, 1000), &twins, false, Some(&cost)).unwrap().agrees);
        let mut blind = dhat(500, 1000);
        blind.export_batches = None;
        assert!(cross_check(&blind, &twins, false, Some(&cost)).is_err());
    }
}
