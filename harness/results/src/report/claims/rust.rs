//! The article's claims judged from the Rust rows: each claim's Rust analogue, per size.

use super::judge::{judge, judge_noisy, Effect, Verdict};
use super::{Claim, SizeVerdict};
use crate::report::sources::BenchEstimate;
use crate::schema::{Results, ScenarioResult};
use crate::table::human_bytes;

const MB: f64 = 1e6;

/// The two rows a claim sets against each other: the value row, the pointer row.
pub(super) struct Pair {
    pub(super) value: &'static str,
    pub(super) pointer: &'static str,
}

const RUST: Pair = Pair { value: "value-copy", pointer: "pointer-passing" };

fn find<'a>(r: &'a Results, name: &str, ts: usize) -> Option<&'a ScenarioResult> {
    r.primary().find(|s| s.name == name && s.trace_state_entries == ts)
}

/// `(ts, value row, pointer row)` at every trace-state size the run asked for; `None` where one
/// is missing.
pub(super) fn pairs<'r>(r: &'r Results, p: &Pair) -> Vec<(usize, Option<(&'r ScenarioResult, &'r ScenarioResult)>)> {
    r.config.trace_state.iter().map(|&ts| (ts, find(r, p.value, ts).zip(find(r, p.pointer, ts)))).collect()
}

pub(super) fn not_measured(size: String, why: &str) -> SizeVerdict {
    SizeVerdict {
        size,
        verdict: Verdict::NotMeasured,
        measured: why.to_owned(),
        claimed: String::new(),
        measured_effect: None,
        claimed_effect: None,
    }
}

pub(super) fn pct(effect: f64) -> String {
    if effect <= 0.0 {
        format!("{:.1}% less", -effect * 100.0)
    } else {
        format!("{:.1}% more", effect * 100.0)
    }
}

/// `(point, lo, hi)` of repeated samples: the median and the spread; a single value is exact.
fn spread(point: f64, samples: &[f64]) -> (f64, f64, f64) {
    let finite: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if finite.len() < 2 {
        (point, point, point)
    } else {
        (point, lo, hi)
    }
}

fn bench<'a>(b: &'a [BenchEstimate], id: &str) -> Option<&'a BenchEstimate> {
    b.iter().find(|e| e.id == id)
}

fn ci(e: &BenchEstimate) -> (f64, f64, f64) {
    (e.median_ns, e.median_ci_ns.0, e.median_ci_ns.1)
}

/// Every claim, judged.
pub fn evaluate(r: &Results, benches: &[BenchEstimate]) -> Vec<Claim> {
    vec![
        c1(r, &RUST),
        c2(r, &RUST),
        c3(r, &RUST),
        c4(r),
        c5_call(benches),
        c5_thread(benches),
        c6(r),
        c7(r, benches),
        c8(benches),
    ]
}

pub(super) fn c1(r: &Results, rows: &Pair) -> Claim {
    const CLAIMED: f64 = 4.8;
    let paced = (90_000..=110_000).contains(&r.config.rate);
    let sizes = pairs(r, rows)
        .into_iter()
        .map(|(ts, pair)| {
            let size = format!("ts={ts}");
            let Some((vc, pp)) = pair.filter(|_| paced) else {
                let why =
                    if paced { "a row is missing".to_owned() } else { format!("run at {} spans/s, not 100k", r.config.rate) };
                return not_measured(size, &why);
            };
            // Bytes per second each row allocated at the rate it achieved.
            let rate = |s: &ScenarioResult| spread(s.metrics.achieved_rate, &s.samples.achieved_rate);
            let (vr, pr) = (rate(vc), rate(pp));
            let (vb, pb) = (vc.metrics.bytes_per_span / MB, pp.metrics.bytes_per_span / MB);
            let extra = Effect { value: vb * vr.0 - pb * pr.0, interval: (vb * vr.1 - pb * pr.2, vb * vr.2 - pb * pr.1) };
            let single = if vc.samples.achieved_rate.len() < 2 { " (single run)" } else { "" };
            SizeVerdict {
                size,
                verdict: judge(extra, CLAIMED),
                measured: format!(
                    "{:+.1} MB/s: {:.0} B/span at {:.0} spans/s vs {:.0} B/span at {:.0} spans/s{single}",
                    extra.value, vc.metrics.bytes_per_span, vr.0, pp.metrics.bytes_per_span, pr.0
                ),
                claimed: format!("+{CLAIMED} MB/s"),
                measured_effect: Some(extra.value),
                claimed_effect: Some(CLAIMED),
            }
        })
        .collect();
    Claim::new(
        "C1",
        "at 100k spans/s, value copies of SpanContext cause ~4.8 MB/s extra heap allocation",
        "value-copy minus pointer-passing bytes allocated per second, at the rate each achieved",
        "per trace-state size: more bytes/s by value (direction); holds within ±25% of 4.8 MB/s; the noise is the spread of achieved rates over repeats".into(),
        sizes,
    )
}

pub(super) fn c2(r: &Results, rows: &Pair) -> Claim {
    const CLAIMED: f64 = -0.617;
    let sizes = pairs(r, rows)
        .into_iter()
        .map(|(ts, pair)| {
            let size = format!("ts={ts}");
            let Some((vc, pp)) = pair else { return not_measured(size, "a row is missing") };
            let (a, b) = (vc.metrics.bytes_allocated as f64, pp.metrics.bytes_allocated as f64);
            let measured = format!("{:.2} MB by value vs {:.2} MB by pointer over {} spans", a / MB, b / MB, vc.spans);
            let (verdict, effect) = match Effect::ratio((b, b, b), (a, a, a)) {
                Some(e) => (judge(e, CLAIMED), Some(e.value)),
                // Nothing to save: pointer passing allocates where value copy does not.
                None if b > 0.0 => (Verdict::Contradicted, None),
                None => (Verdict::Inconclusive, None),
            };
            let measured = match effect {
                Some(e) => format!("{measured}: {}", pct(e)),
                None => format!("{measured}: pointer passing allocates, value copy does not"),
            };
            SizeVerdict {
                size,
                verdict,
                measured,
                claimed: "61.7% less".into(),
                measured_effect: effect,
                claimed_effect: Some(CLAIMED),
            }
        })
        .collect();
    Claim::new(
        "C2",
        "1M spans: value copy allocates 16.2 MB, pointer 6.2 MB (−61.7%)",
        "bytes allocated over the run, pointer-passing against value-copy",
        "per trace-state size: fewer bytes by pointer (direction); holds within ±25% of −61.7%; exact counts, no noise".into(),
        sizes,
    )
}

pub(super) fn c3(r: &Results, rows: &Pair) -> Claim {
    const CLAIMED: f64 = -0.365;
    let sizes = pairs(r, rows)
        .into_iter()
        .map(|(ts, pair)| {
            let size = format!("ts={ts}");
            let Some((vc, pp)) = pair else { return not_measured(size, "a row is missing") };
            let rss = |s: &ScenarioResult| spread(s.metrics.peak_rss_bytes as f64, &s.samples.peak_rss_bytes);
            let heap = |s: &ScenarioResult| spread(s.metrics.peak_heap_bytes as f64, &s.samples.peak_heap_bytes);
            let Some(effect) = Effect::ratio(rss(pp), rss(vc)) else { return not_measured(size, "no peak RSS") };
            let heap_effect = Effect::ratio(heap(pp), heap(vc)).map_or_else(|| "—".to_owned(), |e| pct(e.value));
            let single = if vc.samples.peak_rss_bytes.len() < 2 { " (single run: no spread)" } else { "" };
            SizeVerdict {
                size,
                verdict: judge_noisy(effect, CLAIMED),
                measured: format!(
                    "peak RSS {} vs {}: {}; peak heap {}{single}",
                    human_bytes(vc.metrics.peak_rss_bytes as f64),
                    human_bytes(pp.metrics.peak_rss_bytes as f64),
                    pct(effect.value),
                    heap_effect
                ),
                claimed: "24.1 MB vs 15.3 MB: 36.5% less".into(),
                measured_effect: Some(effect.value),
                claimed_effect: Some(CLAIMED),
            }
        })
        .collect();
    Claim::new(
        "C3",
        "1M spans: peak memory 24.1 MB vs 15.3 MB (−36.5%)",
        "peak RSS (the process's memory peak, as the article's), pointer-passing against value-copy; peak heap shown",
        "per trace-state size: lower peak by pointer (direction); holds within ±25% of −36.5%; inconclusive when the spread of repeats reaches both ways or the difference is under 5% (a single run has no spread)".into(),
        sizes,
    )
}

fn c4(r: &Results) -> Claim {
    let sizes = pairs(r, &RUST)
        .into_iter()
        .map(|(ts, pair)| {
            let size = format!("ts={ts}");
            let Some((vc, pp)) = pair else { return not_measured(size, "a row is missing") };
            SizeVerdict {
                size,
                verdict: Verdict::NotApplicable,
                measured: format!(
                    "no GC; allocator calls/s {:.0} by value vs {:.0} by pointer",
                    vc.metrics.allocs_per_sec, pp.metrics.allocs_per_sec
                ),
                claimed: "87 vs 33 GC cycles".into(),
                measured_effect: None,
                claimed_effect: None,
            }
        })
        .collect();
    Claim::new(
        "C4",
        "GC count 87 vs 33",
        "no garbage collector in Rust: allocator calls per second are shown as the pressure figure",
        "not applicable to Rust rows".into(),
        sizes,
    )
}

/// The article's C5 figures: `(context bytes, copy ns, pointer ns)`.
const C5_CLAIMED: [(u32, f64, f64); 2] = [(24, 1.2, 1.8), (40, 4.7, 1.9)];

fn c5_sizes(b: &[BenchEstimate], group: &str, pointer: &str) -> Vec<SizeVerdict> {
    C5_CLAIMED
        .iter()
        .map(|&(bytes, copy_ns, ptr_ns)| {
            let size = format!("{bytes} B");
            let claimed_effect = copy_ns / ptr_ns - 1.0;
            let (Some(v), Some(p)) =
                (bench(b, &format!("{group}/value/{bytes}")), bench(b, &format!("{group}/{pointer}/{bytes}")))
            else {
                return not_measured(size, &format!("no criterion results for {group} (cargo bench -p spanalloc-benches)"));
            };
            let Some(effect) = Effect::ratio(ci(v), ci(p)) else { return not_measured(size, "a zero estimate") };
            SizeVerdict {
                size,
                verdict: judge_noisy(effect, claimed_effect),
                measured: format!(
                    "copy {:.2} ns vs {pointer} {:.2} ns: copying costs {}",
                    v.median_ns,
                    p.median_ns,
                    pct(effect.value)
                ),
                claimed: format!("copy {copy_ns} ns vs pointer {ptr_ns} ns"),
                measured_effect: Some(effect.value),
                claimed_effect: Some(claimed_effect),
            }
        })
        .collect()
}

fn c5_call(b: &[BenchEstimate]) -> Claim {
    Claim::new(
        "C5a",
        "below 32 bytes copying is cheaper, above it a pointer is (24 B: 1.2 vs 1.8 ns; 40 B: 4.7 vs 1.9 ns)",
        "within a call: a context passed by value (memcpy) against by reference (&T), criterion",
        "per context size: copy cheaper at 24 B and dearer at 40 B (direction); holds within ±25% of the claimed ratio; inconclusive when criterion's 95% intervals reach both ways or the difference is under 5%".into(),
        c5_sizes(b, "handoff", "ref"),
    )
}

fn c5_thread(b: &[BenchEstimate]) -> Claim {
    Claim::new(
        "C5b",
        "below 32 bytes copying is cheaper, above it a pointer is (24 B: 1.2 vs 1.8 ns; 40 B: 4.7 vs 1.9 ns)",
        "across threads: a context handed to another thread by value against in a Box (a heap pointer, as Go's escapes), criterion",
        "per context size: as C5a, for a hand-off through a queue to a consumer thread, measured paired (benches/benches/handoff_thread.rs: medians over 31 rounds, 95% order-statistic intervals)".into(),
        c5_sizes(b, "handoff_thread", "box"),
    )
}

fn c6(r: &Results) -> Claim {
    let sizes = r
        .config
        .trace_state
        .iter()
        .map(|&ts| {
            let size = format!("ts={ts}");
            let (Some(pooled), Some(vc)) = (find(r, "pooled", ts), find(r, RUST.value, ts)) else {
                return not_measured(size, "a row is missing");
            };
            let (p, v) = (pooled.metrics.allocs_per_span, vc.metrics.allocs_per_span);
            let verdict = if p == 0.0 {
                Verdict::Holds
            } else if p < v {
                Verdict::HoldsInDirection
            } else {
                Verdict::Contradicted
            };
            SizeVerdict {
                size,
                verdict,
                measured: format!(
                    "{} allocations over {} spans ({p:.3}/span; value-copy {v:.3}/span)",
                    pooled.metrics.allocs, pooled.spans
                ),
                claimed: "no allocation per span".into(),
                measured_effect: Some(p),
                claimed_effect: Some(0.0),
            }
        })
        .collect();
    Claim::new(
        "C6",
        "pooling *SpanContext (sync.Pool) removes the per-span allocation",
        "pooled: allocations per span in steady state",
        "per trace-state size: holds at exactly 0 allocations per span; holds in direction when fewer than value-copy; exact counts".into(),
        sizes,
    )
}

fn c7(r: &Results, b: &[BenchEstimate]) -> Claim {
    let swap: Vec<&ScenarioResult> = r.primary().filter(|s| s.name == "atomic-swap").collect();
    let safety = match swap.iter().find_map(|s| s.current_check) {
        Some(c) => SizeVerdict {
            size: "safe reads".into(),
            verdict: if c.passed() { Verdict::Holds } else { Verdict::Contradicted },
            measured: format!(
                "{} reads on {} threads while {} writer stored {} contexts: {} torn, {} out of order",
                c.reads, c.readers, c.writers, c.stores, c.torn, c.out_of_order
            ),
            claimed: "safe cross-goroutine reads".into(),
            measured_effect: None,
            claimed_effect: None,
        },
        None => not_measured("safe reads".into(), "no atomic-swap row with a current-context check"),
    };
    // At the pipeline's own rate (a store every 10 µs); the hammering writer is shown beside it.
    let hammered = match (bench(b, "current/arcswap_load"), bench(b, "current/mutex_read")) {
        (Some(l), Some(m)) => {
            format!("; with a writer storing as fast as it can: load {:.1} ns vs {:.1} ns", l.median_ns, m.median_ns)
        }
        _ => String::new(),
    };
    // Costs are context for the claim, which is about safety: shown, not judged.
    let shown = |size: &str, measured: String| SizeVerdict {
        size: size.into(),
        verdict: Verdict::NotApplicable,
        measured,
        claimed: "not claimed".into(),
        measured_effect: None,
        claimed_effect: None,
    };
    let read = match (bench(b, "current/arcswap_load_paced"), bench(b, "current/mutex_read_paced")) {
        (Some(l), Some(m)) => shown(
            "read cost under a writer",
            format!(
                "a writer storing every 10 µs (the pipeline's rate): load {:.1} ns vs mutex read {:.1} ns{hammered}",
                l.median_ns, m.median_ns
            ),
        ),
        _ => {
            not_measured("read cost under a writer".into(), "no criterion results for current (cargo bench -p spanalloc-benches)")
        }
    };
    let store = match swap.first() {
        Some(s) => {
            let stores = bench(b, "current/arcswap_store")
                .zip(bench(b, "current/mutex_write"))
                .map_or_else(String::new, |(a, m)| format!("; store {:.1} ns vs mutex write {:.1} ns", a.median_ns, m.median_ns));
            shown("cost per store", format!("{:.3} allocations per span (one Arc per store){stores}", s.metrics.allocs_per_span))
        }
        None => not_measured("cost per store".into(), "no atomic-swap row"),
    };
    let mut claim = Claim::new(
        "C7",
        "atomic.Value gives safe cross-goroutine reads of the context",
        "atomic-swap: the current-context check (whole, linearizable reads while another thread publishes); what a read and a store cost beside a mutex, shown",
        "holds when every read is whole and in order; costs are shown, not judged: the claim is about safety".into(),
        vec![safety, read, store],
    );
    claim.overall = claim.sizes[0].verdict;
    claim.overall_detail = claim.overall.word().to_owned();
    claim
}

fn c8(b: &[BenchEstimate]) -> Claim {
    const CLAIMED: f64 = 32.0 / 184.0 - 1.0;
    let size = "receiver".to_owned();
    let verdict = match (bench(b, "tracer/by_ref"), bench(b, "tracer/by_value")) {
        (Some(by_ref), Some(by_value)) => match Effect::ratio(ci(by_ref), ci(by_value)) {
            Some(e) => SizeVerdict {
                size,
                verdict: judge_noisy(e, CLAIMED),
                measured: format!(
                    "&self {:.1} ns vs by value (clone) {:.1} ns: {}",
                    by_ref.median_ns,
                    by_value.median_ns,
                    pct(e.value)
                ),
                claimed: "184 ns → 32 ns: 82.6% less".into(),
                measured_effect: Some(e.value),
                claimed_effect: Some(CLAIMED),
            },
            None => not_measured(size, "a zero estimate"),
        },
        _ => not_measured(size, "no criterion results for tracer (cargo bench -p spanalloc-benches)"),
    };
    Claim::new(
        "C8",
        "a pointer receiver on the tracer: 184 ns / 48 B → 32 ns / 16 B",
        "criterion: a tracer method on &self against on a cloned tracer (a Go value receiver copies the struct)",
        "faster by reference (direction); holds within ±25% of −82.6%; inconclusive when criterion's intervals reach both ways or the difference is under 5%"
            .into(),
        vec![verdict],
    )
}
