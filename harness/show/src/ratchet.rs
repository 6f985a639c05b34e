//! `spanalloc baseline ratchet` shown: what the ratchet tightened (or would), as text or Markdown.
//! What it tightened, and why, is the judge's ([`spanalloc_judge::ratchet`]).

use spanalloc_judge::ratchet::Outcome;

/// The outcome as text or Markdown (`markdown` true).
pub fn render(o: &Outcome, name: &str, dry_run: bool, markdown: bool) -> String {
    let verb = if dry_run { "would tighten" } else { "tightened" };
    let mut out = if markdown {
        format!("#### ratchet `{}`: {verb} {}\n\n", crate::text::md(name), o.tightened.len())
    } else {
        format!(
            "ratchet {}: {verb} {} figure(s) (a gain held for {} nights)\n",
            crate::text::visible(name),
            o.tightened.len(),
            o.nights
        )
    };
    if let Some(n) = &o.note {
        out.push_str(&format!("{}{n}\n", if markdown { "" } else { "  " }));
    }
    for t in &o.tightened {
        let line = format!("{} ts={} {}: {} → {}", t.scenario, t.trace_state_entries, t.metric, t.before, t.after);
        out.push_str(&if markdown {
            format!("- {}\n", crate::text::md(&line))
        } else {
            format!("  {}\n", crate::text::visible(&line))
        });
    }
    if !o.steps.is_empty() {
        let what = "change points in these figures since the baseline was saved";
        out.push_str(&crate::changes::render(
            &o.steps,
            if markdown { crate::changes::ChangesFormat::Markdown } else { crate::changes::ChangesFormat::Text },
            what,
        ));
    }
    out
}
