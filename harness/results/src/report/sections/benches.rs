//! criterion and iai-callgrind figures, when their outputs exist.

use std::fmt::Write;

use crate::compare::render::value;
use crate::report::page::{esc, Builder};

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("benches", "Micro-benchmarks");
    let (crit, iai) = (&b.inputs.criterion, &b.inputs.iai);
    let mut html = String::new();
    if crit.is_empty() {
        html.push_str(
            "<p class=\"absent\">No criterion results found (target/criterion): run `cargo bench -p spanalloc-benches`.</p>",
        );
    } else {
        html.push_str("<h3>criterion: wall time (median, 95% interval)</h3><table><tr><th class=\"l\">benchmark</th><th>median</th><th>interval</th></tr>");
        for b in crit {
            let _ = write!(
                html,
                "<tr><td class=\"l\">{}</td><td>{}</td><td>{} – {}</td></tr>",
                esc(&b.id),
                value(Some(b.median_ns), "ns"),
                value(Some(b.median_ci_ns.0), "ns"),
                value(Some(b.median_ci_ns.1), "ns")
            );
        }
        html.push_str("</table>");
    }
    if iai.is_empty() {
        html.push_str("<p class=\"absent\">No iai-callgrind results found (target/iai): run `scripts/bench-iai.sh`.</p>");
    } else {
        html.push_str("<h3>iai-callgrind: instructions</h3><table><tr><th class=\"l\">benchmark</th><th>instructions</th></tr>");
        for b in iai {
            let _ = write!(html, "<tr><td class=\"l\">{}</td><td>{}</td></tr>", esc(&b.id), b.instructions);
        }
        html.push_str("</table>");
    }
    b.html.push_str(&html);
    b.end();
}
