//! `spanalloc compare --between A B` shown: one table of hand-offs per trace-state size, as text,
//! Markdown or JSON. What the rows are is the judge's ([`spanalloc_judge::compare::between`]).

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use crate::compare::Format;
use spanalloc_judge::compare::between::{AtSize, Between};

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
