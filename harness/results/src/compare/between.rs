//! `spanalloc compare --between A B`: two rows of one run, hand-off by hand-off — which hand-offs
//! account for the difference between two strategies, straight from the measured dhat sites.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde::Serialize;

use super::render::Format;
use super::sites::{self, SiteChange};
use crate::schema::{Results, ScenarioResult};

/// Two rows at one trace-state size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtSize {
    /// Trace-state entries.
    pub trace_state_entries: usize,
    /// Allocations per span of the first row (count pass) …
    pub a_allocs_per_span: f64,
    /// … and of the second.
    pub b_allocs_per_span: f64,
    /// Bytes per span of the first row …
    pub a_bytes_per_span: f64,
    /// … and of the second.
    pub b_bytes_per_span: f64,
    /// Every hand-off of either row (dhat sites per measured span), the largest difference
    /// first: `before` is the first row, `after` the second.
    pub hand_offs: Vec<SiteChange>,
}

/// The whole answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Between {
    /// The first row's name.
    pub a: String,
    /// The second's.
    pub b: String,
    /// One entry per trace-state size both rows were measured at.
    pub sizes: Vec<AtSize>,
}

fn row<'r>(r: &'r Results, id: &str, ts: usize) -> Option<&'r ScenarioResult> {
    let primary = r.primary_allocator();
    r.scenarios.iter().find(|s| s.trace_state_entries == ts && (s.id() == id || (s.name == id && s.allocator == primary)))
}

/// `a` against `b` in `r`, at every size both were measured at with dhat sites. `Err` names
/// what is missing, in one line.
pub fn between(r: &Results, a: &str, b: &str) -> Result<Between, String> {
    let known: Vec<String> = r.scenarios.iter().map(ScenarioResult::id).collect();
    for name in [a, b] {
        if !r.scenarios.iter().any(|s| s.id() == name || s.name == name) {
            return Err(format!("no row '{name}' in the results (rows: {})", dedup(known).join(", ")));
        }
    }
    let mut sizes = Vec::new();
    for &ts in &r.config.trace_state {
        let (Some(ra), Some(rb)) = (row(r, a, ts), row(r, b, ts)) else { continue };
        let Some(hand_offs) = sites::between(ra, rb) else { continue };
        sizes.push(AtSize {
            trace_state_entries: ts,
            a_allocs_per_span: ra.metrics.allocs_per_span,
            b_allocs_per_span: rb.metrics.allocs_per_span,
            a_bytes_per_span: ra.metrics.bytes_per_span,
            b_bytes_per_span: rb.metrics.bytes_per_span,
            hand_offs,
        });
    }
    if sizes.is_empty() {
        return Err(format!("{a} and {b} have no dhat sites at a common trace-state size (run without --no-dhat)"));
    }
    Ok(Between { a: a.to_owned(), b: b.to_owned(), sizes })
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    v.retain(|x| seen.insert(x.clone()));
    v
}

fn heading(w: &Between, s: &AtSize) -> String {
    format!(
        "{} → {} at ts={}: {:.3} → {:.3} allocs/span, {:.1} → {:.1} bytes/span",
        w.a, w.b, s.trace_state_entries, s.a_allocs_per_span, s.b_allocs_per_span, s.a_bytes_per_span, s.b_bytes_per_span
    )
}

/// Renders the answer as `format`.
pub fn render(w: &Between, format: Format) -> String {
    const NOTE: &str = "hand-offs from dhat's sites per measured span; blocks = allocations + reallocations";
    match format {
        Format::Json => serde_json::to_string_pretty(w).expect("plain data serialises"),
        Format::Text => {
            let mut out = String::new();
            for s in &w.sizes {
                let mut t = Table::new();
                t.load_preset(UTF8_FULL_CONDENSED);
                t.set_header([
                    "hand-off".to_owned(),
                    format!("{} blocks/span", w.a),
                    format!("{} blocks/span", w.b),
                    "change".into(),
                    format!("{} B/span", w.a),
                    format!("{} B/span", w.b),
                    "change".into(),
                ]);
                for h in &s.hand_offs {
                    t.add_row([
                        h.site.clone(),
                        format!("{:.3}", h.before_blocks_per_span),
                        format!("{:.3}", h.after_blocks_per_span),
                        format!("{:+.3}", h.delta_blocks()),
                        format!("{:.1}", h.before_bytes_per_span),
                        format!("{:.1}", h.after_bytes_per_span),
                        format!("{:+.1}", h.delta_bytes()),
                    ]);
                }
                out.push_str(&format!("{} ({NOTE}):\n{t}\n", heading(w, s)));
            }
            out
        }
        Format::Markdown => {
            let mut out = String::new();
            for s in &w.sizes {
                out.push_str(&format!(
                    "**{}** ({NOTE}):\n\n| hand-off | {a} blocks/span | {b} blocks/span | change | {a} B/span | {b} B/span | change |\n|---|---:|---:|---:|---:|---:|---:|\n",
                    heading(w, s),
                    a = w.a,
                    b = w.b
                ));
                for h in &s.hand_offs {
                    out.push_str(&format!(
                        "| `{}` | {:.3} | {:.3} | {:+.3} | {:.1} | {:.1} | {:+.1} |\n",
                        h.site,
                        h.before_blocks_per_span,
                        h.after_blocks_per_span,
                        h.delta_blocks(),
                        h.before_bytes_per_span,
                        h.after_bytes_per_span,
                        h.delta_bytes()
                    ));
                }
                out.push('\n');
            }
            out
        }
    }
}
