//! The HTML page: sections in reading order, each a function of the inputs.

use std::fmt::Write;

use super::charts::{self, Series};
use super::claims::{self, Claims};
use super::Inputs;
use crate::compare::{render::value, Verdict};
use crate::results::{Results, ScenarioResult};
use crate::table::{human_bytes, ratio, signed_bytes};

/// A rendered report: the page and its charts by file stem.
pub struct Page {
    /// `index.html`.
    pub html: String,
    /// `(file stem, svg)` for every chart in the page.
    pub charts: Vec<(String, String)>,
    /// The judged claims the page's table shows, for `claims.json`.
    pub claims: Claims,
}

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
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

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1180px;padding:0 16px 48px;color:#222}\
h1{margin-top:24px}h2{border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:36px}\
table{border-collapse:collapse;margin:8px 0;font-size:14px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}\
th{background:#f4f4f4}td.l,th.l{text-align:left}.banner{padding:14px 18px;border-radius:6px;font-size:18px;font-weight:600}\
.bad{background:#fde2e1;color:#8a1111}.good{background:#e3f5e1;color:#1d5e1a}.info{background:#eef2f8;color:#244}\
tr.regressed td{background:#fde2e1}tr.improved td{background:#e3f5e1}tr.noise td,tr.unchanged td{color:#555}\
tr.incomparable td,tr.missing td,tr.new td{background:#fff6d6}.v-holds{color:#1d5e1a;font-weight:600}\
.v-contradicted{color:#8a1111;font-weight:600}.v-direction{color:#7a5d00;font-weight:600}.v-depends{color:#244;font-weight:600}.v-none{color:#666}.charts{display:flex;flex-wrap:wrap;gap:12px}\
.chart{border:1px solid #eee;margin:0}dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;font-size:14px}dt{color:#666}\
.absent{color:#666;font-style:italic}code{background:#f4f4f4;padding:1px 4px}";

/// A bar chart: file stem, title, unit, and the value it shows per scenario.
type BarSpec = (&'static str, &'static str, &'static str, fn(&ScenarioResult) -> f64);

struct Builder<'a> {
    inputs: &'a Inputs,
    html: String,
    charts: Vec<(String, String)>,
    /// The trace-state size single-size charts are drawn at.
    ts: usize,
    claims: Claims,
}

/// Renders the page.
pub fn render(inputs: &Inputs) -> Page {
    let r = &inputs.results;
    let ts = if r.config.trace_state.contains(&4) { 4 } else { r.config.trace_state.first().copied().unwrap_or(0) };
    let claims = claims::evaluate(r, &inputs.criterion);
    let mut b = Builder { inputs, html: String::new(), charts: Vec::new(), ts, claims };
    b.html.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    b.html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = write!(b.html, "<title>spanalloc report {}</title><style>{CSS}</style></head><body>", esc(&r.environment.started_at));
    let _ = write!(b.html, "<h1>spanalloc report</h1>");
    b.verdict();
    b.strategies();
    b.bars();
    b.sweep();
    b.timeline();
    b.stages();
    b.baseline();
    b.history();
    b.benches();
    b.claims();
    b.method();
    b.html.push_str("</body></html>\n");
    Page { html: b.html, charts: b.charts, claims: b.claims }
}

impl Builder<'_> {
    fn results(&self) -> &Results {
        &self.inputs.results
    }

    fn section(&mut self, id: &str, title: &str) {
        let _ = write!(self.html, "<section id=\"{id}\"><h2>{}</h2>", esc(title));
    }

    fn end(&mut self) {
        self.html.push_str("</section>");
    }

    fn absent(&mut self, why: &str) {
        let _ = write!(self.html, "<p class=\"absent\">{}</p>", esc(why));
    }

    /// Inlines a chart (without the namespace attribute, which HTML does not need) and keeps it
    /// for its own file.
    fn chart(&mut self, name: &str, svg: String) {
        let inline = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
        let _ = write!(self.html, "<figure class=\"chart\" id=\"chart-{name}\">{inline}</figure>");
        self.charts.push((name.to_owned(), svg));
    }

    fn at_ts(&self) -> Vec<&ScenarioResult> {
        self.results().scenarios.iter().filter(|s| s.trace_state_entries == self.ts).collect()
    }

    fn verdict(&mut self) {
        self.section("verdict", "Verdict");
        let failures = &self.inputs.results.failures;
        match &self.inputs.comparison {
            Some(c) if c.regressions > 0 => {
                let _ = write!(
                    self.html,
                    "<div class=\"banner bad\">{} regression{} against {}</div><ul>",
                    c.regressions,
                    if c.regressions == 1 { "" } else { "s" },
                    esc(&c.baseline)
                );
                for r in c.rows.iter().filter(|r| r.verdict == Verdict::Regressed) {
                    let change = r.change_pct.map_or_else(|| "from 0".into(), |p| format!("{p:+.1}%"));
                    let _ = write!(
                        self.html,
                        "<li><b>{}</b> ts={} <code>{}</code>: {} → {} ({change})</li>",
                        esc(&r.scenario),
                        r.trace_state_entries,
                        esc(r.metric),
                        esc(&value(r.baseline, r.unit)),
                        esc(&value(r.current, r.unit))
                    );
                }
                self.html.push_str("</ul>");
            }
            Some(c) => {
                let _ = write!(self.html, "<div class=\"banner good\">no regression against {}</div>", esc(&c.baseline));
            }
            None => {
                let _ = write!(self.html, "<div class=\"banner info\">{}</div>", esc(&self.inputs.no_comparison));
            }
        }
        for s in self.inputs.results.scenarios.iter().filter(|s| s.dropped_spans > 0) {
            let _ = write!(
                self.html,
                "<div class=\"banner info\">{} at trace-state {} dropped {} of its spans (its batch queue was full): its figures are not of the same work as the others'.</div>",
                esc(&s.name),
                s.trace_state_entries,
                s.dropped_spans
            );
        }
        if !failures.is_empty() {
            let _ = write!(self.html, "<div class=\"banner bad\">{} scenario(s) failed</div><ul>", failures.len());
            for f in failures {
                let _ = write!(
                    self.html,
                    "<li><b>{}</b> ts={} ({} pass): {}</li>",
                    esc(&f.name),
                    f.trace_state_entries,
                    esc(&f.pass),
                    esc(&f.error)
                );
            }
            self.html.push_str("</ul>");
        }
        let r = self.results();
        let c = &r.config;
        let e = &r.environment;
        let rate = if c.rate == 0 { "unpaced".to_owned() } else { format!("{} spans/s", c.rate) };
        let dl = format!(
            "<dl><dt>spans</dt><dd>{}</dd><dt>rate</dt><dd>{}</dd><dt>trace-state entries</dt><dd>{}</dd>\
             <dt>producers</dt><dd>{}</dd><dt>seed</dt><dd>{}</dd><dt>warm-up</dt><dd>{}</dd><dt>repeats</dt><dd>{}</dd>\
             <dt>trace shape</dt><dd>fan-out {}, depth {}, every {}th span crosses a process boundary</dd>\
             <dt>started</dt><dd>{}</dd><dt>commit</dt><dd>{}</dd><dt>rustc</dt><dd>{}</dd><dt>CPU</dt><dd>{} ({} cores)</dd>\
             <dt>allocator</dt><dd>{}</dd></dl>",
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
            esc(&e.allocator)
        );
        self.html.push_str(&dl);
        for w in &self.inputs.warnings {
            let _ = write!(self.html, "<p class=\"absent\">warning: {}</p>", esc(w));
        }
        self.end();
    }

    fn strategies(&mut self) {
        self.section("strategies", "Strategies side by side");
        self.html.push_str(
            "<table><tr><th class=\"l\">scenario</th><th>ts</th><th>allocs/span</th><th>bytes/span</th><th>setup heap</th>\
             <th>peak in flight</th><th>retained</th><th>peak RSS</th><th>CPU ns/span</th><th>rate/s</th><th>max lag</th><th>p50</th><th>p99</th><th>allocator calls/s</th>\
             <th>meter ×</th><th>allocs vs VC</th><th>bytes vs VC</th><th>peak heap vs VC</th><th>CPU vs VC</th></tr>",
        );
        let r = self.results();
        let mut rows = String::new();
        for s in &r.scenarios {
            let m = &s.metrics;
            let reference = r.reference_for(s);
            let vs = |f: fn(&ScenarioResult) -> f64| reference.map_or_else(|| "n/a".into(), |x| ratio(f(s), f(x)));
            let _ = write!(
                rows,
                "<tr><td class=\"l\">{}</td><td>{}</td><td>{:.3}</td><td>{:.1}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0}</td><td>{:.0}</td>\
                 <td>{}</td><td>{}</td><td>{}</td><td>{:.0}</td><td>{:.2}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&s.label()),
                s.trace_state_entries,
                m.allocs_per_span,
                m.bytes_per_span,
                human_bytes(m.setup_heap_bytes as f64),
                human_bytes(m.peak_heap_bytes.saturating_sub(m.setup_heap_bytes) as f64),
                signed_bytes(m.retained_heap_bytes),
                human_bytes(m.peak_rss_bytes as f64),
                m.cpu_ns_per_span,
                m.achieved_rate,
                value(Some(m.max_lag_ns as f64), "ns"),
                value(Some(m.latency_p50_ns as f64), "ns"),
                value(Some(m.latency_p99_ns as f64), "ns"),
                m.allocs_per_sec,
                m.meter_overhead,
                esc(&vs(|x| x.metrics.allocs_per_span)),
                esc(&vs(|x| x.metrics.bytes_per_span)),
                esc(&vs(|x| x.metrics.peak_heap_bytes as f64)),
                esc(&vs(|x| x.metrics.cpu_ns_per_span)),
            );
        }
        self.html.push_str(&rows);
        self.html.push_str(
            "</table><p>Heap figures are above what the harness itself had live before the scenario's setup: <b>setup heap</b> is what \
             setup and warm-up left live when the measured region began (a pool, a queue), <b>peak in flight</b> the highest live heap \
             above that during the region (median of the count passes), <b>retained</b> what the region kept at its end. Ratios are \
             against value-copy at the same trace-state size; <b>=</b> both are 0, <b>—</b> value-copy is 0.</p>",
        );
        let mut seen = std::collections::BTreeSet::new();
        let mut settings = String::new();
        for s in self.results().scenarios.iter().filter(|s| !s.settings.is_empty()) {
            if seen.insert(s.name.clone()) {
                let list: Vec<String> = s.settings.iter().map(|(k, v)| format!("{}: {}", esc(k), esc(v))).collect();
                let _ = write!(settings, "<li><b>{}</b> — {}</li>", esc(&s.name), list.join("; "));
            }
        }
        if !settings.is_empty() {
            let _ = write!(self.html, "<p>Settings, as each scenario reported them:</p><ul class=\"settings\">{settings}</ul>");
        }
        self.end();
    }

    fn bars(&mut self) {
        self.section("charts", &format!("Per strategy at trace-state {}", self.ts));
        let rows = self.at_ts();
        let specs: [BarSpec; 4] = [
            ("allocs-per-span", "allocations per span", "allocs", |s| s.metrics.allocs_per_span),
            ("bytes-per-span", "bytes allocated per span", "bytes", |s| s.metrics.bytes_per_span),
            ("peak-heap", "peak live heap (MiB)", "MiB", |s| s.metrics.peak_heap_bytes as f64 / 1048576.0),
            ("peak-rss", "peak RSS (MiB)", "MiB", |s| s.metrics.peak_rss_bytes as f64 / 1048576.0),
        ];
        let drawn: Vec<(&str, String)> = specs
            .iter()
            .map(|(name, title, unit, f)| {
                let bars: Vec<(String, f64)> = rows.iter().map(|s| (s.name.clone(), f(s))).collect();
                (*name, charts::bars(title, unit, &bars))
            })
            .collect();
        self.html.push_str("<div class=\"charts\">");
        for (name, svg) in drawn {
            self.chart(name, svg);
        }
        self.html.push_str("</div>");
        self.end();
    }

    fn sweep(&mut self) {
        self.section("sweep", "Trace-state sweep: where the strategies cross");
        let sizes = &self.results().config.trace_state;
        if sizes.len() < 2 {
            let one = sizes.first().copied().unwrap_or(0);
            self.absent(&format!("This run used one trace-state size ({one}); run with --trace-state 0,1,4,32 for the sweep."));
            self.end();
            return;
        }
        let mut names: Vec<String> = Vec::new();
        for s in &self.results().scenarios {
            if !names.contains(&s.name) {
                names.push(s.name.clone());
            }
        }
        let series = |f: fn(&ScenarioResult) -> f64| -> Vec<Series> {
            names
                .iter()
                .map(|n| Series {
                    label: n.clone(),
                    points: self
                        .results()
                        .scenarios
                        .iter()
                        .filter(|s| &s.name == n)
                        .map(|s| (s.trace_state_entries as f64, f(s)))
                        .collect(),
                })
                .collect()
        };
        let (a, b) = (series(|s| s.metrics.allocs_per_span), series(|s| s.metrics.bytes_per_span));
        self.html.push_str("<div class=\"charts\">");
        self.chart("sweep-allocs", charts::lines("allocations per span by trace-state entries", "entries", "allocs/span", &a));
        self.chart("sweep-bytes", charts::lines("bytes per span by trace-state entries", "entries", "bytes/span", &b));
        self.html.push_str("</div>");
        self.end();
    }

    fn timeline(&mut self) {
        self.section("timeline", &format!("Live heap over the measured region (trace-state {})", self.ts));
        let series: Vec<Series> = self
            .at_ts()
            .iter()
            .filter(|s| !s.timeline.is_empty())
            .map(|s| Series {
                label: s.name.clone(),
                points: s.timeline.iter().map(|p| (p[0] as f64, p[1] as f64 / 1024.0)).collect(),
            })
            .collect();
        if series.is_empty() {
            self.absent("No timeline was recorded.");
        } else {
            self.chart("timeline", charts::lines("live heap", "ms", "KiB", &series));
        }
        self.end();
    }

    fn stages(&mut self) {
        self.section("stages", &format!("Which stage allocates, and where (trace-state {})", self.ts));
        let rows = self.at_ts();
        let stage_names: Vec<String> =
            rows.first().map(|s| s.stages.iter().map(|r| r.stage.clone()).collect()).unwrap_or_default();
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
                "<p><b>{}</b>: {:.3} allocs/span, {:.1} bytes/span over {} unpaced spans; profile <a href=\"{}\">{}</a></p>\
                 <table><tr><th class=\"l\">site</th><th>blocks</th><th>bytes</th></tr>",
                esc(&s.name),
                d.allocs_per_span,
                d.bytes_per_span,
                d.spans,
                esc(&d.file),
                esc(&d.file)
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
        self.html.push_str(&html);
        self.end();
    }

    fn baseline(&mut self) {
        self.section("baseline", "Against the baseline");
        let Some(c) = &self.inputs.comparison else {
            let why = self.inputs.no_comparison.clone();
            self.absent(&format!("{why}. Save one with `spanalloc baseline save nightly`."));
            self.end();
            return;
        };
        let mut rows: Vec<_> = c.rows.iter().collect();
        rows.sort_by_key(|r| r.verdict);
        let mut html = String::from(
            "<table><tr><th class=\"l\">scenario</th><th>ts</th><th class=\"l\">metric</th><th>baseline</th><th>current</th><th>change</th><th class=\"l\">verdict</th><th class=\"l\">note</th></tr>",
        );
        for r in rows {
            let change = r.change_pct.map_or_else(|| "—".into(), |p| format!("{p:+.1}%"));
            let _ = write!(
                html,
                "<tr class=\"{}\"><td class=\"l\">{}</td><td>{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td></tr>",
                r.verdict.word(),
                esc(&r.scenario),
                r.trace_state_entries,
                esc(r.metric),
                esc(&value(r.baseline, r.unit)),
                esc(&value(r.current, r.unit)),
                esc(&change),
                r.verdict.word(),
                esc(&r.note)
            );
        }
        html.push_str("</table>");
        self.html.push_str(&html);
        self.end();
    }

    fn history(&mut self) {
        self.section("history", "History");
        let entries = &self.inputs.history;
        if entries.is_empty() {
            self.absent("No history yet: `spanalloc history append` records a run in reports/history.jsonl.");
            self.end();
            return;
        }
        let ts = self.ts;
        let mut names: Vec<String> = Vec::new();
        for e in entries {
            for h in e.headline.iter().filter(|h| h.trace_state_entries == ts) {
                if !names.contains(&h.scenario) {
                    names.push(h.scenario.clone());
                }
            }
        }
        let series = |f: fn(&crate::history::HeadlineRow) -> f64| -> Vec<Series> {
            names
                .iter()
                .map(|n| Series {
                    label: n.clone(),
                    points: entries
                        .iter()
                        .enumerate()
                        .filter_map(|(i, e)| {
                            e.headline.iter().find(|h| &h.scenario == n && h.trace_state_entries == ts).map(|h| (i as f64, f(h)))
                        })
                        .collect(),
                })
                .collect()
        };
        let (a, c) = (series(|h| h.allocs_per_span), series(|h| h.cpu_ns_per_span));
        self.html.push_str("<div class=\"charts\">");
        self.chart(
            "history-allocs",
            charts::lines(&format!("allocs/span over runs (trace-state {ts})"), "run", "allocs/span", &a),
        );
        self.chart("history-cpu", charts::lines(&format!("CPU ns/span over runs (trace-state {ts})"), "run", "ns/span", &c));
        self.html.push_str("</div><table><tr><th>run</th><th class=\"l\">date</th><th class=\"l\">commit</th></tr>");
        let mut rows = String::new();
        for (i, e) in entries.iter().enumerate() {
            let commit = e.commit.as_deref().map_or("unknown", |c| &c[..c.len().min(12)]);
            let _ =
                write!(rows, "<tr><td>{i}</td><td class=\"l\">{}</td><td class=\"l\">{}</td></tr>", esc(&e.date), esc(commit));
        }
        self.html.push_str(&rows);
        self.html.push_str("</table>");
        self.end();
    }

    fn benches(&mut self) {
        self.section("benches", "Micro-benchmarks");
        let (crit, iai) = (&self.inputs.criterion, &self.inputs.iai);
        let mut html = String::new();
        if crit.is_empty() {
            html.push_str(
                "<p class=\"absent\">No criterion results found (target/criterion): run `cargo bench -p spanalloc-benches`.</p>",
            );
        } else {
            html.push_str("<h3>criterion: wall time (median, 95% interval)</h3><table><tr><th class=\"l\">benchmark</th><th>median</th><th>interval</th></tr>");
            for b in crit {
                let _ = write!(
                    html,
                    "<tr><td class=\"l\">{}</td><td>{}</td><td>{} – {}</td></tr>",
                    esc(&b.id),
                    value(Some(b.median_ns), "ns"),
                    value(Some(b.median_ci_ns.0), "ns"),
                    value(Some(b.median_ci_ns.1), "ns")
                );
            }
            html.push_str("</table>");
        }
        if iai.is_empty() {
            html.push_str("<p class=\"absent\">No iai-callgrind results found (target/iai): run `scripts/bench-iai.sh`.</p>");
        } else {
            html.push_str(
                "<h3>iai-callgrind: instructions</h3><table><tr><th class=\"l\">benchmark</th><th>instructions</th></tr>",
            );
            for b in iai {
                let _ = write!(html, "<tr><td class=\"l\">{}</td><td>{}</td></tr>", esc(&b.id), b.instructions);
            }
            html.push_str("</table>");
        }
        self.html.push_str(&html);
        self.end();
    }

    fn claims(&mut self) {
        self.section("claims", "The article's claims, measured");
        let mut html = String::from(
            "<p>The article (in shared/seed) claims pointer passing cuts OpenTelemetry Go's memory 62%. Each verdict below is computed from this run's numbers, per size, with direction and size judged apart: <b>holds</b> (direction right, size within ±25% of the claim), <b>holds in direction</b> (right direction, size outside that band), <b>contradicted</b>, <b>inconclusive</b> (inside the noise), <b>not measured</b>. The same verdicts are in <code>claims.json</code> beside this page.</p>\
             <table><tr><th class=\"l\">#</th><th class=\"l\">claim (Go)</th><th class=\"l\">Rust analogue</th><th class=\"l\">size</th><th class=\"l\">measured</th><th class=\"l\">claimed</th><th class=\"l\">verdict</th><th class=\"l\">overall</th></tr>",
        );
        for c in &self.claims.claims {
            let n = c.sizes.len().max(1);
            for (i, s) in c.sizes.iter().enumerate() {
                html.push_str(&format!("<tr data-claim=\"{}\" data-size=\"{}\">", c.id, esc(&s.size)));
                if i == 0 {
                    let _ = write!(
                        html,
                        "<td class=\"l\" rowspan=\"{n}\">{}</td><td class=\"l\" rowspan=\"{n}\">{}</td><td class=\"l\" rowspan=\"{n}\">{}<br><small>{}</small></td>",
                        c.id,
                        esc(c.claim),
                        esc(c.analogue),
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
                    let _ = write!(
                        html,
                        "<td class=\"l overall {}\" rowspan=\"{n}\">{}</td>",
                        c.overall.class(),
                        esc(&c.overall_detail)
                    );
                }
                html.push_str("</tr>");
            }
        }
        html.push_str("</table><p>Facts checked elsewhere: the Go SDK has no <code>WithSpanContextPtr</code> option; Go's <code>trace.SpanContext</code> is 64 bytes on 64-bit, not 16; a Go value copy does not allocate on the heap unless it escapes.</p>");
        self.html.push_str(&html);
        self.end();
    }

    fn method(&mut self) {
        self.section("method", "How these numbers were measured");
        let r = self.results();
        let overheads: Vec<f64> = r.scenarios.iter().map(|s| s.metrics.meter_overhead).collect();
        let (lo, hi) = overheads.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let checks: Vec<&ScenarioResult> = r.scenarios.iter().filter(|s| s.cross_check.is_some()).collect();
        let agreed = checks.iter().filter(|s| s.cross_check.as_ref().is_some_and(|c| c.agrees)).count();
        let overhead = if overheads.is_empty() { "no scenarios".to_owned() } else { format!("{lo:.2}–{hi:.2}×") };
        let html = format!(
            "<ul><li>Each scenario runs in fresh child processes, so peak heap and RSS are its own. Warm-up ({} spans) and setup are outside the measured region.</li>\
             <li><b>plain</b> pass, no meter: CPU per span (getrusage), achieved rate, lag, end-to-export latency, peak RSS (VmHWM). Timing never comes from an instrumented run.</li>\
             <li><b>count</b> pass: per-thread single-writer allocation counters (stats_alloc's shared counters are the reference they are tested against), a peak tracker within threads × 8 KiB, a live-heap sample every 10 ms, per-stage tallies. Its CPU over the plain pass's, the meter overhead, was {} in this run.</li>\
             <li><b>dhat</b> pass: {} unpaced spans for call sites; a count pass of the same spans must agree with it exactly. {} of {} scenarios agreed.</li>\
             <li>Rust has no garbage collector: allocator calls per second stand in for the article's GC count.</li>\
             <li>Allocation counts and bytes are exact and repeatable; CPU, latency and RSS are noisy: compare them only across repeated runs (--repeat), as spanalloc compare does.</li></ul>",
            r.config.warmup,
            overhead,
            r.config.dhat_spans.map_or_else(|| "no".into(), |n| n.to_string()),
            agreed,
            checks.len()
        );
        self.html.push_str(&html);
        self.end();
    }
}
