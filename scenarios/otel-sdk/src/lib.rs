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
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{Link, SpanKind, TraceContextExt, TraceState as OtelTraceState, Tracer as _, TracerProvider as _};
use opentelemetry::{Context, ContextGuard, KeyValue};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, IdGenerator, Sampler as SdkSampler, SamplingResult, SdkTracer, SdkTracerProvider,
    ShouldSample, SpanData, SpanExporter, OTEL_BSP_MAX_EXPORT_BATCH_SIZE_DEFAULT, OTEL_BSP_MAX_QUEUE_SIZE_DEFAULT,
    OTEL_BSP_SCHEDULE_DELAY_DEFAULT,
};
use spanalloc_model::pipeline::{ChildSpan, Pipeline, Producer, RootSpan};
use spanalloc_model::processor::CURRENT_READ_SETTING;
use spanalloc_model::sink::ExportSink;
use spanalloc_model::stage::{self, Stage};
use spanalloc_model::workload::ATTRIBUTES;
use spanalloc_model::{Scenario, SpanId, TraceFlags, TraceId, WorkloadConfig};

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

/// The batch processor as users get it: the SDK's own defaults, spelled out so that an
/// `OTEL_BSP_*` variable in the environment cannot change what is measured. `queue` is the SDK's
/// default but for tests that make the row drop on purpose ([`SdkPipelineWithQueue`]).
fn batch_config(queue: usize) -> opentelemetry_sdk::trace::BatchConfig {
    BatchConfigBuilder::default()
        .with_max_queue_size(queue)
        .with_max_export_batch_size(OTEL_BSP_MAX_EXPORT_BATCH_SIZE_DEFAULT)
        .with_scheduled_delay(OTEL_BSP_SCHEDULE_DELAY_DEFAULT)
        .build()
}

thread_local! {
    /// The ids the next span start takes, set by the producer just before it.
    static NEXT_IDS: Cell<(u128, u64)> = const { Cell::new((0, 0)) };
    /// The trace state a root span of the current trace starts with.
    static ROOT_STATE: RefCell<OtelTraceState> = const { RefCell::new(OtelTraceState::NONE) };
}

/// Hands out the workload's ids.
#[derive(Debug)]
struct WorkloadIds;

impl IdGenerator for WorkloadIds {
    fn new_trace_id(&self) -> opentelemetry::trace::TraceId {
        opentelemetry::trace::TraceId::from(NEXT_IDS.with(Cell::get).0)
    }
    fn new_span_id(&self) -> opentelemetry::trace::SpanId {
        opentelemetry::trace::SpanId::from(NEXT_IDS.with(Cell::get).1)
    }
}

/// The SDK's own `ParentBased(TraceIdRatioBased(ratio))` decides — it reads the parent in place
/// and clones its trace state once (sdk `trace/sampler.rs:393`) — and this wrapper supplies only
/// what the SDK's samplers never invent: a root's trace state, the workload's entries for the
/// trace (a root's result carries the invalid parent's empty one). The decisions are the model's
/// (`spanalloc_model::sampler`: the same low 64 bits of the trace id against the ratio), which
/// the digest proves.
#[derive(Debug, Clone)]
struct WorkloadSampler(SdkSampler);

impl WorkloadSampler {
    fn new(ratio: f64) -> Self {
        WorkloadSampler(SdkSampler::ParentBased(Box::new(SdkSampler::TraceIdRatioBased(ratio))))
    }
}

impl ShouldSample for WorkloadSampler {
    fn should_sample(
        &self,
        parent_context: Option<&Context>,
        trace_id: opentelemetry::trace::TraceId,
        name: &str,
        span_kind: &SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        let _stage = stage::enter(Stage::Sampler);
        let mut result = self.0.should_sample(parent_context, trace_id, name, span_kind, attributes, links);
        if !parent_context.is_some_and(|cx| cx.span().span_context().is_valid()) {
            // The workload's part: the trace's entries at its root.
            result.trace_state = ROOT_STATE.with(|s| s.take());
        }
        result
    }
}

/// Folds each exported span into the run's sink.
#[derive(Clone)]
struct SinkExporter(Arc<ExportSink>);

impl std::fmt::Debug for SinkExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SinkExporter")
    }
}

impl SpanExporter for SinkExporter {
    fn export(&self, batch: Vec<SpanData>) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        let _stage = stage::enter(Stage::Exporter);
        let mut sink = self.0.batch();
        let now = SystemTime::now();
        for data in &batch {
            let sc = &data.span_context;
            let parts = (
                TraceId(sc.trace_id().to_bytes()),
                SpanId(sc.span_id().to_bytes()),
                SpanId(data.parent_span_id.to_bytes()),
                TraceFlags(sc.trace_flags().to_u8()),
            );
            let latency = now.duration_since(data.end_time).unwrap_or_default().as_nanos() as u64;
            // `&TraceState` iterates its entries in place; `header()` would build a String.
            sink.span_parts(parts, |b| write_header(sc.trace_state(), b), &data.name, latency);
        }
        drop(sink);
        drop(batch);
        std::future::ready(Ok(()))
    }
}

/// The trace state in header form (`k1=v1,k2=v2`), as the model's exporter writes it.
fn write_header(state: &OtelTraceState, out: &mut String) {
    for (i, (k, v)) in state.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
}

fn attributes() -> Vec<KeyValue> {
    ATTRIBUTES.iter().map(|(k, v)| KeyValue::new(*k, *v)).collect()
}

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
        {
            // The trace's entries in the SDK's form: what a root's trace state costs here.
            let _stage = stage::enter(Stage::Tracer);
            let state = OtelTraceState::from_key_value(root.trace_state.iter()).expect("the workload's entries are valid");
            ROOT_STATE.with(|s| *s.borrow_mut() = state);
        }
        NEXT_IDS.with(|c| c.set((u128::from_be_bytes(root.trace_id.0), u64::from_be_bytes(root.span_id.0))));
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
        NEXT_IDS.with(|c| c.set((0, u64::from_be_bytes(child.span_id.0))));
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
