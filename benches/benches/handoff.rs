//! Claim C5: is there a size below which copying a context beats passing a pointer?
//! Hand-off cost by context size: by value (memcpy), by reference, by `Arc` clone.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use spanalloc_benches::{take_arc, take_ref, take_value, SizedContext};

fn sized<const N: usize>(c: &mut Criterion) {
    let mut g = c.benchmark_group("handoff");
    // Nanosecond operations: a second of samples gives intervals well under 1%; the nightly
    // runs every bench in a few minutes.
    g.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(1));
    let ctx = SizedContext::<N>([1u8; N]);
    let shared = Arc::new(ctx);
    g.bench_with_input(BenchmarkId::new("value", N), &ctx, |b, c| b.iter(|| take_value(black_box(*c))));
    g.bench_with_input(BenchmarkId::new("ref", N), &ctx, |b, c| b.iter(|| take_ref(black_box(c))));
    g.bench_with_input(BenchmarkId::new("arc", N), &shared, |b, s| b.iter(|| take_arc(black_box(Arc::clone(s)))));
    g.finish();
}

fn handoff(c: &mut Criterion) {
    sized::<16>(c);
    sized::<24>(c);
    sized::<32>(c);
    sized::<40>(c);
    sized::<64>(c);
    sized::<128>(c);
}

criterion_group!(benches, handoff);
criterion_main!(benches);
