//! The one seam where strategies differ: how a context is created, handed to the sampler, kept in
//! the span, sent to the exporter, and published as the cross-thread "current context".
//! Everything else — ids, pacing, batching, channels, encoding — is the model's, shared.

use crate::context::ContextView;
use crate::ids::{SpanId, TraceFlags, TraceId};
use crate::sampler::Sampler;
use crate::trace_state::TraceState;
use crate::w3c::{HeaderCarrier, W3cError};
use crate::workload::WorkloadConfig;

/// What the exporter reads of a finished span.
pub struct ExportView<'a> {
    /// The span's own context.
    pub context: &'a dyn ContextView,
    /// The parent's span id, all zeros for a root.
    pub parent_span_id: SpanId,
}

/// How a context is handed on at each stage of the pipeline.
///
/// One value is shared by all producer threads and the exporter thread of a run (`&self`), so
/// any state it keeps (pools, the current-context slot) must be thread-safe.
pub trait Strategy: Sized + Send + Sync + 'static {
    /// A context as this strategy holds it between hand-offs.
    type Ctx: ContextView + Send;
    /// What the sampler hands to the child's start: its decision, and whatever it copied of the
    /// parent on the way (a value-semantics sampler returns the trace state it cloned, as
    /// opentelemetry_sdk's do, and the child takes that copy instead of making another).
    type Sampled;
    /// A live span: its own context and its parent's span id, as recorded at start.
    type Span: Send;
    /// A finished span on its way to the exporter. Dropping it is the exporter's last act.
    type Record: Send + 'static;

    /// Sets the strategy up for a run (pools are filled here, outside the measured region).
    fn new(cfg: &WorkloadConfig) -> Self;

    /// The tracer starts a trace: a root context with a copy of the trace's vendor entries.
    fn root(&self, trace_id: TraceId, span_id: SpanId, flags: TraceFlags, trace_state: &TraceState) -> Self::Ctx;

    /// Hand-off 1, tracer → sampler: the sampler reads the parent context.
    fn sample(&self, sampler: &Sampler, parent: &Self::Ctx) -> Self::Sampled;

    /// The child's context: the parent's trace id and trace state, a new span id, the sampler's
    /// decision.
    fn child(&self, parent: &Self::Ctx, span_id: SpanId, sampled: Self::Sampled) -> Self::Ctx;

    /// Hand-off 2, span start: the span records its own context and its parent's span id (all a
    /// span keeps of its parent in opentelemetry_sdk, `trace/tracer.rs:137`).
    fn start(&self, ctx: Self::Ctx, parent_span_id: SpanId) -> Self::Span;

    /// A live span's own context, which its children take as their parent.
    fn context(span: &Self::Span) -> &Self::Ctx;

    /// Hand-off 3, span end → processor: the record that travels to the exporter thread.
    fn end(&self, span: Self::Span) -> Self::Record;

    /// What the exporter encodes of a record.
    fn export_view(record: &Self::Record) -> ExportView<'_>;

    /// Hand-off 4, the far side of a process boundary: a remote context from a carrier.
    fn extract(&self, carrier: &HeaderCarrier) -> Result<Self::Ctx, W3cError>;

    /// Hand-off 5, publish: make `ctx` the current context other threads read.
    fn publish(&self, ctx: &Self::Ctx);

    /// Hand-off 5, read: hands the current context, as some thread published it, to `read`, in
    /// place; `None` when nothing was published yet. The exporter thread reads once per exported
    /// span, so every read crosses a thread.
    fn read_current<R>(&self, read: impl FnOnce(&dyn ContextView) -> R) -> Option<R>;

    /// Settings a reader needs to judge the figures (a pool's capacity), as `(name, value)`.
    fn settings(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// A span that keeps its own context and its parent's span id: the span type of every strategy.
pub struct LinkedSpan<C> {
    /// The span's own context.
    pub ctx: C,
    /// The parent's span id, all zeros for a root.
    pub parent_span_id: SpanId,
}

impl<C: ContextView> LinkedSpan<C> {
    /// What the exporter encodes.
    pub fn export_view(&self) -> ExportView<'_> {
        ExportView { context: &self.ctx, parent_span_id: self.parent_span_id }
    }
}
