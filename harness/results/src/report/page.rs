//! The HTML page: sections in reading order, each a function of the inputs.

use std::fmt::Write;

use super::claims::{self, Claims};
use super::{sections, style, Inputs};
use crate::schema::{Results, ScenarioResult};

/// A rendered report: the page and its charts by file stem.
pub struct Page {
    /// `index.html`.
    pub html: String,
    /// `(file stem, svg)` for every chart in the page.
    pub charts: Vec<(String, String)>,
    /// The judged claims the page's table shows, for `claims.json`.
    pub claims: Claims,
}

/// Escapes text for HTML content and attribute values, capped and with control characters made
/// visible first ([`crate::text::visible`]): an input string cannot grow the page without bound.
pub fn esc(s: &str) -> String {
    let s = crate::text::visible(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A bar chart: file stem, title, unit, and the value it shows per scenario.
pub(super) type BarSpec = (&'static str, &'static str, &'static str, fn(&ScenarioResult) -> f64);

pub(super) struct Builder<'a> {
    pub(super) inputs: &'a Inputs,
    pub(super) html: String,
    pub(super) charts: Vec<(String, String)>,
    /// The trace-state size single-size charts are drawn at.
    pub(super) ts: usize,
    pub(super) claims: Claims,
}

/// Renders the page.
pub fn render(inputs: &Inputs) -> Page {
    let r = &inputs.results;
    let ts = if r.config.trace_state.contains(&4) { 4 } else { r.config.trace_state.first().copied().unwrap_or(0) };
    let claims = claims::evaluate(r, &inputs.criterion);
    let mut b = Builder { inputs, html: String::new(), charts: Vec::new(), ts, claims };
    b.html.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    b.html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = write!(
        b.html,
        "<title>spanalloc report {}</title><style>{}</style></head><body>",
        esc(&r.environment.started_at),
        style::CSS
    );
    let _ = write!(b.html, "<h1>spanalloc report</h1>");
    sections::verdict::write(&mut b);
    sections::strategies::write(&mut b);
    sections::per_strategy::write(&mut b);
    sections::sweep::write(&mut b);
    sections::allocators::write(&mut b);
    sections::releases::write(&mut b);
    sections::timeline::write(&mut b);
    sections::stages::write(&mut b);
    sections::baseline::write(&mut b);
    sections::history::write(&mut b);
    sections::benches::write(&mut b);
    sections::claims::write(&mut b);
    sections::go::write(&mut b);
    sections::method::write(&mut b);
    b.html.push_str("</body></html>\n");
    Page { html: b.html, charts: b.charts, claims: b.claims }
}

impl Builder<'_> {
    pub(super) fn results(&self) -> &Results {
        &self.inputs.results
    }

    pub(super) fn section(&mut self, id: &str, title: &str) {
        let _ = write!(self.html, "<section id=\"{id}\"><h2>{}</h2>", esc(title));
    }

    pub(super) fn end(&mut self) {
        self.html.push_str("</section>");
    }

    pub(super) fn absent(&mut self, why: &str) {
        let _ = write!(self.html, "<p class=\"absent\">{}</p>", esc(why));
    }

    /// Inlines a chart (without the namespace attribute, which HTML does not need) and keeps it
    /// for its own file.
    pub(super) fn chart(&mut self, name: &str, svg: String) {
        let inline = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
        let _ = write!(self.html, "<figure class=\"chart\" id=\"chart-{name}\">{inline}</figure>");
        self.charts.push((name.to_owned(), svg));
    }

    /// A row of charts, side by side where the page is wide enough (the `charts` grid).
    pub(super) fn charts<'n>(&mut self, drawn: impl IntoIterator<Item = (&'n str, String)>) {
        self.html.push_str("<div class=\"charts\">");
        for (name, svg) in drawn {
            self.chart(name, svg);
        }
        self.html.push_str("</div>");
    }

    pub(super) fn at_ts(&self) -> Vec<&ScenarioResult> {
        self.results().primary().filter(|s| s.trace_state_entries == self.ts).collect()
    }
}
