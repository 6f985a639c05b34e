//! # tracing-opentelemetry (real stack)
//!
//! What most Rust services run: spans made with `tracing`'s macros, kept by
//! `tracing_subscriber::Registry`, turned into OpenTelemetry spans by
//! `tracing_opentelemetry::layer()` (0.34, its defaults) over the opentelemetry_sdk 0.33 tracer,
//! batch processor and W3C propagator — on the same seeded workload, pacing and measured region
//! as every other row, driven by the model's walk.
//!
//! | workload step | what the stack does |
//! |---|---|
//! | span start | `info_span!(parent: …, "name", http.status_code = 200, …)`: the registry takes a slot, the layer records the fields into a `SpanBuilder` (its defaults add code location, thread id, target, busy/idle timings) and keeps it in the span's extensions |
//! | activation | `Span::entered()`: the layer starts the SDK span (sampler, id generator) and attaches its `Context` as the thread's current one (`with_context_activation`, default on) |
//! | current context | `opentelemetry::Context::current()` after the enter, as an application reads it: same thread |
//! | propagation, every k-th span | the parent's `OpenTelemetrySpanExt::context()` injected into a `HashMap` carrier by `TraceContextPropagator`, extracted, and set as the new span's parent (`set_parent`) |
//! | span end | the `EnteredSpan` dropped: exit, close; the layer ends the SDK span (adding busy/idle) → `BatchSpanProcessor` (SDK defaults) → the digest exporter |
//!
//! The ids, sampling decisions, exporter and batch settings are the otel-sdk row's
//! ([`spanalloc_otel_sdk::parts`]), so the digest must equal every other row's: same ids,
//! parents, flags, trace state and names. The queue drops spans when full, as the SDK row's does.
#![deny(missing_docs)]

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry::Context;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{BatchSpanProcessor, SdkTracerProvider, OTEL_BSP_MAX_QUEUE_SIZE_DEFAULT};
use spanalloc_model::pipeline::{ChildSpan, Pipeline, Producer, RootSpan};
use spanalloc_model::processor::CURRENT_READ_SETTING;
use spanalloc_model::sink::ExportSink;
use spanalloc_model::stage::{self, Stage};
use spanalloc_model::{Scenario, TraceId, WorkloadConfig};
use spanalloc_otel_sdk::parts::{self, batch_config, SinkExporter, WorkloadIds, WorkloadSampler};
use tracing::dispatcher::{self, DefaultGuard, Dispatch};
use tracing::span::EnteredSpan;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;

/// The scenario entry. Paced when asked to run unpaced, and its bounded queue may drop, for the
/// SDK row's reason: the batch processor's bounded queue drops spans when outrun. Gated at
/// [`GATE_RATE`].
pub const SCENARIO: Scenario = Scenario::pipeline::<TracingPipeline>(
    "tracing-otel",
    "real stack: tracing + tracing-subscriber Registry + tracing-opentelemetry 0.34 (defaults) over opentelemetry_sdk 0.33",
)
.with_unpaced_rate(100_000)
.gated_at(GATE_RATE)
.gated_from(spanalloc_otel_sdk::LARGE_TRACE_STATE, spanalloc_otel_sdk::LARGE_GATE_RATE)
.may_drop_spans();

/// The rate this stack is gated at: the fastest it holds at 32 trace-state entries on a 2-core
/// machine. Measured (200,000 spans, 2026-12-04, one core kept busy by a shell loop): at
/// 100,000 spans/s a plain pass dropped 7,023 spans and achieved 55,248/s (CPU 29 µs a span at
/// n = 32); at 50,000 no pass dropped (plain 50,000/s, count 47,511/s). Gated with the SDK row at
/// 40,000 since 2026-12-05 (the SDK row dropped 477 spans at 50,000 in a night run alone): three
/// 200,000-span count passes at n = 32 exported every span at 39,960–39,995/s (CPU 29–32 µs a
/// span). From 32 entries on gated with the SDK row at 20,000 since 2026-12-06 (at 40,000 a
/// night's shard at n = 32 run alone dropped 10,565 spans, at 30,000 a count pass dropped 7,221;
/// at 20,000 three count passes exported every span, 20,001/s, CPU 24–26 µs a span):
/// `spanalloc_otel_sdk::LARGE_GATE_RATE`. docs/real-stacks.md.
pub const GATE_RATE: u64 = 40_000;

/// One span of the workload, made at the callsite for its name: a `tracing` span's name is its
/// callsite's, fixed at compile time, as in a service. The names and fields are the workload's
/// ([`spanalloc_model::workload::SPAN_NAMES`], [`spanalloc_model::workload::ATTRIBUTES`]; a
/// test checks them), so the stack records what every other row exports.
macro_rules! workload_span {
    ($parent:expr, $name:expr) => {
        match $name {
            "GET /checkout" => {
                tracing::info_span!(parent: $parent, "GET /checkout", http.status_code = 200i64, net.peer.port = 5432i64, retry = 0i64)
            }
            "inventory.reserve" => {
                tracing::info_span!(parent: $parent, "inventory.reserve", http.status_code = 200i64, net.peer.port = 5432i64, retry = 0i64)
            }
            "db.query" => tracing::info_span!(parent: $parent, "db.query", http.status_code = 200i64, net.peer.port = 5432i64, retry = 0i64),
            other => panic!("no callsite for the span name {other:?}"),
        }
    };
}

/// Where the stack's spans are made: the workload's callsites ([`Workload`]), or — in a test
/// build — callsites that differ, to show the digest sees what the exporter received.
pub trait Callsites: 'static {
    /// A span named `name` under `parent` (none: a root, or the far side of a boundary).
    fn span(parent: Option<tracing::Id>, name: &str) -> tracing::Span;
}

/// The workload's callsites: its names and attributes, as every row exports them.
pub struct Workload;

impl Callsites for Workload {
    fn span(parent: Option<tracing::Id>, name: &str) -> tracing::Span {
        workload_span!(parent, name)
    }
}

/// The SDK's provider as the otel-sdk row sets it up, beneath a `tracing` subscriber with the
/// OpenTelemetry layer; its spans made at `C`'s callsites.
pub struct TracingPipeline<C: Callsites = Workload> {
    provider: SdkTracerProvider,
    dispatch: Dispatch,
    callsites: PhantomData<fn() -> C>,
}

impl<C: Callsites> Pipeline for TracingPipeline<C> {
    type Producer<'p> = TracingProducer<C>;

    fn new(cfg: &WorkloadConfig, sink: Arc<ExportSink>) -> Self {
        let provider = SdkTracerProvider::builder()
            .with_span_processor(
                BatchSpanProcessor::builder(SinkExporter::new(sink, Default::default()))
                    .with_batch_config(batch_config(OTEL_BSP_MAX_QUEUE_SIZE_DEFAULT))
                    .build(),
            )
            .with_sampler(WorkloadSampler::new(cfg.sample_ratio))
            .with_id_generator(WorkloadIds)
            .build();
        let tracer = provider.tracer("spanalloc");
        let subscriber = tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
        TracingPipeline { provider, dispatch: Dispatch::new(subscriber), callsites: PhantomData }
    }

    /// The subscriber becomes the producer thread's default, as `set_global_default` would make it
    /// every thread's.
    fn producer(&self, _index: usize) -> TracingProducer<C> {
        TracingProducer {
            _default: dispatcher::set_default(&self.dispatch),
            propagator: TraceContextPropagator::new(),
            current_reads: 0,
            callsites: PhantomData,
        }
    }

    fn quiesce(&self) {
        self.provider.force_flush().expect("the SDK flushes");
    }

    fn resume(&self) {}

    fn settings(&self) -> Vec<(String, String)> {
        vec![
            ("batch queue".to_owned(), format!("{OTEL_BSP_MAX_QUEUE_SIZE_DEFAULT} spans (SDK default)")),
            (
                "tracing layer".to_owned(),
                "tracing-opentelemetry 0.34 defaults: location, thread id, target, busy/idle timings, context activation"
                    .to_owned(),
            ),
            (CURRENT_READ_SETTING.to_owned(), "same thread, Context::current() after the span's enter (thread-local)".to_owned()),
        ]
    }

    fn finish(self) {
        let _ = self.provider.shutdown();
    }
}

/// A span the producer has entered: exited and closed when dropped.
pub struct TracingSpan(EnteredSpan);

/// One producer thread's side: the subscriber as its default.
pub struct TracingProducer<C: Callsites = Workload> {
    _default: DefaultGuard,
    propagator: TraceContextPropagator,
    current_reads: u64,
    callsites: PhantomData<fn() -> C>,
}

impl<C: Callsites> TracingProducer<C> {
    /// Enters `span` — the layer starts the SDK span and attaches its context — and reads the
    /// current context back.
    fn enter(&mut self, span: tracing::Span) -> TracingSpan {
        let entered = span.entered();
        if Context::current().span().span_context().is_valid() {
            self.current_reads += 1;
        }
        TracingSpan(entered)
    }
}

impl<C: Callsites> Producer for TracingProducer<C> {
    type Span = TracingSpan;

    fn start_root(&mut self, root: RootSpan<'_>) -> TracingSpan {
        parts::set_root_state(root.trace_state);
        parts::set_next_ids(root.trace_id, root.span_id);
        let _stage = stage::enter(Stage::Tracer);
        let span = C::span(None, root.name);
        self.enter(span)
    }

    fn start_child(&mut self, parent: &TracingSpan, child: ChildSpan) -> TracingSpan {
        parts::set_next_ids(TraceId([0; 16]), child.span_id);
        if child.crosses_boundary {
            let remote = {
                let _stage = stage::enter(Stage::Propagator);
                let mut carrier: HashMap<String, String> = HashMap::new();
                self.propagator.inject_context(&parent.0.context(), &mut carrier);
                self.propagator.extract(&carrier)
            };
            let _stage = stage::enter(Stage::Tracer);
            // The far side: a span whose parent is the remote context, as a server makes it.
            let span = C::span(None, child.name);
            span.set_parent(remote).expect("the OpenTelemetry layer is installed and the span not started");
            return self.enter(span);
        }
        let _stage = stage::enter(Stage::Tracer);
        let span = C::span(parent.0.id(), child.name);
        self.enter(span)
    }

    fn end(&mut self, span: TracingSpan) {
        let _stage = stage::enter(Stage::Processor);
        drop(span);
    }

    fn flush(&mut self) {}

    fn take_current_reads(&mut self) -> u64 {
        std::mem::take(&mut self.current_reads)
    }
}

#[cfg(test)]
mod tests {
    use spanalloc_model::workload::{ATTRIBUTES, SPAN_NAMES};

    /// The callsites' names and fields are the workload's.
    #[test]
    fn the_callsites_carry_the_workloads_names_and_attributes() {
        let source = include_str!("lib.rs");
        for name in SPAN_NAMES {
            let fields: Vec<String> = ATTRIBUTES.iter().map(|(k, v)| format!("{k} = {v}i64")).collect();
            let callsite = format!("\"{name}\", {}", fields.join(", "));
            assert!(source.contains(&callsite), "no callsite {callsite}");
        }
    }
}
