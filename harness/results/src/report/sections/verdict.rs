//! The verdict banner: regressions against the baseline, failures, dropped spans, and the run's configuration and environment.

use std::fmt::Write;

use crate::compare::{render::value, Verdict};
use crate::report::page::{esc, Builder};

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("verdict", "Verdict");
    let failures = &b.inputs.results.failures;
    match &b.inputs.comparison {
        Some(c) if c.regressions > 0 => {
            let _ = write!(
                b.html,
                "<div class=\"banner bad\">{} regression{} against {}</div><ul>",
                c.regressions,
                if c.regressions == 1 { "" } else { "s" },
                esc(&c.baseline)
            );
            for r in c.rows.iter().filter(|r| r.verdict == Verdict::Regressed) {
                let change = r.change_pct.map_or_else(|| "from 0".into(), |p| format!("{p:+.1}%"));
                let _ = write!(
                    b.html,
                    "<li><b>{}</b> ts={} <code>{}</code>: {} → {} ({change})</li>",
                    esc(&r.scenario),
                    r.trace_state_entries,
                    esc(r.metric),
                    esc(&value(r.baseline, r.unit)),
                    esc(&value(r.current, r.unit))
                );
            }
            b.html.push_str("</ul>");
        }
        Some(c) => {
            let _ = write!(b.html, "<div class=\"banner good\">no regression against {}</div>", esc(&c.baseline));
        }
        None => {
            let _ = write!(b.html, "<div class=\"banner info\">{}</div>", esc(&b.inputs.no_comparison));
        }
    }
    for s in b.inputs.results.scenarios.iter().filter(|s| s.dropped_spans > 0) {
        let _ = write!(
            b.html,
            "<div class=\"banner info\">{} at trace-state {} dropped {} of its spans (its batch queue was full): its figures are not of the same work as the others'.</div>",
            esc(&s.name),
            s.trace_state_entries,
            s.dropped_spans
        );
    }
    if !failures.is_empty() {
        let _ = write!(b.html, "<div class=\"banner bad\">{} scenario(s) failed</div><ul>", failures.len());
        for f in failures {
            let _ = write!(
                b.html,
                "<li><b>{}</b> ts={} ({} pass): {}</li>",
                esc(&f.name),
                f.trace_state_entries,
                esc(&f.pass),
                esc(&f.error)
            );
        }
        b.html.push_str("</ul>");
    }
    let r = b.results();
    let c = &r.config;
    let e = &r.environment;
    let rate = if c.rate == 0 { "unpaced".to_owned() } else { format!("{} spans/s", c.rate) };
    let dl = format!(
        "<dl><dt>spans</dt><dd>{}</dd><dt>rate</dt><dd>{}</dd><dt>trace-state entries</dt><dd>{}</dd>\
         <dt>producers</dt><dd>{}</dd><dt>seed</dt><dd>{}</dd><dt>warm-up</dt><dd>{}</dd><dt>repeats</dt><dd>{}</dd>\
         <dt>trace shape</dt><dd>fan-out {}, depth {}, every {}th span crosses a process boundary</dd>\
         <dt>started</dt><dd>{}</dd><dt>commit</dt><dd>{}</dd><dt>rustc</dt><dd>{}</dd><dt>CPU</dt><dd>{} ({} cores)</dd>\
         <dt>allocator</dt><dd>{}</dd><dt>profile</dt><dd>{}</dd><dt>runner</dt><dd>{}</dd><dt>kernel</dt><dd>{}</dd>\
         <dt>run id</dt><dd>{}</dd><dt>fingerprint</dt><dd>{}</dd></dl>",
        c.spans,
        esc(&rate),
        esc(&c.trace_state.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")),
        c.producers,
        c.seed,
        c.warmup,
        c.repeat,
        c.fan_out,
        c.depth,
        c.propagate_every,
        esc(&e.started_at),
        esc(e.git_commit.as_deref().unwrap_or("unknown")),
        esc(&e.rustc),
        esc(&e.cpu),
        e.cores,
        esc(&e.allocator),
        esc(e.profile.as_deref().unwrap_or("not recorded")),
        esc(e.runner.as_deref().unwrap_or("none")),
        esc(e.kernel.as_deref().unwrap_or("not recorded")),
        esc(e.run_id.as_deref().unwrap_or("not recorded")),
        esc(&e.fingerprint().map_or_else(|| "none (before schema 4)".to_owned(), |f| f.id()))
    );
    b.html.push_str(&dl);
    for w in &b.inputs.warnings {
        let _ = write!(b.html, "<p class=\"absent\">warning: {}</p>", esc(w));
    }
    b.end();
}
