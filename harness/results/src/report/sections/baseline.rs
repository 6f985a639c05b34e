//! Every metric against the baseline, with its verdict.

use std::fmt::Write;

use crate::compare::render::value;
use crate::report::page::{esc, Builder};

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("baseline", "Against the baseline");
    let Some(c) = &b.inputs.comparison else {
        let why = b.inputs.no_comparison.clone();
        b.absent(&format!("{why}. Save one with `spanalloc baseline save nightly`."));
        b.end();
        return;
    };
    let mut rows: Vec<_> = c.rows.iter().collect();
    rows.sort_by_key(|r| r.verdict);
    let mut html = String::from(
        "<table><tr><th class=\"l\">scenario</th><th>ts</th><th class=\"l\">metric</th><th>baseline</th><th>current</th><th>change</th><th class=\"l\">verdict</th><th class=\"l\">note</th></tr>",
    );
    for r in rows {
        let change = r.change_pct.map_or_else(|| "—".into(), |p| format!("{p:+.1}%"));
        let _ = write!(
            html,
            "<tr class=\"{}\"><td class=\"l\">{}</td><td>{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td></tr>",
            r.verdict.word(),
            esc(&r.scenario),
            r.trace_state_entries,
            esc(r.metric),
            esc(&value(r.baseline, r.unit)),
            esc(&value(r.current, r.unit)),
            esc(&change),
            r.verdict.word(),
            esc(&r.note)
        );
    }
    html.push_str("</table>");
    b.html.push_str(&html);
    b.end();
}
