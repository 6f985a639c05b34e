//! # value-shared
//!
//! Contexts are values, passed and stored by value and copied exactly where value-copy (and
//! opentelemetry_sdk 0.33) copies them — but a copy is *shallow*: its trace state is shared behind
//! an `Arc`, as a Go `trace.SpanContext` copy shares its `TraceState`'s member list
//! (opentelemetry-go `trace/tracestate.go:173–176` @ 736a14f: `type TraceState struct { list
//! []member }`, a slice header over a shared array). This is the article's "by value", in Rust:
//! set against pointer-passing it answers the article's question (copy vs pointer) with the
//! representation held fixed; set against value-copy it prices the Rust SDK's deep trace-state
//! clone (what sharing would save it).
//!
//! | hand-off | what happens | mirrors | allocations (n entries) |
//! |---|---|---|---|
//! | root | the trace's entries copied once into an `Arc<TraceState>` (the workload's, like a parsed root state) | — (model: root entries) | 2 + 2n per trace |
//! | tracer → sampler | the sampler reads the parent in place and copies its trace state once: a reference-count bump | value-copy's clone at sdk `trace/sampler.rs:393` | 0 |
//! | child | takes the sampler's copy, by move | sdk `trace/tracer.rs:215–226` | 0 |
//! | span start | the span keeps its parent's span id only | sdk `trace/tracer.rs:137` | 0 |
//! | publish | the span's context copied into the current-context slot | value-copy's clone at api `trace/context.rs:47` | 0 |
//! | span end → processor | the record gets a copy | value-copy's clone at sdk `trace/span.rs:227` | 0 |
//! | extract (every k-th span) | parsed entries and their `Arc` | — (model: codec) | 2 + 2n |
//! | read current (exporter thread) | read in place under the slot's lock | api `Context::current()` | 0 |
//!
//! So a span allocates nothing of its own: only the per-trace root and the every-k-th extraction,
//! which cannot share a pointer across a process boundary — at n = 4, 10 allocations per 13-span
//! trace plus 10 per extraction, about 1.7 per span.
#![deny(missing_docs)]

use std::sync::{Arc, Mutex, PoisonError};

use spanalloc_model::sampler::Sampler;
use spanalloc_model::w3c::{self, HeaderCarrier, W3cError};
use spanalloc_model::{
    ContextView, ExportView, LinkedSpan, Scenario, SharedSpanContext, SpanId, Strategy, TraceFlags, TraceId, TraceState,
    WorkloadConfig,
};

/// The scenario entry for the harness.
pub const SCENARIO: Scenario = Scenario::strategy::<ValueShared>(
    "value-shared",
    "contexts by value, copied where value-copy copies, their trace state shared behind an Arc (Go's shallow copy)",
);

/// Copies where value-copy copies; a copy shares the trace state.
pub struct ValueShared {
    current: Mutex<Option<SharedSpanContext>>,
}

impl Strategy for ValueShared {
    type Ctx = SharedSpanContext;
    type Sampled = (TraceFlags, Arc<TraceState>);
    type Span = LinkedSpan<SharedSpanContext>;
    type Record = LinkedSpan<SharedSpanContext>;

    fn new(_: &WorkloadConfig) -> Self {
        ValueShared { current: Mutex::new(None) }
    }

    fn root(&self, trace_id: TraceId, span_id: SpanId, flags: TraceFlags, trace_state: &TraceState) -> SharedSpanContext {
        SharedSpanContext { trace_id, span_id, flags, remote: false, trace_state: Arc::new(trace_state.clone()) }
    }

    fn sample(&self, sampler: &Sampler, parent: &SharedSpanContext) -> Self::Sampled {
        // Where the SDK's sampler returns a clone of the parent's trace state: here a shallow one.
        (sampler.sample_child(parent), Arc::clone(&parent.trace_state))
    }

    fn child(&self, parent: &SharedSpanContext, span_id: SpanId, (flags, trace_state): Self::Sampled) -> SharedSpanContext {
        SharedSpanContext { trace_id: parent.trace_id, span_id, flags, remote: false, trace_state }
    }

    fn start(&self, ctx: SharedSpanContext, parent_span_id: SpanId) -> Self::Span {
        LinkedSpan { ctx, parent_span_id }
    }

    fn context(span: &Self::Span) -> &SharedSpanContext {
        &span.ctx
    }

    fn end(&self, span: Self::Span) -> Self::Record {
        // Where the SDK's span end clones its context for the record: a shallow copy.
        LinkedSpan { ctx: span.ctx.clone(), parent_span_id: span.parent_span_id }
    }

    fn export_view(record: &Self::Record) -> ExportView<'_> {
        record.export_view()
    }

    fn extract(&self, carrier: &HeaderCarrier) -> Result<SharedSpanContext, W3cError> {
        Ok(SharedSpanContext::from(w3c::extract(carrier)?))
    }

    fn publish(&self, ctx: &SharedSpanContext) {
        let previous = self.current.lock().unwrap_or_else(PoisonError::into_inner).replace(ctx.clone());
        // The previous copy may hold the last reference to a trace state: free it outside the lock.
        drop(previous);
    }

    fn read_current<R>(&self, read: impl FnOnce(&dyn ContextView) -> R) -> Option<R> {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current.as_ref().map(|c| read(c))
    }
}
