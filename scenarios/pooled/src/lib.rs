//! # pooled
//!
//! Contexts come from an object pool and go back to it when the exporter drops the span record —
//! the Rust twin of Go's `sync.Pool` of `*SpanContext`. Copying a context into a pooled one reuses
//! its trace-state buffers, so once the pool is filled nothing on the span path allocates.
//!
//! | hand-off | what happens | allocations |
//! |---|---|---|
//! | root / child | a pooled context; ids set, entries copied into its kept buffers | 0 |
//! | tracer → sampler | the sampler borrows the parent | 0 |
//! | span start | the span keeps its parent's span id | 0 |
//! | span end → processor | the span itself is the record | 0 |
//! | extract (every k-th span) | parsed into a pooled context's buffers | 0 |
//! | publish | copied into a preallocated slot under a mutex | 0 |
//! | read current (exporter thread) | read in place under the lock | 0 |
//! | exporter drops the record | the context returns to the pool | 0 |
//!
//! The free list is crossbeam's `ArrayQueue` (lock-free, bounded, no allocation per push or
//! pop). The pool is filled when the strategy is set up, outside the measured region, with as
//! many contexts as the pipeline can hold at once ([`capacity`]: every record a producer can
//! have in flight, plus its open spans and a remote parent), each with buffers for the
//! workload's entries; that memory is the pool's price and shows as setup heap and in RSS.
//! Should the pool ever run dry, a new context is allocated — and counted — rather than waiting.
#![deny(missing_docs)]

use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

use crossbeam_queue::ArrayQueue;
use spanalloc_model::processor::MAX_RECORDS_IN_FLIGHT_PER_PRODUCER;
use spanalloc_model::sampler::Sampler;
use spanalloc_model::w3c::{self, HeaderCarrier, W3cError};
use spanalloc_model::workload::{KEY_LEN, VALUE_LEN};
use spanalloc_model::{
    ContextView, ExportView, LinkedSpan, Scenario, SpanContext, SpanId, Strategy, TraceFlags, TraceId, TraceState, WorkloadConfig,
};

/// The scenario entry for the harness.
pub const SCENARIO: Scenario = Scenario::strategy::<Pooled>(
    "pooled",
    "contexts recycled through a pool with their buffers; a warmed pipeline allocates nothing per span",
);

/// A pool of contexts whose trace-state buffers are kept between uses.
pub struct ContextPool {
    free: ArrayQueue<Box<SpanContext>>,
    entries: usize,
}

impl ContextPool {
    /// A pool holding `size` contexts, each with buffers for `entries` trace-state entries.
    pub fn filled(size: usize, entries: usize) -> Arc<Self> {
        let pool = ContextPool { free: ArrayQueue::new(size), entries };
        for _ in 0..size {
            let _ = pool.free.push(pool.fresh());
        }
        Arc::new(pool)
    }

    fn fresh(&self) -> Box<SpanContext> {
        let mut ctx = Box::<SpanContext>::default();
        ctx.trace_state.reserve_entries(self.entries, KEY_LEN, VALUE_LEN);
        ctx
    }

    /// A context from the pool (a new one if the pool is empty); its contents are stale.
    pub fn take(self: &Arc<Self>) -> PooledContext {
        let ctx = self.free.pop().unwrap_or_else(|| self.fresh());
        PooledContext { ctx: Some(ctx), pool: Arc::clone(self) }
    }

    /// Contexts waiting in the pool.
    pub fn available(&self) -> usize {
        self.free.len()
    }

    /// The most contexts the pool keeps.
    pub fn capacity(&self) -> usize {
        self.free.capacity()
    }
}

/// A context on loan from a [`ContextPool`]; it goes back when dropped.
pub struct PooledContext {
    ctx: Option<Box<SpanContext>>,
    pool: Arc<ContextPool>,
}

impl Deref for PooledContext {
    type Target = SpanContext;
    fn deref(&self) -> &SpanContext {
        self.ctx.as_ref().expect("present until drop")
    }
}

impl PooledContext {
    fn get_mut(&mut self) -> &mut SpanContext {
        self.ctx.as_mut().expect("present until drop")
    }
}

impl Drop for PooledContext {
    fn drop(&mut self) {
        if let Some(ctx) = self.ctx.take() {
            // A full pool (only after a dry spell made extra contexts) frees the spare.
            let _ = self.pool.free.push(ctx);
        }
    }
}

/// Recycles contexts through a pool.
pub struct Pooled {
    pool: Arc<ContextPool>,
    current: Mutex<SpanContext>,
}

/// Contexts the pipeline can hold at once for `cfg`: per producer, every record in flight to the
/// exporter, the open spans of a trace (one per level) and a remote parent being extracted.
pub fn capacity(cfg: &WorkloadConfig) -> usize {
    cfg.producers * (MAX_RECORDS_IN_FLIGHT_PER_PRODUCER + cfg.depth + 2)
}

impl Pooled {
    fn copy_of(&self, from: &SpanContext) -> PooledContext {
        let mut c = self.pool.take();
        c.get_mut().assign_from(from);
        c
    }
}

impl Strategy for Pooled {
    type Ctx = PooledContext;
    type Sampled = TraceFlags;
    type Span = LinkedSpan<PooledContext>;
    type Record = LinkedSpan<PooledContext>;

    fn new(cfg: &WorkloadConfig) -> Self {
        let pool = ContextPool::filled(capacity(cfg), cfg.trace_state_entries);
        let mut current = SpanContext::default();
        current.trace_state.reserve_entries(cfg.trace_state_entries, KEY_LEN, VALUE_LEN);
        Pooled { pool, current: Mutex::new(current) }
    }

    fn root(&self, trace_id: TraceId, span_id: SpanId, flags: TraceFlags, trace_state: &TraceState) -> Self::Ctx {
        let mut c = self.pool.take();
        let ctx = c.get_mut();
        (ctx.trace_id, ctx.span_id, ctx.flags, ctx.remote) = (trace_id, span_id, flags, false);
        ctx.trace_state.assign_from(trace_state);
        c
    }

    fn sample(&self, sampler: &Sampler, parent: &Self::Ctx) -> TraceFlags {
        sampler.sample_child(parent)
    }

    fn child(&self, parent: &Self::Ctx, span_id: SpanId, flags: TraceFlags) -> Self::Ctx {
        let mut c = self.copy_of(parent);
        let ctx = c.get_mut();
        (ctx.span_id, ctx.flags, ctx.remote) = (span_id, flags, false);
        c
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

    fn extract(&self, carrier: &HeaderCarrier) -> Result<Self::Ctx, W3cError> {
        let mut c = self.pool.take();
        w3c::extract_into(carrier, c.get_mut())?;
        Ok(c)
    }

    fn publish(&self, ctx: &Self::Ctx) {
        self.current.lock().unwrap_or_else(PoisonError::into_inner).assign_from(ctx);
    }

    fn read_current<R>(&self, read: impl FnOnce(&dyn ContextView) -> R) -> Option<R> {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current.trace_id.is_valid().then(|| read(&*current))
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        vec![("pool capacity", format!("{} contexts", self.pool.capacity()))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_return_to_the_pool() {
        let pool = ContextPool::filled(4, 2);
        let a = pool.take();
        let b = pool.take();
        assert_eq!(pool.available(), 2);
        drop((a, b));
        assert_eq!(pool.available(), 4);
        // A dry pool hands out new contexts and keeps only as many as it holds.
        let loans: Vec<_> = (0..6).map(|_| pool.take()).collect();
        assert_eq!(pool.available(), 0);
        drop(loans);
        assert_eq!(pool.available(), 4);
    }
}
