//! # otel-sdk (reference row)
//!
//! The real `opentelemetry_sdk` tracer (0.33) on the same seeded workload as the strategies, so
//! their numbers can be read against what an application pays today. It is not a strategy: the
//! SDK has its own pipeline (`SdkTracerProvider`, `BatchSpanProcessor` on its own thread, a
//! `SpanExporter`), so this crate drives the SDK's public API directly with the model's
//! workload, pacing and digest:
//!
//! | workload step | SDK call |
//! |---|---|
//! | ids | a custom `IdGenerator` hands out the workload's trace and span ids |
//! | sampler reads the parent | a custom `ShouldSample`, parent-based with a ratio at the root like the SDK's `ParentBased(TraceIdRatioBased)`; it reads the parent in place and clones its trace state once, as the SDK's samplers do (`trace/sampler.rs:393`); at a root it takes the trace's entries without a copy |
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
use std::sync::{Arc, Barrier, Mutex, PoisonError};
use std::time::{Instant, SystemTime};

use hdrhistogram::Histogram;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{Link, SpanKind, TraceContextExt, TraceState as OtelTraceState, Tracer as _, TracerProvider as _};
use opentelemetry::{Context, ContextGuard, KeyValue};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, IdGenerator, SamplingDecision, SamplingResult, SdkTracer, SdkTracerProvider,
    ShouldSample, SpanData, SpanExporter, OTEL_BSP_MAX_EXPORT_BATCH_SIZE_DEFAULT, OTEL_BSP_MAX_QUEUE_SIZE_DEFAULT,
    OTEL_BSP_SCHEDULE_DELAY_DEFAULT,
};
use spanalloc_model::digest::DigestExporter;
use spanalloc_model::pacing::Pacer;
use spanalloc_model::pipeline::{latency_histogram, latency_summary, ProducerOutcome, RunHooks, RunReport};
use spanalloc_model::sampler::Sampler;
use spanalloc_model::stage::{self, Stage};
use spanalloc_model::workload::{Stream, ATTRIBUTES, SPAN_NAMES};
use spanalloc_model::{Scenario, SpanId, TraceFlags, TraceId, TraceState, WorkloadConfig};

/// The scenario entry for the harness.
pub const SCENARIO: Scenario = Scenario {
    name: "otel-sdk",
    description: "reference: the real opentelemetry_sdk 0.33 tracer, BatchSpanProcessor and W3C propagator",
    run,
    // The batch processor's thread wakes on its own schedule; measured, its allocation count
    // moved by up to 0.5‰ between runs of the same spans (bytes did not).
    exact_counts: false,
    // Context::current() is thread-local: no other thread can read it.
    check_current: None,
    // With the SDK's 2048-span queue, an unpaced producer outruns the batch exporter thread and
    // the processor drops spans (measured: 3,806 of 26,000 at n = 0), so "as fast as possible"
    // passes run at the default rate, which it holds at n = 4 without a drop.
    unpaced_rate: Some(100_000),
};

/// The batch processor as users get it: the SDK's own defaults, spelled out so that an
/// `OTEL_BSP_*` variable in the environment cannot change what is measured.
fn batch_config() -> opentelemetry_sdk::trace::BatchConfig {
    BatchConfigBuilder::default()
        .with_max_queue_size(OTEL_BSP_MAX_QUEUE_SIZE_DEFAULT)
        .with_max_export_batch_size(OTEL_BSP_MAX_EXPORT_BATCH_SIZE_DEFAULT)
        .with_scheduled_delay(OTEL_BSP_SCHEDULE_DELAY_DEFAULT)
        .build()
}

thread_local! {
    /// The ids the next span start takes, set by the driver just before it.
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

/// Parent-based like the model's sampler, with the trace's entries at the root.
#[derive(Debug, Clone)]
struct WorkloadSampler(Sampler);

impl ShouldSample for WorkloadSampler {
    fn should_sample(
        &self,
        parent_context: Option<&Context>,
        trace_id: opentelemetry::trace::TraceId,
        _name: &str,
        _span_kind: &SpanKind,
        _attributes: &[KeyValue],
        _links: &[Link],
    ) -> SamplingResult {
        let _stage = stage::enter(Stage::Sampler);
        let parent = parent_context.map(|cx| cx.span()).filter(|span| span.span_context().is_valid());
        let (sampled, trace_state) = match parent {
            // sdk trace/sampler.rs:393: the parent is read in place, its trace state cloned once.
            Some(span) => (span.span_context().is_sampled(), span.span_context().trace_state().clone()),
            None => (self.0.sample_root(TraceId(trace_id.to_bytes())).is_sampled(), ROOT_STATE.with(|s| s.take())),
        };
        let decision = if sampled { SamplingDecision::RecordAndSample } else { SamplingDecision::Drop };
        SamplingResult { decision, attributes: Vec::new(), trace_state }
    }
}

/// What the exporter thread keeps: the digest and latency.
struct Sink {
    digest: DigestExporter,
    latency: Histogram<u64>,
}

/// Folds each exported span into the model's digest.
#[derive(Clone)]
struct DigestSink(Arc<Mutex<Sink>>);

impl std::fmt::Debug for DigestSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DigestSink")
    }
}

impl SpanExporter for DigestSink {
    fn export(&self, batch: Vec<SpanData>) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        let _stage = stage::enter(Stage::Exporter);
        let mut sink = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let Sink { digest, latency } = &mut *sink;
        let now = SystemTime::now();
        for data in &batch {
            let sc = &data.span_context;
            digest.export_parts(
                TraceId(sc.trace_id().to_bytes()),
                SpanId(sc.span_id().to_bytes()),
                SpanId(data.parent_span_id.to_bytes()),
                TraceFlags(sc.trace_flags().to_u8()),
                // `&TraceState` iterates its entries in place; `header()` would build a String.
                |b| write_header(sc.trace_state(), b),
                &data.name,
            );
            let lat = now.duration_since(data.end_time).unwrap_or_default();
            latency.saturating_record(lat.as_nanos() as u64);
        }
        drop(sink);
        drop(batch);
        std::future::ready(Ok(()))
    }
}

impl DigestSink {
    fn reset(&self) {
        let mut s = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        s.digest.reset();
        s.latency.reset();
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

/// One producer thread's driver.
struct Driver<'a> {
    cfg: &'a WorkloadConfig,
    tracer: &'a SdkTracer,
    propagator: TraceContextPropagator,
    template: TraceState,
    current_reads: u64,
}

impl Driver<'_> {
    fn trace(&mut self, stream: Stream, t: u64, pacer: &mut Pacer) {
        stream.fill_trace_state(t, self.cfg.trace_state_entries, &mut self.template);
        let state = OtelTraceState::from_key_value(self.template.iter()).expect("the workload's entries are valid");
        ROOT_STATE.with(|s| *s.borrow_mut() = state);
        let trace_id = u128::from_be_bytes(stream.trace_id(t).0);
        NEXT_IDS.with(|c| c.set((trace_id, u64::from_be_bytes(stream.span_id(t, 0).0))));
        pacer.wait_turn();
        let root = self.start(&Context::new(), 0);
        let mut next = 1;
        let budget = stream.spans_in_trace(t);
        self.children(&root.0, 1, stream, t, &mut next, budget, pacer);
        self.end(root);
    }

    /// Starts a span under `parent`, makes it the thread's current context (until the returned
    /// guard drops, at span end) and reads the current context back.
    fn start(&mut self, parent: &Context, level: usize) -> (Context, ContextGuard) {
        let _stage = stage::enter(Stage::Tracer);
        let name = SPAN_NAMES[level.min(SPAN_NAMES.len() - 1)];
        let span =
            self.tracer.span_builder(Cow::Borrowed(name)).with_attributes(attributes()).start_with_context(self.tracer, parent);
        let cx = parent.with_span(span);
        let guard = cx.clone().attach();
        if Context::current().span().span_context().is_valid() {
            self.current_reads += 1;
        }
        (cx, guard)
    }

    fn end(&mut self, (cx, guard): (Context, ContextGuard)) {
        let _stage = stage::enter(Stage::Processor);
        cx.span().end();
        drop(guard);
    }

    #[allow(clippy::too_many_arguments)]
    fn children(
        &mut self,
        parent: &Context,
        level: usize,
        stream: Stream,
        t: u64,
        next: &mut u64,
        budget: u64,
        pacer: &mut Pacer,
    ) {
        if level > self.cfg.depth {
            return;
        }
        for _ in 0..self.cfg.fan_out {
            if *next == budget {
                return;
            }
            let j = *next;
            *next += 1;
            pacer.wait_turn();
            let remote;
            let mut parent_cx = parent;
            if stream.crosses_boundary(t, j, self.cfg.propagate_every) {
                let _stage = stage::enter(Stage::Propagator);
                let mut carrier: HashMap<String, String> = HashMap::new();
                self.propagator.inject_context(parent, &mut carrier);
                remote = self.propagator.extract(&carrier);
                parent_cx = &remote;
            }
            NEXT_IDS.with(|c| c.set((0, u64::from_be_bytes(stream.span_id(t, j).0))));
            let span = self.start(parent_cx, level);
            self.children(&span.0, level + 1, stream, t, next, budget, pacer);
            self.end(span);
        }
    }
}

/// Runs the workload through the SDK.
pub fn run(cfg: &WorkloadConfig, hooks: &dyn RunHooks) -> RunReport {
    cfg.validate().expect("a validated configuration");
    let sink = DigestSink(Arc::new(Mutex::new(Sink { digest: DigestExporter::new(), latency: latency_histogram() })));
    hooks.setup_start();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(BatchSpanProcessor::builder(sink.clone()).with_batch_config(batch_config()).build())
        .with_sampler(WorkloadSampler(Sampler::new(cfg.sample_ratio)))
        .with_id_generator(WorkloadIds)
        .build();
    let tracer = provider.tracer("spanalloc");
    let producers = cfg.producers;
    let barrier = Barrier::new(producers + 1);
    let (tracer, barrier) = (&tracer, &barrier);

    let (start, outcomes) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..producers)
            .map(|p| {
                scope.spawn(move || {
                    let mut d = Driver {
                        cfg,
                        tracer,
                        propagator: TraceContextPropagator::new(),
                        template: TraceState::new(),
                        current_reads: 0,
                    };
                    let warm = cfg.warmup_stream();
                    let mut pacer = Pacer::new(0.0);
                    for t in warm.traces_for(p, producers) {
                        d.trace(warm, t, &mut pacer);
                    }
                    barrier.wait(); // warm-up started everywhere
                    barrier.wait(); // go
                    d.current_reads = 0;
                    let measured = cfg.measured();
                    let mut pacer = Pacer::new(cfg.rate as f64 / producers as f64);
                    for t in measured.traces_for(p, producers) {
                        d.trace(measured, t, &mut pacer);
                    }
                    let finished = Instant::now();
                    barrier.wait(); // all started
                    barrier.wait(); // release
                    ProducerOutcome {
                        spans: pacer.emitted(),
                        max_lag_ns: pacer.max_lag_ns(),
                        current_reads: d.current_reads,
                        finished,
                    }
                })
            })
            .collect();
        barrier.wait();
        provider.force_flush().expect("the SDK flushes");
        sink.reset();
        hooks.measured_start();
        let start = Instant::now();
        barrier.wait();
        barrier.wait();
        provider.force_flush().expect("the SDK flushes");
        hooks.measured_end();
        barrier.wait();
        let outcomes: Vec<ProducerOutcome> = workers.into_iter().map(|w| w.join().expect("producer panicked")).collect();
        (start, outcomes)
    });
    let _ = provider.shutdown();
    let sink = sink.0.lock().unwrap_or_else(PoisonError::into_inner);
    let mut report =
        RunReport::combine(start, &outcomes, sink.digest.spans(), sink.digest.digest(), latency_summary(&sink.latency));
    report.settings = vec![
        ("batch queue".to_owned(), format!("{OTEL_BSP_MAX_QUEUE_SIZE_DEFAULT} spans (SDK default)")),
        ("export batch".to_owned(), format!("{OTEL_BSP_MAX_EXPORT_BATCH_SIZE_DEFAULT} spans (SDK default)")),
        ("scheduled delay".to_owned(), format!("{} ms (SDK default)", OTEL_BSP_SCHEDULE_DELAY_DEFAULT.as_millis())),
        ("current context read".to_owned(), "same thread, Context::current() after attach (thread-local)".to_owned()),
    ];
    report
}
