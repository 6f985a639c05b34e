//! The article in its own language: its 1M-span table beside the Go twin's measured rows, and
//! the claims judged on the Go rows.

use std::fmt::Write;

use crate::report::builder::{esc, Builder};
use crate::report::sections::claims;
use spanalloc_record::schema::{GoBenchmem, ScenarioResult};
use spanalloc_record::units::human_bytes;

/// The article's table (1M spans): `(row, bytes allocated MB, GC cycles, peak memory MB)`.
const ARTICLE: [(&str, f64, u32, f64); 2] = [("value copy (default)", 16.2, 87, 24.1), ("pointer passing", 6.2, 33, 15.3)];

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("go", "The article in its own language: the Go twin");
    let inputs = b.inputs;
    let r = &inputs.results;
    let rows: Vec<&ScenarioResult> = r.scenarios.iter().filter(|s| s.language == "go" && s.trace_state_entries == b.ts).collect();
    if rows.is_empty() {
        let tool = b.inputs.tool.clone();
        b.absent(&format!("This run has no Go rows: `{tool} run --go` adds the Go twin's (it needs Go: scripts/install-go.sh)."));
        b.end();
        return;
    }
    let mut html = String::from(
        "<p>The article's claims are about Go, so <code>scenarios/go-twin</code> runs the same seeded workload, pacing and digest \
         through the hand-offs of OpenTelemetry Go's SDK (a span object per span, its activation in a <code>context.Context</code>, \
         a <code>*SpanData</code> queued to an exporter goroutine), carrying the <code>SpanContext</code> four ways. A Go value copy \
         is shallow — the trace state's member list is shared — so <b>go-value is not Rust's value-copy</b> at the same size: compare \
         Go rows with Go rows. Counts are <code>runtime.MemStats</code> deltas (size-class bytes; not exact: the runtime allocates \
         in the background), peak heap is sampled with <code>runtime/metrics</code> every millisecond.</p>",
    );
    let _ = write!(
        html,
        "<table><tr><th class=\"l\">row (1M spans)</th><th>bytes allocated</th><th>GC cycles</th><th>peak heap</th><th>peak RSS</th>\
         <th>allocs/span</th><th>B/span</th></tr>"
    );
    for (name, mb, gc, peak) in ARTICLE {
        let _ = write!(
            html,
            "<tr class=\"article\"><td class=\"l\">article: {name}</td><td>{mb:.1} MB</td><td>{gc}</td><td>{peak:.1} MB</td><td>—</td><td>—</td><td>—</td></tr>"
        );
    }
    for s in &rows {
        let m = &s.metrics;
        let scale = 1e6 / s.spans.max(1) as f64;
        let _ = write!(
            html,
            "<tr><td class=\"l\">{} (ts={}, measured over {} spans)</td><td>{:.1} MB</td><td>{}</td><td>{}</td><td>{}</td><td>{:.3}</td><td>{:.1}</td></tr>",
            esc(&s.name),
            s.trace_state_entries,
            s.spans,
            m.bytes_per_span, // bytes/span × 1M spans / 1e6 = MB per 1M spans
            m.gc_cycles.map_or_else(|| "—".into(), |g| format!("{:.0}", g as f64 * scale)),
            human_bytes(m.peak_heap_bytes as f64),
            human_bytes(m.peak_rss_bytes as f64),
            m.allocs_per_span,
            m.bytes_per_span,
        );
    }
    html.push_str(
        "</table><p>Bytes allocated and GC cycles are per 1M spans (the article's unit); peak heap is the highest heap in use \
         above what the process had before setup, garbage not yet collected included, as Go counts it.</p>",
    );
    if let Some(bench) = &r.go_benchmem {
        html.push_str(&benchmem_table(bench));
    }
    html.push_str(&claims::table(b.claims.claims.iter().filter(|c| c.language == "go"), "Go twin measurement"));
    b.html.push_str(&html);
    b.end();
}

/// The article's C8 table beside the same benchmarks run here: its code verbatim, every repeat.
fn benchmem_table(b: &GoBenchmem) -> String {
    // The article's (Go 1.22): (benchmark, ns/op, B/op).
    const ARTICLE: [(&str, &str, &str); 2] = [("ValueReceiver", "184", "48"), ("PointerReceiver", "32", "16")];
    let mut html = format!(
        "<h3>C8 as the article measured it: <code>go test -bench -benchmem</code></h3><p>The article's <code>StartSpan</code> \
         (§2.4) verbatim in <code>{}</code>, on a pointer receiver and on the value receiver it describes, run with {} \
         (<code>-benchtime {}</code>, every repeat shown). B/op and allocs/op are the runtime's heap counters per call: \
         the quantity C8's 48 B → 16 B is, and the one it is judged on.</p>\
         <table><tr><th class=\"l\">benchmark</th><th>B/op</th><th>allocs/op</th><th>ns/op median (range)</th><th>repeats</th>\
         <th>article: ns/op, B/op</th></tr>",
        esc(&b.package),
        esc(&b.go),
        esc(&b.benchtime)
    );
    for x in &b.benchmarks {
        let range = |f: fn(&spanalloc_record::schema::GoBenchSample) -> f64, digits: usize| {
            x.spread(f).map_or_else(
                || "—".to_owned(),
                |(lo, m, hi)| {
                    if lo == hi {
                        format!("{m:.digits$}")
                    } else {
                        format!("{m:.digits$} ({lo:.digits$}–{hi:.digits$})")
                    }
                },
            )
        };
        let article = ARTICLE.iter().find(|a| a.0 == x.name).map_or_else(|| "—".to_owned(), |a| format!("{} ns, {} B", a.1, a.2));
        let _ = write!(
            html,
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&x.name),
            range(|s| s.bytes_per_op as f64, 0),
            range(|s| s.allocs_per_op as f64, 0),
            range(|s| s.ns_per_op, 1),
            x.samples.len(),
            article
        );
    }
    html.push_str("</table>");
    html
}
