//! The article's claims judged in its own language: the Go twin's rows (go-value against
//! go-pointer), with the same criteria as the Rust rows, and the GC count, which only Go has.
//! Judged only when the run has the Go rows.

use super::claim::{not_measured, pct};
use super::claim::{Claim, Contrast, SizeVerdict};
use super::judge::{judge, Effect, Verdict};
use super::rust::{c1, c2, c3, pairs, Pair, METRIC_ALLOCS_PER_SPAN};
use spanalloc_record::schema::{Results, ScenarioResult};

/// In Go, a `SpanContext` copy is shallow (its trace state a slice header): go-value against
/// go-pointer is the article's own question.
const GO: Pair = Pair {
    value: "go-value",
    pointer: "go-pointer",
    contrast: Contrast {
        name: "copy vs pointer",
        value: "go-value",
        other: "go-pointer",
        question: "the article's: SpanContext by value (Go's copy is shallow) against a *SpanContext per span — go-pointer is a hypothetical SDK fork (it rewrites unexported SDK fields, which no user can)",
        answers_article: true,
    },
};

/// The same question answered with a pointer that adds no object: the span embeds its contexts,
/// as upstream's does, and readers get interior pointers into it.
const GO_EMBEDDED: Pair = Pair {
    value: "go-value",
    pointer: "go-pointer-embedded",
    contrast: Contrast {
        name: "copy vs interior pointer",
        value: "go-value",
        other: "go-pointer-embedded",
        question: "another pointer design: the span embeds its contexts (as upstream's does) and readers get pointers into it, no per-span object; not the article's proposal",
        answers_article: false,
    },
};

/// What a user can write around the SDK as it is: the user's code holds a `*SpanContext` to
/// each span's context, the SDK inside still copies.
const GO_USER: Pair = Pair {
    value: "go-value",
    pointer: "go-user-pointer",
    contrast: Contrast {
        name: "copy vs user's pointer",
        value: "go-value",
        other: "go-user-pointer",
        question: "what a user can write: upstream's SDK unmodified, the user's own code holding a *SpanContext across its stages instead of reading the context by value",
        answers_article: false,
    },
};

/// The Go verdicts, or none when the run has no Go rows.
pub fn evaluate(r: &Results) -> Vec<Claim> {
    if !r.scenarios.iter().any(|s| s.language == "go") {
        return Vec::new();
    }
    let go = |mut c: Claim, analogue: &str| {
        c.language = "go";
        c.analogue = analogue.to_owned();
        c
    };
    let mut claims = Vec::new();
    for pair in [&GO, &GO_EMBEDDED, &GO_USER] {
        let (v, p) = (pair.value, pair.pointer);
        claims.push(go(
            c1(r, pair),
            &format!("{v} minus {p} bytes allocated per second (runtime.MemStats TotalAlloc: size-class bytes)"),
        ));
        let mut c = go(c2(r, pair), &format!("bytes allocated over the run (TotalAlloc), {p} against {v}"));
        c.criterion = "per trace-state size: fewer bytes by pointer (direction); holds within ±25% of −61.7%; runtime \
                       counts, with the runtime's own background allocations (about 0.01% in the known-answer test)"
            .into();
        claims.push(c);
        claims.push(go(
            c3(r, pair),
            &format!(
                "peak heap in flight (runtime/metrics heap objects, sampled every millisecond, minus the heap setup left live), {p} against {v}; setup heap and peak RSS beside it"
            ),
        ));
        claims.push(c4(r, pair));
    }
    claims.push(c6(r));
    claims
}

/// A row's allocations per span and their spread over its count passes (the Go runtime's counts
/// move between identical runs; a `sync.Pool` more, since every GC empties it).
fn allocs_spread(s: &ScenarioResult) -> (f64, f64, f64) {
    let per = |a: u64| a as f64 / s.spans.max(1) as f64;
    let lo = s.samples.allocs.iter().copied().min().map_or(s.metrics.allocs_per_span, per);
    let hi = s.samples.allocs.iter().copied().max().map_or(s.metrics.allocs_per_span, per);
    (s.metrics.allocs_per_span, lo, hi)
}

/// C6 in Go: a `sync.Pool` of `*SpanContext` against a new one per span. The claim is that the
/// pool removes that per-span allocation: one allocation per span fewer than go-pointer.
fn c6(r: &Results) -> Claim {
    const CLAIMED: f64 = -1.0;
    let pool = Pair { value: "go-pointer", pointer: "go-pool", contrast: GO.contrast };
    let sizes = pairs(r, &pool)
        .into_iter()
        .map(|(ts, pair)| {
            let size = format!("ts={ts}");
            let Some((ptr, pooled)) = pair else { return not_measured(size, "a row is missing") };
            let (p, q) = (allocs_spread(ptr), allocs_spread(pooled));
            let effect = Effect { value: q.0 - p.0, interval: (q.1 - p.2, q.2 - p.1) };
            SizeVerdict {
                size,
                verdict: judge(effect, CLAIMED),
                measured: format!(
                    "go-pool {:.3} allocs/span ({:.3}–{:.3} over {} runs) vs go-pointer {:.3}: {:+.3} per span; GC cycles {} vs {}",
                    q.0,
                    q.1,
                    q.2,
                    pooled.samples.allocs.len().max(1),
                    p.0,
                    effect.value,
                    pooled.metrics.gc_cycles.map_or_else(|| "—".into(), |g| g.to_string()),
                    ptr.metrics.gc_cycles.map_or_else(|| "—".into(), |g| g.to_string())
                ),
                claimed: "the per-span *SpanContext allocation removed: −1 per span".into(),
                measured_effect: Some(effect.value),
                claimed_effect: Some(CLAIMED),
                informs_only: false,
            }
        })
        .collect();
    let mut c = Claim::new(
        "C6",
        "pooling *SpanContext (sync.Pool) removes the per-span allocation",
        METRIC_ALLOCS_PER_SPAN,
        "allocations per span, go-pool (sync.Pool, emptied at every GC) against go-pointer (a new *SpanContext per span)",
        "per trace-state size: fewer allocations with the pool (direction); holds within ±25% of one allocation per span fewer; the noise is the spread of the count passes".into(),
        sizes,
    );
    c.language = "go";
    c
}

fn c4(r: &Results, pair: &Pair) -> Claim {
    const CLAIMED: f64 = 33.0 / 87.0 - 1.0;
    let sizes = pairs(r, pair)
        .into_iter()
        .map(|(ts, pair)| {
            let size = format!("ts={ts}");
            let Some((v, p)) = pair else { return not_measured(size, "a row is missing") };
            let (Some(gv), Some(gp)) = (v.metrics.gc_cycles, p.metrics.gc_cycles) else {
                return not_measured(size, "no GC count");
            };
            // The count passes' GC cycles, per 1M spans: (median, lowest, highest). They move
            // between identical runs (5 against 4 is no 20% fewer), so the spread is the noise.
            let per_m = |g: u64, spans: u64| g as f64 * 1e6 / spans.max(1) as f64;
            let spread = |s: &ScenarioResult, median: u64| {
                let m = per_m(median, s.spans);
                let (lo, hi) = s.samples.gc_cycles.iter().fold((m, m), |(lo, hi), &g| {
                    let x = per_m(g, s.spans);
                    (lo.min(x), hi.max(x))
                });
                (m, lo, hi)
            };
            let (a, b) = (spread(v, gv), spread(p, gp));
            let effect = Effect::ratio(b, a);
            let each = |s: &ScenarioResult| {
                if s.samples.gc_cycles.len() < 2 {
                    "one run".to_owned()
                } else {
                    s.samples.gc_cycles.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
                }
            };
            SizeVerdict {
                size,
                verdict: effect.map_or(Verdict::Inconclusive, |e| judge(e, CLAIMED)),
                measured: format!(
                    "{:.0} ({:.0}–{:.0}) vs {:.0} ({:.0}–{:.0}) GC cycles per 1M spans, median and range of the count passes (GOGC {}; cycles per run: {} vs {}){}",
                    a.0,
                    a.1,
                    a.2,
                    b.0,
                    b.1,
                    b.2,
                    v.settings.get("GOGC").map_or("?", String::as_str),
                    each(v),
                    each(p),
                    effect.map_or_else(String::new, |e| format!(": {}", pct(e.value)))
                ),
                claimed: "87 vs 33: 62.1% fewer".into(),
                measured_effect: effect.map(|e| e.value),
                claimed_effect: Some(CLAIMED),
                informs_only: false,
            }
        })
        .collect();
    let mut c = Claim::new(
        "C4",
        "GC count 87 vs 33",
        "GC cycles per 1M spans (runtime.MemStats NumGC)",
        format!(
            "GC cycles in the measured region (runtime.MemStats NumGC), per 1M spans, {} against {}",
            pair.pointer, pair.value
        ),
        "per trace-state size: fewer GCs by pointer (direction); holds within ±25% of −62.1%; the median of the count passes, inconclusive when their ranges reach both ways"
            .into(),
        sizes,
    );
    c.language = "go";
    c.contrast = Some(pair.contrast);
    c
}
