//! The one walk of a trace every scenario runs: producer threads, each walking its share of
//! the seeded traces (root, children in pre-order, boundary crossings) at the paced rate, the
//! warm-up stream, and the measured region between them.
//!
//! The measured region is bracketed by [`RunHooks::measured_start`] and
//! [`RunHooks::measured_end`], called from the coordinating thread while every producer waits on
//! a barrier and the pipeline is quiesced: before it, the warm-up stream has been exported;
//! after it, every measured span has been exported. Thread start and exit and the pipeline's
//! setup all fall outside.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Barrier};
use std::time::Instant;

use crate::pacing::Pacer;
use crate::pipeline::{ChildSpan, Pipeline, Producer, RootSpan};
use crate::sink::{ExportSink, Exported, LatencySummary};
use crate::trace_state::TraceState;
use crate::workload::{Stream, WorkloadConfig, KEY_LEN, SPAN_NAMES, VALUE_LEN};

/// Callbacks from the walk to whoever measures it.
pub trait RunHooks: Sync {
    /// The run's own measuring buffers are allocated; the scenario's setup (pipeline, pools,
    /// queues, threads) begins when this returns. What is live now is the harness's.
    fn setup_start(&self) {}
    /// Every producer is parked and the pipeline quiesced; the measured region begins when this
    /// returns.
    fn measured_start(&self) {}
    /// Every measured span has been exported; producers are parked, the pipeline quiesced.
    fn measured_end(&self) {}
    /// A counter the sink adds measured exported spans to, for a progress display.
    fn progress(&self) -> Option<Arc<AtomicU64>> {
        None
    }
    /// Whether the sink should count spans exported twice (stress tests only: it allocates).
    fn check_duplicates(&self) -> bool {
        false
    }
}

/// Hooks that do nothing.
pub struct NoHooks;
impl RunHooks for NoHooks {}

/// What a run did, as the walk saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    /// Spans started in the measured region.
    pub spans_started: u64,
    /// Spans the exporter received (the sampled ones).
    pub spans_exported: u64,
    /// Digest of every exported span; equal for every scenario on one workload.
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
    /// How the scenario was set up, as `(name, value)`.
    pub settings: Vec<(String, String)>,
    /// Spans exported more than once, when the hooks asked for the check.
    pub duplicates: Option<u64>,
    /// Batches the exporter handed the sink in the measured region (non-empty ones).
    pub export_batches: u64,
}

/// What one producer thread did in the measured region.
#[derive(Debug, Clone, Copy)]
struct ProducerOutcome {
    spans: u64,
    max_lag_ns: u64,
    current_reads: u64,
    finished: Instant,
}

impl RunReport {
    fn combine(start: Instant, producers: &[ProducerOutcome], exported: Exported, settings: Vec<(String, String)>) -> Self {
        let spans_started = producers.iter().map(|p| p.spans).sum();
        let emit_elapsed_ns =
            producers.iter().map(|p| p.finished.saturating_duration_since(start).as_nanos() as u64).max().unwrap_or(0);
        RunReport {
            spans_started,
            spans_exported: exported.spans,
            digest: exported.digest,
            emit_elapsed_ns,
            achieved_rate: spans_started as f64 / (emit_elapsed_ns.max(1) as f64 / 1e9),
            max_lag_ns: producers.iter().map(|p| p.max_lag_ns).max().unwrap_or(0),
            latency: exported.latency,
            current_reads: exported.current_reads + producers.iter().map(|p| p.current_reads).sum::<u64>(),
            settings,
            duplicates: exported.duplicates,
            export_batches: exported.batches,
        }
    }
}

/// Runs `cfg` through pipeline `P`. The configuration must be valid ([`WorkloadConfig::validate`]).
pub fn run<P: Pipeline>(cfg: &WorkloadConfig, hooks: &dyn RunHooks) -> RunReport {
    cfg.validate().expect("walk::run takes a validated configuration");
    let sink = ExportSink::new(hooks.progress());
    let sink = Arc::new(if hooks.check_duplicates() { sink.checking_duplicates() } else { sink });
    hooks.setup_start();
    let pipeline = P::new(cfg, Arc::clone(&sink));
    // Producers and this thread meet here four times: warm-up flushed, go, measured spans
    // flushed, release.
    let barrier = Barrier::new(cfg.producers + 1);
    let (start, outcomes) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cfg.producers)
            .map(|p| {
                let (pipeline, barrier) = (&pipeline, &barrier);
                scope.spawn(move || produce(pipeline, cfg, p, barrier))
            })
            .collect();
        barrier.wait(); // warm-up flushed
        pipeline.quiesce();
        sink.start_measuring();
        hooks.measured_start();
        let start = Instant::now();
        pipeline.resume();
        barrier.wait(); // go
        barrier.wait(); // measured spans flushed
        pipeline.quiesce();
        hooks.measured_end();
        pipeline.resume();
        barrier.wait(); // release
        (start, workers.into_iter().map(|w| w.join().expect("producer panicked")).collect::<Vec<_>>())
    });
    let settings = pipeline.settings();
    pipeline.finish();
    RunReport::combine(start, &outcomes, sink.exported(), settings)
}

/// One producer thread: the warm-up stream unpaced, then its share of the measured stream at
/// its share of the rate.
fn produce<P: Pipeline>(pipeline: &P, cfg: &WorkloadConfig, p: usize, barrier: &Barrier) -> ProducerOutcome {
    let mut producer = pipeline.producer(p);
    let mut walker = Walker::new(cfg);
    let n = cfg.producers;
    let warm = cfg.warmup_stream();
    let mut pacer = Pacer::new(0.0);
    for t in warm.traces_for(p, n) {
        walker.trace(&mut producer, warm, t, &mut pacer);
    }
    producer.flush();
    producer.take_current_reads();
    barrier.wait(); // warm-up flushed
    barrier.wait(); // go
    let measured = cfg.measured();
    let mut pacer = Pacer::new(cfg.rate as f64 / n as f64);
    for t in measured.traces_for(p, n) {
        walker.trace(&mut producer, measured, t, &mut pacer);
    }
    producer.flush();
    let finished = Instant::now();
    let current_reads = producer.take_current_reads();
    barrier.wait(); // measured spans flushed
    barrier.wait(); // release
    ProducerOutcome { spans: pacer.emitted(), max_lag_ns: pacer.max_lag_ns(), current_reads, finished }
}

/// Where in a trace a producer is.
struct TraceCursor {
    stream: Stream,
    trace: u64,
    next_span: u64,
    budget: u64,
}

/// Walks traces: allocates nothing per span once set up.
struct Walker<'a> {
    cfg: &'a WorkloadConfig,
    template: TraceState,
}

impl<'a> Walker<'a> {
    fn new(cfg: &'a WorkloadConfig) -> Self {
        let mut template = TraceState::new();
        template.reserve_entries(cfg.trace_state_entries, KEY_LEN, VALUE_LEN);
        Walker { cfg, template }
    }

    fn trace<R: Producer>(&mut self, producer: &mut R, stream: Stream, t: u64, pacer: &mut Pacer) {
        stream.fill_trace_state(t, self.cfg.trace_state_entries, &mut self.template);
        let mut cursor = TraceCursor { stream, trace: t, next_span: 1, budget: stream.spans_in_trace(t) };
        pacer.wait_turn();
        let root = producer.start_root(RootSpan {
            trace_id: stream.trace_id(t),
            span_id: stream.span_id(t, 0),
            name: span_name(0),
            trace_state: &self.template,
        });
        self.children(producer, &root, 1, &mut cursor, pacer);
        producer.end(root);
    }

    /// Starts, recurses into and ends the children of `parent`, in pre-order, within budget.
    fn children<R: Producer>(
        &self,
        producer: &mut R,
        parent: &R::Span,
        level: usize,
        cursor: &mut TraceCursor,
        pacer: &mut Pacer,
    ) {
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
            let child = ChildSpan {
                span_id: cursor.stream.span_id(cursor.trace, j),
                name: span_name(level),
                crosses_boundary: cursor.stream.crosses_boundary(cursor.trace, j, self.cfg.propagate_every),
            };
            let span = producer.start_child(parent, child);
            self.children(producer, &span, level + 1, cursor, pacer);
            producer.end(span);
        }
    }
}

/// The name of a span at depth `level`.
fn span_name(level: usize) -> &'static str {
    SPAN_NAMES[level.min(SPAN_NAMES.len() - 1)]
}
