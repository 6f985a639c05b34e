//! # fastrace (real stack)
//!
//! fastrace (formerly minitrace), used as its documentation shows for a service: a request is a
//! `Span::root` made the thread's local parent (`set_local_parent`), the work inside it
//! `LocalSpan::enter_with_local_parent` (what its `#[trace]` attribute expands to), spans
//! collected by its global collector thread (default `Config`: a report at least every second)
//! and handed to a [`Reporter`] — here one that folds each span into the run's digest without
//! allocating. On the same seeded workload, pacing and measured region as every other row.
//!
//! | workload step | what fastrace does |
//! |---|---|
//! | root | `Span::root(name, SpanContext::new(trace id, 0).sampled(decision))` (the model's sampler decides, from the trace id), then `set_local_parent` |
//! | child | `LocalSpan::enter_with_local_parent(name)` with the workload's three attributes as `&'static str` properties |
//! | current context | `SpanContext::current_local_parent()` after each start: same thread |
//! | propagation, every k-th span | the current context encoded as a W3C `traceparent` (`encode_w3c_traceparent`), decoded on the far side, and a new `Span::root` under it made the local parent — the server side of a request |
//! | end | the `LocalSpan` dropped; a root's guard, then the root, dropped: its spans go to the collector |
//!
//! **What it does not do.** fastrace draws span ids from a per-thread counter with a random
//! prefix (`SpanId::next_id`), so its spans cannot carry the workload's ids, and it carries no
//! W3C trace state (its `W3CTraceContext` passes a `tracestate` header through; a span does not
//! keep it). So the row proves the same work by the **structure digest**
//! ([`spanalloc_model::reference::SameWork::Structure`]): every span's trace id, flags, name, and
//! its parent as an offset in its trace's creation order — the difference of the two ids' counter
//! parts. It is comparable with the other rows at 0 trace-state entries only; above that it is
//! shown, marked, and never set against rows that carry the entries.
#![deny(missing_docs)]

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fastrace::collector::{Config, Reporter, SpanContext, SpanId as FastSpanId, SpanRecord, TraceId as FastTraceId};
use fastrace::local::LocalParentGuard;
use fastrace::prelude::LocalSpan;
use spanalloc_model::pipeline::{ChildSpan, Pipeline, Producer, RootSpan};
use spanalloc_model::processor::CURRENT_READ_SETTING;
use spanalloc_model::reference::structure_parts;
use spanalloc_model::sampler::Sampler;
use spanalloc_model::sink::ExportSink;
use spanalloc_model::stage::{self, Stage};
use spanalloc_model::{BytesModes, Scenario, TraceFlags, TraceId, WorkloadConfig};

/// The scenario entry: a pipeline of its own (the collector thread makes counts move), proved by
/// the structure digest, carrying no trace state.
pub const SCENARIO: Scenario = Scenario::pipeline::<FastracePipeline>(
    "fastrace",
    "real stack: fastrace 0.7 (Span::root, LocalSpan, global collector), no trace state",
)
.structure_only()
// Measured in a full night (20,000-span profiles): blocks within 11 of 53,575 at every size, but
// the bytes of one count pass are 20,462,626, 21,641,698 or 21,969,954 — the sizes the collector's
// buffers grew to, whichever batch the timer cut — and dhat's pass, slower, lands on any of them.
.waive_cross_check(
    "its collector gathers spans on a 1 s timer, so the sizes its buffers grow to follow the threads' pace, which the profiler changes",
)
// Identical 200,000-span count passes at 100,000 spans/s on a 2-core machine (2026-12-05):
// allocations 472,334 or 472,335 every time, bytes in steps — 146,202,670 to 147,308,558 alone or
// beside two busy loops (5.5 B per span), up to 150,036,494 beside a compile (19.2 B per span
// from the lowest). The spread is the collector's, not the work's: five repeats may all land in
// one step, so the gate names the widest.
.bytes_have_modes(BytesModes {
    spread_per_span: 19.2,
    why: "its collector's wake-ups cut the batches its buffers grow to; widest measured between identical 200,000-span passes, beside a compile on 2 cores",
});

/// The workload's attributes as fastrace properties: `&'static str` pairs, which fastrace keeps
/// without copying (a test checks they are [`spanalloc_model::workload::ATTRIBUTES`]).
const PROPERTIES: [(&str, &str); 3] = [("http.status_code", "200"), ("net.peer.port", "5432"), ("retry", "0")];

/// Spans started and spans reported, sampled ones only: what `quiesce` waits on.
#[derive(Default)]
struct Progress {
    started: AtomicU64,
    reported: AtomicU64,
}

/// Folds each span the collector reports into the run's sink, by its structure.
struct DigestReporter {
    sink: Arc<ExportSink>,
    progress: Arc<Progress>,
}

impl Reporter for DigestReporter {
    fn report(&mut self, spans: Vec<SpanRecord>) {
        if spans.is_empty() {
            return;
        }
        let _stage = stage::enter(Stage::Exporter);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos() as u64;
        let mut sink = self.sink.batch();
        for r in &spans {
            // A root's parent is the invalid id; any other span's is its parent's, drawn from the
            // same thread's counter: the low halves differ by how many spans were started between.
            let offset = if r.parent_id.0 == 0 { 0 } else { u64::from((r.span_id.0 as u32).wrapping_sub(r.parent_id.0 as u32)) };
            let latency = now.saturating_sub(r.begin_time_unix_ns + r.duration_ns);
            sink.span_parts(
                structure_parts(TraceId(r.trace_id.0.to_be_bytes()), offset, TraceFlags::SAMPLED),
                |_| {},
                &r.name,
                |key, out| received_property(&r.properties, key, out),
                latency,
            );
        }
        drop(sink);
        self.progress.reported.fetch_add(spans.len() as u64, Ordering::Release);
    }
}

/// The property the collector reported for attribute `key`, as the digest hashes it (fastrace
/// keeps values as text: `"200"` is hashed as the workload's `200`).
fn received_property(properties: &[(Cow<'static, str>, Cow<'static, str>)], key: &str, out: &mut String) -> bool {
    properties.iter().find(|(k, _)| k == key).map(|(_, v)| out.push_str(v)).is_some()
}

/// fastrace's global collector, reporting into the run's sink.
pub struct FastracePipeline {
    progress: Arc<Progress>,
    sampler: Sampler,
}

impl Pipeline for FastracePipeline {
    type Producer<'p> = FastraceProducer<'p>;

    fn new(cfg: &WorkloadConfig, sink: Arc<ExportSink>) -> Self {
        let progress = Arc::new(Progress::default());
        fastrace::set_reporter(DigestReporter { sink, progress: Arc::clone(&progress) }, Config::default());
        FastracePipeline { progress, sampler: Sampler::new(cfg.sample_ratio) }
    }

    fn producer(&self, _index: usize) -> FastraceProducer<'_> {
        FastraceProducer { pipeline: self, current_reads: 0, sampled: false, warming_up: true }
    }

    /// The collector reports at least every second, sooner under load: wait until it has
    /// reported every sampled span started (no allocation while waiting).
    fn quiesce(&self) {
        while self.progress.reported.load(Ordering::Acquire) < self.progress.started.load(Ordering::Acquire) {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn resume(&self) {}

    fn settings(&self) -> Vec<(String, String)> {
        vec![
            ("collector".to_owned(), "fastrace global collector, Config::default() (report interval 1 s)".to_owned()),
            ("same work".to_owned(), "structure digest: its own span ids; no trace state carried".to_owned()),
            (CURRENT_READ_SETTING.to_owned(), "same thread, SpanContext::current_local_parent()".to_owned()),
        ]
    }

    fn finish(self) {
        fastrace::flush();
    }
}

/// A span the producer started: a root (or the far side of a propagation), the thread's local
/// parent while it lives; or a local span inside one.
pub enum FastraceSpan {
    /// A `Span::root` and the guard making it the local parent (dropped first).
    Root(LocalParentGuard, fastrace::Span),
    /// A `LocalSpan`.
    Local(LocalSpan),
}

/// One producer thread's side.
pub struct FastraceProducer<'p> {
    pipeline: &'p FastracePipeline,
    current_reads: u64,
    /// Whether the trace being walked is sampled: its spans are counted for `quiesce`.
    sampled: bool,
    /// Until the first flush: the end of the unpaced warm-up stream.
    warming_up: bool,
}

impl FastraceProducer<'_> {
    fn root(&mut self, name: &'static str, parent: SpanContext) -> FastraceSpan {
        let span = fastrace::Span::root(name, parent).with_properties(|| PROPERTIES);
        let guard = span.set_local_parent();
        self.started();
        FastraceSpan::Root(guard, span)
    }

    /// Counts a started span and reads the current context back.
    fn started(&mut self) {
        if self.sampled {
            self.pipeline.progress.started.fetch_add(1, Ordering::Release);
        }
        if SpanContext::current_local_parent().is_some() {
            self.current_reads += 1;
        }
    }
}

impl Producer for FastraceProducer<'_> {
    type Span = FastraceSpan;

    fn start_root(&mut self, root: RootSpan<'_>) -> FastraceSpan {
        let _stage = stage::enter(Stage::Tracer);
        self.sampled = self.pipeline.sampler.sample_root(root.trace_id).is_sampled();
        let parent = SpanContext::new(FastTraceId(u128::from_be_bytes(root.trace_id.0)), FastSpanId(0)).sampled(self.sampled);
        self.root(root.name, parent)
    }

    fn start_child(&mut self, _parent: &FastraceSpan, child: ChildSpan) -> FastraceSpan {
        if child.crosses_boundary {
            let remote = {
                let _stage = stage::enter(Stage::Propagator);
                let here = SpanContext::current_local_parent().expect("a span is the local parent");
                let traceparent = here.encode_w3c_traceparent();
                SpanContext::decode_w3c_traceparent(&traceparent).expect("fastrace decodes its own traceparent")
            };
            let _stage = stage::enter(Stage::Tracer);
            return self.root(child.name, remote);
        }
        let _stage = stage::enter(Stage::Tracer);
        let span = LocalSpan::enter_with_local_parent(child.name).with_properties(|| PROPERTIES);
        self.started();
        FastraceSpan::Local(span)
    }

    fn end(&mut self, span: FastraceSpan) {
        let _stage = stage::enter(Stage::Processor);
        match span {
            FastraceSpan::Root(guard, span) => {
                drop(guard);
                drop(span);
            }
            FastraceSpan::Local(span) => drop(span),
        }
    }

    /// At the end of the warm-up (the first stream, unpaced), waits until the collector has
    /// reported every span, moving on any commands fastrace kept back (see [`nudge`]). Outside
    /// the measured region, so its waiting and the nudges cost the figures nothing; the measured
    /// stream's end is left as fastrace leaves it (`quiesce` waits there).
    fn flush(&mut self) {
        if !std::mem::replace(&mut self.warming_up, false) {
            return;
        }
        let progress = &self.pipeline.progress;
        while progress.reported.load(Ordering::Acquire) < progress.started.load(Ordering::Acquire) {
            nudge();
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn take_current_reads(&mut self) -> u64 {
        std::mem::take(&mut self.current_reads)
    }
}

/// Sends the collector a command that reports nothing: a sampled root span, cancelled.
///
/// fastrace's per-thread command ring holds 10,240 commands; a command that finds it full is kept
/// in the sending thread's own queue, moved on only when that thread sends again (fastrace
/// 0.7.19, crates/fastrace/src/util/spsc.rs lines 51–63, `Sender::send`, at e1cc8a8). A service
/// keeps sending, but a producer that has finished its stream never does: when the unpaced
/// warm-up outruns the collector (under dhat, or with the cores busy), its last spans would wait
/// forever and `quiesce` with them — measured on a 2-core machine with two busy loops: 4 of 8 dhat
/// passes hung. A cancelled collection is dropped by the collector without a report
/// (global_collector.rs, `handle_commands`), so the nudge adds no span to the run.
fn nudge() {
    let root = fastrace::Span::root("spanalloc.nudge", SpanContext::new(FastTraceId(1), FastSpanId(0)).sampled(true));
    root.cancel();
}

#[cfg(test)]
mod tests {
    use super::*;
    use spanalloc_model::workload::ATTRIBUTES;

    /// The digest the reporter folds one record into, with `properties`.
    fn digest_of(properties: &[(&'static str, &'static str)]) -> u64 {
        let sink = Arc::new(ExportSink::new(None));
        let mut reporter = DigestReporter { sink: Arc::clone(&sink), progress: Arc::default() };
        let record = SpanRecord {
            trace_id: FastTraceId(7),
            name: "root".into(),
            properties: properties.iter().map(|(k, v)| (Cow::Borrowed(*k), Cow::Borrowed(*v))).collect(),
            ..SpanRecord::default()
        };
        reporter.report(vec![record]);
        sink.exported().digest
    }

    #[test]
    fn the_digest_sees_a_missing_or_changed_property() {
        let whole = digest_of(&PROPERTIES);
        // As the model folds the same span with the workload's constant attributes.
        let mut model = spanalloc_model::digest::DigestExporter::new();
        let (t, s, p, f) = structure_parts(TraceId(7u128.to_be_bytes()), 0, TraceFlags::SAMPLED);
        model.export_parts(t, s, p, f, |_| {}, "root", spanalloc_model::digest::constant_attribute);
        assert_eq!(whole, model.digest());
        assert_ne!(digest_of(&PROPERTIES[..2]), whole, "a property removed");
        assert_ne!(digest_of(&[PROPERTIES[0], ("net.peer.port", "5433"), PROPERTIES[2]]), whole, "a property changed");
        // Order is the workload's, whatever order the collector reports them in.
        assert_eq!(digest_of(&[PROPERTIES[2], PROPERTIES[0], PROPERTIES[1]]), whole);
    }

    #[test]
    fn the_properties_are_the_workloads_attributes() {
        for ((k, v), (pk, pv)) in ATTRIBUTES.iter().zip(PROPERTIES) {
            assert_eq!((*k, v.to_string()), (pk, pv.to_owned()));
        }
    }
}
