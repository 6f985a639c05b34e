//! Span contexts: the one with its own trace state, the one that shares it, and the read-only
//! view every stage of the pipeline takes.

use std::sync::Arc;

use crate::ids::{SpanId, TraceFlags, TraceId};
use crate::trace_state::TraceState;

/// What a stage may read of a context, whoever owns it and however it is held.
pub trait ContextView {
    /// The trace this span belongs to.
    fn trace_id(&self) -> TraceId;
    /// This span's id.
    fn span_id(&self) -> SpanId;
    /// The W3C trace flags.
    fn flags(&self) -> TraceFlags;
    /// Whether the context was extracted from another process.
    fn is_remote(&self) -> bool;
    /// Appends the vendor entries in `tracestate` header form (`k1=v1,k2=v2`) to `out`, without
    /// allocating once `out` has room. A strategy may keep its entries however it likes (the
    /// model's [`TraceState`], an inline buffer, a shared header): this is all any stage reads.
    fn write_trace_state(&self, out: &mut String);
}

/// A span context that owns its trace state, as opentelemetry-rust's does: cloning it copies the
/// entries (`1 + 2n` allocations for `n` entries).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpanContext {
    /// The trace id.
    pub trace_id: TraceId,
    /// The span id.
    pub span_id: SpanId,
    /// The trace flags.
    pub flags: TraceFlags,
    /// Extracted from a carrier rather than started here.
    pub remote: bool,
    /// The vendor entries, owned.
    pub trace_state: TraceState,
}

impl SpanContext {
    /// Makes `self` a copy of `other`, reusing the trace-state buffers (no allocation once warm).
    pub fn assign_from(&mut self, other: &SpanContext) {
        self.trace_id = other.trace_id;
        self.span_id = other.span_id;
        self.flags = other.flags;
        self.remote = other.remote;
        self.trace_state.assign_from(&other.trace_state);
    }
}

/// A span context whose trace state sits behind an `Arc`, so that a child can share its parent's
/// entries (W3C children inherit them unchanged) instead of copying them. Cloning it copies 33
/// bytes of ids and bumps a reference count: no allocation.
#[derive(Clone, Debug)]
pub struct SharedSpanContext {
    /// The trace id.
    pub trace_id: TraceId,
    /// The span id.
    pub span_id: SpanId,
    /// The trace flags.
    pub flags: TraceFlags,
    /// Extracted from a carrier rather than started here.
    pub remote: bool,
    /// The vendor entries, shared with the parent and the rest of the trace.
    pub trace_state: Arc<TraceState>,
}

impl SharedSpanContext {
    /// A child of `self`: new span id and flags, the same trace state allocation.
    pub fn child(&self, span_id: SpanId, flags: TraceFlags) -> Self {
        SharedSpanContext { span_id, flags, remote: false, trace_state: Arc::clone(&self.trace_state), ..*self }
    }
}

impl From<SpanContext> for SharedSpanContext {
    fn from(c: SpanContext) -> Self {
        SharedSpanContext {
            trace_id: c.trace_id,
            span_id: c.span_id,
            flags: c.flags,
            remote: c.remote,
            trace_state: Arc::new(c.trace_state),
        }
    }
}

macro_rules! view_fields {
    ($t:ty) => {
        impl ContextView for $t {
            fn trace_id(&self) -> TraceId {
                self.trace_id
            }
            fn span_id(&self) -> SpanId {
                self.span_id
            }
            fn flags(&self) -> TraceFlags {
                self.flags
            }
            fn is_remote(&self) -> bool {
                self.remote
            }
            fn write_trace_state(&self, out: &mut String) {
                self.trace_state.write_header(out)
            }
        }
    };
}
view_fields!(SpanContext);
view_fields!(SharedSpanContext);

/// Any pointer to a view is a view (`Arc<SharedSpanContext>`, `Box<SpanContext>`, `&T`).
impl<P> ContextView for P
where
    P: std::ops::Deref,
    P::Target: ContextView,
{
    fn trace_id(&self) -> TraceId {
        (**self).trace_id()
    }
    fn span_id(&self) -> SpanId {
        (**self).span_id()
    }
    fn flags(&self) -> TraceFlags {
        (**self).flags()
    }
    fn is_remote(&self) -> bool {
        (**self).is_remote()
    }
    fn write_trace_state(&self, out: &mut String) {
        (**self).write_trace_state(out)
    }
}
