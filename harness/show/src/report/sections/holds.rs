//! How fast each row holds on the machine that ran it: a finding beside the figures, never the
//! gate (the gate is the rate each row's counts were measured at, in the strategy table's runs).

use std::fmt::Write;

use crate::report::builder::{esc, Builder};
use crate::report::charts;
use spanalloc_record::schema::ScenarioResult;

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("holds", "How fast each row holds on this machine");
    let r = b.results();
    let rows: Vec<&ScenarioResult> = r.primary().filter(|s| s.holds.is_some()).collect();
    if rows.is_empty() {
        b.absent("No row records it: a run before schema 15, or an unpaced one (--rate 0).");
        b.end();
        return;
    }
    let sizes: Vec<usize> = r.config.trace_state.clone();
    let members: Vec<String> = sizes.iter().map(|ts| format!("ts={ts}")).collect();
    let mut names: Vec<String> = Vec::new();
    for s in &rows {
        if !names.contains(&s.label()) {
            names.push(s.label());
        }
    }
    let groups: Vec<(String, Vec<Option<f64>>)> = names
        .iter()
        .map(|n| {
            let at = |ts: usize| rows.iter().find(|s| &s.label() == n && s.trace_state_entries == ts);
            (n.clone(), sizes.iter().map(|&ts| at(ts).and_then(|s| s.holds.as_ref()).map(|h| h.rate as f64)).collect())
        })
        .collect();
    let mut table = String::from(
        "<table><tr><th class=\"l\">scenario</th><th>ts</th><th>gated at</th><th>holds</th><th class=\"l\">probes (paced → achieved, dropped)</th></tr>",
    );
    for s in &rows {
        let Some(h) = &s.holds else { continue };
        let probes: Vec<String> = h
            .probes
            .iter()
            .map(|p| {
                format!(
                    "{} → {:.0}{}",
                    p.rate,
                    p.achieved,
                    if p.dropped > 0 { format!(", dropped {}", p.dropped) } else { String::new() }
                )
            })
            .collect();
        let _ = write!(
            table,
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td></tr>",
            esc(&s.label()),
            s.trace_state_entries,
            s.paced_rate(&r.config),
            h.rate,
            esc(&if probes.is_empty() { "none: its count passes say it".to_owned() } else { probes.join("; ") }),
        );
    }
    table.push_str("</table>");
    let target = rows.iter().filter_map(|s| s.holds.as_ref()).map(|h| h.target).max().unwrap_or(0);
    let spans = rows.iter().filter_map(|s| s.holds.as_ref()).map(|h| h.spans).max().unwrap_or(0);
    b.chart("holds", charts::hbars("holds, spans/s on this machine", "spans/s", &members, &groups));
    let _ = write!(
        b.html,
        "<p>The highest rate each row sustained without dropping a span, on the machine that ran it (asked at most {target} spans/s): \
         what its passes at its gate rate achieved, then — for a row gated below that — plain passes of {spans} spans at the run's \
         rate and halfway below, twice. A pass that fell behind its pace without dropping found the row's own limit. A finding, \
         never the gate: it moves with the machine and its load; the counts are judged at the rate in <b>gated at</b>.</p>{table}"
    );
    b.end();
}
