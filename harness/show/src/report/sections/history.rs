//! Trends over the runs recorded in the history file.

use std::fmt::Write;

use crate::report::builder::{esc, Builder};
use crate::report::charts::{self, Series, XAxis};
use spanalloc_judge::changes::INSTRUCTIONS;

/// The most runs the section draws and lists: a year of nightly runs. A history of 100,000
/// lines would otherwise be drawn point by point (and labelled in quadratic time: 111 s). Change
/// points are found over the whole history; those before the window are listed, not marked.
pub const WINDOW: usize = 365;

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("history", "History");
    let all = &b.inputs.history;
    let first = all.len().saturating_sub(WINDOW);
    let entries = &all[first..];
    if entries.is_empty() {
        let tool = b.inputs.tool.clone();
        b.absent(&format!(
            "No history yet: `{tool} history append` records a run in reports/history.jsonl (the nightly keeps its own)."
        ));
        b.end();
        return;
    }
    let ts = b.ts;
    // Runs of different workloads are different series: a line never joins a 1M-span run to a
    // 20k-span one. When every run has one workload, the series are the scenarios.
    let workloads: Vec<String> = entries.iter().map(workload).collect();
    let several = workloads.iter().any(|w| *w != workloads[0]);
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut known = std::collections::HashSet::new();
    for (e, w) in entries.iter().zip(&workloads) {
        for h in e.headline.iter().filter(|h| h.trace_state_entries == ts) {
            let key = (h.scenario.clone(), w.clone());
            if known.insert(key.clone()) {
                keys.push(key);
            }
        }
    }
    let series = |f: fn(&spanalloc_record::history::HeadlineRow) -> Option<f64>| -> Vec<Series> {
        keys.iter()
            .map(|(n, w)| Series {
                label: if several { format!("{n} ({w})") } else { n.clone() },
                points: entries
                    .iter()
                    .zip(&workloads)
                    .enumerate()
                    .filter(|(_, (_, ew))| *ew == w)
                    .filter_map(|(i, (e, _))| {
                        let h = e.headline.iter().find(|h| &h.scenario == n && h.trace_state_entries == ts)?;
                        Some((i as f64, f(h)?))
                    })
                    .collect(),
            })
            .collect()
    };
    let (a, c) = (series(|h| Some(h.allocs_per_span)), series(|h| Some(h.cpu_ns_per_span)));
    // Instruction counts, when any night had the instructions pass: the CPU series a step of a
    // few percent can be seen in.
    let instructions = series(|h| h.instructions_per_span);
    let has_instructions = instructions.iter().any(|s| !s.points.is_empty());
    // Runs by date and commit; the baseline's run, when it is in the history, marked.
    // Runs of one day and commit told apart by a count.
    let mut labels: Vec<String> = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for e in entries {
        let day: String = e.date.chars().skip(5).take(5).collect();
        let commit: String = e.commit.as_deref().unwrap_or("-").chars().take(7).collect();
        let label = format!("{day} {commit}");
        let n = seen.entry(label.clone()).or_default();
        *n += 1;
        labels.push(if *n == 1 { label } else { format!("{label} #{n}") });
    }
    let marker = b.inputs.baseline_run.as_ref().and_then(|base| {
        entries
            .iter()
            .rposition(|e| e.run_id.is_some() && e.run_id == base.run_id || e.run_id.is_none() && e.date == base.started_at)
            .map(|i| (i as f64, "baseline"))
    });
    let axis = XAxis::Runs(labels);
    // Change points of the series drawn (this size, these metrics), marked where they start.
    let found = spanalloc_judge::changes::changes(all, &spanalloc_judge::changes::edivisive::Options::default());
    let shown: Vec<&spanalloc_judge::changes::Change> = found
        .iter()
        .filter(|c| c.series.trace_state_entries == ts && ["allocs/span", "CPU ns/span", INSTRUCTIONS].contains(&c.series.metric))
        .collect();
    let at = |metric: &str| -> Vec<f64> {
        shown.iter().filter(|c| c.series.metric == metric && c.entry >= first).map(|c| (c.entry - first) as f64).collect()
    };
    let by_run = |title: String, unit: &str, series, marks: &[f64]| {
        charts::lines_marked(&title, "run: date, commit", unit, series, &axis, false, marker, marks)
    };
    let mut drawn = vec![
        ("history-allocs", by_run(format!("allocs/span by run (trace-state {ts})"), "allocs/span", &a, &at("allocs/span"))),
        ("history-cpu", by_run(format!("CPU ns/span by run (trace-state {ts})"), "ns/span", &c, &at("CPU ns/span"))),
    ];
    if has_instructions {
        let title = format!("instructions/span by run, callgrind (trace-state {ts})");
        drawn.push(("history-instructions", by_run(title, "instructions/span", &instructions, &at(INSTRUCTIONS))));
    }
    b.charts(drawn);
    if shown.is_empty() {
        b.html
            .push_str("<p>No change points in these series (exact counts at any step; the rest as Apache Otava finds them).</p>");
    } else {
        let mut list =
            String::from("<p>Change points, marked on the charts by dashed red lines (each at the first run after it):</p><ul>");
        for c in &shown {
            let _ = write!(
                list,
                "<li>{} {}: run {} ({}), commits <code>{}</code>, {:.3} → {:.3} ({}){}</li>",
                esc(&c.series.scenario),
                esc(c.series.metric),
                c.entry,
                esc(&c.first_after.date),
                esc(&c.commit_range()),
                c.median_before,
                c.median_after,
                crate::changes::relative(c),
                c.pvalue.map_or_else(|| ", an exact step".to_owned(), |p| format!(", p = {p:.1e}"))
            );
        }
        list.push_str("</ul>");
        b.html.push_str(&list);
    }
    if first > 0 {
        let _ = write!(
            b.html,
            "<p>The charts and the table show the last {WINDOW} of {} runs (runs {first} to {}); change points are found over all of them.</p>",
            all.len(),
            all.len() - 1
        );
    }
    b.html.push_str(
        "<table><tr><th>run</th><th class=\"l\">date</th><th class=\"l\">commit</th><th class=\"l\">workload</th></tr>",
    );
    let mut rows = String::new();
    for (i, (e, w)) in entries.iter().zip(&workloads).enumerate() {
        let commit: String = e.commit.as_deref().map_or_else(|| "unknown".to_owned(), |c| c.chars().take(12).collect());
        let _ = write!(
            rows,
            "<tr><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td></tr>",
            first + i,
            esc(&e.date),
            esc(&commit),
            esc(&format!("{w}, trace-state {}", sizes(e)))
        );
    }
    b.html.push_str(&rows);
    b.html.push_str("</table>");
    b.end();
}

/// A run's workload in a few words: what makes its figures comparable with another's.
fn workload(e: &spanalloc_record::history::HistoryEntry) -> String {
    let c = &e.config;
    let spans = match c.spans {
        s if s >= 1_000_000 && s % 1_000_000 == 0 => format!("{}M", s / 1_000_000),
        s if s >= 1_000 && s % 1_000 == 0 => format!("{}k", s / 1_000),
        s => s.to_string(),
    };
    let rate = if c.rate == 0 { "unpaced".to_owned() } else { format!("{}k/s", c.rate / 1_000) };
    let producers = if c.producers == 1 { String::new() } else { format!(", {} producers", c.producers) };
    format!("{spans} spans, {rate}{producers}")
}

/// The trace-state sizes a run measured: the table shows them, the series do not split on them
/// (a row's figures at one size do not depend on the other sizes of its run).
fn sizes(e: &spanalloc_record::history::HistoryEntry) -> String {
    e.config.trace_state.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
}
