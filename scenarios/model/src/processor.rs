//! The pipeline every strategy shares: producers batch finished spans (the span processor) and
//! hand them over a bounded queue to one exporter thread, which encodes them into the sink,
//! reads the current-context slot once per span and hands the emptied batch buffer back.
//!
//! Batch buffers circulate producer → exporter → producer, so batching allocates nothing after
//! setup; a producer with no free buffer waits for the exporter. The exporter is a thread of
//! the pipeline's own, parked at a rendezvous while the walk measures at the region's edges.

use std::sync::{Arc, Barrier, OnceLock};
use std::thread::{JoinHandle, Thread};
use std::time::Instant;

use crate::context::ContextView;
use crate::handoff::Handoff;
use crate::ids::SpanId;
use crate::pipeline::{ChildSpan, Pipeline, Producer, RootSpan};
use crate::sampler::Sampler;
use crate::sink::ExportSink;
use crate::stage::{self, Stage};
use crate::strategy::Strategy;
use crate::w3c::{self, HeaderCarrier};
use crate::workload::WorkloadConfig;

/// Spans per batch sent to the exporter.
pub const BATCH: usize = 512;
/// Capacity of the producer → exporter queue, in batches.
pub const CHANNEL_BATCHES: usize = 4;
/// Batch buffers each producer owns; they circulate producer → exporter → producer.
pub const BUFFERS_PER_PRODUCER: usize = CHANNEL_BATCHES + 2;
/// The most finished spans one producer can have on their way to the exporter.
pub const MAX_RECORDS_IN_FLIGHT_PER_PRODUCER: usize = BUFFERS_PER_PRODUCER * BATCH;

struct SpanMeta {
    name: &'static str,
    ended_at: Instant,
}

type Batch<R> = Vec<(R, SpanMeta)>;

enum Message<R> {
    Batch {
        producer: usize,
        spans: Batch<R>,
    },
    /// Everything before this has been exported: meet the coordinator, twice.
    Quiesce,
    Stop,
}

struct Shared<S: Strategy> {
    strategy: S,
    sample_ratio: f64,
    sink: Arc<ExportSink>,
    to_exporter: Handoff<Message<S::Record>>,
    /// Each producer's batch buffers, on their way back from the exporter.
    buffers: Vec<Handoff<Batch<S::Record>>>,
    /// The threads that push to the exporter (producers, then the coordinator), registered as
    /// they first do, so the exporter can wake them when a slot frees.
    pushers: Vec<OnceLock<Thread>>,
    rendezvous: Barrier,
}

impl<S: Strategy> Shared<S> {
    fn wake_pushers(&self) {
        for t in self.pushers.iter().filter_map(OnceLock::get) {
            t.unpark();
        }
    }
}

/// The model's pipeline for strategy `S`.
pub struct StrategyPipeline<S: Strategy> {
    shared: Arc<Shared<S>>,
    exporter: JoinHandle<()>,
}

impl<S: Strategy> StrategyPipeline<S> {
    fn push(&self, message: Message<S::Record>) {
        self.shared.to_exporter.push(message, self.exporter.thread());
    }
}

impl<S: Strategy> Pipeline for StrategyPipeline<S> {
    type Producer<'p> = StrategyProducer<'p, S>;

    fn new(cfg: &WorkloadConfig, sink: Arc<ExportSink>) -> Self {
        let producers = cfg.producers;
        let buffers = (0..producers)
            .map(|_| {
                let h = Handoff::new(BUFFERS_PER_PRODUCER);
                for _ in 0..BUFFERS_PER_PRODUCER {
                    let _ = h.try_push(Vec::with_capacity(BATCH));
                }
                h
            })
            .collect();
        let shared = Arc::new(Shared {
            strategy: S::new(cfg),
            sample_ratio: cfg.sample_ratio,
            sink,
            to_exporter: Handoff::new(CHANNEL_BATCHES),
            buffers,
            pushers: (0..=producers).map(|_| OnceLock::new()).collect(),
            rendezvous: Barrier::new(2),
        });
        let exporter = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || export_loop(&shared))
        };
        StrategyPipeline { shared, exporter }
    }

    fn producer(&self, index: usize) -> StrategyProducer<'_, S> {
        let _ = self.shared.pushers[index].set(std::thread::current());
        let batch = self.shared.buffers[index].pop();
        StrategyProducer {
            pipeline: self,
            index,
            batch,
            sampler: Sampler::new(self.shared.sample_ratio),
            carrier: HeaderCarrier { traceparent: String::with_capacity(64), tracestate: String::with_capacity(32 * 32) },
        }
    }

    fn quiesce(&self) {
        let coordinator = self.shared.pushers.len() - 1;
        let _ = self.shared.pushers[coordinator].set(std::thread::current());
        self.push(Message::Quiesce);
        self.shared.rendezvous.wait();
    }

    fn resume(&self) {
        self.shared.rendezvous.wait();
    }

    fn settings(&self) -> Vec<(String, String)> {
        let mut settings: Vec<(String, String)> =
            self.shared.strategy.settings().into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        settings.push((CURRENT_READ_SETTING.to_owned(), CROSS_THREAD_READ.to_owned()));
        settings
    }

    fn finish(self) {
        self.push(Message::Stop);
        self.exporter.join().expect("exporter panicked");
    }
}

/// The setting under which a scenario says where its current context is read.
pub const CURRENT_READ_SETTING: &str = "current context read";
/// The setting under which a row built on opentelemetry_sdk names the release it runs over
/// (the report's "opentelemetry_sdk by release" orders the releases by it).
pub const SDK_RELEASE_SETTING: &str = "opentelemetry_sdk release";
/// Where the strategies' pipeline reads the current context.
pub const CROSS_THREAD_READ: &str = "by the exporter thread, once per exported span";

/// The exporter thread: encodes every span into the sink, reads the current-context slot once
/// per span (a read from a thread that did not publish), drops the record and hands the
/// emptied batch buffer back to its producer.
fn export_loop<S: Strategy>(shared: &Shared<S>) {
    loop {
        let message = shared.to_exporter.pop();
        // A slot is free: wake any thread waiting to push.
        shared.wake_pushers();
        match message {
            Message::Batch { producer, mut spans } => {
                let _stage = stage::enter(Stage::Exporter);
                let mut batch = shared.sink.batch();
                for (record, meta) in spans.drain(..) {
                    let view = S::export_view(&record);
                    batch.span(view.context, view.parent_span_id, meta.name, meta.ended_at.elapsed().as_nanos() as u64);
                    drop(record);
                    if shared.strategy.read_current(|c| c.trace_id()).is_some() {
                        batch.current_read();
                    }
                }
                drop(batch);
                let owner = shared.pushers[producer].get().expect("a producer registers before it sends");
                // Never waits: the queue holds every buffer its producer owns.
                shared.buffers[producer].push(spans, owner);
            }
            Message::Quiesce => {
                shared.rendezvous.wait(); // quiesced
                shared.rendezvous.wait(); // resumed
            }
            Message::Stop => return,
        }
    }
}

/// One producer thread's side; nothing in it allocates per span once set up.
pub struct StrategyProducer<'p, S: Strategy> {
    pipeline: &'p StrategyPipeline<S>,
    index: usize,
    batch: Batch<S::Record>,
    sampler: Sampler,
    carrier: HeaderCarrier,
}

impl<S: Strategy> StrategyProducer<'_, S> {
    fn strategy(&self) -> &S {
        &self.pipeline.shared.strategy
    }
}

/// A live span and its name, which its record carries to the exporter.
pub struct NamedSpan<T> {
    span: T,
    name: &'static str,
}

impl<S: Strategy> Producer for StrategyProducer<'_, S> {
    type Span = NamedSpan<S::Span>;

    fn start_root(&mut self, root: RootSpan<'_>) -> Self::Span {
        let _stage = stage::enter(Stage::Tracer);
        let flags = self.sampler.sample_root(root.trace_id);
        let ctx = self.strategy().root(root.trace_id, root.span_id, flags, root.trace_state);
        self.strategy().publish(&ctx);
        NamedSpan { span: self.strategy().start(ctx, SpanId::default()), name: root.name }
    }

    fn start_child(&mut self, parent: &Self::Span, child: ChildSpan) -> Self::Span {
        let strategy = &self.pipeline.shared.strategy;
        let remote;
        let mut parent_ctx = S::context(&parent.span);
        if child.crosses_boundary {
            let _stage = stage::enter(Stage::Propagator);
            w3c::inject(parent_ctx, &mut self.carrier);
            remote = strategy.extract(&self.carrier).expect("the model's own headers are valid");
            parent_ctx = &remote;
        }
        let sampled = {
            let _stage = stage::enter(Stage::Sampler);
            strategy.sample(&self.sampler, parent_ctx)
        };
        let _stage = stage::enter(Stage::Tracer);
        let parent_span_id = parent_ctx.span_id();
        let ctx = strategy.child(parent_ctx, child.span_id, sampled);
        strategy.publish(&ctx);
        NamedSpan { span: strategy.start(ctx, parent_span_id), name: child.name }
    }

    fn end(&mut self, NamedSpan { span, name }: Self::Span) {
        if !S::context(&span).flags().is_sampled() {
            let _stage = stage::enter(Stage::Tracer);
            drop(span);
            return;
        }
        let _stage = stage::enter(Stage::Processor);
        let record = self.strategy().end(span);
        self.batch.push((record, SpanMeta { name, ended_at: Instant::now() }));
        if self.batch.len() == BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let next = self.pipeline.shared.buffers[self.index].pop();
        let spans = std::mem::replace(&mut self.batch, next);
        self.pipeline.push(Message::Batch { producer: self.index, spans });
    }
}
