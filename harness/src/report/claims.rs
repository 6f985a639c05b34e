//! The article's claims (shared/seed/README.md) checked against measured numbers. Every verdict
//! is computed here from results and benchmark estimates — none is written by hand — and each
//! row states the criterion it was judged by.

use crate::results::{Results, ScenarioResult};

use super::sources::BenchEstimate;

/// A claim's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimVerdict {
    /// The measurement agrees within the stated criterion.
    Holds,
    /// It does not.
    DoesNotHold,
    /// It cannot be judged from these inputs, or has no Rust twin.
    NotApplicable,
}

impl ClaimVerdict {
    /// The words shown.
    pub fn word(self) -> &'static str {
        match self {
            ClaimVerdict::Holds => "holds",
            ClaimVerdict::DoesNotHold => "does not hold",
            ClaimVerdict::NotApplicable => "not applicable",
        }
    }
}

/// One row of the claims table.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRow {
    /// `C1` .. `C8`.
    pub id: &'static str,
    /// The article's claim (Go).
    pub claim: &'static str,
    /// What spanalloc measures instead.
    pub analogue: &'static str,
    /// How the verdict is decided.
    pub criterion: String,
    /// The measured numbers.
    pub measured: String,
    /// The verdict.
    pub verdict: ClaimVerdict,
}

const VC: &str = "value-copy";
const PP: &str = "pointer-passing";
const MB: f64 = 1e6;

fn find<'a>(r: &'a Results, name: &str, ts: usize) -> Option<&'a ScenarioResult> {
    r.scenarios.iter().find(|s| s.name == name && s.trace_state_entries == ts)
}

/// `(vc, pp)` pairs at every trace-state size where both ran.
fn pairs(r: &Results) -> Vec<(usize, &ScenarioResult, &ScenarioResult)> {
    r.config.trace_state.iter().filter_map(|&ts| Some((ts, find(r, VC, ts)?, find(r, PP, ts)?))).collect()
}

/// Holds when it holds at every size measured; not applicable when nothing was measured.
fn all_sizes(per_size: &[bool]) -> ClaimVerdict {
    if per_size.is_empty() {
        ClaimVerdict::NotApplicable
    } else if per_size.iter().all(|&h| h) {
        ClaimVerdict::Holds
    } else {
        ClaimVerdict::DoesNotHold
    }
}

fn reduction_pct(before: f64, after: f64) -> Option<f64> {
    (before > 0.0).then(|| (1.0 - after / before) * 100.0)
}

fn fmt_reduction(r: Option<f64>) -> String {
    match r {
        None => "undefined (value-copy is 0)".into(),
        Some(r) if r >= 0.0 => format!("{r:.1}% less"),
        Some(r) => format!("{:.1}% more", -r),
    }
}

fn bench<'a>(b: &'a [BenchEstimate], id: &str) -> Option<&'a BenchEstimate> {
    b.iter().find(|e| e.id == id)
}

/// Every claim, judged.
pub fn evaluate(r: &Results, benches: &[BenchEstimate]) -> Vec<ClaimRow> {
    vec![c1(r), c2(r), c3(r), c4(r), c5(benches), c6(r), c7(r, benches), c8(benches)]
}

fn c1(r: &Results) -> ClaimRow {
    let paced = (90_000..=110_000).contains(&r.config.rate);
    let rows: Vec<(usize, f64)> = pairs(r)
        .iter()
        .map(|(ts, vc, pp)| (*ts, (vc.metrics.bytes_per_span - pp.metrics.bytes_per_span) * r.config.rate as f64 / MB))
        .collect();
    let verdict = if paced {
        all_sizes(&rows.iter().map(|(_, v)| (2.4..=9.6).contains(v)).collect::<Vec<_>>())
    } else {
        ClaimVerdict::NotApplicable
    };
    let measured = if paced {
        rows.iter().map(|(ts, v)| format!("ts={ts}: {v:.1} MB/s")).collect::<Vec<_>>().join("; ")
    } else {
        format!("run at {} spans/s, not 100k", r.config.rate)
    };
    ClaimRow {
        id: "C1",
        claim: "at 100k spans/s, value copies of SpanContext cause ~4.8 MB/s extra heap allocation",
        analogue: "(value-copy − pointer-passing) bytes/span × rate",
        criterion: "holds if 2.4–9.6 MB/s (within 2× of 4.8) at every trace-state size".into(),
        measured,
        verdict,
    }
}

fn c2(r: &Results) -> ClaimRow {
    let rows: Vec<(usize, f64, f64, Option<f64>)> = pairs(r)
        .iter()
        .map(|(ts, vc, pp)| {
            let (a, b) = (vc.metrics.bytes_allocated as f64, pp.metrics.bytes_allocated as f64);
            (*ts, a, b, reduction_pct(a, b))
        })
        .collect();
    ClaimRow {
        id: "C2",
        claim: "1M spans: value copy allocates 16.2 MB, pointer 6.2 MB (−61.7%)",
        analogue: "bytes allocated over the run, value-copy vs pointer-passing",
        criterion: "holds if pointer-passing allocates 51.7–71.7% less (61.7 ± 10 points) at every size".into(),
        measured: rows
            .iter()
            .map(|(ts, a, b, red)| format!("ts={ts}: {:.1} MB vs {:.1} MB, {}", a / MB, b / MB, fmt_reduction(*red)))
            .collect::<Vec<_>>()
            .join("; "),
        verdict: all_sizes(&rows.iter().map(|(.., red)| red.is_some_and(|p| (51.7..=71.7).contains(&p))).collect::<Vec<_>>()),
    }
}

fn c3(r: &Results) -> ClaimRow {
    let within = |p: Option<f64>| p.is_some_and(|p| (26.5..=46.5).contains(&p));
    let rows: Vec<(usize, Option<f64>, Option<f64>)> = pairs(r)
        .iter()
        .map(|(ts, vc, pp)| {
            let heap = reduction_pct(vc.metrics.peak_heap_bytes as f64, pp.metrics.peak_heap_bytes as f64);
            let rss = reduction_pct(vc.metrics.peak_rss_bytes as f64, pp.metrics.peak_rss_bytes as f64);
            (*ts, heap, rss)
        })
        .collect();
    ClaimRow {
        id: "C3",
        claim: "1M spans: peak memory 24.1 MB vs 15.3 MB (−36.5%)",
        analogue: "peak heap and peak RSS, value-copy vs pointer-passing",
        criterion: "holds if both fall 26.5–46.5% (36.5 ± 10 points) at every size".into(),
        measured: rows
            .iter()
            .map(|(ts, h, s)| format!("ts={ts}: peak heap {}, peak RSS {}", fmt_reduction(*h), fmt_reduction(*s)))
            .collect::<Vec<_>>()
            .join("; "),
        verdict: all_sizes(&rows.iter().map(|(_, h, s)| within(*h) && within(*s)).collect::<Vec<_>>()),
    }
}

fn c4(r: &Results) -> ClaimRow {
    ClaimRow {
        id: "C4",
        claim: "GC count 87 vs 33",
        analogue: "no GC in Rust: allocator calls per second, value-copy vs pointer-passing",
        criterion: "not applicable: Rust has no garbage collector; allocator calls are shown as the pressure figure".into(),
        measured: pairs(r)
            .iter()
            .map(|(ts, vc, pp)| {
                format!("ts={ts}: {:.0} vs {:.0} allocator calls/s", vc.metrics.allocs_per_sec, pp.metrics.allocs_per_sec)
            })
            .collect::<Vec<_>>()
            .join("; "),
        verdict: ClaimVerdict::NotApplicable,
    }
}

fn c5(b: &[BenchEstimate]) -> ClaimRow {
    let get = |kind: &str, size: u32| bench(b, &format!("handoff/{kind}/{size}")).map(|e| e.median_ns);
    let (row, verdict) = match (get("value", 24), get("arc", 24), get("value", 40), get("arc", 40)) {
        (Some(v24), Some(a24), Some(v40), Some(a40)) => (
            format!("24 B: copy {v24:.2} ns vs Arc {a24:.2} ns; 40 B: copy {v40:.2} ns vs Arc {a40:.2} ns"),
            if v24 < a24 && v40 > a40 { ClaimVerdict::Holds } else { ClaimVerdict::DoesNotHold },
        ),
        _ => {
            ("no criterion results (run `cargo bench -p spanalloc-benches --bench handoff`)".into(), ClaimVerdict::NotApplicable)
        }
    };
    ClaimRow {
        id: "C5",
        claim: "below 32 bytes copying is cheaper, above it a pointer is (24 B: 1.2 vs 1.8 ns; 40 B: 4.7 vs 1.9 ns)",
        analogue: "criterion: hand-off by value vs by Arc clone, by context size",
        criterion: "holds if copying beats an Arc at 24 B and loses to it at 40 B".into(),
        measured: row,
        verdict,
    }
}

fn c6(r: &Results) -> ClaimRow {
    let pooled: Vec<&ScenarioResult> = r.scenarios.iter().filter(|s| s.name == "pooled").collect();
    ClaimRow {
        id: "C6",
        claim: "pooling *SpanContext (sync.Pool) removes the per-span allocation",
        analogue: "pooled: allocs/span in steady state",
        criterion: "holds if pooled makes 0 allocations per span at every size".into(),
        measured: pooled
            .iter()
            .map(|s| format!("ts={}: {} allocs over {} spans", s.trace_state_entries, s.metrics.allocs, s.spans))
            .collect::<Vec<_>>()
            .join("; "),
        verdict: all_sizes(&pooled.iter().map(|s| s.metrics.allocs == 0).collect::<Vec<_>>()),
    }
}

fn c7(r: &Results, b: &[BenchEstimate]) -> ClaimRow {
    let swap: Vec<&ScenarioResult> = r.scenarios.iter().filter(|s| s.name == "atomic-swap").collect();
    let allocs = swap
        .iter()
        .map(|s| format!("ts={}: {:.3} allocs/span", s.trace_state_entries, s.metrics.allocs_per_span))
        .collect::<Vec<_>>();
    let (load, mutex) = (bench(b, "current/arcswap_load"), bench(b, "current/mutex_read"));
    let (measured, verdict) = match (load, mutex) {
        (Some(l), Some(m)) => (
            format!("under a writer: load {:.1} ns vs mutex read {:.1} ns; {}", l.median_ns, m.median_ns, allocs.join("; ")),
            if l.median_ns < m.median_ns { ClaimVerdict::Holds } else { ClaimVerdict::DoesNotHold },
        ),
        _ => (
            format!("no criterion results (run `cargo bench -p spanalloc-benches --bench current`); {}", allocs.join("; ")),
            ClaimVerdict::NotApplicable,
        ),
    };
    ClaimRow {
        id: "C7",
        claim: "atomic.Value gives safe cross-goroutine reads of the context",
        analogue: "atomic-swap: ArcSwap load vs a mutex-guarded read while another thread publishes; allocations per span (one per store)",
        criterion: "holds if, with a writer publishing on another thread, a lock-free load is cheaper than a mutex read (safety is a test: readers_see_whole_contexts)".into(),
        measured,
        verdict,
    }
}

fn c8(b: &[BenchEstimate]) -> ClaimRow {
    let (by_ref, by_value) = (bench(b, "tracer/by_ref"), bench(b, "tracer/by_value"));
    let (measured, verdict) = match (by_ref, by_value) {
        (Some(r), Some(v)) => (
            format!(
                "&self {:.1} ns vs by value {:.1} ns ({:.1}× faster)",
                r.median_ns,
                v.median_ns,
                v.median_ns / r.median_ns.max(1e-9)
            ),
            if v.median_ns >= 2.0 * r.median_ns { ClaimVerdict::Holds } else { ClaimVerdict::DoesNotHold },
        ),
        _ => ("no criterion results (run `cargo bench -p spanalloc-benches --bench tracer`)".into(), ClaimVerdict::NotApplicable),
    };
    ClaimRow {
        id: "C8",
        claim: "a pointer receiver on the tracer: 184 ns / 48 B → 32 ns / 16 B",
        analogue: "criterion: a tracer method on &self vs on a cloned tracer",
        criterion: "holds if the &self call is at least 2× faster".into(),
        measured,
        verdict,
    }
}
