//! Claim C8: a pointer receiver on the tracer instead of a value receiver — on a plain 48-byte
//! tracer (the claim), and on one that owns heap data, whose by-value receiver needs a clone
//! (Rust's own cost, shown beside it).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use spanalloc_benches::{PlainTracer, Tracer};
use spanalloc_model::TraceId;

fn tracer(c: &mut Criterion) {
    let t = Tracer::default();
    let id = TraceId([5; 16]);
    let mut g = c.benchmark_group("tracer");
    // Nanosecond operations: a second of samples gives intervals well under 1%; the nightly
    // runs every bench in a few minutes.
    g.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(1));
    g.bench_function("by_ref", |b| b.iter(|| black_box(&t).start_by_ref(id, black_box(7))));
    g.bench_function("by_value", |b| b.iter(|| black_box(&t).clone().start_by_value(id, black_box(7))));
    let p = PlainTracer::default();
    g.bench_function("plain48_by_ref", |b| b.iter(|| black_box(&p).start_by_ref(id, black_box(7))));
    g.bench_function("plain48_by_value", |b| b.iter(|| black_box(p).start_by_value(id, black_box(7))));
    g.finish();
}

criterion_group!(benches, tracer);
criterion_main!(benches);
