//! The small interface between the walk of a trace ([`crate::walk`]) and a scenario's pipeline.
//!
//! The walk owns everything every scenario shares — which traces and spans, in which order, at
//! which pace, on which threads, where the measured region begins and ends. A scenario supplies
//! a [`Pipeline`]: per producer thread a [`Producer`] that starts and ends the spans the walk
//! asks for, and a way to wait until what was ended has been exported. Strategies get theirs
//! from the model ([`crate::processor::StrategyPipeline`]); the SDK row brings its own.

use std::sync::Arc;

use crate::ids::{SpanId, TraceId};
use crate::sink::ExportSink;
use crate::trace_state::TraceState;
use crate::workload::WorkloadConfig;

/// A trace's root span, as the walk asks for it.
pub struct RootSpan<'a> {
    /// The trace's id.
    pub trace_id: TraceId,
    /// The root's span id.
    pub span_id: SpanId,
    /// The span's name.
    pub name: &'static str,
    /// The trace's vendor entries (the walk refills this buffer for every trace).
    pub trace_state: &'a TraceState,
}

/// A child span, as the walk asks for it.
#[derive(Debug, Clone, Copy)]
pub struct ChildSpan {
    /// Its span id.
    pub span_id: SpanId,
    /// Its name.
    pub name: &'static str,
    /// Whether its parent is first injected into a carrier and extracted on the far side, as
    /// across a process boundary.
    pub crosses_boundary: bool,
}

/// One producer thread's side of a pipeline.
pub trait Producer {
    /// A live span.
    type Span;

    /// Starts a trace's root span; the tracer samples it.
    fn start_root(&mut self, root: RootSpan<'_>) -> Self::Span;

    /// Starts a child of `parent`.
    fn start_child(&mut self, parent: &Self::Span, child: ChildSpan) -> Self::Span;

    /// Ends `span`: a sampled span goes on to the exporter.
    fn end(&mut self, span: Self::Span);

    /// Hands on whatever is batched: the end of a stream.
    fn flush(&mut self);

    /// Current-context reads this producer made that found a context, since the last call.
    /// Zero for a scenario whose reads happen on the exporter's side (counted by the sink).
    fn take_current_reads(&mut self) -> u64 {
        0
    }
}

/// A scenario's pipeline, for one run.
pub trait Pipeline: Sync + Sized {
    /// A producer thread's side.
    type Producer<'p>: Producer
    where
        Self: 'p;

    /// Sets the pipeline up (threads, queues, pools): called after the run's own buffers are
    /// allocated, before any span; everything it allocates is the scenario's setup.
    fn new(cfg: &WorkloadConfig, sink: Arc<ExportSink>) -> Self;

    /// The side of producer `index`, called on that producer's thread.
    fn producer(&self, index: usize) -> Self::Producer<'_>;

    /// Returns once every span ended and flushed so far has reached the sink. A pipeline whose
    /// exporter can be held still then keeps it parked until [`Pipeline::resume`], so that an
    /// allocation count taken meanwhile is exact.
    fn quiesce(&self);

    /// Lets the exporter go on after [`Pipeline::quiesce`].
    fn resume(&self);

    /// How it was set up, as `(name, value)`: what a reader needs to judge the figures.
    fn settings(&self) -> Vec<(String, String)>;

    /// Stops its threads; called once, after the last span.
    fn finish(self);
}
