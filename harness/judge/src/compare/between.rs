//! `spanalloc compare --between A B`: two rows of one run, hand-off by hand-off — which hand-offs
//! account for the difference between two strategies, straight from the measured dhat sites.

use serde::Serialize;

use super::sites::{self, SiteChange};
use spanalloc_record::schema::{Results, ScenarioResult};

/// Two rows at one trace-state size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtSize {
    /// Trace-state entries.
    pub trace_state_entries: usize,
    /// Allocations per span of the first row (count pass) …
    pub a_allocs_per_span: f64,
    /// … and of the second.
    pub b_allocs_per_span: f64,
    /// Bytes per span of the first row …
    pub a_bytes_per_span: f64,
    /// … and of the second.
    pub b_bytes_per_span: f64,
    /// Every hand-off of either row (dhat sites per measured span), the largest difference
    /// first: `before` is the first row, `after` the second.
    pub hand_offs: Vec<SiteChange>,
}

/// The whole answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Between {
    /// The first row's name.
    pub a: String,
    /// The second's.
    pub b: String,
    /// One entry per trace-state size both rows were measured at.
    pub sizes: Vec<AtSize>,
}

fn row<'r>(r: &'r Results, id: &str, ts: usize) -> Option<&'r ScenarioResult> {
    let primary = r.primary_allocator();
    r.scenarios.iter().find(|s| s.trace_state_entries == ts && (s.id() == id || (s.name == id && s.allocator == primary)))
}

/// `a` against `b` in `r`, at every size both were measured at with dhat sites. `Err` names
/// what is missing, in one line.
pub fn between(r: &Results, a: &str, b: &str) -> Result<Between, String> {
    let known: Vec<String> = r.scenarios.iter().map(ScenarioResult::id).collect();
    for name in [a, b] {
        if !r.scenarios.iter().any(|s| s.id() == name || s.name == name) {
            return Err(format!("no row '{name}' in the results (rows: {})", dedup(known).join(", ")));
        }
    }
    let mut sizes = Vec::new();
    for &ts in &r.config.trace_state {
        let (Some(ra), Some(rb)) = (row(r, a, ts), row(r, b, ts)) else { continue };
        let Some(hand_offs) = sites::between(ra, rb) else { continue };
        sizes.push(AtSize {
            trace_state_entries: ts,
            a_allocs_per_span: ra.metrics.allocs_per_span,
            b_allocs_per_span: rb.metrics.allocs_per_span,
            a_bytes_per_span: ra.metrics.bytes_per_span,
            b_bytes_per_span: rb.metrics.bytes_per_span,
            hand_offs,
        });
    }
    if sizes.is_empty() {
        return Err(format!("{a} and {b} have no dhat sites at a common trace-state size (run without --no-dhat)"));
    }
    Ok(Between { a: a.to_owned(), b: b.to_owned(), sizes })
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    v.retain(|x| seen.insert(x.clone()));
    v
}
