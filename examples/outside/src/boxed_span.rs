//! # boxed-span: your strategy goes here
//!
//! A question a newcomer might ask: what does a heap-allocated span object cost (as Go's
//! `*recordingSpan`)? This row is value-shared in every hand-off — contexts by value, their trace
//! state shared behind an `Arc` — except that each started span lives in a `Box`. So it should
//! cost exactly one allocation per span more than value-shared, and do the same work (the same
//! digest): tests/same_work.rs checks both.

use std::sync::{Arc, Mutex, PoisonError};

use spanalloc_model::sampler::Sampler;
use spanalloc_model::w3c::{self, HeaderCarrier, W3cError};
use spanalloc_model::{
    ContextView, ExportView, LinkedSpan, Scenario, SharedSpanContext, SpanId, Strategy, TraceFlags, TraceId, TraceState,
    WorkloadConfig,
};

/// The row `spanalloc list` shows and `--scenario boxed-span` picks.
pub const SCENARIO: Scenario = Scenario::strategy::<BoxedSpan>(
    "boxed-span",
    "value-shared's hand-offs with every span in a Box (one more allocation per span)",
);

/// Contexts by value with a shared trace state; spans on the heap.
pub struct BoxedSpan {
    current: Mutex<Option<SharedSpanContext>>,
}

type Ctx = SharedSpanContext;

impl Strategy for BoxedSpan {
    type Ctx = Ctx;
    type Sampled = (TraceFlags, Arc<TraceState>);
    type Span = Box<LinkedSpan<Ctx>>;
    type Record = LinkedSpan<Ctx>;

    fn new(_: &WorkloadConfig) -> Self {
        BoxedSpan { current: Mutex::new(None) }
    }

    fn root(&self, trace_id: TraceId, span_id: SpanId, flags: TraceFlags, trace_state: &TraceState) -> Ctx {
        Ctx { trace_id, span_id, flags, remote: false, trace_state: Arc::new(trace_state.clone()) }
    }

    fn sample(&self, sampler: &Sampler, parent: &Ctx) -> Self::Sampled {
        (sampler.sample_child(parent), Arc::clone(&parent.trace_state))
    }

    fn child(&self, parent: &Ctx, span_id: SpanId, (flags, trace_state): Self::Sampled) -> Ctx {
        Ctx { trace_id: parent.trace_id, span_id, flags, remote: false, trace_state }
    }

    fn start(&self, ctx: Ctx, parent_span_id: SpanId) -> Self::Span {
        Box::new(LinkedSpan { ctx, parent_span_id })
    }

    fn context(span: &Self::Span) -> &Ctx {
        &span.ctx
    }

    fn end(&self, span: Self::Span) -> Self::Record {
        LinkedSpan { ctx: span.ctx.clone(), parent_span_id: span.parent_span_id }
    }

    fn export_view(record: &Self::Record) -> ExportView<'_> {
        record.export_view()
    }

    fn extract(&self, carrier: &HeaderCarrier) -> Result<Ctx, W3cError> {
        Ok(Ctx::from(w3c::extract(carrier)?))
    }

    fn publish(&self, ctx: &Ctx) {
        let previous = self.current.lock().unwrap_or_else(PoisonError::into_inner).replace(ctx.clone());
        drop(previous);
    }

    fn read_current<R>(&self, read: impl FnOnce(&dyn ContextView) -> R) -> Option<R> {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current.as_ref().map(|c| read(c))
    }
}
