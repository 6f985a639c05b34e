//! opentelemetry_sdk by release: the otel-sdk row at each release the run measured, and for each
//! step to the next release the hand-offs that moved, or "no change at this workload".

use std::fmt::Write;

use crate::report::builder::{esc, Builder};
use spanalloc_judge::compare::releases::{self, Step};
use spanalloc_judge::compare::sites::TOP;

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("releases", "opentelemetry_sdk by release");
    let r = b.results();
    let rel = releases::releases(r);
    if rel.len() < 2 {
        b.absent(
            "This run measured one opentelemetry_sdk release. The spanalloc-releases binary (scenarios/real-stacks) measures the \
             otel-sdk row at every minor release from 0.28 on the same workload: docs/sdk-releases.md.",
        );
        b.end();
        return;
    }
    let sizes = r.config.trace_state.clone();
    let mut html = String::from(
        "<p>The otel-sdk row's own code over each release's crates (renamed dependencies, one adapter file per release for what \
         its API changed), on the same workload: every release must export the same spans (the digest). Allocations and bytes \
         per span are the count pass's; the hand-offs are dhat's sites, per profiled span.</p><table><tr><th class=\"l\">release</th>",
    );
    for ts in &sizes {
        let _ = write!(html, "<th>allocs/span n={ts}</th><th>B/span n={ts}</th>");
    }
    html.push_str("<th class=\"l\">digest</th></tr>");
    for x in &rel {
        let _ = write!(html, "<tr><td class=\"l\">{} ({})</td>", esc(&x.release), esc(&x.row));
        let mut digests = Vec::new();
        for &ts in &sizes {
            match r.primary().find(|s| s.name == x.row && s.trace_state_entries == ts) {
                Some(s) => {
                    let _ = write!(html, "<td>{:.3}</td><td>{:.1}</td>", s.metrics.allocs_per_span, s.metrics.bytes_per_span);
                    digests.push(s.digest.clone());
                }
                None => html.push_str("<td>—</td><td>—</td>"),
            }
        }
        let _ = write!(html, "<td class=\"l\"><code>{}</code></td></tr>", esc(&digests.join(" ")));
    }
    html.push_str("</table><h3>Step by step: the hand-offs that moved</h3>");
    let steps = releases::steps(r);
    if steps.is_empty() {
        html.push_str(
            "<p class=\"absent\">No two releases have dhat sites at a common size (the run skipped the dhat pass).</p>",
        );
    }
    for s in &steps {
        step(&mut html, s);
    }
    b.html.push_str(&html);
    b.end();
}

fn step(html: &mut String, s: &Step) {
    let a = &s.at;
    let _ = write!(
        html,
        "<p><b>{} → {}, n = {}</b>: {:.3} → {:.3} allocs/span, {:.1} → {:.1} B/span. ",
        esc(&s.from.release),
        esc(&s.to.release),
        a.trace_state_entries,
        a.a_allocs_per_span,
        a.b_allocs_per_span,
        a.a_bytes_per_span,
        a.b_bytes_per_span,
    );
    if s.moved.is_empty() {
        let _ = write!(
            html,
            "No change at this workload: every hand-off within {:.4} blocks/span and {:.2} B/span (the rows' own spread, or their profiles' distance from their count passes if wider).</p>",
            s.spread_blocks, s.spread_bytes
        );
        return;
    }
    let n = s.moved.len();
    let _ = write!(html, "{n} hand-off{} moved:</p><ul>", if n == 1 { "" } else { "s" });
    for c in s.moved.iter().take(TOP) {
        let frames = if c.frames.is_empty() { String::new() } else { format!("; stack: {}", esc(&c.frames.join(" ← "))) };
        let _ = write!(
            html,
            "<li><code>{}</code>: {:+.3} blocks/span, {:+.1} B/span ({:.3} → {:.3}, {:.1} → {:.1} B{frames})</li>",
            esc(&c.site),
            c.delta_blocks(),
            c.delta_bytes(),
            c.before_blocks_per_span,
            c.after_blocks_per_span,
            c.before_bytes_per_span,
            c.after_bytes_per_span,
        );
    }
    if n > TOP {
        let _ =
            write!(html, "<li>and {} more: <code>compare --between {} {}</code></li>", n - TOP, esc(&s.from.row), esc(&s.to.row));
    }
    html.push_str("</ul>");
}
