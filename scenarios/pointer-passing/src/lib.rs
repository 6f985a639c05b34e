//! # pointer-passing
//!
//! One `Arc<SharedSpanContext>` per context; every hand-off clones the `Arc` or borrows it, and a
//! child shares its parent's trace state behind a pointer instead of copying it (W3C children
//! inherit the parent's entries unchanged). This is the Rust reading of the article's
//! `*trace.SpanContext`.
//!
//! | hand-off | what happens | allocations (n trace-state entries) |
//! |---|---|---|
//! | root | the trace's entries are copied once into an `Arc<TraceState>`, the context into an `Arc` | 3 + 2n per trace |
//! | tracer → sampler | the sampler borrows the parent | 0 |
//! | child | a new `Arc` holding ids and a clone of the parent's `Arc<TraceState>` | 1 |
//! | span start | the span keeps its parent's span id | 0 |
//! | span end → processor | the span itself is the record | 0 |
//! | extract (every k-th span) | parsed entries, their `Arc`, the context's `Arc` | 3 + 2n |
//! | publish | an `Arc` clone into a mutex-guarded slot | 0 |
//! | read current (exporter thread) | read in place under the lock | 0 |
//!
//! So a span costs one allocation whatever the trace-state size, plus the per-trace root and the
//! every-k-th extraction, which cannot share a pointer across a process boundary. At n = 0 that
//! is *more* than value-copy, whose clones of an empty state allocate nothing.
#![deny(missing_docs)]

use std::sync::{Arc, Mutex, PoisonError};

use spanalloc_model::sampler::Sampler;
use spanalloc_model::w3c::{self, HeaderCarrier, W3cError};
use spanalloc_model::{
    ContextView, ExportView, LinkedSpan, Scenario, SharedSpanContext, SpanId, Strategy, TraceFlags, TraceId, TraceState,
    WorkloadConfig,
};

/// The scenario entry for the harness.
pub const SCENARIO: Scenario = Scenario::strategy::<PointerPassing>(
    "pointer-passing",
    "one Arc per context; hand-offs clone the Arc or borrow; children share the parent's trace state",
);

/// Shares contexts behind `Arc`s.
pub struct PointerPassing {
    current: Mutex<Option<Arc<SharedSpanContext>>>,
}

impl Strategy for PointerPassing {
    type Ctx = Arc<SharedSpanContext>;
    type Sampled = TraceFlags;
    type Span = LinkedSpan<Arc<SharedSpanContext>>;
    type Record = LinkedSpan<Arc<SharedSpanContext>>;

    fn new(_: &WorkloadConfig) -> Self {
        PointerPassing { current: Mutex::new(None) }
    }

    fn root(&self, trace_id: TraceId, span_id: SpanId, flags: TraceFlags, trace_state: &TraceState) -> Self::Ctx {
        let trace_state = Arc::new(trace_state.clone());
        Arc::new(SharedSpanContext { trace_id, span_id, flags, remote: false, trace_state })
    }

    fn sample(&self, sampler: &Sampler, parent: &Self::Ctx) -> TraceFlags {
        sampler.sample_child(parent)
    }

    fn child(&self, parent: &Self::Ctx, span_id: SpanId, flags: TraceFlags) -> Self::Ctx {
        Arc::new(parent.child(span_id, flags))
    }

    fn start(&self, ctx: Self::Ctx, parent_span_id: SpanId) -> Self::Span {
        LinkedSpan { ctx, parent_span_id }
    }

    fn context(span: &Self::Span) -> &Self::Ctx {
        &span.ctx
    }

    fn end(&self, span: Self::Span) -> Self::Record {
        span
    }

    fn export_view(record: &Self::Record) -> ExportView<'_> {
        record.export_view()
    }

    fn extract(&self, carrier: &HeaderCarrier) -> Result<Self::Ctx, W3cError> {
        Ok(Arc::new(SharedSpanContext::from(w3c::extract(carrier)?)))
    }

    fn publish(&self, ctx: &Self::Ctx) {
        let previous = self.current.lock().unwrap_or_else(PoisonError::into_inner).replace(Arc::clone(ctx));
        // The previous context may be the last reference: free it outside the lock.
        drop(previous);
    }

    fn read_current<R>(&self, read: impl FnOnce(&dyn ContextView) -> R) -> Option<R> {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current.as_deref().map(|c| read(c))
    }
}
