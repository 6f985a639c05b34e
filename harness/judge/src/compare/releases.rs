//! opentelemetry_sdk release by release: the otel-sdk row at each release a run measured (rows
//! named `otel-sdk` and `otel-sdk@<release>`), in release order, and for each step between
//! neighbouring releases the hand-offs whose allocations moved — the explanation `compare
//! --between` gives, cut at the rows' own measured spread so timing noise is not called a change.

use serde::Serialize;

use super::between::{self, AtSize};
use super::sites::SiteChange;
use spanalloc_record::schema::{Results, ScenarioResult, SDK_RELEASE_SETTING};

/// The smallest per-span change a site must show to count as moved, whatever the spread: one
/// block in 2,000 spans (the release sweep's profile), and a hundredth of a byte.
const FLOOR_BLOCKS: f64 = 5e-4;
const FLOOR_BYTES: f64 = 5e-3;

/// One release's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Release {
    /// The row's name (`otel-sdk@0.28`, or `otel-sdk`).
    pub row: String,
    /// The release it ran over, from the row's settings (`0.28.0`), or the name's suffix.
    pub release: String,
}

/// A step from one release to the next at one trace-state size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The older release.
    pub from: Release,
    /// The newer one.
    pub to: Release,
    /// Both rows' figures and every hand-off, largest change first (noise included).
    pub at: AtSize,
    /// The hand-offs that moved beyond [`Step::spread_blocks`] / [`Step::spread_bytes`], largest
    /// change first.
    pub moved: Vec<SiteChange>,
    /// Blocks per span either row's own passes spread over (its dhat twins', or its profile's
    /// distance from them if wider); 0 for exact rows.
    pub spread_blocks: f64,
    /// Bytes per span the same way.
    pub spread_bytes: f64,
}

/// The releases a run holds, oldest first; fewer than two means there is nothing to line up.
pub fn releases(r: &Results) -> Vec<Release> {
    let mut out: Vec<Release> = Vec::new();
    for s in r.primary() {
        let suffix = if s.name == "otel-sdk" { Some("") } else { s.name.strip_prefix("otel-sdk@") };
        let Some(suffix) = suffix else { continue };
        if out.iter().any(|x| x.row == s.name) {
            continue;
        }
        let release = s.settings.get(SDK_RELEASE_SETTING).cloned().unwrap_or_else(|| suffix.to_owned());
        out.push(Release { row: s.name.clone(), release });
    }
    out.sort_by_key(|x| version_key(&x.release));
    out
}

/// `0.28.0` → `[0, 28, 0]`; a part that is not a number sorts last.
fn version_key(v: &str) -> Vec<u64> {
    let v = if v.is_empty() { "999" } else { v };
    v.split('.').map(|p| p.parse().unwrap_or(u64::MAX)).collect()
}

/// How far a row's sites may move without a change in the release: its twins' spread, or —
/// wider, for a row whose profile left its count passes' regime (a waived cross-check) — how far
/// the profile itself was from them, plus, for a row whose number of exports follows its
/// threads' timing, the range of exports it took at the cost it declares; per profiled span.
fn spread(s: &ScenarioResult) -> (f64, f64) {
    match &s.cross_check {
        Some(c) if !c.exact && c.spans > 0 => {
            let n = c.spans as f64;
            // The range of exports the row took over its profile and twins, at its cost per export:
            // the export hand-offs of its profile may sit anywhere in it.
            let exports = match (&s.per_export, &c.export_batches) {
                (Some(cost), Some(b)) => {
                    let (lo, hi) = spanalloc_record::stats::min_max(&[&b.meter[..], &[b.dhat]].concat());
                    let range = hi - lo;
                    (range * cost.allocs, range * cost.bytes)
                }
                _ => (0, 0),
            };
            let blocks = c.tolerance_blocks.max(c.dhat_blocks.abs_diff(c.meter_blocks) + exports.0) as f64 / n;
            let bytes = c.tolerance_bytes.max(c.dhat_bytes.abs_diff(c.meter_bytes) + exports.1) as f64 / n;
            (blocks, bytes)
        }
        _ => (0.0, 0.0),
    }
}

/// Every neighbouring pair of releases at every size both have dhat sites for.
pub fn steps(r: &Results) -> Vec<Step> {
    let rel = releases(r);
    let mut out = Vec::new();
    for pair in rel.windows(2) {
        let (from, to) = (&pair[0], &pair[1]);
        let Ok(b) = between::between(r, &from.row, &to.row) else { continue };
        for at in b.sizes {
            let find = |n: &str| r.primary().find(|s| s.name == n && s.trace_state_entries == at.trace_state_entries);
            let (fa, fb) = (find(&from.row).map(spread).unwrap_or_default(), find(&to.row).map(spread).unwrap_or_default());
            let spread_blocks = fa.0.max(fb.0).max(FLOOR_BLOCKS);
            let spread_bytes = fa.1.max(fb.1).max(FLOOR_BYTES);
            let moved = at
                .hand_offs
                .iter()
                .filter(|c| c.delta_blocks().abs() > spread_blocks || c.delta_bytes().abs() > spread_bytes)
                .cloned()
                .collect();
            out.push(Step { from: from.clone(), to: to.clone(), at, moved, spread_blocks, spread_bytes });
        }
    }
    out.sort_by_key(|s| s.at.trace_state_entries);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use spanalloc_record::input::parse_results;
    use spanalloc_record::schema::{CrossCheck, DhatSummary, Site};

    fn site(name: &str, blocks_per_span: f64, bytes_per_span: f64) -> Site {
        Site {
            site: name.into(),
            blocks: (blocks_per_span * 2000.0) as u64,
            bytes: (bytes_per_span * 2000.0) as u64,
            blocks_per_span,
            bytes_per_span,
            stacks: vec![],
        }
    }

    /// Three releases of one row (the fixture's value-copy rows renamed), at n = 0 only.
    fn three(sites: [Vec<Site>; 3], spread_blocks: u64) -> Results {
        let mut r =
            parse_results(include_bytes!("../../../record/tests/fixtures/results-v1.json")).expect("the fixture is valid");
        r.config.trace_state = vec![0];
        let template = r.scenarios[0].clone();
        r.scenarios.clear();
        // Listed out of order: the releases sort by version, not by row order or text.
        for (name, release, sites) in
            [("otel-sdk", "0.33.1", &sites[2]), ("otel-sdk@0.9", "0.9.0", &sites[0]), ("otel-sdk@0.28", "0.28.0", &sites[1])]
        {
            let mut s = template.clone();
            s.name = name.into();
            s.settings.insert(SDK_RELEASE_SETTING.into(), release.into());
            s.dhat = Some(DhatSummary {
                spans: 2000,
                total_blocks: 0,
                total_bytes: 0,
                max_bytes: 0,
                allocs_per_span: 0.0,
                bytes_per_span: 0.0,
                file: String::new(),
                top_sites: vec![],
                sites: sites.clone(),
            });
            s.cross_check = Some(CrossCheck {
                agrees: true,
                spans: 2000,
                dhat_blocks: 0,
                meter_blocks: 0,
                dhat_bytes: 0,
                meter_bytes: 0,
                exact: spread_blocks == 0,
                tolerance_blocks: spread_blocks,
                tolerance_bytes: 2000,
                retried_at_rate: None,
                export_batches: None,
                waived: None,
            });
            r.scenarios.push(s);
        }
        r
    }

    #[test]
    fn each_step_names_the_sites_that_moved_beyond_the_rows_spread_or_none() {
        let a = vec![site("BoxedSpan::new", 1.0, 384.0), site("Span::end", 2.0, 100.0)];
        let b = vec![site("BoxedSpan::new", 1.0, 384.0), site("Span::end", 2.01, 100.0)];
        let c = vec![site("BoxedSpan::new", 1.0, 288.0), site("Span::end", 2.01, 100.0)];
        // Exact rows: 0.01 blocks/span at Span::end moves; 96 B at BoxedSpan::new moves.
        let s = steps(&three([a.clone(), b.clone(), c.clone()], 0));
        let names: Vec<(&str, &str, usize)> = s.iter().map(|s| (s.from.row.as_str(), s.to.row.as_str(), s.moved.len())).collect();
        assert_eq!(names, [("otel-sdk@0.9", "otel-sdk@0.28", 1), ("otel-sdk@0.28", "otel-sdk", 1)]);
        assert_eq!(s[0].moved[0].site, "Span::end");
        assert_eq!(s[1].moved[0].site, "BoxedSpan::new");
        assert_eq!(s[1].moved[0].delta_bytes(), -96.0);
        // Rows whose twins spread over 40 blocks in 2,000 spans (0.02/span): the 0.01 is noise,
        // the step says no change; the bytes still moved.
        let s = steps(&three([a.clone(), b.clone(), c.clone()], 40));
        assert_eq!(s.iter().map(|s| s.moved.len()).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(s[1].moved[0].site, "BoxedSpan::new");
        assert_eq!(s[0].spread_blocks, 0.02);
        // A profile 40 blocks from its count passes (a waived cross-check) widens its steps the same way.
        let mut r = three([a.clone(), b.clone(), c.clone()], 2);
        r.scenarios.iter_mut().find(|s| s.name == "otel-sdk@0.28").unwrap().cross_check.as_mut().unwrap().dhat_blocks = 40;
        assert_eq!(steps(&r).iter().map(|s| s.moved.len()).collect::<Vec<_>>(), [0, 1]);
        // So does a row whose profile and twins took 6 to 27 exports, at 2 blocks each (net, they
        // agree): its sites moved by the exports, not by the release.
        let mut r = three([a.clone(), b.clone(), c.clone()], 2);
        let s = r.scenarios.iter_mut().find(|s| s.name == "otel-sdk@0.28").unwrap();
        s.per_export = Some(spanalloc_record::schema::PerExport { allocs: 2, bytes: 0, why: "test".into() });
        s.cross_check.as_mut().unwrap().export_batches =
            Some(spanalloc_record::schema::ExportBatches { dhat: 27, meter: vec![7, 6, 8] });
        assert_eq!(steps(&r).iter().map(|s| s.moved.len()).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(steps(&three([a, b, c], 2)).iter().map(|s| s.moved.len()).collect::<Vec<_>>(), [1, 1]);
    }

    #[test]
    fn one_release_is_nothing_to_line_up() {
        let mut r = three([vec![], vec![], vec![]], 0);
        r.scenarios.truncate(1);
        assert_eq!(releases(&r).len(), 1);
        assert!(steps(&r).is_empty());
    }

    #[test]
    fn releases_sort_by_version_not_by_text() {
        let keys: Vec<Vec<u64>> = ["0.9.0", "0.28.0", "0.33.1", ""].iter().map(|v| version_key(v)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(sorted, keys);
    }
}
