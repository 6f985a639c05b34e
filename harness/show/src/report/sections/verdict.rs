//! The verdict banner: regressions against the baseline, failures, dropped spans, and the run's configuration and environment.

use std::fmt::Write;

use crate::compare::{change, headline, site_line, value, view};
use crate::report::builder::{esc, prose, Builder};
use crate::report::charts;

/// The sections a reader can jump to from the first screen.
const SECTIONS: [(&str, &str); 12] = [
    ("strategies", "strategy table"),
    ("charts", "per strategy"),
    ("sweep", "sweep"),
    ("allocators", "allocators"),
    ("timeline", "timeline"),
    ("stages", "stages and sites"),
    ("baseline", "against the baseline"),
    ("history", "history"),
    ("benches", "benchmarks"),
    ("claims", "the article's claims"),
    ("go", "in Go"),
    ("method", "method"),
];

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("verdict", "Verdict");
    let failures = &b.inputs.results.failures;
    // A failed run first: whatever its rows say, it cannot pass.
    if !failures.is_empty() {
        let _ = write!(
            b.html,
            "<div class=\"banner bad\" id=\"verdict-failures\">This run failed: {} failure(s). It cannot pass a comparison or be saved as a clean baseline.</div><ul class=\"failures\">",
            failures.len()
        );
        for f in failures {
            let _ = write!(
                b.html,
                "<li><b>{}</b> ts={} <code>{}</code> ({} pass): {}</li>",
                esc(&f.name),
                f.trace_state_entries,
                f.kind.word(),
                esc(&f.pass),
                esc(&f.error)
            );
        }
        b.html.push_str("</ul>");
    }
    match &b.inputs.comparison {
        Some(c) => {
            let rows = RowCounts::of(c);
            let class = if c.fails(false) {
                "bad"
            } else if c.nothing_compared().is_some() {
                "grey"
            } else {
                "good"
            };
            let text = match c.nothing_compared() {
                Some(why) => why.to_string(),
                None => rows.sentence(c),
            };
            let _ = write!(b.html, "<div class=\"banner {class}\" id=\"verdict-counts\">{}</div>", esc(&text));
            let _ = write!(b.html, "<p class=\"by-metric\">By metric: {}</p>", esc(&headline(c)));
            let unjudged: Vec<_> = c.unjudged.iter().filter(|u| u.fails).collect();
            if !unjudged.is_empty() {
                b.html.push_str("<ul class=\"failures\" id=\"verdict-unjudged\">");
                for u in unjudged {
                    let _ = write!(
                        b.html,
                        "<li>not judged: {} ts={}: {}</li>",
                        esc(&u.scenario),
                        u.trace_state_entries,
                        esc(&u.reason)
                    );
                }
                b.html.push_str("</ul>");
            }
            let v = view(c);
            if !v.regressed.is_empty() {
                b.html.push_str("<ul class=\"regressions\">");
                let mut explained: Vec<(&str, usize)> = Vec::new();
                for r in &v.regressed {
                    let _ = write!(
                        b.html,
                        "<li><b>{}</b> ts={} <code>{}</code>: {} → {} ({}) — {}",
                        esc(&r.scenario),
                        r.trace_state_entries,
                        esc(r.metric),
                        esc(&value(r.baseline, r.unit)),
                        esc(&value(r.current, r.unit)),
                        esc(&change(r)),
                        esc(&r.rule)
                    );
                    // Where an exact change happened, once per scenario × trace state, under its
                    // first regressed row.
                    let key = (r.scenario.as_str(), r.trace_state_entries);
                    let e = c.explanations.iter().find(|e| (e.scenario.as_str(), e.trace_state_entries) == key);
                    if let Some(e) = e.filter(|_| !explained.contains(&key)) {
                        explained.push(key);
                        b.html.push_str("<ul class=\"sites\">");
                        for site in &e.sites {
                            let _ = write!(b.html, "<li><code>{}</code></li>", esc(&site_line(site)));
                        }
                        b.html.push_str("</ul>");
                    }
                    b.html.push_str("</li>");
                }
                b.html.push_str("</ul>");
            }
            if !v.hidden.is_empty() {
                b.html.push_str("<p>Changes a loosening of thresholds.toml let through:</p><ul class=\"hidden-changes\">");
                for r in &v.hidden {
                    let _ = write!(
                        b.html,
                        "<li><b>{}</b> ts={} <code>{}</code>: {} → {} ({}) — {}</li>",
                        esc(&r.scenario),
                        r.trace_state_entries,
                        esc(r.metric),
                        esc(&value(r.baseline, r.unit)),
                        esc(&value(r.current, r.unit)),
                        esc(&change(r)),
                        esc(&r.rule)
                    );
                }
                b.html.push_str("</ul>");
            }
            let _ = write!(b.html, "<p class=\"absent\">thresholds: {}</p>", esc(&c.thresholds));
            if let Some(n) = &c.baseline_note {
                let _ = write!(b.html, "<div class=\"banner info\">{}</div>", esc(n));
            }
        }
        None => {
            let _ = write!(b.html, "<div class=\"banner grey\" id=\"verdict-counts\">{}</div>", prose(&b.inputs.no_comparison));
        }
    }
    cheapest(b);
    b.html.push_str("<nav class=\"toc\">");
    for (id, name) in SECTIONS {
        let _ = write!(b.html, "<a href=\"#{id}\">{name}</a>");
    }
    b.html.push_str("</nav>");
    main_chart(b);
    for s in b.inputs.results.scenarios.iter().filter(|s| s.dropped_spans > 0) {
        let _ = write!(
            b.html,
            "<div class=\"banner info dropped\">{} at trace-state {} dropped {} of its {} spans (its bounded queue was full) at {}: it exported {:.0} spans/s, its figures are not of the same work as the others', and its counts cannot be judged — a drop at the rate a row is gated at fails the run.</div>",
            esc(&s.id()),
            s.trace_state_entries,
            s.dropped_spans,
            s.spans_exported + s.dropped_spans,
            match s.paced_rate(&b.inputs.results.config) {
                0 => "full speed".to_owned(),
                r => format!("{r} spans/s"),
            },
            s.metrics.achieved_rate
        );
    }
    let r = b.results();
    let c = &r.config;
    let e = &r.environment;
    let rate = if c.rate == 0 { "unpaced".to_owned() } else { format!("{} spans/s", c.rate) };
    let dl = format!(
        "<details><summary>The run: workload, machine, build</summary><dl><dt>spans</dt><dd>{}</dd><dt>rate</dt><dd>{}</dd><dt>trace-state entries</dt><dd>{}</dd>\
         <dt>producers</dt><dd>{}</dd><dt>seed</dt><dd>{}</dd><dt>warm-up</dt><dd>{}</dd><dt>repeats</dt><dd>{}</dd>\
         <dt>trace shape</dt><dd>fan-out {}, depth {}, every {}th span crosses a process boundary</dd>\
         <dt>started</dt><dd>{}</dd><dt>commit</dt><dd>{}</dd><dt>rustc</dt><dd>{}</dd><dt>CPU</dt><dd>{} ({} cores)</dd>\
         <dt>allocator</dt><dd>{}</dd><dt>profile</dt><dd>{}</dd><dt>runner</dt><dd>{}</dd><dt>kernel</dt><dd>{}</dd>\
         <dt>run id</dt><dd>{}</dd><dt>fingerprint</dt><dd>{}</dd></dl></details>",
        c.spans,
        esc(&rate),
        esc(&c.trace_state.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")),
        c.producers,
        c.seed,
        c.warmup,
        c.repeat,
        c.fan_out,
        c.depth,
        c.propagate_every,
        esc(&e.started_at),
        esc(e.git_commit.as_deref().unwrap_or("unknown")),
        esc(&e.rustc),
        esc(&e.cpu),
        e.cores,
        esc(&e.allocator),
        esc(e.profile.as_deref().unwrap_or("not recorded")),
        esc(e.runner.as_deref().unwrap_or("none")),
        esc(e.kernel.as_deref().unwrap_or("not recorded")),
        esc(e.run_id.as_deref().unwrap_or("not recorded")),
        esc(&e.fingerprint().map_or_else(|| "none (before schema 4)".to_owned(), |f| f.id()))
    );
    b.html.push_str(&dl);
    for w in &b.inputs.warnings {
        let _ = write!(b.html, "<p class=\"absent\">warning: {}</p>", esc(w));
    }
    b.end();
}

/// The one chart that matters: allocations and bytes per span, per scenario, per trace-state
/// size, side by side.
fn main_chart(b: &mut Builder<'_>) {
    let r = b.results();
    let mut sizes = r.config.trace_state.clone();
    sizes.sort_unstable();
    let mut names: Vec<String> = Vec::new();
    for s in &r.scenarios {
        if !names.contains(&s.name) {
            names.push(s.name.clone());
        }
    }
    let members: Vec<String> = sizes.iter().map(|ts| format!("{ts} trace-state entries")).collect();
    let groups = |f: fn(&spanalloc_record::schema::ScenarioResult) -> f64| -> Vec<(String, Vec<Option<f64>>)> {
        names
            .iter()
            .map(|n| {
                let values =
                    sizes.iter().map(|ts| r.primary().find(|s| &s.name == n && s.trace_state_entries == *ts).map(f)).collect();
                (r.marked_name(n), values)
            })
            .collect()
    };
    let (allocs, bytes) = (groups(|s| s.metrics.allocs_per_span), groups(|s| s.metrics.bytes_per_span));
    b.charts([
        ("main-allocs", charts::hbars("allocations per span", "allocs/span", &members, &allocs)),
        ("main-bytes", charts::hbars("bytes allocated per span", "bytes/span", &members, &bytes)),
    ]);
}

/// How many rows (scenario × trace state × allocator) got each verdict: a row regressed when any
/// of its metrics did, improved when one did and none regressed, unchanged when its metrics were
/// compared and none moved, not compared when none could be.
struct RowCounts {
    regressed: usize,
    improved: usize,
    unchanged: usize,
    not_compared: usize,
}

impl RowCounts {
    fn of(c: &spanalloc_judge::compare::Comparison) -> RowCounts {
        use spanalloc_judge::compare::Verdict;
        let mut by_row: std::collections::BTreeMap<(&str, usize), Vec<Verdict>> = std::collections::BTreeMap::new();
        for r in &c.rows {
            by_row.entry((r.scenario.as_str(), r.trace_state_entries)).or_default().push(r.verdict);
        }
        let mut n = RowCounts { regressed: 0, improved: 0, unchanged: 0, not_compared: 0 };
        for verdicts in by_row.values() {
            if verdicts.contains(&Verdict::Regressed) {
                n.regressed += 1;
            } else if verdicts.contains(&Verdict::Improved) {
                n.improved += 1;
            } else if verdicts.iter().any(|v| matches!(v, Verdict::Unchanged | Verdict::Noise)) {
                n.unchanged += 1;
            } else {
                n.not_compared += 1;
            }
        }
        n
    }

    /// The first screen's answer to "did anything regress?", in rows.
    fn sentence(&self, c: &spanalloc_judge::compare::Comparison) -> String {
        let total = self.regressed + self.improved + self.unchanged + self.not_compared;
        let compared = total - self.not_compared;
        let mut out = String::new();
        if !c.failures.is_empty() {
            out.push_str(&format!("The run failed ({} failure(s)). ", c.failures.len()));
        }
        if c.summary.not_judged > 0 {
            out.push_str(&format!(
                "FAILED: {} baseline row(s) not judged (not in this run, or measured another way), listed below. ",
                c.summary.not_judged
            ));
        }
        out.push_str(&format!(
            "{} of {total} rows regressed, {} improved, {} unchanged against {}",
            self.regressed, self.improved, self.unchanged, c.baseline
        ));
        if self.not_compared > 0 {
            out.push_str(&format!(
                "; {} not compared (only one side has them, or another workload): {compared} of {total} compared",
                self.not_compared
            ));
        }
        out
    }
}

/// "Which costs least here?": one sentence per trace-state size on allocations and bytes per
/// span, naming the setup heap the cheapest row holds for it.
fn cheapest(b: &mut Builder<'_>) {
    let r = b.results();
    let mut sizes = r.config.trace_state.clone();
    sizes.sort_unstable();
    let mut items = String::new();
    for ts in sizes {
        // Rows of one language and allocator, doing the same work: a row that dropped spans did
        // not, nor one that carries no trace state at a size with entries.
        let mut rows: Vec<&spanalloc_record::schema::ScenarioResult> = r
            .primary()
            .filter(|s| s.trace_state_entries == ts && s.language == "rust" && s.dropped_spans == 0 && s.comparable_work())
            .collect();
        if rows.len() < 2 {
            continue;
        }
        rows.sort_by(|a, b| {
            (a.metrics.allocs_per_span, a.metrics.bytes_per_span)
                .partial_cmp(&(b.metrics.allocs_per_span, b.metrics.bytes_per_span))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        // Rows tied for least are named together: at trace-state 0 value-copy allocates nothing
        // either, with a quarter of the pool's setup heap.
        let key = |s: &spanalloc_record::schema::ScenarioResult| (s.metrics.allocs_per_span, s.metrics.bytes_per_span);
        let tied = rows.iter().take_while(|s| key(s) == key(rows[0])).count();
        let largest_setup = rows.iter().map(|s| s.metrics.setup_heap_bytes).max().unwrap_or(0);
        let named = |s: &spanalloc_record::schema::ScenarioResult| {
            let h = spanalloc_record::units::human_bytes(s.metrics.setup_heap_bytes as f64);
            let largest = if s.metrics.setup_heap_bytes == largest_setup { ", the largest here" } else { "" };
            format!("<b>{}</b> ({h} of setup heap{largest})", esc(&s.name))
        };
        let least = rows[..tied].iter().map(|s| named(s)).collect::<Vec<_>>().join(" and ");
        let verb = if tied > 1 { "allocate" } else { "allocates" };
        let (a, bytes) = key(rows[0]);
        let _ = write!(items, "<li>At trace-state {ts}, {least} {verb} least: {a:.3} allocations and {bytes:.1} B per span.");
        if let Some(next) = rows.get(tied) {
            let _ = write!(
                items,
                " Next, {}: {:.3} and {:.1} B per span.",
                named(next),
                next.metrics.allocs_per_span,
                next.metrics.bytes_per_span
            );
        }
        items.push_str("</li>");
    }
    if !items.is_empty() {
        let _ = write!(b.html, "<p><b>Which costs least here?</b></p><ul class=\"least\" id=\"cheapest\">{items}</ul>");
    }
}
