//! The allocator axis: what jemalloc or mimalloc changes beneath the same rows. Counts and
//! requested bytes do not depend on the allocator (the table shows them to prove it); CPU, peak
//! RSS and the slack between RSS and live heap do.

use std::fmt::Write;

use crate::report::builder::{esc, Builder};
use crate::report::charts;
use spanalloc_record::schema::ScenarioResult;
use spanalloc_record::units::{human_bytes, signed_bytes};

type Figure = (&'static str, &'static str, &'static str, fn(&ScenarioResult) -> Option<f64>);

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("allocators", &format!("Allocators beneath the same rows (trace-state {})", b.ts));
    let inputs = b.inputs;
    let r = &inputs.results;
    let allocators: Vec<String> = r.allocators().into_iter().map(str::to_owned).collect();
    if allocators.len() < 2 {
        let one = allocators.first().map_or("system", String::as_str);
        let tool = &inputs.tool;
        b.absent(&format!(
            "This run used one allocator ({one}); `{tool} run --allocator system,jemalloc,mimalloc` measures the rows over each."
        ));
        b.end();
        return;
    }
    let ts = b.ts;
    let rows: Vec<&ScenarioResult> = r.scenarios.iter().filter(|s| s.trace_state_entries == ts).collect();
    let mut names: Vec<String> = Vec::new();
    for s in &rows {
        if !names.contains(&s.name) {
            names.push(s.name.clone());
        }
    }
    let find = |n: &str, a: &str| rows.iter().find(|s| s.name == n && s.allocator == a).copied();
    let figures: [Figure; 3] = [
        ("alloc-cpu", "CPU per span (plain pass, ns)", "ns/span", |s| Some(s.metrics.cpu_ns_per_span)),
        ("alloc-rss", "peak RSS (plain pass, MiB)", "MiB", |s| Some(s.metrics.peak_rss_bytes as f64 / 1048576.0)),
        ("alloc-slack", "RSS − peak live heap (count pass, MiB)", "MiB", |s| {
            s.metrics.rss_slack_bytes.map(|b| b as f64 / 1048576.0)
        }),
    ];
    let drawn: Vec<(&str, String)> = figures
        .iter()
        .map(|(stem, title, unit, f)| {
            let groups: Vec<(String, Vec<Option<f64>>)> =
                names.iter().map(|n| (n.clone(), allocators.iter().map(|a| find(n, a).and_then(f)).collect())).collect();
            (*stem, charts::hbars(title, unit, &allocators, &groups))
        })
        .collect();
    b.charts(drawn);
    let mut table = String::from(
        "<details open><summary>every row × allocator</summary><table><tr><th>scenario</th><th>allocator</th><th>allocs/span</th>\
         <th>bytes/span</th><th>CPU ns/span</th><th>peak RSS</th><th>RSS − live</th></tr>",
    );
    for n in &names {
        for a in &allocators {
            let Some(s) = find(n, a) else { continue };
            let m = &s.metrics;
            let _ = write!(
                table,
                "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{:.3}</td><td>{:.1}</td><td>{:.0}</td>\
                 <td>{}</td><td>{}</td></tr>",
                esc(n),
                esc(a),
                m.allocs_per_span,
                m.bytes_per_span,
                m.cpu_ns_per_span,
                human_bytes(m.peak_rss_bytes as f64),
                m.rss_slack_bytes.map_or_else(|| "n/a".into(), signed_bytes),
            );
        }
    }
    table.push_str("</table></details>");
    b.html.push_str(&table);
    b.html.push_str(
        "<p>Each allocator's plain and count passes run in an executable of their own with the meter over that allocator; \
         the dhat pass runs over the system allocator, which dhat wraps. Allocations and requested bytes are the program's, \
         the same over every allocator; <b>RSS − live</b> is the count pass's peak RSS minus its peak live heap (the whole \
         process's): code, stacks and what the allocator keeps resident beyond what is live.</p>",
    );
    b.end();
}
