//! Change points as text, Markdown or JSON.

pub use crate::compare::Format as ChangesFormat;
use crate::text::{md, md_code, visible};
use spanalloc_judge::changes::Change;

fn figure(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

fn evidence(c: &Change) -> String {
    match c.pvalue {
        None => "exact step".to_owned(),
        Some(p) => format!("p = {p:.2e}"),
    }
}

fn line(c: &Change) -> (String, String, String, String) {
    let s = &c.series;
    let series = format!("{} ts={} {} [{}; {}]", s.scenario, s.trace_state_entries, s.metric, s.key, s.workload);
    let when = format!("night {} of {} ({}), commits {}", c.index + 1, c.points, c.first_after.date, c.commit_range());
    let change = format!("{} → {} ({})", figure(c.median_before), figure(c.median_after), relative(c));
    (series, when, change, evidence(c))
}

/// A change point's size relative to its level before: a change from 0 has none, and says so
/// (a percentage of 0 would read "+0.00%").
pub(crate) fn relative(c: &Change) -> String {
    if c.median_before == 0.0 {
        return "from 0".into();
    }
    format!("{:+.2}%", c.relative * 100.0)
}

/// `changes` in `format`; `what` says which change points they are ("change points", "new
/// change points with the latest night").
pub fn render(changes: &[Change], format: ChangesFormat, what: &str) -> String {
    match format {
        ChangesFormat::Json => serde_json::to_string_pretty(changes).expect("change points serialise") + "\n",
        ChangesFormat::Text => {
            let mut out = format!("{} {what}\n", changes.len());
            for c in changes {
                let (series, when, change, ev) = line(c);
                out.push_str(&format!("  {}: {}, {} — {}\n", visible(&series), visible(&when), change, ev));
            }
            out
        }
        ChangesFormat::Markdown => {
            let mut out = format!("#### {} {what}\n\n", changes.len());
            if changes.is_empty() {
                return out;
            }
            out.push_str("| series | first run after | commits | before → after | evidence |\n|---|---|---|---|---|\n");
            for c in changes {
                let (series, _, change, ev) = line(c);
                out.push_str(&format!(
                    "| {} | night {} of {} ({}) | {} | {} | {} |\n",
                    md(&series),
                    c.index + 1,
                    c.points,
                    md(&c.first_after.date),
                    md_code(&c.commit_range()),
                    change,
                    ev
                ));
            }
            out
        }
    }
}
