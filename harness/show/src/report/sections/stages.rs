//! Which stage allocates, and the top allocation sites of the dhat pass.

use std::fmt::Write;

use crate::report::builder::{esc, Builder};
use spanalloc_record::units::human_bytes;

/// A link to a profile the report's directory holds; anything else as plain text.
fn profile_link(b: &Builder<'_>, file: &str) -> String {
    if b.inputs.linkable.contains(file) {
        format!("<a href=\"{}\">{}</a>", esc(file), esc(file))
    } else {
        format!("<code>{}</code> (not in this report's directory)", esc(file))
    }
}

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("stages", &format!("Which stage allocates, and where (trace-state {})", b.ts));
    let rows = b.at_ts();
    let stage_names: Vec<String> = rows.first().map(|s| s.stages.iter().map(|r| r.stage.clone()).collect()).unwrap_or_default();
    let mut html = String::from("<table><tr><th class=\"l\">scenario</th>");
    for n in &stage_names {
        let _ = write!(html, "<th>{}</th>", esc(n));
    }
    html.push_str("</tr>");
    for s in &rows {
        let _ = write!(html, "<tr><td class=\"l\">{}</td>", esc(&s.name));
        for st in &s.stages {
            let _ = write!(html, "<td>{:.3}</td>", st.allocs_per_span);
        }
        html.push_str("</tr>");
    }
    html.push_str(
        "</table><p>Allocation events (allocs and reallocs) per span, charged to the stage the allocating thread was in.</p>",
    );
    html.push_str("<h3>Allocation sites by hand-off (dhat pass)</h3>");
    let mut any = false;
    for s in &rows {
        let Some(d) = &s.dhat else { continue };
        any = true;
        let _ = write!(
            html,
            "<p><b>{}</b>: {:.3} blocks/span (allocs and reallocs, as dhat counts them), {:.1} bytes/span over {} measured spans; profile {}</p>",
            esc(&s.name),
            d.allocs_per_span,
            d.bytes_per_span,
            d.spans,
            profile_link(b, &d.file)
        );
        if d.sites.is_empty() && d.top_sites.is_empty() {
            // No empty table: a row that allocated nothing in the region (pooled) says so.
            let _ = write!(
                html,
                "<p class=\"absent\">{} allocated nothing in the dhat pass's measured region: no site.</p>",
                esc(&s.name)
            );
            continue;
        }
        if d.sites.is_empty() {
            // Before schema 5: the innermost own frame, over the whole profile.
            html.push_str(
                "<table><tr><th class=\"l\">site (innermost own frame, whole profile)</th><th>blocks</th><th>bytes</th></tr>",
            );
            for site in &d.top_sites {
                let _ = write!(
                    html,
                    "<tr><td class=\"l\"><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                    esc(&site.site),
                    site.blocks,
                    human_bytes(site.bytes as f64)
                );
            }
            html.push_str("</table>");
            continue;
        }
        html.push_str("<table class=\"sites\"><tr><th class=\"l\">hand-off (the function that asked) and its call stacks</th><th>blocks/span</th><th>bytes/span</th></tr>");
        for site in &d.sites {
            let mut stacks = String::new();
            for st in &site.stacks {
                let _ = write!(
                    stacks,
                    "<li>{} blocks, {}<pre>{}</pre></li>",
                    st.blocks,
                    human_bytes(st.bytes as f64),
                    st.frames.iter().map(|f| esc(f)).collect::<Vec<_>>().join("\n")
                );
            }
            let _ = write!(
                html,
                "<tr><td class=\"l\"><details><summary><code>{}</code></summary><ul class=\"stacks\">{stacks}</ul></details></td><td>{:.3}</td><td>{:.1}</td></tr>",
                esc(&site.site),
                site.blocks_per_span,
                site.bytes_per_span
            );
        }
        html.push_str("</table>");
    }
    if any {
        html.push_str("<p>The dhat profiler runs over the measured region only. A site is the first frame, from the allocation outward, outside the standard library, the contexts' own <code>Clone</code> impls and trace-state internals, and the meter: the strategy method or pipeline stage that asked. Open a profile in DHAT's viewer (<code>dh_view.html</code>, shipped with valgrind) for more.</p>");
    } else {
        html.push_str("<p class=\"absent\">No dhat pass in this run (--no-dhat).</p>");
    }
    b.html.push_str(&html);
    b.end();
}
