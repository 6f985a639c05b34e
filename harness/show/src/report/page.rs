//! The HTML page: sections in reading order, each a function of the inputs. The page composes
//! the sections; they write through the [`super::builder`] and never import the page.

use std::fmt::Write;

use super::builder::{esc, Builder};
use super::claims::{self, Claims};
use super::inputs::Inputs;
use super::{sections, style};

/// A rendered report: the page and its charts by file stem.
pub struct Page {
    /// `index.html`.
    pub html: String,
    /// `(file stem, svg)` for every chart in the page.
    pub charts: Vec<(String, String)>,
    /// The judged claims the page's table shows, for `claims.json`.
    pub claims: Claims,
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
    sections::holds::write(&mut b);
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
