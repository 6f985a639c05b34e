//! The article's claims judged in its own language: the Go twin's rows (go-value against
//! go-pointer), with the same criteria as the Rust rows, and the GC count, which only Go has.
//! Judged only when the run has the Go rows.

use super::judge::{judge, Effect, Verdict};
use super::rust::{c1, c2, c3, not_measured, pairs, pct, Pair};
use super::{Claim, SizeVerdict};
use crate::schema::Results;

const GO: Pair = Pair { value: "go-value", pointer: "go-pointer" };

/// The Go verdicts, or none when the run has no Go rows.
pub fn evaluate(r: &Results) -> Vec<Claim> {
    if !r.scenarios.iter().any(|s| s.language == "go") {
        return Vec::new();
    }
    let go = |mut c: Claim, analogue: &'static str| {
        c.language = "go";
        c.analogue = analogue;
        c
    };
    vec![
        go(c1(r, &GO), "go-value minus go-pointer bytes allocated per second (runtime.MemStats TotalAlloc: size-class bytes)"),
        {
            let mut c = go(c2(r, &GO), "bytes allocated over the run (TotalAlloc), go-pointer against go-value");
            c.criterion = "per trace-state size: fewer bytes by pointer (direction); holds within ±25% of −61.7%; runtime \
                           counts, with the runtime's own background allocations (about 0.01% in the known-answer test)"
                .into();
            c
        },
        go(c3(r, &GO), "peak RSS, go-pointer against go-value; peak heap (runtime/metrics heap objects) shown"),
        c4(r),
    ]
}

fn c4(r: &Results) -> Claim {
    const CLAIMED: f64 = 33.0 / 87.0 - 1.0;
    let sizes = pairs(r, &GO)
        .into_iter()
        .map(|(ts, pair)| {
            let size = format!("ts={ts}");
            let Some((v, p)) = pair else { return not_measured(size, "a row is missing") };
            let (Some(gv), Some(gp)) = (v.metrics.gc_cycles, p.metrics.gc_cycles) else {
                return not_measured(size, "no GC count");
            };
            let per_m = |g: u64, spans: u64| g as f64 * 1e6 / spans.max(1) as f64;
            let (a, b) = (per_m(gv, v.spans), per_m(gp, p.spans));
            let effect = Effect::ratio((b, b, b), (a, a, a));
            SizeVerdict {
                size,
                verdict: effect.map_or(Verdict::Inconclusive, |e| judge(e, CLAIMED)),
                measured: format!(
                    "{a:.0} vs {b:.0} GC cycles per 1M spans (GOGC {}){}",
                    v.settings.get("GOGC").map_or("?", String::as_str),
                    effect.map_or_else(String::new, |e| format!(": {}", pct(e.value)))
                ),
                claimed: "87 vs 33: 62.1% fewer".into(),
                measured_effect: effect.map(|e| e.value),
                claimed_effect: Some(CLAIMED),
            }
        })
        .collect();
    let mut c = Claim::new(
        "C4",
        "GC count 87 vs 33",
        "GC cycles in the measured region (runtime.MemStats NumGC), per 1M spans, go-pointer against go-value",
        "per trace-state size: fewer GCs by pointer (direction); holds within ±25% of −62.1%; one run per row".into(),
        sizes,
    );
    c.language = "go";
    c
}
