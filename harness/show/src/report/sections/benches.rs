//! criterion and iai-callgrind figures, when their outputs exist.

use std::fmt::Write;

use crate::compare::value;
use crate::report::builder::{esc, Builder};
use crate::report::charts::{self, Series, XAxis};
use crate::report::sources::BenchEstimate;

/// Orders benchmark ids part by part, numbers as numbers: `handoff/value/16` before `…/128`.
fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |s: &str| -> Vec<(u64, String)> {
        s.split('/').map(|p| p.parse::<u64>().map_or((u64::MAX, p.to_owned()), |n| (n, String::new()))).collect()
    };
    key(a).cmp(&key(b))
}

/// Claim C5 drawn: nanoseconds per hand-off against the context's size, one line per way of
/// passing it, within a call and across threads.
fn handoff_chart(crit: &[BenchEstimate]) -> Option<String> {
    let styles = [
        ("handoff", "value", "within a call: by value"),
        ("handoff", "ref", "within a call: &T"),
        ("handoff", "arc", "within a call: Arc clone"),
        ("handoff_thread", "value", "across threads: by value"),
        ("handoff_thread", "box", "across threads: Box"),
        ("handoff_thread", "arc", "across threads: Arc clone"),
    ];
    let mut sizes: Vec<u64> = Vec::new();
    let series: Vec<Series> = styles
        .iter()
        .map(|(group, style, label)| {
            let prefix = format!("{group}/{style}/");
            let mut points: Vec<(f64, f64)> = crit
                .iter()
                .filter_map(|e| e.id.strip_prefix(&prefix).and_then(|n| n.parse::<u64>().ok()).map(|n| (n, e.median_ns)))
                .map(|(n, ns)| {
                    if !sizes.contains(&n) {
                        sizes.push(n);
                    }
                    (n as f64, ns)
                })
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Series { label: (*label).to_owned(), points }
        })
        .filter(|s| !s.points.is_empty())
        .collect();
    if series.is_empty() {
        return None;
    }
    sizes.sort_unstable();
    let axis = XAxis::Categories(sizes.iter().map(|&n| (n as f64, format!("{n} B"))).collect());
    Some(charts::lines(
        "claim C5: a hand-off by context size",
        "context size",
        "ns per hand-off (log)",
        &series,
        &axis,
        true,
        None,
    ))
}

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("benches", "Micro-benchmarks");
    let (crit, iai) = (&b.inputs.criterion, &b.inputs.iai);
    let mut html = String::new();
    if crit.is_empty() {
        html.push_str(
            "<p class=\"absent\">No criterion results found (target/criterion): run <code>cargo bench -p spanalloc-benches</code>.</p>",
        );
    } else {
        let mut sorted: Vec<&BenchEstimate> = crit.iter().collect();
        sorted.sort_by(|a, b| id_order(&a.id, &b.id));
        let _ = write!(
            html,
            "<details><summary>criterion: wall time, {} benchmarks (median, 95% interval)</summary><table><tr><th class=\"l\">benchmark</th><th>median</th><th>interval</th></tr>",
            sorted.len()
        );
        for b in sorted {
            let _ = write!(
                html,
                "<tr><td class=\"l\">{}</td><td>{}</td><td>{} – {}</td></tr>",
                esc(&b.id),
                value(Some(b.median_ns), "ns"),
                value(Some(b.median_ci_ns.0), "ns"),
                value(Some(b.median_ci_ns.1), "ns")
            );
        }
        html.push_str("</table></details>");
    }
    let chart = handoff_chart(crit);
    if iai.is_empty() {
        html.push_str(
            "<p class=\"absent\">No iai-callgrind results found (target/iai): run <code>scripts/bench-iai.sh</code>.</p>",
        );
    } else {
        html.push_str("<h3>iai-callgrind: instructions</h3><table><tr><th class=\"l\">benchmark</th><th>instructions</th></tr>");
        for b in iai {
            let _ = write!(html, "<tr><td class=\"l\">{}</td><td>{}</td></tr>", esc(&b.id), b.instructions);
        }
        html.push_str("</table>");
    }
    b.html.push_str(&html);
    if let Some(svg) = chart {
        b.chart("handoff-sizes", svg);
    }
    b.end();
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_sort_as_numbers() {
        let mut ids = vec!["handoff/value/128", "handoff/value/16", "handoff/ref/24", "current/mutex_read", "handoff/value/24"];
        ids.sort_by(|a, b| super::id_order(a, b));
        assert_eq!(ids, ["current/mutex_read", "handoff/ref/24", "handoff/value/16", "handoff/value/24", "handoff/value/128"]);
    }
}
