//! Readers on other threads always see a whole context that a writer stored, never a mix of two.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use spanalloc_atomic_swap::AtomicSwap;
use spanalloc_model::{SharedSpanContext, SpanId, Strategy, TraceFlags, TraceId, TraceState, WorkloadConfig};

/// A context whose every field is derived from `n`, so a reader can tell a torn one.
fn context(n: u64) -> SharedSpanContext {
    let mut state = TraceState::new();
    for i in 0..(n % 5) {
        state.insert(&format!("k{i}"), &format!("{n}")).unwrap();
    }
    SharedSpanContext {
        trace_id: TraceId([(n % 251) as u8 + 1; 16]),
        span_id: SpanId((n + 1).to_be_bytes()),
        flags: TraceFlags((n % 2) as u8),
        remote: false,
        trace_state: Arc::new(state),
    }
}

fn is_whole(c: &SharedSpanContext) -> bool {
    let n = u64::from_be_bytes(c.span_id.0) - 1;
    let want = context(n);
    c.trace_id == want.trace_id && c.flags == want.flags && *c.trace_state == *want.trace_state
}

#[test]
fn readers_under_contention_see_only_stored_contexts() {
    let s = AtomicSwap::new(&WorkloadConfig::default());
    s.publish(&context(0));
    let stop = AtomicBool::new(false);
    let reads = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for w in 0..2u64 {
            let s = &s;
            scope.spawn(move || {
                for i in 0..20_000u64 {
                    s.publish(&context(i * 2 + w));
                }
            });
        }
        for _ in 0..3 {
            scope.spawn(|| {
                let mut last_seen = 0;
                while !stop.load(Ordering::Relaxed) || last_seen == 0 {
                    let guard = s.current().load();
                    let c = guard.as_ref().expect("a context was stored before the readers started");
                    assert!(is_whole(c), "torn context: {c:?}");
                    last_seen += 1;
                }
                reads.fetch_add(last_seen, Ordering::Relaxed);
            });
        }
        // Read while the writers run, then stop the readers.
        std::thread::sleep(std::time::Duration::from_millis(50));
        stop.store(true, Ordering::Relaxed);
    });
    assert!(reads.load(Ordering::Relaxed) >= 3);
    assert!(s.read_current().is_some());
}
