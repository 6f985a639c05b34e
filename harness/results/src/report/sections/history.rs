//! Trends over the runs recorded in the history file.

use std::fmt::Write;

use crate::report::charts::{self, Series, XAxis};
use crate::report::page::{esc, Builder};

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("history", "History");
    let entries = &b.inputs.history;
    if entries.is_empty() {
        b.absent("No history yet: `spanalloc history append` records a run in reports/history.jsonl.");
        b.end();
        return;
    }
    let ts = b.ts;
    let mut names: Vec<String> = Vec::new();
    for e in entries {
        for h in e.headline.iter().filter(|h| h.trace_state_entries == ts) {
            if !names.contains(&h.scenario) {
                names.push(h.scenario.clone());
            }
        }
    }
    let series = |f: fn(&crate::history::HeadlineRow) -> f64| -> Vec<Series> {
        names
            .iter()
            .map(|n| Series {
                label: n.clone(),
                points: entries
                    .iter()
                    .enumerate()
                    .filter_map(|(i, e)| {
                        e.headline.iter().find(|h| &h.scenario == n && h.trace_state_entries == ts).map(|h| (i as f64, f(h)))
                    })
                    .collect(),
            })
            .collect()
    };
    let (a, c) = (series(|h| h.allocs_per_span), series(|h| h.cpu_ns_per_span));
    // Runs by date and commit; the baseline's run, when it is in the history, marked.
    let labels: Vec<String> = entries
        .iter()
        .map(|e| {
            let day: String = e.date.chars().skip(5).take(5).collect();
            let commit: String = e.commit.as_deref().unwrap_or("-").chars().take(7).collect();
            format!("{day} {commit}")
        })
        .collect();
    let marker = b.inputs.baseline_run.as_ref().and_then(|base| {
        entries
            .iter()
            .rposition(|e| e.run_id.is_some() && e.run_id == base.run_id || e.run_id.is_none() && e.date == base.started_at)
            .map(|i| (i as f64, "baseline"))
    });
    let axis = XAxis::Runs(labels);
    let by_run =
        |title: String, unit: &str, series| charts::lines(&title, "run: date, commit", unit, series, &axis, false, marker);
    b.charts([
        ("history-allocs", by_run(format!("allocs/span by run (trace-state {ts})"), "allocs/span", &a)),
        ("history-cpu", by_run(format!("CPU ns/span by run (trace-state {ts})"), "ns/span", &c)),
    ]);
    b.html.push_str("<table><tr><th>run</th><th class=\"l\">date</th><th class=\"l\">commit</th></tr>");
    let mut rows = String::new();
    for (i, e) in entries.iter().enumerate() {
        let commit: String = e.commit.as_deref().map_or_else(|| "unknown".to_owned(), |c| c.chars().take(12).collect());
        let _ = write!(rows, "<tr><td>{i}</td><td class=\"l\">{}</td><td class=\"l\">{}</td></tr>", esc(&e.date), esc(&commit));
    }
    b.html.push_str(&rows);
    b.html.push_str("</table>");
    b.end();
}
