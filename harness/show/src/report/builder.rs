//! What a section writes the page with: the [`Builder`] that holds the HTML and charts so far,
//! and [`esc`] for every string an input supplies. Below both the page and its sections, so the
//! page composes sections that do not import it.

use std::fmt::Write;

use super::claims::Claims;
use super::inputs::Inputs;
use spanalloc_record::schema::{Results, ScenarioResult};

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

/// Text written with Markdown's code spans (`spanalloc history append`), for HTML: escaped,
/// each span in `<code>`. The page never shows a backtick: one renderer per medium, and HTML's
/// code is `<code>` (a stray backtick, unpaired, is dropped).
pub fn prose(s: &str) -> String {
    let mut out = String::new();
    let parts: Vec<&str> = s.split('`').collect();
    let paired = parts.len() % 2 == 1;
    for (i, part) in parts.iter().enumerate() {
        let code = i % 2 == 1 && (paired || i + 1 < parts.len());
        if code {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
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
        let _ = write!(self.html, "<p class=\"absent\">{}</p>", prose(why));
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
