//! Where every exporter delivers: the digest, the end-to-export latency, the current-context
//! reads and the progress count of a run, shared by the model's exporter thread and a
//! scenario's own (the SDK's batch exporter).
//!
//! One lock per batch, taken by the one thread that exports, so it is never contended; its
//! buffers are allocated when the sink is made, before the scenario's setup, so recording never
//! allocates and the sink's memory is the harness's, not the scenario's.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use hdrhistogram::Histogram;

use crate::context::ContextView;
use crate::digest::DigestExporter;
use crate::ids::SpanId;

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

/// What the exporter saw over the measured region.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Exported {
    /// Spans exported.
    pub spans: u64,
    /// Their digest.
    pub digest: u64,
    /// Their latency.
    pub latency: LatencySummary,
    /// Current-context reads made on the exporter's side that found a context.
    pub current_reads: u64,
    /// Spans exported more than once, when the sink was asked to check ([`ExportSink::checking_duplicates`]).
    pub duplicates: Option<u64>,
    /// Batches that reached the sink with at least one span: how many exports the spans took.
    pub batches: u64,
}

struct State {
    digest: DigestExporter,
    latency: Histogram<u64>,
    current_reads: u64,
    batches: u64,
    /// Every exported span's ids, for tests that must tell a lost span from a duplicated one
    /// (the digest alone cannot when both happen); allocates, so never in a measured run.
    seen: Option<(std::collections::HashSet<(crate::ids::TraceId, SpanId)>, u64)>,
}

/// The run's export sink.
pub struct ExportSink {
    state: Mutex<State>,
    measuring: AtomicBool,
    progress: Option<Arc<AtomicU64>>,
}

impl ExportSink {
    /// A sink whose measured exports also count into `progress`.
    pub fn new(progress: Option<Arc<AtomicU64>>) -> Self {
        // Bounded and preallocated: recording never allocates; values above an hour saturate.
        let latency = Histogram::<u64>::new_with_bounds(1, 3_600_000_000_000, 3).expect("valid bounds");
        ExportSink {
            state: Mutex::new(State { digest: DigestExporter::new(), latency, current_reads: 0, batches: 0, seen: None }),
            measuring: AtomicBool::new(false),
            progress,
        }
    }

    /// The sink, also counting spans exported more than once (it keeps every span's ids: for
    /// stress tests, never for measured runs).
    pub fn checking_duplicates(self) -> Self {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).seen = Some(Default::default());
        self
    }

    /// Opens a batch: the exporter records its spans through the guard.
    pub fn batch(&self) -> SinkBatch<'_> {
        SinkBatch { sink: self, state: self.state.lock().unwrap_or_else(PoisonError::into_inner), spans: 0 }
    }

    /// Forgets what was exported so far (the warm-up's); from now on exports are measured.
    pub fn start_measuring(&self) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        s.digest.reset();
        s.latency.reset();
        s.current_reads = 0;
        s.batches = 0;
        if let Some((seen, duplicates)) = s.seen.as_mut() {
            seen.clear();
            *duplicates = 0;
        }
        self.measuring.store(true, Ordering::Release);
    }

    /// What was exported since [`ExportSink::start_measuring`].
    pub fn exported(&self) -> Exported {
        let s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Exported {
            spans: s.digest.spans(),
            digest: s.digest.digest(),
            latency: LatencySummary {
                p50_ns: s.latency.value_at_quantile(0.50),
                p99_ns: s.latency.value_at_quantile(0.99),
                max_ns: s.latency.max(),
            },
            current_reads: s.current_reads,
            duplicates: s.seen.as_ref().map(|(_, d)| *d),
            batches: s.batches,
        }
    }
}

/// A batch being recorded; the sink's lock is held until it drops.
pub struct SinkBatch<'a> {
    sink: &'a ExportSink,
    state: MutexGuard<'a, State>,
    spans: u64,
}

impl SinkBatch<'_> {
    /// Records one exported span and how long it took from its end to here.
    pub fn span(&mut self, ctx: &dyn ContextView, parent_span_id: SpanId, name: &str, latency_ns: u64) {
        self.note_ids(ctx.trace_id(), ctx.span_id());
        self.state.digest.export(ctx, parent_span_id, name);
        self.state.latency.saturating_record(latency_ns);
        self.spans += 1;
    }

    /// Records one exported span given as parts, with the attributes its exporter received (see
    /// [`DigestExporter::export_parts`]).
    pub fn span_parts(
        &mut self,
        parts: (crate::ids::TraceId, SpanId, SpanId, crate::ids::TraceFlags),
        write_state: impl FnOnce(&mut String),
        name: &str,
        received: impl Fn(&str, &mut String) -> bool,
        latency_ns: u64,
    ) {
        let (trace_id, span_id, parent_span_id, flags) = parts;
        self.note_ids(trace_id, span_id);
        self.state.digest.export_parts(trace_id, span_id, parent_span_id, flags, write_state, name, received);
        self.state.latency.saturating_record(latency_ns);
        self.spans += 1;
    }

    fn note_ids(&mut self, trace_id: crate::ids::TraceId, span_id: SpanId) {
        if let Some((seen, duplicates)) = self.state.seen.as_mut() {
            if !seen.insert((trace_id, span_id)) {
                *duplicates += 1;
            }
        }
    }

    /// Counts a current-context read that found a context.
    pub fn current_read(&mut self) {
        self.state.current_reads += 1;
    }
}

impl Drop for SinkBatch<'_> {
    fn drop(&mut self) {
        // Before measuring the warm-up is forgotten anyway (start_measuring resets the count).
        if self.spans > 0 {
            self.state.batches += 1;
        }
        if let Some(progress) = self.sink.progress.as_ref().filter(|_| self.sink.measuring.load(Ordering::Acquire)) {
            progress.fetch_add(self.spans, Ordering::Relaxed);
        }
    }
}
