//! The metrics `compare` knows: where each comes from in a row, which way is better, and the rule
//! that judges it.

use spanalloc_record::schema::{Samples, ScenarioResult};

/// How a metric is judged.
#[derive(Clone, Copy)]
pub(crate) enum Rule {
    /// A count or a byte total from the count pass: exact rows with no tolerance, rows whose
    /// counts move by the spread of the baseline's repeats ([`crate::rules`]).
    Count { what: Counted, per_span: bool },
    /// Peak heap: scheduling-dependent, so the noisy rule over the count passes' samples, and
    /// also beyond a percentage and an absolute floor.
    Peak,
    /// Repeated samples and a test.
    Noisy { samples: fn(&Samples) -> &Vec<f64> },
}

/// What a count metric counts: every count the meter takes is judged.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Counted {
    /// Allocations.
    Allocs,
    /// Bytes allocated.
    Bytes,
    /// Reallocations: a block grown or shrunk, an allocation of its own to DHAT and `-benchmem`.
    Reallocs,
    /// Blocks the measured region left allocated (allocations less deallocations): a leak is a
    /// regression even when allocations per span are flat.
    Leaked,
    /// Non-empty batches the exporter was handed: what a row's exports cost is judged net of
    /// them ([`crate::rules::net_of_export`]), so they are judged too.
    Exports,
}

impl Counted {
    /// The row's total over its measured region.
    pub(crate) fn total(self, s: &ScenarioResult) -> i128 {
        match self {
            Counted::Allocs => i128::from(s.metrics.allocs),
            Counted::Bytes => i128::from(s.metrics.bytes_allocated),
            Counted::Reallocs => i128::from(s.metrics.reallocs),
            Counted::Leaked => i128::from(s.metrics.leaked_blocks()),
            // An exact row's passes agree; a moving row's total is not compared across them.
            Counted::Exports => s.samples.export_batches.first().map_or(0, |&n| i128::from(n)),
        }
    }

    /// The total of every count pass (empty where the file did not record them: before schema
    /// 8 for allocations and bytes, 13 for reallocations and deallocations).
    pub(crate) fn passes(self, s: &ScenarioResult) -> Vec<i128> {
        let wide = |v: &[u64]| v.iter().map(|&x| i128::from(x)).collect();
        match self {
            Counted::Allocs => wide(&s.samples.allocs),
            Counted::Bytes => wide(&s.samples.bytes_allocated),
            Counted::Reallocs => wide(&s.samples.reallocs),
            Counted::Leaked => s.samples.leaked_blocks().into_iter().map(i128::from).collect(),
            Counted::Exports => wide(&s.samples.export_batches),
        }
    }

    /// The word for a change of it.
    pub(crate) fn unit(self) -> &'static str {
        match self {
            Counted::Allocs => "allocations",
            Counted::Bytes => "bytes",
            Counted::Reallocs => "reallocations",
            Counted::Leaked => "leaked blocks",
            Counted::Exports => "exports",
        }
    }
}

/// A metric compare knows.
pub(crate) struct Metric {
    pub name: &'static str,
    pub unit: &'static str,
    pub value: fn(&ScenarioResult) -> f64,
    pub larger_is_better: bool,
    pub rule: Rule,
}

impl Metric {
    /// Whether it is a count (exact for an exact row): what a PR's `--fail-on exact` gates.
    pub fn is_count(&self) -> bool {
        matches!(self.rule, Rule::Count { .. })
    }
}

pub(crate) const METRICS: &[Metric] = &[
    Metric {
        name: "allocs_per_span",
        unit: "allocs",
        value: |s| s.metrics.allocs_per_span,
        larger_is_better: false,
        rule: Rule::Count { what: Counted::Allocs, per_span: true },
    },
    Metric {
        name: "bytes_per_span",
        unit: "bytes",
        value: |s| s.metrics.bytes_per_span,
        larger_is_better: false,
        rule: Rule::Count { what: Counted::Bytes, per_span: true },
    },
    Metric {
        name: "allocs",
        unit: "count",
        value: |s| s.metrics.allocs as f64,
        larger_is_better: false,
        rule: Rule::Count { what: Counted::Allocs, per_span: false },
    },
    Metric {
        name: "bytes_allocated",
        unit: "bytes",
        value: |s| s.metrics.bytes_allocated as f64,
        larger_is_better: false,
        rule: Rule::Count { what: Counted::Bytes, per_span: false },
    },
    Metric {
        name: "reallocs_per_span",
        unit: "reallocs",
        value: |s| s.metrics.reallocs_per_span(s.spans),
        larger_is_better: false,
        rule: Rule::Count { what: Counted::Reallocs, per_span: true },
    },
    Metric {
        name: "leaked_blocks_per_span",
        unit: "blocks",
        value: |s| s.metrics.leaked_blocks_per_span(s.spans),
        larger_is_better: false,
        rule: Rule::Count { what: Counted::Leaked, per_span: true },
    },
    Metric {
        name: "exports_per_span",
        unit: "exports",
        value: |s| s.samples.exports_per_span(s.spans).unwrap_or(0.0),
        larger_is_better: false,
        rule: Rule::Count { what: Counted::Exports, per_span: true },
    },
    Metric {
        name: "peak_heap_bytes",
        unit: "bytes",
        value: |s| s.metrics.peak_heap_bytes as f64,
        larger_is_better: false,
        rule: Rule::Peak,
    },
    Metric {
        name: "cpu_ns_per_span",
        unit: "ns",
        value: |s| s.metrics.cpu_ns_per_span,
        larger_is_better: false,
        rule: Rule::Noisy { samples: |s| &s.cpu_ns_per_span },
    },
    Metric {
        name: "latency_p50_ns",
        unit: "ns",
        value: |s| s.metrics.latency_p50_ns as f64,
        larger_is_better: false,
        rule: Rule::Noisy { samples: |s| &s.latency_p50_ns },
    },
    Metric {
        name: "latency_p99_ns",
        unit: "ns",
        value: |s| s.metrics.latency_p99_ns as f64,
        larger_is_better: false,
        rule: Rule::Noisy { samples: |s| &s.latency_p99_ns },
    },
    Metric {
        name: "peak_rss_bytes",
        unit: "bytes",
        value: |s| s.metrics.peak_rss_bytes as f64,
        larger_is_better: false,
        rule: Rule::Noisy { samples: |s| &s.peak_rss_bytes },
    },
    Metric {
        name: "achieved_rate",
        unit: "spans/s",
        value: |s| s.metrics.achieved_rate,
        larger_is_better: true,
        rule: Rule::Noisy { samples: |s| &s.achieved_rate },
    },
];

/// Every metric's name, as results.json and thresholds.toml spell it.
pub fn names() -> impl Iterator<Item = &'static str> {
    METRICS.iter().map(|m| m.name)
}

/// The names of the count metrics.
pub(crate) fn count_names() -> Vec<&'static str> {
    METRICS.iter().filter(|m| m.is_count()).map(|m| m.name).collect()
}

/// How many metrics each row is judged on: a folded line that names all of them names none.
pub fn per_row() -> usize {
    METRICS.len()
}
