//! The article's claims, as judged in `claims.json`.

use std::fmt::Write;

use crate::report::builder::{esc, Builder};
use crate::report::claims::Claim;

pub(in crate::report) fn write(b: &mut Builder<'_>) {
    b.section("claims", "The article's claims, measured");
    let mut html = String::from(
        "<p>The article <i>The secret use of Go pointers in cloud-native observability: how *trace.SpanContext cuts OpenTelemetry's memory overhead by 62%</i> \
         (published in Chinese as <i lang=\"zh-Hans\">Go指针在云原生可观测性中的秘密应用:如何用*trace.SpanContext降低OpenTelemetry内存开销62%</i>, \
         in pinyin <i lang=\"zh-Latn-pinyin\">Go zhǐzhēn zài yún yuánshēng kěguāncèxìng zhōng de mìmì yìngyòng: rúhé yòng *trace.SpanContext jiàngdī OpenTelemetry nèicún kāixiāo 62%</i> \
         — shown always, since a page cannot tell whether the reader's machine has a font for the Chinese; no URL for it is known) \
         claims pointer passing cuts OpenTelemetry Go's memory 62%. Each verdict below is computed from this run's numbers, per size, with direction and size judged apart: <b>holds</b> (direction right, size within ±25% of the claim), <b>holds in direction</b> (right direction, size outside that band), <b>contradicted</b>, <b>inconclusive</b> (inside the noise, or a timing or peak-memory difference under 5%), <b>nothing carried</b> (nothing for the claim's means to save), <b>not measured</b>. Each claim names the quantity it is judged on; a claim's overall verdict rests on the sizes judged, never on an inconclusive one or on peak RSS shown beside a heap verdict. The same verdicts are in <code>claims.json</code> beside this page; the Go twin's verdicts are in <a href=\"#go\">the article in its own language</a>.</p>\
         <p><b>Which contrast answers which question.</b> A Go <code>SpanContext</code> copy is shallow: its trace state is a slice header over shared members. A Rust SDK clone is deep (1 + 2n allocations for n entries). So C1–C3 are judged twice: <b>copy vs pointer</b> — value-shared (by value, trace state shared) against pointer-passing — is the article's question, with the representation held fixed; <b>deep vs shared trace state</b> — value-copy against value-shared — is the Rust SDK's own cost, what sharing would save it, and not the article's question.</p>",
    );
    let _ = write!(html, "<p>{}</p>", esc(crate::report::claims::rust::ARTICLE_INCONSISTENCY));
    html.push_str(&table(b.claims.claims.iter().filter(|c| c.language == "rust"), "Rust analogue"));
    html.push_str("<p>Facts checked elsewhere: the Go SDK has no <code>WithSpanContextPtr</code> option; Go's <code>trace.SpanContext</code> is 64 bytes on 64-bit, not 16; a Go value copy does not allocate on the heap unless it escapes.</p>");
    b.html.push_str(&html);
    b.end();
}

/// The claims' table: one row per claim × size, the overall verdict beside.
pub(in crate::report) fn table<'c>(claims: impl Iterator<Item = &'c Claim>, analogue: &str) -> String {
    let mut html = format!(
        "<table><tr><th class=\"l\">#</th><th class=\"l\">claim (Go)</th><th class=\"l\">{analogue}</th><th class=\"l\">size</th><th class=\"l\">measured</th><th class=\"l\">claimed</th><th class=\"l\">verdict</th><th class=\"l\">overall</th></tr>"
    );
    for c in claims {
        let n = c.sizes.len().max(1);
        for (i, s) in c.sizes.iter().enumerate() {
            let contrast = c.contrast.map_or("", |k| k.name);
            html.push_str(&format!(
                "<tr data-claim=\"{}\" data-language=\"{}\" data-contrast=\"{}\" data-size=\"{}\">",
                c.id,
                c.language,
                esc(contrast),
                esc(&s.size)
            ));
            if i == 0 {
                let named = c.contrast.map_or_else(String::new, |k| {
                    let answers =
                        if k.answers_article { " — the article's question" } else { " — not the article's question" };
                    format!("<b>{}</b>: {} against {}{answers}<br>", esc(k.name), esc(k.value), esc(k.other))
                });
                let _ = write!(
                    html,
                    "<td class=\"l\" rowspan=\"{n}\">{}</td><td class=\"l\" rowspan=\"{n}\">{}</td><td class=\"l\" rowspan=\"{n}\">{named}<span class=\"metric\">judged on: <b>{}</b></span><br>{}<br><small>{}</small></td>",
                    c.id,
                    esc(c.claim),
                    esc(c.metric),
                    esc(&c.analogue),
                    esc(&c.criterion)
                );
            }
            let _ = write!(
                html,
                "<td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l {}\">{}</td>",
                esc(&s.size),
                esc(&s.measured),
                esc(&s.claimed),
                s.verdict.class(),
                s.verdict.word()
            );
            if i == 0 {
                let _ =
                    write!(html, "<td class=\"l overall {}\" rowspan=\"{n}\">{}</td>", c.overall.class(), esc(&c.overall_detail));
            }
            html.push_str("</tr>");
        }
    }
    html.push_str("</table>");
    html
}
