//! How the numbers were measured, with the meter's own settings from results.json.

use crate::report::builder::{esc, Builder};
use spanalloc_record::schema::{Results, ScenarioResult, VerifyOutcome};
use spanalloc_record::units::human_bytes;

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("method", "How these numbers were measured");
    let r = b.results();
    let overheads: Vec<f64> =
        r.scenarios.iter().filter(|s| !s.measured_in_one_pass()).map(|s| s.metrics.meter_overhead).collect();
    let (lo, hi) = overheads.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let checks: Vec<&ScenarioResult> = r.scenarios.iter().filter(|s| s.cross_check.is_some()).collect();
    let agreed = checks.iter().filter(|s| s.cross_check.as_ref().is_some_and(|c| c.agrees)).count();
    let waived: Vec<String> = checks
        .iter()
        .filter_map(|s| s.cross_check.as_ref().filter(|c| !c.agrees).and_then(|c| c.waived.as_ref()).map(|w| (s, w)))
        .map(|(s, w)| {
            format!("{} ts={} ({})", crate::report::builder::esc(&s.name), s.trace_state_entries, crate::report::builder::esc(w))
        })
        .collect();
    let waived = if waived.is_empty() {
        String::new()
    } else {
        format!(" Disagreed, waived by the scenario's own declaration: {}.", waived.join("; "))
    };
    let net: Vec<String> = checks
        .iter()
        .filter_map(|s| Some((s, s.per_export.as_ref()?, s.cross_check.as_ref()?.export_batches.as_ref()?)))
        .map(|(s, cost, batches)| {
            let (lo, hi) = spanalloc_record::stats::min_max(&batches.meter);
            format!(
                "{} ts={} ({} and {} B per export; {} exports in the profile, {lo}–{hi} in its count passes)",
                esc(&s.name),
                s.trace_state_entries,
                spanalloc_judge::rules::net_of_export::allocations(cost.allocs),
                cost.bytes,
                batches.dhat
            )
        })
        .collect();
    let waived = if net.is_empty() {
        waived
    } else {
        format!(
            "{waived} Checked net of the cost each export declares, for rows whose number of exports follows their threads' timing: {}.",
            net.join("; ")
        )
    };
    let overhead = if overheads.is_empty() { "no scenarios".to_owned() } else { format!("{lo:.2}–{hi:.2}×") };
    let html = format!(
        "<ul><li>Each scenario runs in fresh child processes, so peak heap and RSS are its own. Warm-up ({} spans) and setup are outside the measured region.</li>\
         <li><b>plain</b> pass, no meter: CPU per span (getrusage), achieved rate, lag, end-to-export latency, peak RSS (VmHWM). Timing never comes from an instrumented run.</li>\
         <li><b>count</b> pass: per-thread single-writer allocation counters (stats_alloc's shared counters are the reference they are tested against), a peak tracker within threads × {}, a live-heap sample every {} ms, per-stage tallies. Its CPU over the plain pass's, the meter overhead, was {} in this run.</li>\
         <li><b>dhat</b> pass: {} unpaced spans for call sites; a count pass of the same spans must agree with it exactly. {} of {} scenarios agreed.{}</li>\
         {}{}\
         <li>Rust has no garbage collector: allocator calls per second stand in for the article's GC count.</li>\
         <li>Allocation counts and bytes are exact and repeatable; CPU, latency and RSS are noisy: compare them only across repeated runs (--repeat), as spanalloc compare does.</li></ul>",
        r.config.warmup,
        human_bytes(r.config.meter.peak_flush_bytes as f64),
        r.config.meter.timeline_period_ms,
        overhead,
        r.config.dhat_spans.map_or_else(|| "no".into(), |n| n.to_string()),
        agreed,
        checks.len(),
        waived,
        instructions(r, b.ts),
        outside(r)
    );
    b.html.push_str(&html);
    b.end();
}

/// The instructions pass, when the run had one: what it counted at trace-state `ts`, and every
/// row it could not count, with why.
fn instructions(r: &Results, ts: usize) -> String {
    let (Some(spans), Some(tool)) = (r.config.instructions_spans, r.config.instructions_tool.as_deref()) else {
        return String::new();
    };
    let rows: Vec<&ScenarioResult> = r.primary().filter(|s| s.trace_state_entries == ts).collect();
    let counted: Vec<String> = rows
        .iter()
        .filter_map(|s| s.instructions.as_ref().and_then(|i| i.per_span()).map(|p| format!("{} {:.0}", esc(&s.name), p)))
        .collect();
    let missing: Vec<String> = rows
        .iter()
        .filter_map(|s| s.instructions.as_ref().and_then(|i| i.not_measured.as_ref()).map(|w| (s, w)))
        .map(|(s, w)| format!("{} ({})", esc(&s.name), esc(w)))
        .collect();
    let missing = if missing.is_empty() { String::new() } else { format!(" Not counted: {}.", missing.join("; ")) };
    format!(
        "<li><b>instructions</b> pass: {spans} unpaced spans under callgrind ({}), no meter: the instructions every thread ran in the measured region. They repeat to {:.3}% from run to run (the median row, measured) where CPU time moves by {:.0}%, so the history finds a CPU change of a few percent in them (docs/change-points.md); they are not time — a cache miss costs one instruction. Per span at trace-state {ts}: {}.{missing}</li>",
        esc(tool),
        spanalloc_judge::changes::NOISE_INSTRUCTIONS * 100.0,
        spanalloc_judge::changes::NOISE_CPU * 100.0,
        if counted.is_empty() { "none".to_owned() } else { counted.join(", ") },
    )
}

/// The outside check, when the run made one (`run --verify`): every row's verdict at the size it
/// was verified at, with both figures, and every row DHAT cannot see, with why.
fn outside(r: &Results) -> String {
    let Some(v) = r.config.verify.as_ref() else {
        return String::new();
    };
    let figure = |p: [u64; 2]| spanalloc_record::units::range(p[0], p[1]);
    let rows: Vec<String> = r
        .scenarios
        .iter()
        .filter_map(|s| Some((s, s.verified.as_ref()?)))
        .map(|(s, x)| {
            let name = esc(&if s.allocator == "system" { s.label() } else { format!("{} @{}", s.label(), s.allocator) });
            match (x.outcome, x.dhat_blocks, x.meter_blocks) {
                (VerifyOutcome::Agrees | VerifyOutcome::Disagrees, Some(d), Some(m)) => format!(
                    "{name}: <b>{}</b>, DHAT Δblocks {} against the meter's Δ(allocs + reallocs) {}",
                    if x.outcome == VerifyOutcome::Agrees { "✓ verified" } else { "✗ disagrees" },
                    figure(d),
                    figure(m)
                ),
                (o, _, _) => format!("{name}: {} ({})", o.word(), esc(x.why.as_deref().unwrap_or("no reason recorded"))),
            }
        })
        .collect();
    let rows = if rows.is_empty() { "no row of this file".to_owned() } else { rows.join("; ") };
    format!(
        "<li><b>verified by valgrind DHAT</b> ({}), outside the meter: each row's pass without the meter ran under DHAT at {} and {} unpaced spans (trace-state {}), and the difference of its heap blocks, setup cancelled, was set against the meter's Δ(allocs + reallocs) at the same sizes — to the block for an exact row, overlapping ranges of at least five runs a side for one whose counts move (<code>spanalloc verify</code>, docs/measuring.md). {rows}.</li>",
        esc(&v.tool),
        v.spans,
        2 * v.spans,
        v.trace_state
    )
}
