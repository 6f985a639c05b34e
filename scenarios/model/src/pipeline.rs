//! The pipeline every strategy runs: producers (tracer → sampler → span start → span end →
//! processor) and one exporter thread behind a bounded channel, in batches of [`BATCH`].
//!
//! The measured region is bracketed by [`RunHooks::measured_start`] and
//! [`RunHooks::measured_end`], called from the coordinating thread while every pipeline thread
//! waits on a barrier: before it, the warm-up stream has been exported and the exporter has reset;
//! after it, every measured span has been exported and dropped. Thread start and exit, channel
//! and pool setup all fall outside.

use std::sync::{Barrier, OnceLock};
use std::thread::Thread;
use std::time::Instant;

use hdrhistogram::Histogram;

use crate::context::ContextView;
use crate::digest::DigestExporter;
use crate::handoff::Handoff;
use crate::ids::SpanId;
use crate::pacing::Pacer;
use crate::sampler::Sampler;
use crate::stage::{self, Stage};
use crate::strategy::Strategy;
use crate::trace_state::TraceState;
use crate::w3c::{self, HeaderCarrier};
use crate::workload::{Stream, WorkloadConfig, SPAN_NAMES};

/// Spans per batch sent to the exporter.
pub const BATCH: usize = 512;
/// Capacity of the producer → exporter queue, in batches.
pub const CHANNEL_BATCHES: usize = 4;
/// Batch buffers each producer owns; they circulate producer → exporter → producer, so that
/// batching allocates nothing after setup. A producer with none free waits for the exporter.
pub const BUFFERS_PER_PRODUCER: usize = CHANNEL_BATCHES + 2;
/// The most finished spans one producer can have on their way to the exporter.
pub const MAX_RECORDS_IN_FLIGHT_PER_PRODUCER: usize = BUFFERS_PER_PRODUCER * BATCH;

/// Callbacks from the pipeline to whoever measures it.
pub trait RunHooks: Sync {
    /// The run's own measuring buffers (latency histogram) are allocated; the scenario's setup
    /// (strategy, pools, queues, threads) begins when this returns. What is live now is the
    /// harness's, not the scenario's.
    fn setup_start(&self) {}
    /// Every pipeline thread is parked; the measured region begins when this returns.
    fn measured_start(&self) {}
    /// Every measured span has been exported and dropped; pipeline threads are parked.
    fn measured_end(&self) {}
    /// The exporter finished a batch of `spans` measured spans (for progress bars).
    fn exported(&self, _spans: u64) {}
}

/// Hooks that do nothing.
pub struct NoHooks;
impl RunHooks for NoHooks {}

/// End-to-export latency of the measured spans.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LatencySummary {
    /// Median, ns.
    pub p50_ns: u64,
    /// 99th percentile, ns.
    pub p99_ns: u64,
    /// Largest, ns.
    pub max_ns: u64,
}

/// What a run did, as the pipeline itself saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    /// Spans started in the measured region.
    pub spans_started: u64,
    /// Spans the exporter received (the sampled ones).
    pub spans_exported: u64,
    /// Digest of every exported span; equal for every strategy on one workload.
    pub digest: u64,
    /// From the start of the measured region until the last producer let out its last span.
    pub emit_elapsed_ns: u64,
    /// Spans started per second of `emit_elapsed_ns`.
    pub achieved_rate: f64,
    /// The largest delay of a span behind its schedule, over all producers.
    pub max_lag_ns: u64,
    /// From span end to the exporter.
    pub latency: LatencySummary,
    /// Current-context reads that found a context.
    pub current_reads: u64,
    /// How the scenario was set up, as `(name, value)`: what a reader needs to judge the figures
    /// (a pool's capacity, a queue's size, where the current context is read).
    pub settings: Vec<(String, String)>,
}

/// Where the strategies' pipeline reads the current context.
pub const CROSS_THREAD_READ: &str = "by the exporter thread, once per exported span";

/// A latency histogram for end-to-export times: bounded and preallocated, so recording never
/// allocates; values above an hour saturate.
pub fn latency_histogram() -> Histogram<u64> {
    Histogram::<u64>::new_with_bounds(1, 3_600_000_000_000, 3).expect("valid bounds")
}

/// The summary of a latency histogram.
pub fn latency_summary(h: &Histogram<u64>) -> LatencySummary {
    LatencySummary { p50_ns: h.value_at_quantile(0.50), p99_ns: h.value_at_quantile(0.99), max_ns: h.max() }
}

struct SpanMeta {
    name: &'static str,
    ended_at: Instant,
}

type Batch<R> = Vec<(R, SpanMeta)>;

enum Message<R> {
    Batch { producer: usize, spans: Batch<R> },
    WarmupDone,
    Done,
}

/// Runs `cfg` with strategy `S`. The configuration must be valid ([`WorkloadConfig::validate`]).
pub fn run<S: Strategy>(cfg: &WorkloadConfig, hooks: &dyn RunHooks) -> RunReport {
    cfg.validate().expect("pipeline::run takes a validated configuration");
    let latency = latency_histogram();
    hooks.setup_start();
    let strategy = S::new(cfg);
    let producers = cfg.producers;
    let to_exporter = Handoff::<Message<S::Record>>::new(CHANNEL_BATCHES);
    let buffers: Vec<Handoff<Batch<S::Record>>> = (0..producers)
        .map(|_| {
            let h = Handoff::new(BUFFERS_PER_PRODUCER);
            for _ in 0..BUFFERS_PER_PRODUCER {
                let _ = h.try_push(Vec::with_capacity(BATCH));
            }
            h
        })
        .collect();
    let producer_threads = OnceLock::<Vec<Thread>>::new();
    // Everyone — producers, exporter, this thread — meets here four times: warm-up exported,
    // go, all exported, release.
    let barrier = Barrier::new(producers + 2);
    let links = Links { to_exporter: &to_exporter, buffers: &buffers, producer_threads: &producer_threads, barrier: &barrier };
    let strategy = &strategy;

    std::thread::scope(|scope| {
        let exporter = scope.spawn(move || export_loop::<S>(strategy, links, producers, hooks, latency));
        let exporter_thread = exporter.thread().clone();
        let workers: Vec<_> = (0..producers)
            .map(|p| {
                let exporter_thread = exporter_thread.clone();
                scope.spawn(move || Producer::<S>::new(strategy, cfg, p, links, exporter_thread).run())
            })
            .collect();
        let _ = producer_threads.set(workers.iter().map(|w| w.thread().clone()).collect());
        let barrier = links.barrier;

        barrier.wait(); // warm-up exported
        hooks.measured_start();
        let start = Instant::now();
        barrier.wait(); // go
        barrier.wait(); // all exported
        hooks.measured_end();
        barrier.wait(); // release

        let outcomes: Vec<ProducerOutcome> = workers.into_iter().map(|w| w.join().expect("producer panicked")).collect();
        let (exporter, latency, current_reads) = exporter.join().expect("exporter panicked");
        let mut report = RunReport::combine(start, &outcomes, exporter.spans(), exporter.digest(), latency);
        report.current_reads = current_reads;
        report.settings = strategy.settings().into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        report.settings.push(("current context read".to_owned(), CROSS_THREAD_READ.to_owned()));
        report
    })
}

/// What connects the pipeline's threads.
struct Links<'a, R> {
    to_exporter: &'a Handoff<Message<R>>,
    /// Each producer's batch buffers, on their way back from the exporter.
    buffers: &'a [Handoff<Batch<R>>],
    producer_threads: &'a OnceLock<Vec<Thread>>,
    barrier: &'a Barrier,
}

impl<R> Clone for Links<'_, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R> Copy for Links<'_, R> {}

/// The exporter thread: encodes every span into the digest, records its latency and reads the
/// current-context slot once per span (a read from a thread that did not publish), then hands
/// the emptied batch buffer back to its producer.
fn export_loop<S: Strategy>(
    strategy: &S,
    links: Links<'_, S::Record>,
    producers: usize,
    hooks: &dyn RunHooks,
    mut latency: Histogram<u64>,
) -> (DigestExporter, LatencySummary, u64) {
    let producer_threads = loop {
        // Set by the coordinating thread right after it starts the producers.
        if let Some(t) = links.producer_threads.get() {
            break t;
        }
        std::thread::yield_now();
    };
    let barrier = links.barrier;
    let mut exporter = DigestExporter::new();
    let (mut warmed, mut done, mut current_reads) = (0, 0, 0u64);
    let mut measuring = false;
    while done < producers {
        let message = links.to_exporter.pop();
        // A slot is free: wake any producer waiting to push.
        for t in producer_threads {
            t.unpark();
        }
        match message {
            Message::Batch { producer, mut spans } => {
                let _stage = stage::enter(Stage::Exporter);
                let n = spans.len() as u64;
                for (record, meta) in spans.drain(..) {
                    let view = S::export_view(&record);
                    exporter.export(view.context, view.parent_span_id, meta.name);
                    latency.saturating_record(meta.ended_at.elapsed().as_nanos() as u64);
                    drop(record);
                    if strategy.read_current(|c| c.trace_id()).is_some() {
                        current_reads += 1;
                    }
                }
                // Never waits: the queue holds every buffer its producer owns.
                links.buffers[producer].push(spans, &producer_threads[producer]);
                if measuring {
                    hooks.exported(n);
                }
            }
            Message::WarmupDone => {
                warmed += 1;
                if warmed == producers {
                    exporter.reset();
                    latency.reset();
                    current_reads = 0;
                    barrier.wait(); // warm-up exported
                    barrier.wait(); // go
                    measuring = true;
                }
            }
            Message::Done => done += 1,
        }
    }
    barrier.wait(); // all exported
    barrier.wait(); // release
    (exporter, latency_summary(&latency), current_reads)
}

/// What one producer thread did in the measured region.
#[derive(Debug, Clone, Copy)]
pub struct ProducerOutcome {
    /// Spans it started.
    pub spans: u64,
    /// Its largest lag behind schedule.
    pub max_lag_ns: u64,
    /// Its current-context reads that found a context.
    pub current_reads: u64,
    /// When it let out its last span.
    pub finished: Instant,
}

impl RunReport {
    /// The report of a run whose measured region began at `start`: the producers' outcomes and
    /// what the exporter saw.
    pub fn combine(
        start: Instant,
        producers: &[ProducerOutcome],
        spans_exported: u64,
        digest: u64,
        latency: LatencySummary,
    ) -> Self {
        let spans_started = producers.iter().map(|p| p.spans).sum();
        let emit_elapsed_ns =
            producers.iter().map(|p| p.finished.saturating_duration_since(start).as_nanos() as u64).max().unwrap_or(0);
        RunReport {
            spans_started,
            spans_exported,
            digest,
            emit_elapsed_ns,
            achieved_rate: spans_started as f64 / (emit_elapsed_ns.max(1) as f64 / 1e9),
            max_lag_ns: producers.iter().map(|p| p.max_lag_ns).max().unwrap_or(0),
            latency,
            current_reads: producers.iter().map(|p| p.current_reads).sum(),
            settings: Vec::new(),
        }
    }
}

/// One producer thread's state; nothing in it allocates per span once set up.
struct Producer<'a, S: Strategy> {
    strategy: &'a S,
    cfg: &'a WorkloadConfig,
    index: usize,
    links: Links<'a, S::Record>,
    exporter: Thread,
    batch: Batch<S::Record>,
    sampler: Sampler,
    template: TraceState,
    carrier: HeaderCarrier,
}

/// Where in a trace a producer is.
struct TraceCursor {
    stream: Stream,
    trace: u64,
    next_span: u64,
    budget: u64,
}

impl<'a, S: Strategy> Producer<'a, S> {
    fn new(strategy: &'a S, cfg: &'a WorkloadConfig, index: usize, links: Links<'a, S::Record>, exporter: Thread) -> Self {
        let batch = links.buffers[index].pop();
        let mut template = TraceState::new();
        template.reserve_entries(cfg.trace_state_entries, crate::workload::KEY_LEN, crate::workload::VALUE_LEN);
        Producer {
            strategy,
            cfg,
            index,
            links,
            exporter,
            batch,
            sampler: Sampler::new(cfg.sample_ratio),
            template,
            carrier: HeaderCarrier { traceparent: String::with_capacity(64), tracestate: String::with_capacity(32 * 32) },
        }
    }

    fn run(mut self) -> ProducerOutcome {
        let (p, n) = (self.index, self.cfg.producers);
        let barrier = self.links.barrier;
        let warm = self.cfg.warmup_stream();
        let mut pacer = Pacer::new(0.0);
        for t in warm.traces_for(p, n) {
            self.trace(warm, t, &mut pacer);
        }
        self.flush();
        self.send(Message::WarmupDone);
        barrier.wait(); // warm-up exported
        barrier.wait(); // go
        let measured = self.cfg.measured();
        let mut pacer = Pacer::new(self.cfg.rate as f64 / n as f64);
        for t in measured.traces_for(p, n) {
            self.trace(measured, t, &mut pacer);
        }
        self.flush();
        let finished = Instant::now();
        self.send(Message::Done);
        barrier.wait(); // all exported
        barrier.wait(); // release
        ProducerOutcome { spans: pacer.emitted(), max_lag_ns: pacer.max_lag_ns(), current_reads: 0, finished }
    }

    fn trace(&mut self, stream: Stream, t: u64, pacer: &mut Pacer) {
        stream.fill_trace_state(t, self.cfg.trace_state_entries, &mut self.template);
        let mut cursor = TraceCursor { stream, trace: t, next_span: 1, budget: stream.spans_in_trace(t) };
        pacer.wait_turn();
        let root = {
            let _stage = stage::enter(Stage::Tracer);
            let trace_id = stream.trace_id(t);
            let flags = self.sampler.sample_root(trace_id);
            let ctx = self.strategy.root(trace_id, stream.span_id(t, 0), flags, &self.template);
            self.strategy.publish(&ctx);
            self.strategy.start(ctx, SpanId::default())
        };
        self.children(&root, 1, &mut cursor, pacer);
        self.finish(root, 0);
    }

    /// Starts, recurses into and ends the children of `parent`, in pre-order, within budget.
    fn children(&mut self, parent: &S::Span, level: usize, cursor: &mut TraceCursor, pacer: &mut Pacer) {
        if level > self.cfg.depth {
            return;
        }
        for _ in 0..self.cfg.fan_out {
            if cursor.next_span == cursor.budget {
                return;
            }
            let j = cursor.next_span;
            cursor.next_span += 1;
            pacer.wait_turn();
            let remote;
            let mut parent_ctx = S::context(parent);
            if cursor.stream.crosses_boundary(cursor.trace, j, self.cfg.propagate_every) {
                let _stage = stage::enter(Stage::Propagator);
                w3c::inject(parent_ctx, &mut self.carrier);
                remote = self.strategy.extract(&self.carrier).expect("the model's own headers are valid");
                parent_ctx = &remote;
            }
            let sampled = {
                let _stage = stage::enter(Stage::Sampler);
                self.strategy.sample(&self.sampler, parent_ctx)
            };
            let span = {
                let _stage = stage::enter(Stage::Tracer);
                let parent_span_id = parent_ctx.span_id();
                let ctx = self.strategy.child(parent_ctx, cursor.stream.span_id(cursor.trace, j), sampled);
                self.strategy.publish(&ctx);
                self.strategy.start(ctx, parent_span_id)
            };
            self.children(&span, level + 1, cursor, pacer);
            self.finish(span, level);
        }
    }

    /// Span end: a sampled span goes to the processor's batch; an unsampled one is dropped.
    fn finish(&mut self, span: S::Span, level: usize) {
        if !S::context(&span).flags().is_sampled() {
            let _stage = stage::enter(Stage::Tracer);
            drop(span);
            return;
        }
        let _stage = stage::enter(Stage::Processor);
        let record = self.strategy.end(span);
        let name = SPAN_NAMES[level.min(SPAN_NAMES.len() - 1)];
        self.batch.push((record, SpanMeta { name, ended_at: Instant::now() }));
        if self.batch.len() == BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let next = self.links.buffers[self.index].pop();
        let spans = std::mem::replace(&mut self.batch, next);
        self.send(Message::Batch { producer: self.index, spans });
    }

    fn send(&self, message: Message<S::Record>) {
        self.links.to_exporter.push(message, &self.exporter);
    }
}
