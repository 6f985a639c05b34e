//! Claim C7: what a lock-free current-context slot costs against a mutex, per store and per
//! load — idle, while another thread keeps publishing as fast as it can, and while it publishes
//! at the pipeline's own rate (one store every 10 µs: 100k spans/s), the case a tracer meets.

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use criterion::{criterion_group, criterion_main, Criterion};
use spanalloc_model::{SharedSpanContext, SpanId, TraceFlags, TraceId, TraceState};

fn context(n: u8) -> Arc<SharedSpanContext> {
    Arc::new(SharedSpanContext {
        trace_id: TraceId([n; 16]),
        span_id: SpanId([n; 8]),
        flags: TraceFlags::SAMPLED,
        remote: false,
        trace_state: Arc::new(TraceState::new()),
    })
}

/// Runs `f` while a second thread publishes into both slots, every `every` (busy-waiting in
/// between, so that the writer's core is as busy at any rate) or as fast as it can.
fn with_writer(
    swap: &ArcSwap<SharedSpanContext>,
    mutex: &Mutex<Arc<SharedSpanContext>>,
    every: Option<Duration>,
    f: impl FnOnce(),
) {
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let (a, b) = (context(3), context(4));
            let mut flip = false;
            let mut due = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                if let Some(every) = every {
                    while Instant::now() < due {}
                    due += every;
                }
                let next = if flip { &a } else { &b };
                flip = !flip;
                swap.store(Arc::clone(next));
                *mutex.lock().expect("not poisoned") = Arc::clone(next);
            }
        });
        f();
        stop.store(true, Ordering::Relaxed);
    });
}

fn current(c: &mut Criterion) {
    let swap = ArcSwap::new(context(1));
    let mutex = Mutex::new(context(1));
    let next = context(2);
    let mut g = c.benchmark_group("current");
    // Nanosecond operations: a second of samples gives intervals well under 1%; the nightly
    // runs every bench in a few minutes.
    g.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(1));
    g.bench_function("arcswap_load_idle", |b| b.iter(|| black_box(swap.load().trace_id)));
    g.bench_function("mutex_read_idle", |b| b.iter(|| black_box(mutex.lock().expect("not poisoned").trace_id)));
    g.bench_function("arcswap_store", |b| b.iter(|| swap.store(black_box(Arc::clone(&next)))));
    g.bench_function("mutex_write", |b| b.iter(|| *mutex.lock().expect("not poisoned") = black_box(Arc::clone(&next))));
    with_writer(&swap, &mutex, None, || {
        g.bench_function("arcswap_load", |b| b.iter(|| black_box(swap.load().trace_id)));
        g.bench_function("mutex_read", |b| b.iter(|| black_box(mutex.lock().expect("not poisoned").trace_id)));
    });
    with_writer(&swap, &mutex, Some(Duration::from_micros(10)), || {
        g.bench_function("arcswap_load_paced", |b| b.iter(|| black_box(swap.load().trace_id)));
        g.bench_function("mutex_read_paced", |b| b.iter(|| black_box(mutex.lock().expect("not poisoned").trace_id)));
    });
    g.finish();
}

criterion_group!(benches, current);
criterion_main!(benches);
