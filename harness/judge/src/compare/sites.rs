//! Where an allocation change happened: per-site differences between two rows' dhat sites.
//!
//! Sites are keyed by the hand-off that asked (results schema 5), per measured span, so two runs
//! of one scenario line up site by site, and two strategies line up hand-off by hand-off (the
//! method's name: `sample`, `publish`, `end`…).

use serde::Serialize;

use spanalloc_record::schema::{ScenarioResult, Site};

/// How many sites an explanation names.
pub const TOP: usize = 5;

/// Frames of a stack shown beside a site: the first ones outside the standard library.
const FRAMES: usize = 3;

/// One site, before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteChange {
    /// The site (the hand-off's function path), or for a strategy diff the hand-off's name.
    pub site: String,
    /// Blocks (allocations and reallocations, as dhat counts them) per span, before.
    pub before_blocks_per_span: f64,
    /// … and after.
    pub after_blocks_per_span: f64,
    /// Bytes per span, before.
    pub before_bytes_per_span: f64,
    /// … and after.
    pub after_bytes_per_span: f64,
    /// The heaviest stack's first frames outside the standard library, innermost first.
    pub frames: Vec<String>,
}

impl SiteChange {
    /// Change in blocks per span.
    pub fn delta_blocks(&self) -> f64 {
        self.after_blocks_per_span - self.before_blocks_per_span
    }

    /// Change in bytes per span.
    pub fn delta_bytes(&self) -> f64 {
        self.after_bytes_per_span - self.before_bytes_per_span
    }
}

/// The sites that explain an exact change of one scenario × trace state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The row, as compare names it.
    pub scenario: String,
    /// Its trace-state size.
    pub trace_state_entries: usize,
    /// The sites whose blocks or bytes per span changed most, largest first (at most [`TOP`]).
    pub sites: Vec<SiteChange>,
}

fn std_frame(f: &str) -> bool {
    ["alloc::", "<alloc::", "core::", "<core::", "std::", "<std::", "<T as alloc", "<[", "<u8 as", "hashbrown::", "<hashbrown::"]
        .iter()
        .any(|p| f.starts_with(p))
}

fn frames(site: &Site) -> Vec<String> {
    site.stacks
        .iter()
        .max_by_key(|s| s.blocks)
        .map(|s| s.frames.iter().filter(|f| !std_frame(f)).take(FRAMES).cloned().collect())
        .unwrap_or_default()
}

/// Every site of either side under `key`, before and after, ordered by the size of the change
/// (blocks per span, then bytes per span); unchanged sites last.
fn diff(before: &[Site], after: &[Site], key: impl Fn(&Site) -> String) -> Vec<SiteChange> {
    let mut keys: Vec<String> = Vec::new();
    for s in before.iter().chain(after) {
        let k = key(s);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let sum = |sites: &[Site], k: &str| {
        sites.iter().filter(|s| key(s) == k).fold((0.0, 0.0), |(b, y), s| (b + s.blocks_per_span, y + s.bytes_per_span))
    };
    let mut out: Vec<SiteChange> = keys
        .into_iter()
        .map(|k| {
            let ((bb, by), (ab, ay)) = (sum(before, &k), sum(after, &k));
            let shown =
                after.iter().chain(before).filter(|s| key(s) == k).max_by_key(|s| s.blocks).map(frames).unwrap_or_default();
            SiteChange {
                site: k,
                before_blocks_per_span: bb,
                after_blocks_per_span: ab,
                before_bytes_per_span: by,
                after_bytes_per_span: ay,
                frames: shown,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.delta_blocks().abs().total_cmp(&a.delta_blocks().abs()).then(b.delta_bytes().abs().total_cmp(&a.delta_bytes().abs()))
    });
    out
}

/// The sites of `after` against `before` (one scenario, two runs) that changed, largest first,
/// at most [`TOP`]; empty when either has no sites.
pub fn explain(before: &ScenarioResult, after: &ScenarioResult) -> Vec<SiteChange> {
    let (Some(b), Some(a)) = (before.dhat.as_ref(), after.dhat.as_ref()) else { return Vec::new() };
    if b.sites.is_empty() || a.sites.is_empty() {
        return Vec::new();
    }
    let mut d = diff(&b.sites, &a.sites, |s| s.site.clone());
    d.retain(|c| c.delta_blocks().abs() > 5e-4 || c.delta_bytes().abs() > 5e-3);
    d.truncate(TOP);
    d
}

/// A site's hand-off, as two strategies share it: a strategy or pipeline method by its name
/// alone (`<ValueCopy as Strategy>::sample` → `sample`), anything else by its type and method
/// (`<SynchronizedSpan as From<T>>::from` → `SynchronizedSpan::from`).
pub fn hand_off(site: &str) -> String {
    let short = |path: &str| path.rsplit("::").next().unwrap_or(path).to_owned();
    if let Some(rest) = site.strip_prefix('<') {
        if let (Some(as_at), Some(end)) = (rest.find(" as "), rest.rfind(">::")) {
            let (ty, tr, method) = (&rest[..as_at], &rest[as_at + 4..end], &rest[end + 3..]);
            if tr.starts_with("spanalloc_model::") {
                return method.to_owned();
            }
            let ty = ty.split('<').next().unwrap_or(ty);
            return format!("{}::{method}", short(ty));
        }
    }
    let mut parts: Vec<&str> = site.rsplitn(3, "::").collect();
    parts.truncate(2);
    // The otel-sdk row's own code is the same at every opentelemetry_sdk release it runs over
    // (the otel-sdk crate's, or a release's module in spanalloc-sdk-releases): one hand-off.
    if parts.len() == 2 && (parts[1] == "spanalloc_otel_sdk" || is_release_module(parts[1])) {
        return format!("otel-sdk row::{}", parts[0]);
    }
    parts.reverse();
    parts.join("::")
}

/// `v0_28`: a release's module in spanalloc-sdk-releases.
fn is_release_module(segment: &str) -> bool {
    segment.strip_prefix('v').and_then(|r| r.split_once('_')).is_some_and(|(a, b)| {
        !a.is_empty() && !b.is_empty() && a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit())
    })
}

/// Two rows of one run (two strategies) hand-off by hand-off: every hand-off either has, the
/// largest difference first. `None` when either row has no sites.
pub fn between(a: &ScenarioResult, b: &ScenarioResult) -> Option<Vec<SiteChange>> {
    let (Some(da), Some(db)) = (a.dhat.as_ref(), b.dhat.as_ref()) else { return None };
    if da.sites.is_empty() && db.sites.is_empty() {
        return None;
    }
    Some(diff(&da.sites, &db.sites, |s| hand_off(&s.site)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use spanalloc_record::schema::SiteStack;

    fn site(name: &str, blocks_per_span: f64, bytes_per_span: f64) -> Site {
        Site {
            site: name.into(),
            blocks: (blocks_per_span * 1000.0) as u64,
            bytes: (bytes_per_span * 1000.0) as u64,
            blocks_per_span,
            bytes_per_span,
            stacks: vec![SiteStack {
                frames: vec![
                    "alloc::alloc::alloc".into(),
                    "model::TraceState::clone".into(),
                    name.into(),
                    "pipeline::run".into(),
                ],
                blocks: 1,
                bytes: 1,
            }],
        }
    }

    #[test]
    fn the_largest_change_comes_first_with_its_frames() {
        let before = vec![site("<A as S>::sample", 8.0, 256.0), site("<A as S>::end", 9.0, 288.0)];
        let after =
            vec![site("<A as S>::sample", 8.0, 256.0), site("<A as S>::end", 10.0, 320.0), site("<A as S>::root", 0.0, 8.0)];
        let d = diff(&before, &after, |s| s.site.clone());
        assert_eq!(d[0].site, "<A as S>::end");
        assert_eq!(d[0].delta_blocks(), 1.0);
        assert_eq!(d[0].delta_bytes(), 32.0);
        assert_eq!(d[0].frames, vec!["model::TraceState::clone", "<A as S>::end", "pipeline::run"]);
        assert_eq!(d[1].site, "<A as S>::root", "then by bytes");
        assert_eq!(d[2].delta_blocks(), 0.0, "unchanged last");
    }

    #[test]
    fn hand_offs_line_up_across_strategies() {
        assert_eq!(hand_off("<spanalloc_value_copy::ValueCopy as spanalloc_model::strategy::Strategy>::sample"), "sample");
        assert_eq!(hand_off("spanalloc_otel_sdk::attributes"), "otel-sdk row::attributes");
        assert_eq!(
            hand_off("spanalloc_sdk_releases::v0_31::attributes"),
            "otel-sdk row::attributes",
            "one hand-off at every release"
        );
        assert_eq!(hand_off("spanalloc_sdk_releases::v0_31x::attributes"), "v0_31x::attributes");
        assert_eq!(
            hand_off("<opentelemetry::trace::context::SynchronizedSpan as core::convert::From<T>>::from"),
            "SynchronizedSpan::from"
        );
        assert_eq!(
            hand_off("opentelemetry_sdk::trace::span::Span::ensure_ended_and_exported"),
            "Span::ensure_ended_and_exported"
        );
        let d = diff(
            &[site("<A as spanalloc_model::S>::publish", 9.0, 288.0)],
            &[site("<B as spanalloc_model::S>::publish", 1.0, 56.0)],
            |s| hand_off(&s.site),
        );
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].before_blocks_per_span, d[0].after_blocks_per_span), (9.0, 1.0));
    }
}
