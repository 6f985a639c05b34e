//! # inline-state: a strategy of your own, measured beside the built-ins
//!
//! Value semantics, as value-copy, cloned at the same points as opentelemetry_sdk (the
//! sampler's copy, `with_span`, span end) — but the context keeps its vendor entries *inline*,
//! in `tracestate` header form, in a 128-byte `SmallVec`. A clone of a context whose header fits
//! is a copy of ~170 bytes and no allocation; one that does not (n = 32 entries of the workload,
//! 831 bytes) spills to the heap and clones with one allocation instead of 1 + 2n.
//!
//! | hand-off | what happens | allocations (header ≤ 128 B / larger) |
//! |---|---|---|
//! | root | the trace's entries written into the inline header | 0 / 1 per trace |
//! | tracer → sampler | the sampler copies the parent's header for the child | 0 / 1 |
//! | publish | the context cloned into the current-context slot | 0 / 1 |
//! | span end → processor | the record gets a clone | 0 / 1 |
//! | extract (every k-th span) | `traceparent` parsed, `tracestate` checked and copied | 0 / 1 |
//!
//! It is here to show the extension point: `src/main.rs` is all it takes to get the whole
//! `spanalloc` tool for it.
#![deny(missing_docs)]

use std::sync::{Mutex, PoisonError};

use smallvec::SmallVec;
use spanalloc_model::sampler::Sampler;
use spanalloc_model::trace_state::validate_header;
use spanalloc_model::w3c::{self, HeaderCarrier, W3cError};
use spanalloc_model::{
    ContextView, ExportView, LinkedSpan, Scenario, SpanId, Strategy, TraceFlags, TraceId, TraceState, WorkloadConfig,
};

/// Header bytes kept inline before spilling to the heap.
pub const INLINE: usize = 128;

/// The header form of the vendor entries, inline while it fits.
pub type Header = SmallVec<[u8; INLINE]>;

/// The scenario entry: a strategy on the model's pipeline.
pub const SCENARIO: Scenario = Scenario::strategy::<InlineState>(
    "inline-state",
    "example: value semantics with the trace state inline (SmallVec<[u8; 128]>), cloned where the SDK clones",
);

/// A span context that owns its vendor entries inline.
#[derive(Clone, Default)]
pub struct InlineContext {
    trace_id: TraceId,
    span_id: SpanId,
    flags: TraceFlags,
    remote: bool,
    header: Header,
}

impl ContextView for InlineContext {
    fn trace_id(&self) -> TraceId {
        self.trace_id
    }
    fn span_id(&self) -> SpanId {
        self.span_id
    }
    fn flags(&self) -> TraceFlags {
        self.flags
    }
    fn is_remote(&self) -> bool {
        self.remote
    }
    fn write_trace_state(&self, out: &mut String) {
        // Only ever filled from validated ASCII headers.
        out.push_str(std::str::from_utf8(&self.header).expect("ascii header"));
    }
}

fn header_of(state: &TraceState) -> Header {
    let mut h = Header::new();
    for (i, (k, v)) in state.iter().enumerate() {
        if i > 0 {
            h.push(b',');
        }
        h.extend_from_slice(k.as_bytes());
        h.push(b'=');
        h.extend_from_slice(v.as_bytes());
    }
    h
}

/// Value semantics with an inline trace state.
pub struct InlineState {
    current: Mutex<InlineContext>,
}

impl Strategy for InlineState {
    type Ctx = InlineContext;
    type Sampled = (TraceFlags, Header);
    type Span = LinkedSpan<InlineContext>;
    type Record = LinkedSpan<InlineContext>;

    fn new(_: &WorkloadConfig) -> Self {
        InlineState { current: Mutex::new(InlineContext::default()) }
    }

    fn root(&self, trace_id: TraceId, span_id: SpanId, flags: TraceFlags, trace_state: &TraceState) -> InlineContext {
        InlineContext { trace_id, span_id, flags, remote: false, header: header_of(trace_state) }
    }

    fn sample(&self, sampler: &Sampler, parent: &InlineContext) -> (TraceFlags, Header) {
        (sampler.sample_child(parent), parent.header.clone())
    }

    fn child(&self, parent: &InlineContext, span_id: SpanId, (flags, header): (TraceFlags, Header)) -> InlineContext {
        InlineContext { trace_id: parent.trace_id, span_id, flags, remote: false, header }
    }

    fn start(&self, ctx: InlineContext, parent_span_id: SpanId) -> Self::Span {
        LinkedSpan { ctx, parent_span_id }
    }

    fn context(span: &Self::Span) -> &InlineContext {
        &span.ctx
    }

    fn end(&self, span: Self::Span) -> Self::Record {
        LinkedSpan { ctx: span.ctx.clone(), parent_span_id: span.parent_span_id }
    }

    fn export_view(record: &Self::Record) -> ExportView<'_> {
        record.export_view()
    }

    fn extract(&self, carrier: &HeaderCarrier) -> Result<InlineContext, W3cError> {
        let (trace_id, span_id, flags) =
            w3c::parse_traceparent(carrier.get(w3c::TRACEPARENT).ok_or(W3cError::MissingTraceparent)?)?;
        let state = carrier.get(w3c::TRACESTATE).unwrap_or("");
        validate_header(state)?;
        Ok(InlineContext { trace_id, span_id, flags, remote: true, header: Header::from_slice(state.as_bytes()) })
    }

    fn publish(&self, ctx: &InlineContext) {
        let copy = ctx.clone();
        let previous = std::mem::replace(&mut *self.current.lock().unwrap_or_else(PoisonError::into_inner), copy);
        drop(previous);
    }

    fn read_current<R>(&self, read: impl FnOnce(&dyn ContextView) -> R) -> Option<R> {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current.trace_id.is_valid().then(|| read(&*current))
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        vec![("inline header", format!("{INLINE} bytes"))]
    }
}
