//! The current context crosses a thread: while a writer publishes numbered contexts, readers on
//! other threads must only ever see whole ones, within the linearizable bounds, never going
//! backwards — for every strategy. Two deliberately broken slots prove the check can fail.

mod common;

use std::sync::{Arc, Mutex};

use spanalloc_model::current_check::{self, CheckConfig};
use spanalloc_model::sampler::Sampler;
use spanalloc_model::w3c::{HeaderCarrier, W3cError};
use spanalloc_model::{
    ContextView, ExportView, LinkedSpan, SharedSpanContext, SpanId, Strategy, TraceFlags, TraceId, TraceState, WorkloadConfig,
};

#[test]
fn every_strategy_reads_whole_contexts_in_order() {
    for s in spanalloc_builtin::all().iter() {
        let Some(check) = s.check_current else {
            assert_eq!(s.name, "otel-sdk", "only the SDK's thread-local context is exempt");
            continue;
        };
        for writers in [1, 2] {
            let r = check(CheckConfig { writers, readers: 2, stores_per_writer: 20_000 });
            assert_eq!(r.stores, 20_000 * writers as u64, "{}", s.name);
            assert!(r.reads > 0 && r.passed(), "{} with {writers} writer(s): {r:?}", s.name);
        }
    }
}

/// A slot whose ids and trace state are published under two locks, one after the other.
struct TornSlot {
    ids: Mutex<(TraceId, SpanId)>,
    state: Mutex<Arc<TraceState>>,
}

impl Strategy for TornSlot {
    type Ctx = SharedSpanContext;
    type Sampled = TraceFlags;
    type Span = LinkedSpan<SharedSpanContext>;
    type Record = LinkedSpan<SharedSpanContext>;

    fn new(_: &WorkloadConfig) -> Self {
        TornSlot { ids: Mutex::default(), state: Mutex::default() }
    }
    fn root(&self, trace_id: TraceId, span_id: SpanId, flags: TraceFlags, trace_state: &TraceState) -> Self::Ctx {
        SharedSpanContext { trace_id, span_id, flags, remote: false, trace_state: Arc::new(trace_state.clone()) }
    }
    fn sample(&self, sampler: &Sampler, parent: &Self::Ctx) -> TraceFlags {
        sampler.sample_child(parent)
    }
    fn child(&self, parent: &Self::Ctx, span_id: SpanId, flags: TraceFlags) -> Self::Ctx {
        parent.child(span_id, flags)
    }
    fn start(&self, ctx: Self::Ctx, parent_span_id: SpanId) -> Self::Span {
        LinkedSpan { ctx, parent_span_id }
    }
    fn context(span: &Self::Span) -> &Self::Ctx {
        &span.ctx
    }
    fn end(&self, span: Self::Span) -> Self::Record {
        span
    }
    fn export_view(record: &Self::Record) -> ExportView<'_> {
        record.export_view()
    }
    fn extract(&self, _: &HeaderCarrier) -> Result<Self::Ctx, W3cError> {
        unreachable!("the check never extracts")
    }
    fn publish(&self, ctx: &Self::Ctx) {
        *self.ids.lock().unwrap() = (ctx.trace_id, ctx.span_id);
        std::thread::yield_now();
        *self.state.lock().unwrap() = Arc::clone(&ctx.trace_state);
    }
    fn read_current<R>(&self, read: impl FnOnce(&dyn ContextView) -> R) -> Option<R> {
        let (trace_id, span_id) = *self.ids.lock().unwrap();
        let trace_state = Arc::clone(&self.state.lock().unwrap());
        span_id
            .is_valid()
            .then(|| read(&SharedSpanContext { trace_id, span_id, flags: TraceFlags::SAMPLED, remote: false, trace_state }))
    }
}

/// A whole-context slot that loses every odd-numbered store.
struct StaleSlot {
    slot: Mutex<Option<SharedSpanContext>>,
    inner: TornSlot,
}

impl Strategy for StaleSlot {
    type Ctx = SharedSpanContext;
    type Sampled = TraceFlags;
    type Span = LinkedSpan<SharedSpanContext>;
    type Record = LinkedSpan<SharedSpanContext>;

    fn new(cfg: &WorkloadConfig) -> Self {
        StaleSlot { slot: Mutex::new(None), inner: TornSlot::new(cfg) }
    }
    fn root(&self, trace_id: TraceId, span_id: SpanId, flags: TraceFlags, trace_state: &TraceState) -> Self::Ctx {
        self.inner.root(trace_id, span_id, flags, trace_state)
    }
    fn sample(&self, sampler: &Sampler, parent: &Self::Ctx) -> TraceFlags {
        self.inner.sample(sampler, parent)
    }
    fn child(&self, parent: &Self::Ctx, span_id: SpanId, flags: TraceFlags) -> Self::Ctx {
        self.inner.child(parent, span_id, flags)
    }
    fn start(&self, ctx: Self::Ctx, parent_span_id: SpanId) -> Self::Span {
        self.inner.start(ctx, parent_span_id)
    }
    fn context(span: &Self::Span) -> &Self::Ctx {
        TornSlot::context(span)
    }
    fn end(&self, span: Self::Span) -> Self::Record {
        span
    }
    fn export_view(record: &Self::Record) -> ExportView<'_> {
        record.export_view()
    }
    fn extract(&self, carrier: &HeaderCarrier) -> Result<Self::Ctx, W3cError> {
        self.inner.extract(carrier)
    }
    fn publish(&self, ctx: &Self::Ctx) {
        if u64::from_be_bytes(ctx.span_id.0) % 2 == 0 {
            *self.slot.lock().unwrap() = Some(ctx.clone());
        }
    }
    fn read_current<R>(&self, read: impl FnOnce(&dyn ContextView) -> R) -> Option<R> {
        self.slot.lock().unwrap().as_ref().map(|c| read(c))
    }
}

#[test]
fn the_check_catches_torn_and_stale_reads() {
    let torn = current_check::run::<TornSlot>(CheckConfig { writers: 1, readers: 2, stores_per_writer: 20_000 });
    assert!(torn.torn > 0 && !torn.passed(), "fields from two stores must be caught: {torn:?}");
    let stale = current_check::run::<StaleSlot>(CheckConfig { writers: 1, readers: 2, stores_per_writer: 20_000 });
    assert_eq!(stale.torn, 0, "{stale:?}");
    assert!(stale.out_of_order > 0 && !stale.passed(), "reads older than the last finished store must be caught: {stale:?}");
}

/// The check runs after a count pass's region only when asked, and a run asks it of each row's
/// first count pass: every row of a strategy with a shared slot keeps one, the SDK's none.
#[test]
fn a_row_keeps_the_check_of_its_first_count_pass() {
    let plain = common::measure("count", "atomic-swap", &["--spans", "2000", "--trace-state", "0"]);
    assert_eq!(plain.current_check, None, "a count pass not asked for the check ran one");
    let asked = common::measure("count", "atomic-swap", &["--spans", "2000", "--trace-state", "0", "--current-check"]);
    let check = asked.current_check.expect("a count pass asked for the check ran none");
    // As many stores as the pass measured spans (at most 20,000: `CheckConfig::for_spans`).
    assert_eq!((check.stores, check.torn, check.out_of_order), (2_000, 0, 0));
    assert!(check.reads > 0);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = common::spanalloc(&[
        "run",
        "--scenario",
        "atomic-swap",
        "--scenario",
        "otel-sdk",
        "--trace-state",
        "0",
        "--spans",
        "2000",
        "--rate",
        "0",
        "--repeat",
        "3",
        "--no-dhat",
        "--out",
        out,
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let results = common::results(dir.path());
    for r in &results.scenarios {
        let kept = r.current_check.as_ref().map(|c| (c.stores, c.torn, c.out_of_order));
        match r.name.as_str() {
            "atomic-swap" => assert_eq!(kept, Some((2_000, 0, 0)), "atomic-swap kept no check of its spans"),
            "otel-sdk" => assert_eq!(kept, None, "the SDK's context is thread-local: nothing to check"),
            other => panic!("a row nobody asked for: {other}"),
        }
    }
}
