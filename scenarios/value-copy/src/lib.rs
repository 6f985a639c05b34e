//! # value-copy
//!
//! Contexts are owned values, as in opentelemetry-rust today (`SpanContext: Clone` deep-copies
//! its `TraceState`). The context is cloned exactly where opentelemetry_sdk 0.33.1 clones it, and
//! moved or read in place everywhere else, so this row is what value semantics cost and no more:
//!
//! | hand-off | what happens | mirrors (opentelemetry / opentelemetry_sdk 0.33) | allocations (n entries) |
//! |---|---|---|---|
//! | root | the trace's entries copied into the context (the workload's, like a parsed root state) | — (model: root entries) | 1 + 2n per trace |
//! | tracer → sampler | the sampler reads the parent in place and clones its trace state once | sdk `trace/sampler.rs:393` | 1 + 2n per child |
//! | child | takes the sampler's copy, by move | sdk `trace/tracer.rs:215–226` (`SpanContext::new(.., trace_state)`) | 0 |
//! | span start | the span keeps its parent's span id only | sdk `trace/tracer.rs:137` (`parent_span_id: psc.span_id()`) | 0 |
//! | publish | the span's context cloned into the current-context slot | api `trace/context.rs:47` (`with_span` → `SynchronizedSpan::from`) | 1 + 2n |
//! | span end → processor | the record gets a clone (the span itself lives on in its context) | sdk `trace/span.rs:227` (`self.span_context.clone()`) | 1 + 2n |
//! | extract (every k-th span) | a new context parsed from the carrier | — (model: codec) | 1 + 2n |
//! | read current (exporter thread) | read in place under the slot's lock | api `Context::current()` + `span_context()` (a reference) | 0 |
//!
//! So a child span costs 3 deep clones and a root 2: at n = 4, (2 + 12·3) · 9 allocations per
//! 13-span trace plus the root entries and the extractions, about 28 per span; none at n = 0,
//! where a clone copies only ids. `harness/tests/calibration.rs` checks these clones hand-off by
//! hand-off against the real SDK's, from dhat's call stacks.
#![deny(missing_docs)]

use std::sync::{Mutex, PoisonError};

use spanalloc_model::sampler::Sampler;
use spanalloc_model::w3c::{self, HeaderCarrier, W3cError};
use spanalloc_model::{
    ContextView, ExportView, LinkedSpan, Scenario, SpanContext, SpanId, Strategy, TraceFlags, TraceId, TraceState, WorkloadConfig,
};

/// The scenario entry for the harness.
pub const SCENARIO: Scenario = Scenario::strategy::<ValueCopy>(
    "value-copy",
    "owned contexts, deep-cloned exactly where opentelemetry_sdk 0.33 clones them (sampler, with_span, end)",
);

/// Clones where the SDK clones.
pub struct ValueCopy {
    current: Mutex<SpanContext>,
}

/// What the exporter receives: a copy of the span's context and its parent's id.
pub struct Record {
    ctx: SpanContext,
    parent_span_id: SpanId,
}

impl Strategy for ValueCopy {
    type Ctx = SpanContext;
    type Sampled = (TraceFlags, TraceState);
    type Span = LinkedSpan<SpanContext>;
    type Record = Record;

    fn new(_: &WorkloadConfig) -> Self {
        ValueCopy { current: Mutex::new(SpanContext::default()) }
    }

    fn root(&self, trace_id: TraceId, span_id: SpanId, flags: TraceFlags, trace_state: &TraceState) -> SpanContext {
        SpanContext { trace_id, span_id, flags, remote: false, trace_state: trace_state.clone() }
    }

    fn sample(&self, sampler: &Sampler, parent: &SpanContext) -> (TraceFlags, TraceState) {
        // sdk trace/sampler.rs:393: "all sampler in SDK will not modify trace state" — and
        // return a clone of the parent's for the child.
        (sampler.sample_child(parent), parent.trace_state.clone())
    }

    fn child(&self, parent: &SpanContext, span_id: SpanId, (flags, trace_state): (TraceFlags, TraceState)) -> SpanContext {
        SpanContext { trace_id: parent.trace_id, span_id, flags, remote: false, trace_state }
    }

    fn start(&self, ctx: SpanContext, parent_span_id: SpanId) -> Self::Span {
        LinkedSpan { ctx, parent_span_id }
    }

    fn context(span: &Self::Span) -> &SpanContext {
        &span.ctx
    }

    fn end(&self, span: Self::Span) -> Record {
        Record { ctx: span.ctx.clone(), parent_span_id: span.parent_span_id }
    }

    fn export_view(record: &Record) -> ExportView<'_> {
        ExportView { context: &record.ctx, parent_span_id: record.parent_span_id }
    }

    fn extract(&self, carrier: &HeaderCarrier) -> Result<SpanContext, W3cError> {
        w3c::extract(carrier)
    }

    fn publish(&self, ctx: &SpanContext) {
        let copy = ctx.clone();
        let previous = std::mem::replace(&mut *self.current.lock().unwrap_or_else(PoisonError::into_inner), copy);
        // Free the replaced context outside the lock, as dropping a Context does.
        drop(previous);
    }

    fn read_current<R>(&self, read: impl FnOnce(&dyn ContextView) -> R) -> Option<R> {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current.trace_id.is_valid().then(|| read(&*current))
    }
}
