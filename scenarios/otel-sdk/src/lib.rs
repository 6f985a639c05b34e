//! # otel-sdk (reference row)
//!
//! The real `opentelemetry_sdk` tracer (0.33) on the same seeded workload as the strategies, so
//! their numbers can be read against what an application pays today. It is not a strategy: the
//! SDK has its own pipeline (`SdkTracerProvider`, `BatchSpanProcessor` on its own thread, a
//! `SpanExporter`), so this crate is a [`Pipeline`] of its own that the model's walk drives —
//! the same traces, spans, pacing, threads and measured region as every strategy — through the
//! SDK's public API:
//!
//! | workload step | SDK call |
//! |---|---|
//! | ids | a custom `IdGenerator` hands out the workload's trace and span ids |
//! | sampler reads the parent | the SDK's own `Sampler::ParentBased(TraceIdRatioBased)` decides, reading the parent in place and cloning its trace state once (`trace/sampler.rs:393`); a thin wrapper supplies only a root's trace state — the workload's entries, which the SDK's samplers do not invent (they return the invalid parent's empty one) |
//! | span start / end | `SpanBuilder::start_with_context`, `Context::with_span`, `Span::end` |
//! | processor → exporter | `BatchSpanProcessor` with the SDK's defaults (queue 2048, batch 512, delay 5 s) → an exporter folding each `SpanData` into the model's digest, reading its trace state in place (no allocation per span) |
//! | propagation, every k-th span | `TraceContextPropagator::inject_context` / `extract` over a `HashMap` carrier |
//! | current context | `Context::attach` on span start, then a same-thread `Context::current()` read: the SDK's context is thread-local, so unlike the strategies' (read by the exporter thread) this read never crosses a thread |
//!
//! The digest must equal the strategies': same ids, parents, flags, trace state and names. The
//! SDK's queue drops spans when full, as it does for users; a run then marks the row with its
//! dropped spans and leaves it out of the fairness check.
#![deny(missing_docs)]

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{TraceContextExt, Tracer as _, TracerProvider as _};
use opentelemetry::{Context, ContextGuard};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    BatchSpanProcessor, SdkTracer, SdkTracerProvider, OTEL_BSP_MAX_EXPORT_BATCH_SIZE_DEFAULT, OTEL_BSP_MAX_QUEUE_SIZE_DEFAULT,
    OTEL_BSP_SCHEDULE_DELAY_DEFAULT,
};
use spanalloc_model::pipeline::{ChildSpan, Pipeline, Producer, RootSpan};
use spanalloc_model::processor::CURRENT_READ_SETTING;
use spanalloc_model::sink::ExportSink;
use spanalloc_model::stage::{self, Stage};
use spanalloc_model::{Scenario, TraceId, WorkloadConfig};

pub mod parts;

use parts::{attributes, batch_config, SinkExporter, WorkloadIds, WorkloadSampler};

/// The scenario entry for the harness.
// With the SDK's 2048-span queue, an unpaced producer outruns the batch exporter thread and the
// processor drops spans (measured: 3,806 of 26,000 at n = 0), so "as fast as possible" passes run
// at the default rate, which it holds at n = 4 without a drop.
pub const SCENARIO: Scenario = Scenario::pipeline::<SdkPipeline>(
    "otel-sdk",
    "reference: the real opentelemetry_sdk 0.33 tracer, BatchSpanProcessor and W3C propagator, SDK defaults",
)
.with_unpaced_rate(100_000)
.may_drop_spans();

/// The SDK's tracer provider with its batch processor (the SDK's default queue), exporting into
/// the run's sink.
pub type SdkPipeline = SdkPipelineWithQueue<OTEL_BSP_MAX_QUEUE_SIZE_DEFAULT>;

/// [`SdkPipeline`] with a batch queue of `QUEUE` spans: only tests choose another size, to make
/// the row drop spans on purpose.
pub struct SdkPipelineWithQueue<const QUEUE: usize> {
    provider: SdkTracerProvider,
    tracer: SdkTracer,
}

impl<const QUEUE: usize> Pipeline for SdkPipelineWithQueue<QUEUE> {
    type Producer<'p> = SdkProducer<'p>;

    fn new(cfg: &WorkloadConfig, sink: Arc<ExportSink>) -> Self {
        let provider = SdkTracerProvider::builder()
            .with_span_processor(BatchSpanProcessor::builder(SinkExporter(sink)).with_batch_config(batch_config(QUEUE)).build())
            .with_sampler(WorkloadSampler::new(cfg.sample_ratio))
            .with_id_generator(WorkloadIds)
            .build();
        let tracer = provider.tracer("spanalloc");
        SdkPipelineWithQueue { provider, tracer }
    }

    fn producer(&self, _index: usize) -> SdkProducer<'_> {
        SdkProducer { tracer: &self.tracer, propagator: TraceContextPropagator::new(), current_reads: 0 }
    }

    /// `force_flush` returns once the batch processor has exported every queued span. Its
    /// thread is not parked meanwhile, which is why this row's counts are not exact.
    fn quiesce(&self) {
        self.provider.force_flush().expect("the SDK flushes");
    }

    fn resume(&self) {}

    fn settings(&self) -> Vec<(String, String)> {
        vec![
            (
                "batch queue".to_owned(),
                match QUEUE {
                    OTEL_BSP_MAX_QUEUE_SIZE_DEFAULT => format!("{QUEUE} spans (SDK default)"),
                    _ => format!("{QUEUE} spans (not the SDK default: a test's)"),
                },
            ),
            ("export batch".to_owned(), format!("{OTEL_BSP_MAX_EXPORT_BATCH_SIZE_DEFAULT} spans (SDK default)")),
            ("scheduled delay".to_owned(), format!("{} ms (SDK default)", OTEL_BSP_SCHEDULE_DELAY_DEFAULT.as_millis())),
            (CURRENT_READ_SETTING.to_owned(), "same thread, Context::current() after attach (thread-local)".to_owned()),
        ]
    }

    fn finish(self) {
        let _ = self.provider.shutdown();
    }
}

/// A started span: its context, attached as the thread's current one until the span ends.
pub struct SdkSpan {
    cx: Context,
    guard: ContextGuard,
}

/// One producer thread's side of the SDK pipeline.
pub struct SdkProducer<'p> {
    tracer: &'p SdkTracer,
    propagator: TraceContextPropagator,
    current_reads: u64,
}

impl SdkProducer<'_> {
    /// Starts a span under `parent`, makes it the thread's current context (until the span
    /// ends) and reads the current context back.
    fn start(&mut self, parent: &Context, name: &'static str) -> SdkSpan {
        let _stage = stage::enter(Stage::Tracer);
        let span =
            self.tracer.span_builder(Cow::Borrowed(name)).with_attributes(attributes()).start_with_context(self.tracer, parent);
        let cx = parent.with_span(span);
        let guard = cx.clone().attach();
        if Context::current().span().span_context().is_valid() {
            self.current_reads += 1;
        }
        SdkSpan { cx, guard }
    }
}

impl Producer for SdkProducer<'_> {
    type Span = SdkSpan;

    fn start_root(&mut self, root: RootSpan<'_>) -> SdkSpan {
        parts::set_root_state(root.trace_state);
        parts::set_next_ids(root.trace_id, root.span_id);
        self.start(&Context::new(), root.name)
    }

    fn start_child(&mut self, parent: &SdkSpan, child: ChildSpan) -> SdkSpan {
        let remote;
        let mut parent_cx = &parent.cx;
        if child.crosses_boundary {
            let _stage = stage::enter(Stage::Propagator);
            let mut carrier: HashMap<String, String> = HashMap::new();
            self.propagator.inject_context(parent_cx, &mut carrier);
            remote = self.propagator.extract(&carrier);
            parent_cx = &remote;
        }
        parts::set_next_ids(TraceId([0; 16]), child.span_id);
        self.start(parent_cx, child.name)
    }

    fn end(&mut self, SdkSpan { cx, guard }: SdkSpan) {
        let _stage = stage::enter(Stage::Processor);
        cx.span().end();
        drop(guard);
    }

    fn flush(&mut self) {}

    fn take_current_reads(&mut self) -> u64 {
        std::mem::take(&mut self.current_reads)
    }
}
