//! Every metric against the baseline: the rows that moved in full, the rest folded, each with
//! the rule that decided it.

use std::fmt::Write;

use crate::compare::{change, headline, value, view, Folded};
use crate::report::builder::{esc, Builder};
use spanalloc_judge::compare::Row;

fn rows(html: &mut String, rows: &[&Row]) {
    html.push_str(
        "<table><tr><th class=\"l\">scenario</th><th>ts</th><th class=\"l\">metric</th><th>baseline</th><th>current</th><th>change</th><th class=\"l\">rule</th></tr>",
    );
    for r in rows {
        let rule = if r.note.is_empty() { r.rule.clone() } else { format!("{}; {}", r.rule, r.note) };
        let _ = write!(
            html,
            "<tr class=\"{}\"><td class=\"l\">{}</td><td>{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td></tr>",
            r.verdict.word(),
            esc(&r.scenario),
            r.trace_state_entries,
            esc(r.metric),
            esc(&value(r.baseline, r.unit)),
            esc(&value(r.current, r.unit)),
            esc(&change(r)),
            esc(&rule)
        );
    }
    html.push_str("</table>");
}

fn folded(html: &mut String, title: &str, lines: &[Folded]) {
    if lines.is_empty() {
        return;
    }
    let _ = write!(html, "<details><summary>{} ({} scenario × trace state)</summary><ul>", esc(title), lines.len());
    for f in lines {
        let groups: Vec<String> = f.groups.iter().map(|(rule, metrics)| format!("{} — {}", metrics.join(", "), rule)).collect();
        let _ = write!(html, "<li><b>{}</b> ts={}: {}</li>", esc(&f.scenario), f.trace_state_entries, esc(&groups.join("; ")));
    }
    html.push_str("</ul></details>");
}

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("baseline", "Against the baseline");
    let Some(c) = &b.inputs.comparison else {
        let why = b.inputs.no_comparison.clone();
        b.absent(&format!("{why}. Save one with `{} baseline save NAME`, then `--baseline NAME`.", b.inputs.tool));
        b.end();
        return;
    };
    let v = view(c);
    let mut html = format!("<p>{}</p>", esc(&headline(c)));
    if let Some(n) = v.timing_not_compared {
        let _ = write!(html, "<p>{}</p>", esc(n));
    }
    if !v.regressed.is_empty() {
        html.push_str("<h3>Regressed, largest change first</h3>");
        rows(&mut html, &v.regressed);
    }
    if !v.improved.is_empty() {
        html.push_str("<h3>Improved</h3>");
        rows(&mut html, &v.improved);
    }
    folded(&mut html, "Unchanged and noise, with the rule that decided them", &v.settled);
    folded(&mut html, "Not compared", &v.not_compared);
    b.html.push_str(&html);
    b.end();
}
