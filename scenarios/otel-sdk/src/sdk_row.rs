// The otel-sdk row's code, shared by every opentelemetry_sdk release it is measured at: this
// crate (0.33) and scenarios/real-stacks/sdk-releases (0.28 to 0.32) `include!` it into a module
// where `opentelemetry` and `opentelemetry_sdk` name that release's crates and `adapter` holds
// what the release's API changed (its batch defaults, its exporter's signature, how its trace
// state is read in place). Everything else is the same code at every release: the workload's
// ids and sampling decisions fed to the SDK, the batch processor's defaults, an exporter folding
// each `SpanData` into the run's digest, and the pipeline the model's walk drives.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{Link, SpanKind, TraceContextExt, TraceState as OtelTraceState, Tracer as _, TracerProvider as _};
use opentelemetry::{Context, ContextGuard, KeyValue};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, IdGenerator, Sampler as SdkSampler, SdkTracer, SdkTracerProvider,
    ShouldSample, SpanData,
};
use spanalloc_model::pipeline::{ChildSpan, Pipeline, Producer, RootSpan};
use spanalloc_model::processor::{CURRENT_READ_SETTING, SDK_RELEASE_SETTING};
use spanalloc_model::sink::ExportSink;
use spanalloc_model::stage::{self, Stage};
use spanalloc_model::workload::ATTRIBUTES;
use spanalloc_model::{SpanId, TraceFlags, TraceId, WorkloadConfig};

use adapter::SamplingResult;

/// The batch processor as users get it: the SDK's own defaults, spelled out so that an
/// `OTEL_BSP_*` variable in the environment cannot change what is measured. `queue` is the SDK's
/// default but for tests that make the row drop on purpose ([`SdkPipelineWithQueue`]).
pub fn batch_config(queue: usize) -> opentelemetry_sdk::trace::BatchConfig {
    BatchConfigBuilder::default()
        .with_max_queue_size(queue)
        .with_max_export_batch_size(adapter::EXPORT_BATCH_DEFAULT)
        .with_scheduled_delay(adapter::SCHEDULE_DELAY_DEFAULT)
        .build()
}

thread_local! {
    /// The ids the next span start takes, set by the producer just before it.
    static NEXT_IDS: Cell<(u128, u64)> = const { Cell::new((0, 0)) };
    /// The trace state a root span of the current trace starts with.
    static ROOT_STATE: RefCell<OtelTraceState> = const { RefCell::new(OtelTraceState::NONE) };
}

/// The ids the next span started on this thread takes: the trace id (used by a root only) and
/// the span id. Set just before the SDK starts the span, which asks [`WorkloadIds`].
pub fn set_next_ids(trace_id: TraceId, span_id: SpanId) {
    NEXT_IDS.with(|c| c.set((u128::from_be_bytes(trace_id.0), u64::from_be_bytes(span_id.0))));
}

/// The trace's entries in the SDK's form, for the next root started on this thread: what a
/// root's trace state costs, charged to the tracer.
pub fn set_root_state(entries: &spanalloc_model::TraceState) {
    let _stage = stage::enter(Stage::Tracer);
    let state = OtelTraceState::from_key_value(entries.iter()).expect("the workload's entries are valid");
    ROOT_STATE.with(|s| *s.borrow_mut() = state);
}

/// Hands out the workload's ids.
#[derive(Debug)]
pub struct WorkloadIds;

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
pub struct WorkloadSampler(SdkSampler);

impl WorkloadSampler {
    /// `ParentBased(TraceIdRatioBased(ratio))`, the root's trace state supplied.
    pub fn new(ratio: f64) -> Self {
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
pub struct SinkExporter {
    sink: Arc<ExportSink>,
    flow: Arc<Flow>,
}

/// Sampled spans ended and spans exported, since the pipeline started: what
/// [`SdkPipelineWithQueue::quiesce`] waits on.
#[derive(Debug, Default)]
pub struct Flow {
    ended: AtomicU64,
    exported: AtomicU64,
}

impl std::fmt::Debug for SinkExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SinkExporter")
    }
}

impl SinkExporter {
    /// An exporter into `sink`, counting what it exports into `flow`.
    pub fn new(sink: Arc<ExportSink>, flow: Arc<Flow>) -> Self {
        SinkExporter { sink, flow }
    }

    /// Folds a batch into the run's sink: what every release's `SpanExporter::export` does (its
    /// signature is the release's: [`adapter`]).
    pub fn fold(&self, batch: &[SpanData]) {
        let _stage = stage::enter(Stage::Exporter);
        let mut sink = self.sink.batch();
        let now = SystemTime::now();
        for data in batch {
            let sc = &data.span_context;
            let parts = (
                TraceId(sc.trace_id().to_bytes()),
                SpanId(sc.span_id().to_bytes()),
                SpanId(data.parent_span_id.to_bytes()),
                TraceFlags(sc.trace_flags().to_u8()),
            );
            let latency = now.duration_since(data.end_time).unwrap_or_default().as_nanos() as u64;
            // In place: `header()` would build a String per span (the release's way: [`adapter`]).
            sink.span_parts(
                parts,
                |b| adapter::write_header(sc.trace_state(), b),
                &data.name,
                |key, out| received_attribute(&data.attributes, key, out),
                latency,
            );
        }
        drop(sink);
        self.flow.exported.fetch_add(batch.len() as u64, Ordering::Release);
    }
}

/// The value the exporter received for attribute `key`, as the digest hashes it: the SDK's
/// `Value` as it displays (an `i64` in decimal, as the workload's constants are written).
fn received_attribute(attributes: &[KeyValue], key: &str, out: &mut String) -> bool {
    use std::fmt::Write;
    attributes.iter().find(|kv| kv.key.as_str() == key).is_some_and(|kv| write!(out, "{}", kv.value).is_ok())
}

/// The workload's attributes as the SDK takes them.
pub fn attributes() -> Vec<KeyValue> {
    ATTRIBUTES.iter().map(|(k, v)| KeyValue::new(*k, *v)).collect()
}

/// How the row builds each span's attributes: [`Collected`], [`attributes`], but for a test build
/// that plants another way (to prove the gate sees what a change of this one line costs).
pub trait Attributes: 'static {
    /// One span's attributes.
    fn build() -> Vec<KeyValue>;
}

/// The row's attributes: [`attributes`], one allocation of their exact size.
pub struct Collected;

impl Attributes for Collected {
    fn build() -> Vec<KeyValue> {
        attributes()
    }
}

/// The SDK's tracer provider with its batch processor (the SDK's default queue), exporting into
/// the run's sink.
pub type SdkPipeline = SdkPipelineWithQueue<{ adapter::QUEUE_DEFAULT }>;

/// [`SdkPipeline`] building its attributes `A`'s way: only test builds choose another.
pub type SdkPipelineWithAttributes<A> = SdkPipelineWithQueue<{ adapter::QUEUE_DEFAULT }, A>;

/// [`SdkPipeline`] with a batch queue of `QUEUE` spans: only tests choose another size, to make
/// the row drop spans on purpose (or another way to build attributes, `A`).
pub struct SdkPipelineWithQueue<const QUEUE: usize, A: Attributes = Collected> {
    provider: SdkTracerProvider,
    tracer: SdkTracer,
    flow: Arc<Flow>,
    attributes: std::marker::PhantomData<fn() -> A>,
}

impl<const QUEUE: usize, A: Attributes> Pipeline for SdkPipelineWithQueue<QUEUE, A> {
    type Producer<'p> = SdkProducer<'p, A>;

    fn new(cfg: &WorkloadConfig, sink: Arc<ExportSink>) -> Self {
        let flow = Arc::new(Flow::default());
        let exporter = SinkExporter::new(sink, Arc::clone(&flow));
        let provider = SdkTracerProvider::builder()
            .with_span_processor(BatchSpanProcessor::builder(exporter).with_batch_config(batch_config(QUEUE)).build())
            .with_sampler(WorkloadSampler::new(cfg.sample_ratio))
            .with_id_generator(WorkloadIds)
            .build();
        let tracer = provider.tracer("spanalloc");
        SdkPipelineWithQueue { provider, tracer, flow, attributes: std::marker::PhantomData }
    }

    fn producer(&self, _index: usize) -> SdkProducer<'_, A> {
        SdkProducer {
            tracer: &self.tracer,
            propagator: TraceContextPropagator::new(),
            current_reads: 0,
            flow: &self.flow,
            attributes: std::marker::PhantomData,
        }
    }

    /// Returns once every sampled span ended so far has been exported. `force_flush` exports
    /// everything queued from 0.31 on; from 0.28 to 0.30 it exports one batch (512 spans) of the
    /// processor's channel (`get_spans_and_export`, `trace/span_processor.rs:451–476` at 0.29),
    /// leaving the rest for the 5-second timer — measured: warm-up spans then reached the
    /// measured region. So it is called until the exporter has every ended span, or until a call
    /// exports nothing (a span the full queue dropped never arrives). Twice a run, never per span.
    /// The batch thread is not parked meanwhile, which is why this row's counts are not exact.
    fn quiesce(&self) {
        let mut before = u64::MAX;
        loop {
            self.provider.force_flush().expect("the SDK flushes");
            let exported = self.flow.exported.load(Ordering::Acquire);
            if exported >= self.flow.ended.load(Ordering::Acquire) || exported == before {
                return;
            }
            before = exported;
        }
    }

    fn resume(&self) {}

    fn settings(&self) -> Vec<(String, String)> {
        vec![
            (SDK_RELEASE_SETTING.to_owned(), adapter::RELEASE.to_owned()),
            (
                "batch queue".to_owned(),
                if QUEUE == adapter::QUEUE_DEFAULT {
                    format!("{QUEUE} spans (SDK default)")
                } else {
                    format!("{QUEUE} spans (not the SDK default: a test's)")
                },
            ),
            ("export batch".to_owned(), format!("{} spans (SDK default)", adapter::EXPORT_BATCH_DEFAULT)),
            ("scheduled delay".to_owned(), format!("{} ms (SDK default)", adapter::SCHEDULE_DELAY_DEFAULT.as_millis())),
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
pub struct SdkProducer<'p, A: Attributes = Collected> {
    tracer: &'p SdkTracer,
    propagator: TraceContextPropagator,
    current_reads: u64,
    flow: &'p Flow,
    attributes: std::marker::PhantomData<fn() -> A>,
}

impl<A: Attributes> SdkProducer<'_, A> {
    /// Starts a span under `parent`, makes it the thread's current context (until the span
    /// ends) and reads the current context back.
    fn start(&mut self, parent: &Context, name: &'static str) -> SdkSpan {
        let _stage = stage::enter(Stage::Tracer);
        let span =
            self.tracer.span_builder(Cow::Borrowed(name)).with_attributes(A::build()).start_with_context(self.tracer, parent);
        let cx = parent.with_span(span);
        let guard = cx.clone().attach();
        if Context::current().span().span_context().is_valid() {
            self.current_reads += 1;
        }
        SdkSpan { cx, guard }
    }
}

impl<A: Attributes> Producer for SdkProducer<'_, A> {
    type Span = SdkSpan;

    fn start_root(&mut self, root: RootSpan<'_>) -> SdkSpan {
        set_root_state(root.trace_state);
        set_next_ids(root.trace_id, root.span_id);
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
        set_next_ids(TraceId([0; 16]), child.span_id);
        self.start(parent_cx, child.name)
    }

    fn end(&mut self, SdkSpan { cx, guard }: SdkSpan) {
        let _stage = stage::enter(Stage::Processor);
        if cx.span().span_context().is_sampled() {
            self.flow.ended.fetch_add(1, Ordering::Release);
        }
        cx.span().end();
        drop(guard);
    }

    fn flush(&mut self) {}

    fn take_current_reads(&mut self) -> u64 {
        std::mem::take(&mut self.current_reads)
    }
}
