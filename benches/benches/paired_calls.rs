//! Claims C5a and C8 timed in interleaved rounds: the two sides of each contrast run back to
//! back in every round (a chunk of calls each, the order alternating between rounds), so a round
//! pairs them under the same machine state and the spread of their ratio over rounds is the
//! run-to-run spread the verdict must clear. Criterion's `handoff` and `tracer` benches time the
//! same calls apart, one estimate each: their intervals do not see the machine changing between
//! the two (over four identical runs C8 alternated "holds" and "inconclusive").
//!
//! Writes `target/spanalloc-bench/paired_calls.json` (`handoff_paired/{value,ref}/N`,
//! `tracer_paired/plain48_by_{ref,value}`), with every round.

use std::hint::black_box;
use std::time::Instant;

use spanalloc_benches::{paired, take_ref, take_value, PlainTracer, SizedContext};
use spanalloc_model::TraceId;

/// Rounds after one warm-up round: 31, as handoff_thread's.
const ROUNDS: usize = 31;
/// Calls per side per round: about 0.1 ms of nanosecond calls, far above the clock's cost.
const CHUNK: u32 = 50_000;

/// Times `CHUNK` calls of each side per round, alternating which goes first. Generic, so that
/// each side's call is inlined into its loop as criterion's `iter` inlines it (a `dyn Fn` call
/// would add an indirect call to both sides and dilute their ratio).
fn rounds<A: Fn(), B: Fn()>(ids: [String; 2], a: A, b: B, out: &mut Vec<paired::Estimate>) {
    fn chunk(f: &impl Fn()) -> f64 {
        let start = Instant::now();
        for _ in 0..CHUNK {
            f();
        }
        start.elapsed().as_nanos() as f64 / f64::from(CHUNK)
    }
    let (mut sa, mut sb) = (Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS));
    for round in 0..=ROUNDS {
        let (ta, tb) = if round % 2 == 0 {
            let ta = chunk(&a);
            (ta, chunk(&b))
        } else {
            let tb = chunk(&b);
            (chunk(&a), tb)
        };
        if round > 0 {
            sa.push(ta);
            sb.push(tb);
        }
    }
    for (id, values) in ids.into_iter().zip([sa, sb]) {
        let e = paired::Estimate::of(id, values);
        println!("{:<32} median {:>8.2} ns  [{:.2} – {:.2}]", e.id, e.median_ns, e.ci_ns.0, e.ci_ns.1);
        out.push(e);
    }
}

fn sized<const N: usize>(out: &mut Vec<paired::Estimate>) {
    let ctx = SizedContext::<N>([1u8; N]);
    let by_value = || {
        black_box(take_value(black_box(ctx)));
    };
    let by_ref = || {
        black_box(take_ref(black_box(&ctx)));
    };
    rounds([format!("handoff_paired/value/{N}"), format!("handoff_paired/ref/{N}")], by_value, by_ref, out);
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    paired::pin(0);
    let mut out = Vec::new();
    sized::<16>(&mut out);
    sized::<24>(&mut out);
    sized::<32>(&mut out);
    sized::<40>(&mut out);
    sized::<64>(&mut out);
    sized::<128>(&mut out);
    let p = PlainTracer::default();
    let id = TraceId([5; 16]);
    let by_ref = || {
        black_box(black_box(&p).start_by_ref(id, black_box(7)));
    };
    let by_value = || {
        black_box(black_box(p).start_by_value(id, black_box(7)));
    };
    rounds(["tracer_paired/plain48_by_ref".into(), "tracer_paired/plain48_by_value".into()], by_ref, by_value, &mut out);
    paired::write_beside_criterion("paired_calls", &out).expect("write the estimates");
}
