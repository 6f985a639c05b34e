//! The terminal table of headline figures, with each strategy's ratio to value-copy.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

use spanalloc_record::schema::{Results, VerifyOutcome};
use spanalloc_record::units::{human_bytes, signed_bytes};

/// `value / reference` as `0.52×`, or `—` when the reference is 0.
pub fn ratio(value: f64, reference: f64) -> String {
    if reference == 0.0 {
        if value == 0.0 {
            "=".into()
        } else {
            "—".into()
        }
    } else {
        format!("{:.2}×", value / reference)
    }
}

/// One line per scenario with the settings it reported (a pool's capacity, the SDK's queue,
/// where the current context is read), each scenario once.
pub fn settings_lines(results: &Results) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    results
        .scenarios
        .iter()
        .filter(|s| !s.settings.is_empty() && seen.insert(s.name.as_str()))
        .map(|s| {
            let settings: Vec<String> = s.settings.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!("{}: {}", s.name, settings.join("; "))
        })
        .collect()
}

/// The outside check's tally, when the run made one (`run --verify`): how many rows agreed with
/// valgrind's DHAT, and every row that did not, with why (the failures say the figures).
pub fn verify_line(results: &Results) -> Option<String> {
    let v = results.config.verify.as_ref()?;
    let rows: Vec<_> = results.scenarios.iter().filter_map(|s| Some((s, s.verified.as_ref()?))).collect();
    let count = |o: VerifyOutcome| rows.iter().filter(|(_, x)| x.outcome == o).count();
    let cannot: Vec<String> = rows
        .iter()
        .filter(|(_, x)| x.outcome == VerifyOutcome::NotVerifiable)
        .map(|(s, x)| format!("{} ({})", s.id(), x.why.as_deref().unwrap_or("no reason recorded")))
        .collect();
    Some(format!(
        "verified by valgrind DHAT at ts={} ({} → {} unpaced spans, block for block): {} of {} rows agree, {} disagree, {} not judged{}",
        v.trace_state,
        v.spans,
        2 * v.spans,
        count(VerifyOutcome::Agrees),
        rows.len(),
        count(VerifyOutcome::Disagrees),
        count(VerifyOutcome::NotJudged),
        if cannot.is_empty() { String::new() } else { format!("; not verifiable: {}", cannot.join("; ")) }
    ))
}

/// What the table's marks mean, printed under it: a reader of a terminal has no report to ask.
pub fn legend(results: &Results) -> String {
    let divisor = if results.ratio_label() == "VC" {
        "value-copy's".to_owned()
    } else {
        "value-copy's (ref: go-value's, for the Go rows)".to_owned()
    };
    format!(
        "÷ {}: this row's figure divided by {divisor} at the same trace-state size; '=' both are 0, '—' the divisor is 0, 'n/a' no such row in this run, or a row that carries no trace state at a size with entries. setup heap: what setup left live; peak in flight: the highest live heap above it; exported/s: spans exported per second",
        results.ratio_label()
    )
}

/// The headline table.
pub fn headline(results: &Results) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    // The allocator axis adds its two columns only when a run has it, so the default table stays
    // as wide as it was.
    let axis = results.shows_allocator();
    let vs = results.ratio_label();
    let (allocs_vs, bytes_vs) = (format!("allocs/span ÷ {vs}"), format!("bytes/span ÷ {vs}"));
    let mut header = vec![
        "scenario",
        "ts",
        "allocs/span",
        "blocks/span",
        "bytes/span",
        "setup heap",
        "peak in flight",
        "retained",
        "peak RSS",
        "CPU ns/span",
        "exported/s",
        "p99 lat",
        "meter ×",
        &allocs_vs,
        &bytes_vs,
    ];
    if axis {
        header.insert(2, "allocator");
        header.insert(10, "RSS − live");
    }
    // Rows from a program with a collector (the Go twin) add their GC cycles.
    let gc = results.scenarios.iter().any(|s| s.metrics.gc_cycles.is_some());
    if gc {
        header.push("GC");
    }
    t.set_header(header);
    for s in &results.scenarios {
        let m = &s.metrics;
        let (ra, rb) = match results.reference_for(s) {
            Some(r) => (ratio(m.allocs_per_span, r.metrics.allocs_per_span), ratio(m.bytes_per_span, r.metrics.bytes_per_span)),
            None => ("n/a".into(), "n/a".into()),
        };
        let mut row = vec![
            s.label(),
            s.trace_state_entries.to_string(),
            format!("{:.3}", m.allocs_per_span),
            format!("{:.3}", m.blocks_per_span(s.spans)),
            format!("{:.1}", m.bytes_per_span),
            human_bytes(m.setup_heap_bytes as f64),
            human_bytes(m.peak_heap_bytes.saturating_sub(m.setup_heap_bytes) as f64),
            signed_bytes(m.retained_heap_bytes),
            human_bytes(m.peak_rss_bytes as f64),
            format!("{:.0}", m.cpu_ns_per_span),
            format!("{:.0}", m.achieved_rate),
            format!("{:.1} µs", m.latency_p99_ns as f64 / 1000.0),
            format!("{:.2}", m.meter_overhead),
            ra,
            rb,
        ];
        if axis {
            row.insert(2, s.allocator.clone());
            row.insert(10, m.rss_slack_bytes.map_or_else(|| "n/a".into(), signed_bytes));
        }
        if gc {
            row.push(m.gc_cycles.map_or_else(|| "—".into(), |g| g.to_string()));
        }
        t.add_row(row.into_iter().enumerate().map(|(i, c)| {
            let cell = Cell::new(c);
            if i >= 1 && !(axis && i == 2) {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(ratio(1.0, 4.0), "0.25×");
        assert_eq!(ratio(0.0, 0.0), "=");
        assert_eq!(ratio(1.5, 0.0), "—");
        assert_eq!(human_bytes(512.0), "512 B");
        assert_eq!(human_bytes(2048.0), "2.0 KiB");
        assert_eq!(human_bytes(3.5 * 1024.0 * 1024.0), "3.5 MiB");
    }
}
