//! What every row on opentelemetry_sdk shares — this crate's own row and the stacks built on it
//! (tracing-opentelemetry): the workload's ids and sampling decisions fed to the SDK, the batch
//! processor's defaults, and an exporter that folds each `SpanData` into the run's digest.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::SystemTime;

use opentelemetry::trace::{Link, SpanKind, TraceContextExt, TraceState as OtelTraceState};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, IdGenerator, Sampler as SdkSampler, SamplingResult, ShouldSample, SpanData, SpanExporter,
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE_DEFAULT, OTEL_BSP_SCHEDULE_DELAY_DEFAULT,
};
use spanalloc_model::sink::ExportSink;
use spanalloc_model::stage::{self, Stage};
use spanalloc_model::workload::ATTRIBUTES;
use spanalloc_model::{SpanId, TraceFlags, TraceId};

/// The batch processor as users get it: the SDK's own defaults, spelled out so that an
/// `OTEL_BSP_*` variable in the environment cannot change what is measured. `queue` is the SDK's
/// default but for tests that make the row drop on purpose ([`SdkPipelineWithQueue`]).
pub fn batch_config(queue: usize) -> opentelemetry_sdk::trace::BatchConfig {
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
pub struct SinkExporter(pub Arc<ExportSink>);

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

/// The workload's attributes as the SDK takes them.
pub fn attributes() -> Vec<KeyValue> {
    ATTRIBUTES.iter().map(|(k, v)| KeyValue::new(*k, *v)).collect()
}
