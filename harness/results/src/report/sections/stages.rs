//! Which stage allocates, and the top allocation sites of the dhat pass.

use std::fmt::Write;

use crate::report::page::{esc, Builder};
use crate::table::human_bytes;

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
    html.push_str("<h3>Top allocation sites (dhat pass)</h3>");
    let mut any = false;
    for s in &rows {
        let Some(d) = &s.dhat else { continue };
        any = true;
        let _ = write!(
            html,
            "<p><b>{}</b>: {:.3} allocs/span, {:.1} bytes/span over {} unpaced spans; profile {}</p>\
             <table><tr><th class=\"l\">site</th><th>blocks</th><th>bytes</th></tr>",
            esc(&s.name),
            d.allocs_per_span,
            d.bytes_per_span,
            d.spans,
            profile_link(b, &d.file)
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
    }
    if any {
        html.push_str("<p>Sites count the whole profile, warm-up and setup included. Open a profile in DHAT's viewer (<code>dh_view.html</code>, shipped with valgrind) to see full call stacks.</p>");
    } else {
        html.push_str("<p class=\"absent\">No dhat pass in this run (--no-dhat).</p>");
    }
    b.html.push_str(&html);
    b.end();
}
