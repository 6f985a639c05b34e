//! The strategy table: every figure per scenario × trace state, with ratios to the reference row, and each scenario's settings.

use std::fmt::Write;

use crate::compare::value;
use crate::report::builder::{esc, Builder};
use crate::table::ratio;
use spanalloc_record::schema::{ScenarioResult, VerifyOutcome};
use spanalloc_record::units::{human_bytes, signed_bytes};

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("strategies", "Strategies side by side");
    // Rows of another language (the Go twin's) are taken against their own first row.
    let vs = b.results().ratio_label();
    let r = b.results();
    // A sharded night's rows may come from several machines: each row says which, and a timing
    // figure is never divided by another machine's.
    let machines = r.machines();
    let several = machines.len() > 1;
    let name = |s: &ScenarioResult| {
        let label = esc(&if s.allocator == "system" { s.label() } else { format!("{} @{}", s.label(), s.allocator) });
        match r.machine_of(s).and_then(|m| machines.iter().position(|x| *x == m).map(|k| (k, m))) {
            Some((k, m)) if several => format!("{label} <sup title=\"measured on machine {}\">m{}</sup>", esc(&m), k + 1),
            _ => label,
        }
    };
    let ratio_to = |s: &ScenarioResult, f: fn(&ScenarioResult) -> f64| {
        esc(&r.reference_for(s).map_or_else(|| "n/a".into(), |x| ratio(f(s), f(x))))
    };
    let timing_ratio_to = |s: &ScenarioResult, f: fn(&ScenarioResult) -> f64| match r.reference_for(s) {
        Some(x) if r.machine_of(x) != r.machine_of(s) => "other machine".to_owned(),
        _ => ratio_to(s, f),
    };
    // First the figures a reader decides on, narrow enough for a 1280-pixel window; every
    // column after it, folded.
    let mut first = format!(
        "<table id=\"strategies-first\"><tr><th class=\"l\">scenario</th><th>ts</th><th>allocs/span</th><th>blocks/span</th><th>bytes/span</th>\
         <th>peak in flight</th><th>CPU ns/span</th><th>p99</th><th>allocs/span ÷ {vs}</th><th>bytes/span ÷ {vs}</th></tr>"
    );
    for s in &r.scenarios {
        let m = &s.metrics;
        let _ = write!(
            first,
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{:.3}</td><td>{:.3}{}</td><td>{:.1}</td><td>{}</td><td>{:.0}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            name(s),
            s.trace_state_entries,
            m.allocs_per_span,
            m.blocks_per_span(s.spans),
            verified_mark(s),
            m.bytes_per_span,
            human_bytes(m.peak_in_flight_bytes() as f64),
            m.cpu_ns_per_span,
            value(Some(m.latency_p99_ns as f64), "ns"),
            ratio_to(s, |x| x.metrics.allocs_per_span),
            ratio_to(s, |x| x.metrics.bytes_per_span),
        );
    }
    first.push_str("</table>");
    let mut rows = format!(
        "<details><summary>Every column: setup heap, retained, peak RSS, exported/s, lag and latency, allocator calls, the meter's cost, \
         the peak heap and CPU ratios</summary><div class=\"wide\"><table><tr><th class=\"l\">scenario</th><th>ts</th><th>allocs/span</th><th>blocks/span</th><th>bytes/span</th><th>setup heap</th>\
         <th>peak in flight</th><th>retained</th><th>peak RSS</th><th>CPU ns/span</th><th>exported/s</th><th>max lag</th><th>p50</th><th>p99</th><th>allocator calls/s</th>\
         <th title=\"CPU of the count pass over the plain pass, the meter’s cost: the median over the repeats’ pairs ± half their range; a row with nothing to meter reads 1× within it\">count÷plain CPU</th><th>allocs/span ÷ {vs}</th><th>bytes/span ÷ {vs}</th><th>peak heap (setup incl.) ÷ {vs}</th><th>CPU/span ÷ {vs}</th></tr>"
    );
    for s in &r.scenarios {
        let m = &s.metrics;
        let _ = write!(
            rows,
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{:.3}</td><td>{:.3}{}</td><td>{:.1}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0}</td><td>{:.0}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{:.0}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            name(s),
            s.trace_state_entries,
            m.allocs_per_span,
            m.blocks_per_span(s.spans),
            verified_mark(s),
            m.bytes_per_span,
            human_bytes(m.setup_heap_bytes as f64),
            human_bytes(m.peak_in_flight_bytes() as f64),
            signed_bytes(m.retained_heap_bytes),
            human_bytes(m.peak_rss_bytes as f64),
            m.cpu_ns_per_span,
            m.achieved_rate,
            value(Some(m.max_lag_ns as f64), "ns"),
            value(Some(m.latency_p50_ns as f64), "ns"),
            value(Some(m.latency_p99_ns as f64), "ns"),
            m.allocs_per_sec,
            esc(&s.meter_overhead_text()),
            ratio_to(s, |x| x.metrics.allocs_per_span),
            ratio_to(s, |x| x.metrics.bytes_per_span),
            timing_ratio_to(s, |x| x.metrics.peak_heap_bytes as f64),
            timing_ratio_to(s, |x| x.metrics.cpu_ns_per_span),
        );
    }
    rows.push_str("</table></div></details>");
    b.html.push_str(&first);
    b.html.push_str(&rows);
    b.html.push_str(
        "<p>Heap figures are above what the harness itself had live before the scenario's setup: <b>setup heap</b> is what \
         setup and warm-up left live when the measured region began (a pool, a queue), <b>peak in flight</b> the highest live heap \
         above that during the region (median of the count passes), <b>retained</b> what the region kept at its end. \
         <b>blocks/span</b>: allocations and reallocations per span, what DHAT and Go's <code>-benchmem</code> count; <b>✓</b>: verified \
         by valgrind DHAT, outside the meter (figures under \"How these numbers were measured\"). <b>÷ VC</b>: this \
         row's figure divided by value-copy's at the same trace-state size and allocator (<b>÷ ref</b>: the Go twin's rows by go-value's); \
         the peak heap ratio divides whole peaks, setup included; <b>=</b> both are 0, <b>—</b> the divisor is 0. <b>exported/s</b>: spans \
         exported per second (a row that dropped spans shows it here).</p>",
    );
    if several {
        let list: Vec<String> = machines.iter().enumerate().map(|(k, m)| format!("<b>m{}</b> {}", k + 1, esc(m))).collect();
        let _ = write!(
            b.html,
            "<p>This night's shards ran on {} machines ({}): CPU, latency, peak RSS and peak heap compare only among rows of \
             one machine, and their ratios to another machine's row read <b>other machine</b>. Allocations and bytes are the \
             code's, on any machine.</p>",
            machines.len(),
            list.join(", ")
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut settings = String::new();
    for s in b.results().scenarios.iter().filter(|s| !s.settings.is_empty()) {
        if seen.insert(s.name.clone()) {
            let list: Vec<String> = s.settings.iter().map(|(k, v)| format!("{}: {}", esc(k), esc(v))).collect();
            let _ = write!(settings, "<li><b>{}</b> — {}</li>", esc(&s.name), list.join("; "));
        }
    }
    if !settings.is_empty() {
        let _ = write!(b.html, "<p>Settings, as each scenario reported them:</p><ul class=\"settings\">{settings}</ul>");
    }
    b.end();
}

/// ✓ beside a row's blocks per span when valgrind's DHAT agreed with its meter (`run --verify`),
/// ✗ when it did not: the figures are in the method section.
fn verified_mark(s: &ScenarioResult) -> &'static str {
    match s.verified.as_ref().map(|v| v.outcome) {
        Some(VerifyOutcome::Agrees) => " <span title=\"verified by valgrind DHAT\">✓</span>",
        Some(VerifyOutcome::Disagrees) => " <span class=\"bad\" title=\"valgrind DHAT disagrees with the meter\">✗</span>",
        _ => "",
    }
}
