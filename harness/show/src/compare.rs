//! A comparison as a terminal summary, Markdown (for `$GITHUB_STEP_SUMMARY` or a PR comment) or
//! JSON — each answering first: the count of every verdict, then the regressions (largest change
//! first) and improvements row by row, then the unchanged and noise rows folded one line per
//! scenario × trace state with the rules that decided them, then what was not compared, one
//! line per scenario × trace state with the reason.

use std::collections::BTreeMap;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde::Serialize;

use crate::text::visible;
use spanalloc_judge::compare::sites::{Explanation, SiteChange};
use spanalloc_judge::compare::{Comparison, Reproduce, Row, Summary, Unjudged, Verdict};
use spanalloc_record::units::human_bytes;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A terminal summary.
    Text,
    /// Markdown.
    Markdown,
    /// JSON.
    Json,
}

impl Format {
    /// Every format, by the name a user gives it.
    pub const NAMES: [(&'static str, Format); 3] =
        [("text", Format::Text), ("markdown", Format::Markdown), ("json", Format::Json)];
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Format::NAMES
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, f)| *f)
            .ok_or_else(|| format!("unknown format '{s}' (text, markdown, json)"))
    }
}

/// A value in its unit.
pub fn value(v: Option<f64>, unit: &str) -> String {
    let Some(v) = v else { return "—".into() };
    match unit {
        "bytes" if v >= 1024.0 => human_bytes(v),
        "bytes" => format!("{v:.1} B"),
        "ns" if v >= 1e6 => format!("{:.2} ms", v / 1e6),
        "ns" if v >= 1e3 => format!("{:.1} µs", v / 1e3),
        "ns" if v >= 100.0 => format!("{v:.0} ns"),
        "ns" if v >= 10.0 => format!("{v:.1} ns"),
        "ns" => format!("{v:.2} ns"),
        "allocs" | "reallocs" | "blocks" => format!("{v:.3}"),
        "count" => format!("{v:.0}"),
        _ => format!("{v:.0}"),
    }
}

/// The change of a row, as shown.
pub fn change(r: &Row) -> String {
    match (r.change_pct, r.baseline, r.current) {
        // One allocation on a heavy row is a small percentage, and still a verdict: show it.
        (Some(p), _, _) if p.abs() < 0.0005 => "±0%".into(),
        (Some(p), _, _) if p.abs() < 0.1 => format!("{p:+.3}%"),
        (Some(p), _, _) => format!("{p:+.1}%"),
        (None, Some(b), Some(c)) if b == 0.0 && c == 0.0 => "0".into(),
        (None, Some(_), Some(_)) => "from 0".into(),
        _ => "—".into(),
    }
}

/// The one-line answer: the count of every verdict, after the run's failures if it has any.
pub fn headline(c: &Comparison) -> String {
    let s = &c.summary;
    let mut out = String::new();
    if s.failures > 0 {
        out.push_str(&format!("RUN FAILED ({} failure(s)); ", s.failures));
    }
    out.push_str(&format!(
        "{} regressed, {} improved, {} unchanged, {} noise against {}",
        s.regressed,
        s.improved,
        s.unchanged,
        s.noise,
        visible(&c.baseline)
    ));
    if s.hidden > 0 {
        out.push_str(&format!(" ({} change(s) hidden by a loosening, named below)", s.hidden));
    }
    if c.counts_gate_only {
        out.push_str(&format!(" — gated on counts only: {} count regression(s); timing informational", c.exact_regressions()));
    }
    let not = s.missing + s.new + s.incomparable;
    if not > 0 {
        out.push_str(&format!("; not compared: {} missing, {} new, {} incomparable", s.missing, s.new, s.incomparable));
    }
    if s.not_judged > 0 {
        out.push_str(&format!("; FAILED: {} baseline row(s) not judged, listed first", s.not_judged));
    }
    if s.left_out > 0 {
        out.push_str(&format!("; {} baseline row(s) left out (--only-common): not in this run, not judged", s.left_out));
    }
    if s.elsewhere > 0 {
        out.push_str(&format!(
            "; {} baseline row(s) measured on another machine tonight, judged against that machine's own baseline",
            s.elsewhere
        ));
    }
    if s.dropped > 0 {
        out.push_str(&format!("; {} of them dropped spans at the gate rate", s.dropped));
    }
    out
}

/// One unjudged baseline row, as a line.
fn unjudged_line(u: &Unjudged) -> String {
    let what = match (u.fails, &u.elsewhere) {
        (true, _) => "NOT JUDGED",
        (false, Some(_)) => "judged elsewhere",
        (false, None) => "left out",
    };
    format!("{what} {} ts={}: {}", u.scenario, u.trace_state_entries, u.reason)
}

/// Rows of one scenario × trace state, folded to one line.
#[derive(Debug, Clone, Serialize)]
pub struct Folded {
    /// Scenario.
    pub scenario: String,
    /// Trace-state entries.
    pub trace_state_entries: usize,
    /// `(rule, metrics)` groups, in order.
    pub groups: Vec<(String, Vec<&'static str>)>,
}

/// What a reader needs, in reading order.
#[derive(Debug, Clone, Serialize)]
pub struct View<'a> {
    /// The current run's failures: a run with any never passes.
    pub failures: &'a [spanalloc_record::schema::Failure],
    /// Baseline rows not judged, with why: each that fails fails the comparison.
    pub unjudged: &'a [Unjudged],
    /// How to rerun each regressed or unjudged row locally.
    pub reproduce: &'a [Reproduce],
    /// The baseline.
    pub baseline: &'a str,
    /// The current run.
    pub current: &'a str,
    /// Verdict counts.
    pub summary: Summary,
    /// Why timing was not compared, if it was not.
    pub timing_not_compared: Option<&'a str>,
    /// Regressions, largest change first.
    pub regressed: Vec<&'a Row>,
    /// Improvements, largest change first.
    pub improved: Vec<&'a Row>,
    /// Unchanged and noise rows, folded by scenario × trace state and rule.
    pub settled: Vec<Folded>,
    /// Missing, new and incomparable rows, folded by scenario × trace state and reason.
    pub not_compared: Vec<Folded>,
    /// Where each exact change happened: the sites that changed most.
    pub explanations: &'a [Explanation],
    /// Changes a loosening of thresholds.toml let through, each with its reason.
    pub hidden: Vec<&'a Row>,
    /// Where the rules came from.
    pub thresholds: &'a str,
    /// Said when the baseline was saved with failures.
    pub baseline_note: Option<&'a str>,
}

fn by_size(rows: &mut [&Row]) {
    let size = |r: &Row| r.change_pct.map_or(f64::INFINITY, f64::abs);
    rows.sort_by(|a, b| size(b).total_cmp(&size(a)));
}

fn fold<'a>(rows: impl Iterator<Item = &'a Row>, label: impl Fn(&Row) -> String) -> Vec<Folded> {
    let mut by_key: BTreeMap<(usize, String), Folded> = BTreeMap::new();
    let mut order: Vec<(usize, String)> = Vec::new();
    for r in rows {
        let key = (r.trace_state_entries, r.scenario.clone());
        let f = by_key.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            Folded { scenario: r.scenario.clone(), trace_state_entries: r.trace_state_entries, groups: Vec::new() }
        });
        let l = label(r);
        match f.groups.iter_mut().find(|(rule, _)| *rule == l) {
            Some((_, metrics)) => metrics.push(r.metric),
            None => f.groups.push((l, vec![r.metric])),
        }
    }
    order.iter().filter_map(|k| by_key.remove(k)).collect()
}

/// The comparison in reading order.
pub fn view(c: &Comparison) -> View<'_> {
    let pick = |v: Verdict| c.rows.iter().filter(move |r| r.verdict == v);
    let mut regressed: Vec<&Row> = pick(Verdict::Regressed).collect();
    let mut improved: Vec<&Row> = pick(Verdict::Improved).collect();
    by_size(&mut regressed);
    by_size(&mut improved);
    let settled = fold(c.rows.iter().filter(|r| matches!(r.verdict, Verdict::Unchanged | Verdict::Noise)), |r| {
        format!("{}: {}", r.verdict.word(), r.rule)
    });
    let not_compared =
        fold(c.rows.iter().filter(|r| matches!(r.verdict, Verdict::Missing | Verdict::New | Verdict::Incomparable)), |r| {
            format!("{}: {}", r.verdict.word(), r.rule)
        });
    View {
        failures: &c.failures,
        unjudged: &c.unjudged,
        reproduce: &c.reproduce,
        hidden: c.rows.iter().filter(|r| r.hidden.is_some()).collect(),
        thresholds: &c.thresholds,
        baseline_note: c.baseline_note.as_deref(),
        baseline: &c.baseline,
        current: &c.current,
        summary: c.summary,
        timing_not_compared: c.timing_not_compared.as_deref(),
        regressed,
        improved,
        settled,
        not_compared,
        explanations: &c.explanations,
    }
}

/// A signed per-span change. A change that rounds to nothing is "±0", never "-0.0000".
fn signed(v: f64, decimals: usize) -> String {
    let shown = format!("{v:+.decimals$}");
    if shown[1..].bytes().all(|b| b == b'0' || b == b'.') {
        "±0".into()
    } else {
        shown
    }
}

/// One site's change on one line: the change, the site, before → after, its top frames.
pub fn site_line(c: &SiteChange) -> String {
    let frames = if c.frames.is_empty() { String::new() } else { format!("; stack: {}", visible(&c.frames.join(" ← "))) };
    format!(
        "{} blocks/span, {} B/span  {}  ({:.3} → {:.3} blocks/span, {:.1} → {:.1} B/span{frames})",
        signed(c.delta_blocks(), 3),
        signed(c.delta_bytes(), 1),
        visible(&c.site),
        c.before_blocks_per_span,
        c.after_blocks_per_span,
        c.before_bytes_per_span,
        c.after_bytes_per_span,
    )
}

fn explanations_text(out: &mut String, es: &[Explanation]) {
    if es.is_empty() {
        return;
    }
    out.push_str("where it changed (dhat sites, per measured span; blocks = allocations + reallocations):\n");
    for e in es {
        out.push_str(&format!("  {} ts={}:\n", visible(&e.scenario), e.trace_state_entries));
        e.sites.iter().for_each(|c| out.push_str(&format!("    {}\n", site_line(c))));
    }
}

fn explanations_md(out: &mut String, es: &[Explanation]) {
    if es.is_empty() {
        return;
    }
    out.push_str("**Where it changed** (dhat sites, per measured span; blocks = allocations + reallocations):\n\n");
    for e in es {
        out.push_str(&format!(
            "{} ts={}:\n\n| site | blocks/span | change | B/span | change | stack |\n|---|---:|---:|---:|---:|---|\n",
            md_escape(&e.scenario),
            e.trace_state_entries
        ));
        for c in &e.sites {
            out.push_str(&format!(
                "| {} | {:.3} → {:.3} | {} | {:.1} → {:.1} | {} | {} |\n",
                crate::text::md_code(&c.site),
                c.before_blocks_per_span,
                c.after_blocks_per_span,
                signed(c.delta_blocks(), 3),
                c.before_bytes_per_span,
                c.after_bytes_per_span,
                signed(c.delta_bytes(), 1),
                md_escape(&c.frames.join(" ← ")),
            ));
        }
        out.push('\n');
    }
}

fn folded_line(f: &Folded) -> String {
    let groups: Vec<String> = f
        .groups
        .iter()
        .map(|(rule, metrics)| {
            if metrics.len() == spanalloc_judge::metrics::per_row() {
                rule.clone()
            } else {
                format!("{} ({rule})", metrics.join(", "))
            }
        })
        .collect();
    format!("{} ts={}: {}", visible(&f.scenario), f.trace_state_entries, visible(&groups.join("; ")))
}

fn change_table(rows: &[&Row]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(["scenario", "ts", "metric", "baseline", "current", "change", "rule"]);
    for r in rows {
        let rule = if r.note.is_empty() { r.rule.clone() } else { format!("{}; {}", r.rule, r.note) };
        t.add_row([
            visible(&r.scenario).into_owned(),
            r.trace_state_entries.to_string(),
            r.metric.to_string(),
            value(r.baseline, r.unit),
            value(r.current, r.unit),
            change(r),
            visible(&rule).into_owned(),
        ]);
    }
    t
}

/// The changes a loosening let through: what the rule alone said, and the loosening's reason.
fn hidden_table(rows: &[&Row]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(["scenario", "ts", "metric", "baseline", "current", "change", "would be", "loosened because"]);
    for r in rows {
        let Some(h) = &r.hidden else { continue };
        t.add_row([
            visible(&r.scenario).into_owned(),
            r.trace_state_entries.to_string(),
            r.metric.to_string(),
            value(r.baseline, r.unit),
            value(r.current, r.unit),
            change(r),
            h.verdict.word().to_string(),
            format!("within {}%: {}", h.tolerance_pct, visible(&h.reason)),
        ]);
    }
    t
}

fn md_rows(out: &mut String, rows: &[&Row], verdict: &str) {
    out.push_str("| scenario | ts | metric | baseline | current | change | rule |\n|---|---:|---|---:|---:|---:|---|\n");
    for r in rows {
        let rule = if r.note.is_empty() { r.rule.clone() } else { format!("{}; {}", r.rule, r.note) };
        out.push_str(&format!(
            "| {} | {} | {} {verdict} | {} | {} | {} | {} |\n",
            md_escape(&r.scenario),
            r.trace_state_entries,
            r.metric,
            value(r.baseline, r.unit),
            value(r.current, r.unit),
            change(r),
            md_escape(&rule)
        ));
    }
    out.push('\n');
}

/// Renders `c` as `format`.
pub fn render(c: &Comparison, format: Format) -> String {
    let v = view(c);
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct Json<'a> {
                #[serde(flatten)]
                view: &'a View<'a>,
                regressions: usize,
                /// Every row, regressions first.
                rows: Vec<&'a Row>,
            }
            let rows = v
                .regressed
                .iter()
                .chain(&v.improved)
                .copied()
                .chain(c.rows.iter().filter(|r| !matches!(r.verdict, Verdict::Regressed | Verdict::Improved)))
                .collect();
            serde_json::to_string_pretty(&Json { view: &v, regressions: c.regressions, rows }).expect("a comparison serialises")
        }
        Format::Text => {
            let mut out = format!("{}: {}\n", visible(&c.current), headline(c));
            if !v.failures.is_empty() {
                out.push_str("FAILED — this run cannot pass, whatever its rows say:\n");
                v.failures.iter().for_each(|f| out.push_str(&format!("  {}\n", visible(&f.line()))));
            }
            if !v.unjudged.is_empty() {
                out.push_str("baseline rows not judged — a gate is green only for what it judged:\n");
                v.unjudged.iter().for_each(|u| out.push_str(&format!("  {}\n", visible(&unjudged_line(u)))));
            }
            if let Some(n) = v.baseline_note {
                out.push_str(&format!("{}\n", visible(n)));
            }
            out.push_str(&format!("thresholds: {}\n", visible(v.thresholds)));
            if let Some(n) = v.timing_not_compared {
                out.push_str(&format!("{}\n", visible(n)));
            }
            if !v.regressed.is_empty() {
                out.push_str(&format!("REGRESSED, largest change first:\n{}\n", change_table(&v.regressed)));
            }
            if !v.improved.is_empty() {
                out.push_str(&format!("improved:\n{}\n", change_table(&v.improved)));
            }
            if !v.hidden.is_empty() {
                out.push_str(&format!("hidden by a loosening of thresholds.toml:\n{}\n", hidden_table(&v.hidden)));
            }
            explanations_text(&mut out, v.explanations);
            if !v.reproduce.is_empty() {
                out.push_str("to rerun a row locally (baseline: as given to this comparison):\n");
                v.reproduce.iter().for_each(|r| {
                    out.push_str(&format!("  {} ts={}: {}\n", visible(&r.scenario), r.trace_state_entries, visible(&r.command)))
                });
            }
            if !v.settled.is_empty() {
                out.push_str("unchanged and noise, and the rule that decided them:\n");
                v.settled.iter().for_each(|f| out.push_str(&format!("  {}\n", folded_line(f))));
            }
            if !v.not_compared.is_empty() {
                out.push_str("not compared:\n");
                v.not_compared.iter().for_each(|f| out.push_str(&format!("  {}\n", folded_line(f))));
            }
            out
        }
        Format::Markdown => {
            let mark = if c.failed() { "❌" } else { "✅" };
            let mut out = format!("### {mark} spanalloc: {}\n\n", md_escape(&headline(c)));
            if !v.failures.is_empty() {
                out.push_str("**This run failed** — it cannot pass, whatever its rows say:\n\n");
                v.failures.iter().for_each(|f| out.push_str(&format!("- {}\n", md_escape(&f.line()))));
                out.push('\n');
            }
            if !v.unjudged.is_empty() {
                out.push_str("**Baseline rows not judged** — a gate is green only for what it judged:\n\n");
                v.unjudged.iter().for_each(|u| out.push_str(&format!("- {}\n", md_escape(&unjudged_line(u)))));
                out.push('\n');
            }
            if let Some(n) = v.baseline_note {
                out.push_str(&format!("{}\n\n", md_escape(n)));
            }
            out.push_str(&format!("Thresholds: {}\n\n", md_escape(v.thresholds)));
            if let Some(n) = v.timing_not_compared {
                out.push_str(&format!("{}\n\n", md_escape(n)));
            }
            if !v.regressed.is_empty() {
                out.push_str("**Regressed**, largest change first:\n\n");
                md_rows(&mut out, &v.regressed, "**regressed**");
            }
            if !v.improved.is_empty() {
                out.push_str("Improved:\n\n");
                md_rows(&mut out, &v.improved, "improved");
            }
            if !v.hidden.is_empty() {
                out.push_str("**Hidden by a loosening** of thresholds.toml:\n\n");
                md_rows(&mut out, &v.hidden, "(loosened)");
            }
            explanations_md(&mut out, v.explanations);
            if !v.reproduce.is_empty() {
                out.push_str("To rerun a row locally (against the baseline this comparison was given):\n\n");
                v.reproduce.iter().for_each(|r| {
                    out.push_str(&format!(
                        "- {} ts={}: {}\n",
                        md_escape(&r.scenario),
                        r.trace_state_entries,
                        crate::text::md_code(&r.command)
                    ))
                });
                out.push('\n');
            }
            for (title, folded) in
                [("Unchanged and noise, with the rule that decided them", &v.settled), ("Not compared", &v.not_compared)]
            {
                if folded.is_empty() {
                    continue;
                }
                out.push_str(&format!("<details><summary>{title} ({} scenario × trace state)</summary>\n\n", folded.len()));
                folded.iter().for_each(|f| out.push_str(&format!("- {}\n", md_escape(&folded_line(f)))));
                out.push_str("\n</details>\n\n");
            }
            out
        }
    }
}

/// Keeps a table cell a cell and inert: see [`crate::text::md`].
fn md_escape(s: &str) -> String {
    crate::text::md(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_their_units() {
        assert_eq!(value(Some(53.4461), "allocs"), "53.446");
        assert_eq!(value(Some(2048.0), "bytes"), "2.0 KiB");
        assert_eq!(value(Some(5_218_300.0), "ns"), "5.22 ms");
        assert_eq!(value(None, "ns"), "—");
        assert_eq!(md_escape("a|b\nc"), "a\\|b\\\\nc");
    }

    #[test]
    fn no_negative_zero() {
        assert_eq!(signed(-0.00001, 4), "±0");
        assert_eq!(signed(0.0, 3), "±0");
        assert_eq!(signed(-0.0012, 3), "-0.001");
        assert_eq!(signed(1.5, 1), "+1.5");
    }
}
