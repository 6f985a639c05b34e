//! The terminal table of headline figures, with each strategy's ratio to value-copy.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

use spanalloc_record::schema::{Results, ScenarioResult, VerifyOutcome};
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
        "÷ {}: this row's figure divided by {divisor} at the same trace-state size; '=' both are 0, '—' the divisor is 0, 'n/a' no such row in this run, or a row that carries no trace state at a size with entries. peak in flight: the highest live heap above what setup left live (setup heap); blocks/span: allocations + reallocations, what valgrind's DHAT counts; count÷plain CPU (--wide): CPU of the count pass over the plain pass, the meter's cost: the median over the repeats' pairs ± half their range (a row with nothing to meter reads 1× within it); exported/s: spans exported per second",
        results.ratio_label()
    )
}

/// A latency in the unit that keeps it short: `850 µs`, `12.1 ms`, `1.98 s`.
fn latency(ns: u64) -> String {
    let us = ns as f64 / 1000.0;
    if us < 1000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{:.2} s", us / 1_000_000.0)
    }
}

/// How much of the run table a terminal gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// The figures a reader decides on, within 120 columns.
    Narrow,
    /// Every column (`run --wide`).
    Wide,
}

/// What a row's name would otherwise carry in brackets — reads on the publishing thread, no
/// trace state carried, spans dropped, measured on another machine than the file's — as
/// footnotes: one `[n]` mark beside the name, the note under the table.
fn row_notes(results: &Results, s: &ScenarioResult) -> Vec<String> {
    let mut notes = Vec::new();
    // A merged night's shards may have run on several machine types: its timing columns then
    // compare only among rows of one machine, which the table must say, not leave to be read.
    let here = results.environment.fingerprint().map(|f| f.id());
    if let Some(m) = results.machine_of(s).filter(|m| here.as_ref() != Some(m)) {
        notes.push(format!(
            "measured on another machine ({}) than the file's: its CPU, latency and peaks compare only with rows of that machine",
            &m[..m.len().min(8)]
        ));
    }
    if s.same_thread_reads() {
        notes.push("reads the current context on the publishing thread (same-thread read)".to_owned());
    }
    if !s.carries_trace_state && s.trace_state_entries > 0 {
        notes.push("carries no trace state at this size: shown, never set against the others".to_owned());
    }
    if s.dropped_spans > 0 {
        notes.push(format!("dropped {} spans", s.dropped_spans));
    }
    notes
}

/// The footnotes the table's `[n]` marks point to, in order.
pub fn footnotes(results: &Results) -> Vec<String> {
    let mut out = Vec::new();
    for s in &results.scenarios {
        let notes = row_notes(results, s);
        if !notes.is_empty() {
            out.push(format!("[{}] {} ts={}: {}", out.len() + 1, s.id(), s.trace_state_entries, notes.join("; ")));
        }
    }
    out
}

/// The headline table: at [`Width::Narrow`] the figures a reader decides on, at
/// [`Width::Wide`] every column.
pub fn headline(results: &Results, width: Width) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    let wide = width == Width::Wide;
    // At the narrow width, headers take two lines so that no column is wider than its figures.
    let h = |one: &'static str, two: &'static str| if wide { one } else { two };
    // The allocator axis adds its columns only when a run has it.
    let axis = results.shows_allocator();
    let vs = results.ratio_label();
    let sep = if wide { " " } else { "\n" };
    let (allocs_vs, bytes_vs) = (format!("allocs{sep}÷ {vs}"), format!("bytes{sep}÷ {vs}"));
    // Each column: its header, whether it shows at the narrow width, and its cell for a row.
    type Cellf<'a> = Box<dyn Fn(&ScenarioResult) -> String + 'a>;
    let ratios = |s: &ScenarioResult| -> (String, String) {
        let m = &s.metrics;
        match results.reference_for(s) {
            Some(r) => (ratio(m.allocs_per_span, r.metrics.allocs_per_span), ratio(m.bytes_per_span, r.metrics.bytes_per_span)),
            None => ("n/a".into(), "n/a".into()),
        }
    };
    // Each noted row's mark, numbered in row order as footnotes() numbers its notes.
    let mut marks = std::collections::HashMap::new();
    for s in results.scenarios.iter().filter(|s| !row_notes(results, s).is_empty()) {
        let n = marks.len() + 1;
        marks.insert(s.key(), n);
    }
    let mut columns: Vec<(&str, bool, Cellf<'_>)> = vec![
        (
            "scenario",
            true,
            Box::new(move |s: &ScenarioResult| match marks.get(&s.key()) {
                Some(n) => format!("{} [{n}]", s.name),
                None => s.name.clone(),
            }),
        ),
        ("ts", true, Box::new(|s: &ScenarioResult| s.trace_state_entries.to_string())),
    ];
    if axis {
        columns.push(("allocator", true, Box::new(|s: &ScenarioResult| s.allocator.clone())));
    }
    columns.extend::<Vec<(&str, bool, Cellf<'_>)>>(vec![
        (h("allocs/span", "allocs/\nspan"), true, Box::new(|s: &ScenarioResult| format!("{:.3}", s.metrics.allocs_per_span))),
        (
            h("blocks/span", "blocks/\nspan"),
            true,
            Box::new(|s: &ScenarioResult| format!("{:.3}", s.metrics.blocks_per_span(s.spans))),
        ),
        (h("bytes/span", "bytes/\nspan"), true, Box::new(|s: &ScenarioResult| format!("{:.1}", s.metrics.bytes_per_span))),
        ("setup heap", false, Box::new(|s: &ScenarioResult| human_bytes(s.metrics.setup_heap_bytes as f64))),
        (
            h("peak in flight", "peak in\nflight"),
            true,
            Box::new(|s: &ScenarioResult| human_bytes(s.metrics.peak_in_flight_bytes() as f64)),
        ),
        ("retained", false, Box::new(|s: &ScenarioResult| signed_bytes(s.metrics.retained_heap_bytes))),
        ("peak RSS", false, Box::new(|s: &ScenarioResult| human_bytes(s.metrics.peak_rss_bytes as f64))),
    ]);
    if axis {
        columns.push((
            "RSS − live",
            false,
            Box::new(|s: &ScenarioResult| s.metrics.rss_slack_bytes.map_or_else(|| "n/a".into(), signed_bytes)),
        ));
    }
    columns.extend::<Vec<(&str, bool, Cellf<'_>)>>(vec![
        (h("CPU ns/span", "CPU\nns/span"), true, Box::new(|s: &ScenarioResult| format!("{:.0}", s.metrics.cpu_ns_per_span))),
        ("exported/s", false, Box::new(|s: &ScenarioResult| format!("{:.0}", s.metrics.achieved_rate))),
        (h("p99 lat", "p99\nlatency"), true, Box::new(|s: &ScenarioResult| latency(s.metrics.latency_p99_ns))),
        ("count÷plain CPU", false, Box::new(|s: &ScenarioResult| s.meter_overhead_text())),
        (&allocs_vs, true, Box::new(move |s: &ScenarioResult| ratios(s).0)),
        (&bytes_vs, true, Box::new(move |s: &ScenarioResult| ratios(s).1)),
    ]);
    // Rows from a program with a collector (the Go twin) add their GC cycles.
    if results.scenarios.iter().any(|s| s.metrics.gc_cycles.is_some()) {
        columns.push((
            "GC",
            true,
            Box::new(|s: &ScenarioResult| s.metrics.gc_cycles.map_or_else(|| "—".into(), |g| g.to_string())),
        ));
    }
    columns.retain(|(_, narrow, _)| wide || *narrow);
    t.set_header(columns.iter().map(|(h, _, _)| *h).collect::<Vec<_>>());
    for s in &results.scenarios {
        t.add_row(columns.iter().map(|(h, _, cell)| {
            let c = Cell::new(cell(s));
            if matches!(*h, "scenario" | "allocator") {
                c
            } else {
                c.set_alignment(CellAlignment::Right)
            }
        }));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed nightly baseline holds every row a full night measures (the real stacks,
    /// the Go twin, their longest names and notes): its narrow table fits 120 columns.
    #[test]
    fn the_default_table_fits_120_columns() {
        let r = spanalloc_record::input::parse_results(include_bytes!("../../../reports/baselines/nightly.json")).unwrap();
        let narrow = headline(&r, Width::Narrow).to_string();
        let widest = narrow.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest <= 120, "{widest} columns:\n{narrow}");
        if std::env::var_os("SPANALLOC_SHOW_TABLE").is_some() {
            eprintln!("{narrow}");
        }
        // The notes are footnotes, not part of the name.
        assert!(!narrow.contains("(dropped") && !narrow.contains("(same-thread"), "{narrow}");
        let wide = headline(&r, Width::Wide).to_string();
        assert!(wide.contains("count÷plain CPU") && wide.contains("setup heap") && !narrow.contains("setup heap"));
        for (i, note) in footnotes(&r).iter().enumerate() {
            assert!(note.starts_with(&format!("[{}] ", i + 1)), "{note}");
            assert!(narrow.contains(&format!(" [{}]", i + 1)), "mark [{}] is in the table", i + 1);
        }
    }

    #[test]
    fn a_row_measured_on_another_machine_says_so_under_the_table() {
        let mut r = spanalloc_record::input::parse_results(include_bytes!("../../../reports/baselines/nightly.json")).unwrap();
        assert!(footnotes(&r).iter().all(|n| !n.contains("another machine")), "one machine measured the committed night");
        let env = spanalloc_record::schema::Environment { cpu: "another machine type".into(), ..r.environment.clone() };
        let other = spanalloc_record::schema::Results { environment: env.clone(), ..r.clone() };
        let id = other.environment.fingerprint().unwrap().id();
        r.scenarios[1].environment = Some(env);
        let notes = footnotes(&r);
        let mine: Vec<&String> = notes.iter().filter(|n| n.contains("measured on another machine")).collect();
        assert_eq!(mine.len(), 1, "{notes:?}");
        assert!(mine[0].contains(&format!("{} ts={}", r.scenarios[1].id(), r.scenarios[1].trace_state_entries)), "{mine:?}");
        assert!(mine[0].contains(&format!("({})", &id[..8])), "{mine:?}");
    }

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
