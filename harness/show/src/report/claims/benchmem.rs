//! C8 as the article measured it: `go test -bench -benchmem` of its own receiver code
//! (`scenarios/go-twin/article`, reproduced verbatim), judged on B/op — heap bytes per call, the
//! quantity its 48 B → 16 B is — with ns/op beside it. Judged only when the run carries the
//! benchmarks (a run with the Go rows, schema 18).

use super::claim::{not_measured, pct};
use super::claim::{Claim, SizeVerdict};
use super::judge::{judge, judge_paired, spread_text, Effect, Verdict, MIN_ROUNDS};
use spanalloc_record::schema::{GoBenchSample, GoBenchmark, GoBenchmem, Results};

/// The article's figures: `(B/op, ns/op)` by pointer receiver, then by value receiver.
const BY_POINTER: (f64, f64) = (16.0, 32.0);
const BY_VALUE: (f64, f64) = (48.0, 184.0);

/// The judged quantity, shown on the page and in claims.json.
pub const METRIC: &str = "B/op (go test -benchmem: heap bytes per call)";

/// C8 in Go, or nothing when the run has no benchmarks (the Rust C8 says what it measured).
pub fn evaluate(r: &Results) -> Option<Claim> {
    let b = r.go_benchmem.as_ref()?;
    let find = |name: &str| b.benchmarks.iter().find(|x| x.name == name);
    let sizes = match (find("PointerReceiver"), find("ValueReceiver")) {
        (Some(p), Some(v)) => vec![bytes(p, v), time(p, v)],
        _ => vec![not_measured("B/op".into(), "no PointerReceiver and ValueReceiver benchmarks in go_benchmem")],
    };
    let mut c = Claim::new(
        "C8",
        "a pointer receiver on the tracer: 184 ns / 48 B → 32 ns / 16 B",
        METRIC,
        format!(
            "the article's StartSpan verbatim ({}), on *Tracer against Tracer (a copy of its Mutex and counter), go test -bench -benchmem, {} interleaved runs of -benchtime {}, {}",
            b.package,
            repeats(b),
            b.benchtime,
            b.go
        ),
        "B/op: fewer bytes by pointer (direction); holds within ±25% of −66.7%; not reproduced when both sides allocate the same \
         (escape analysis decides what reaches the heap). ns/op beside it, on the runs' pairs, judged only outside their run-to-run spread"
            .into(),
        sizes,
    );
    c.language = "go";
    Some(c)
}

fn repeats(b: &GoBenchmem) -> usize {
    b.benchmarks.iter().map(|x| x.samples.len()).min().unwrap_or(0)
}

fn spread(b: &GoBenchmark, f: impl Fn(&GoBenchSample) -> f64) -> (f64, f64, f64) {
    let (lo, median, hi) = b.spread(f).unwrap_or_default();
    (median, lo, hi)
}

/// B/op: the runtime's heap bytes per call, which repeat exactly for code that allocates the
/// same objects every call.
fn bytes(p: &GoBenchmark, v: &GoBenchmark) -> SizeVerdict {
    let (pb, vb) = (spread(p, |s| s.bytes_per_op as f64), spread(v, |s| s.bytes_per_op as f64));
    let (pa, va) = (spread(p, |s| s.allocs_per_op as f64), spread(v, |s| s.allocs_per_op as f64));
    let claimed = BY_POINTER.0 / BY_VALUE.0 - 1.0;
    let shown = |(m, lo, hi): (f64, f64, f64)| if lo == hi { format!("{m:.0}") } else { format!("{m:.0} ({lo:.0}–{hi:.0})") };
    let measured =
        format!("*Tracer {} B/op, {} allocs/op vs Tracer {} B/op, {} allocs/op", shown(pb), shown(pa), shown(vb), shown(va));
    let (verdict, effect) = if pb == vb {
        (Verdict::NotReproduced, Some(0.0))
    } else {
        match Effect::ratio(pb, vb) {
            Some(e) => (judge(e, claimed), Some(e.value)),
            None => (Verdict::Contradicted, None),
        }
    };
    let measured = match (verdict, effect) {
        (Verdict::NotReproduced, _) => format!("{measured}: the same on both receivers (escape analysis)"),
        (_, Some(e)) => format!("{measured}: {}", pct(e)),
        _ => measured,
    };
    SizeVerdict {
        size: "B/op".into(),
        verdict,
        measured,
        claimed: "48 → 16 B/op: 66.7% less".into(),
        measured_effect: effect,
        claimed_effect: Some(claimed),
        informs_only: false,
    }
}

/// ns/op: timing, on the runs' pairs (run i of each benchmark ran back to back), judged only
/// outside their run-to-run spread ([`judge_paired`]); shown beside B/op, never part of the
/// overall verdict.
fn time(p: &GoBenchmark, v: &GoBenchmark) -> SizeVerdict {
    let (pt, vt) = (spread(p, |s| s.ns_per_op), spread(v, |s| s.ns_per_op));
    let claimed = BY_POINTER.1 / BY_VALUE.1 - 1.0;
    let ns = |b: &GoBenchmark| b.samples.iter().map(|s| s.ns_per_op).collect::<Vec<f64>>();
    let paired = judge_paired(&ns(v), &ns(p), claimed);
    SizeVerdict {
        size: "ns/op".into(),
        verdict: paired.map_or(Verdict::NotMeasured, |(v, _)| v),
        measured: format!(
            "*Tracer {:.1} ns/op ({:.1}–{:.1}) vs Tracer {:.1} ({:.1}–{:.1}), medians of {} interleaved runs{}",
            pt.0,
            pt.1,
            pt.2,
            vt.0,
            vt.1,
            vt.2,
            p.samples.len().min(v.samples.len()),
            paired.map_or_else(
                || format!(": fewer than {MIN_ROUNDS} runs, not judged"),
                |(_, e)| format!(": {} in the median run ({})", pct(e.value), spread_text(e))
            )
        ),
        claimed: "184 → 32 ns/op: 82.6% less".into(),
        measured_effect: paired.map(|(_, e)| e.value),
        claimed_effect: Some(claimed),
        informs_only: true,
    }
}
