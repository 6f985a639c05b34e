//! # atomic-swap
//!
//! The current context is published through `arc_swap::ArcSwapOption` — one `store` per span
//! start — and read with a lock-free `load()` on every other thread: the Rust twin of Go's
//! `atomic.Value`. Between stages a context travels as a [`SharedSpanContext`] value: 33 bytes of
//! ids copied, the trace state shared behind an `Arc`.
//!
//! | hand-off | what happens | allocations (n trace-state entries) |
//! |---|---|---|
//! | root | the trace's entries are copied once into an `Arc<TraceState>` | 2 + 2n per trace |
//! | tracer → sampler | the sampler borrows the parent | 0 |
//! | child | ids copied, the parent's `Arc<TraceState>` cloned | 0 |
//! | span start | the span keeps its parent's span id | 0 |
//! | span end → processor | the span itself is the record | 0 |
//! | extract (every k-th span) | parsed entries and their `Arc` | 2 + 2n |
//! | publish | `ArcSwap::store(Arc::new(ctx))` | 1 |
//! | read current (exporter thread) | `load()`: no allocation, no lock, no reference-count traffic | 0 |
//!
//! So a span costs one allocation — the `Arc` each store publishes — and readers never contend
//! with writers.
#![deny(missing_docs)]

use std::sync::Arc;

use arc_swap::ArcSwapOption;
use spanalloc_model::sampler::Sampler;
use spanalloc_model::w3c::{self, HeaderCarrier, W3cError};
use spanalloc_model::{
    ContextView, ExportView, LinkedSpan, Scenario, SharedSpanContext, SpanId, Strategy, TraceFlags, TraceId, TraceState,
    WorkloadConfig,
};

/// The scenario entry for the harness.
pub const SCENARIO: Scenario = Scenario::strategy::<AtomicSwap>(
    "atomic-swap",
    "publishes the current context with ArcSwap::store, read lock-free with load()",
);

/// Publishes through an `ArcSwapOption`.
pub struct AtomicSwap {
    current: ArcSwapOption<SharedSpanContext>,
}

impl Strategy for AtomicSwap {
    type Ctx = SharedSpanContext;
    type Sampled = TraceFlags;
    type Span = LinkedSpan<SharedSpanContext>;
    type Record = LinkedSpan<SharedSpanContext>;

    fn new(_: &WorkloadConfig) -> Self {
        AtomicSwap { current: ArcSwapOption::empty() }
    }

    fn root(&self, trace_id: TraceId, span_id: SpanId, flags: TraceFlags, trace_state: &TraceState) -> Self::Ctx {
        SharedSpanContext { trace_id, span_id, flags, remote: false, trace_state: Arc::new(trace_state.clone()) }
    }

    fn sample(&self, sampler: &Sampler, parent: &Self::Ctx) -> TraceFlags {
        sampler.sample_child(parent)
    }

    fn child(&self, parent: &Self::Ctx, span_id: SpanId, flags: TraceFlags) -> Self::Ctx {
        parent.child(span_id, flags)
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
        Ok(SharedSpanContext::from(w3c::extract(carrier)?))
    }

    fn publish(&self, ctx: &Self::Ctx) {
        self.current.store(Some(Arc::new(ctx.clone())));
    }

    fn read_current<R>(&self, read: impl FnOnce(&dyn ContextView) -> R) -> Option<R> {
        self.current.load().as_deref().map(|c| read(c))
    }
}
