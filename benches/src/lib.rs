//! # spanalloc-benches
//!
//! What the benchmarks share: the article's micro-claims in Rust form — contexts of a given
//! size, tracers (a plain 48-byte one, and one that owns heap data) with a by-reference and a
//! by-value receiver — and paired measurements for
//! what criterion cannot pair ([`paired`]). The scenarios come from `spanalloc-builtin`.
//! Wall time is criterion's (`cargo bench -p spanalloc-benches`); instruction counts are
//! iai-callgrind's (`scripts/bench-iai.sh`). Not for measuring allocations: the harness does that.
#![deny(missing_docs)]

pub mod paired;

use spanalloc_model::{SpanId, TraceId};

/// A context of `N` bytes, for the by-size hand-off sweep (claim C5).
#[derive(Clone, Copy)]
pub struct SizedContext<const N: usize>(pub [u8; N]);

/// Takes a context by value: the caller's copy is moved in (a `memcpy` of `N` bytes).
#[inline(never)]
pub fn take_value<const N: usize>(c: SizedContext<N>) -> u8 {
    c.0[N - 1] ^ c.0[0]
}

/// Takes a context by reference: a pointer is passed.
#[inline(never)]
pub fn take_ref<const N: usize>(c: &SizedContext<N>) -> u8 {
    c.0[N - 1] ^ c.0[0]
}

/// Takes a shared context: the caller clones the `Arc` (an atomic increment) and this drops it.
#[inline(never)]
pub fn take_arc<const N: usize>(c: std::sync::Arc<SizedContext<N>>) -> u8 {
    c.0[N - 1] ^ c.0[0]
}

/// A tracer as SDKs hold one: an instrumentation scope and resource attributes (claim C8).
#[derive(Clone)]
pub struct Tracer {
    name: String,
    version: String,
    attributes: Vec<(String, String)>,
}

impl Default for Tracer {
    fn default() -> Self {
        Tracer {
            name: "checkout-service".into(),
            version: "1.4.2".into(),
            attributes: vec![("service.name".into(), "checkout".into()), ("host.name".into(), "node-7".into())],
        }
    }
}

impl Tracer {
    /// Starts a span with a `&self` receiver: the tracer is not copied.
    #[inline(never)]
    pub fn start_by_ref(&self, trace_id: TraceId, n: u64) -> SpanId {
        span_id(&self.name, &self.version, self.attributes.len(), trace_id, n)
    }

    /// Starts a span with a `self` receiver: the caller must hand over a clone of the tracer,
    /// the Rust reading of a Go value receiver on a struct that owns heap data.
    #[inline(never)]
    pub fn start_by_value(self, trace_id: TraceId, n: u64) -> SpanId {
        span_id(&self.name, &self.version, self.attributes.len(), trace_id, n)
    }
}

/// A tracer that owns no heap data: 48 bytes of plain fields, copied by a value receiver as a Go
/// value receiver copies its struct — the size the article's C8 figure (48 B/op by value)
/// implies.
#[derive(Clone, Copy)]
pub struct PlainTracer {
    scope: [u64; 4],
    sampler_threshold: u64,
    flags: u64,
}

const _: () = assert!(std::mem::size_of::<PlainTracer>() == 48);

impl Default for PlainTracer {
    fn default() -> Self {
        PlainTracer { scope: [1, 4, 2, 7], sampler_threshold: u64::MAX, flags: 1 }
    }
}

impl PlainTracer {
    /// Starts a span with a `&self` receiver: a pointer is passed.
    #[inline(never)]
    pub fn start_by_ref(&self, trace_id: TraceId, n: u64) -> SpanId {
        plain_span_id(self, trace_id, n)
    }

    /// Starts a span with a `self` receiver: the caller's 48 bytes are copied in.
    #[inline(never)]
    pub fn start_by_value(self, trace_id: TraceId, n: u64) -> SpanId {
        plain_span_id(&self, trace_id, n)
    }
}

fn plain_span_id(t: &PlainTracer, trace_id: TraceId, n: u64) -> SpanId {
    let mix = t.scope.iter().fold(t.sampler_threshold ^ t.flags, |h, x| h.rotate_left(7) ^ x) ^ n ^ u64::from(trace_id.0[0]);
    SpanId((mix | 1).to_be_bytes())
}

fn span_id(name: &str, version: &str, attrs: usize, trace_id: TraceId, n: u64) -> SpanId {
    let mix = (name.len() + version.len() + attrs) as u64 ^ n ^ u64::from(trace_id.0[0]);
    SpanId((mix | 1).to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_receivers_give_the_same_span() {
        let t = Tracer::default();
        let id = TraceId([3; 16]);
        assert_eq!(t.start_by_ref(id, 9), t.clone().start_by_value(id, 9));
        let p = PlainTracer::default();
        assert_eq!(p.start_by_ref(id, 9), p.start_by_value(id, 9));
        let c = SizedContext([7u8; 40]);
        assert_eq!(take_value(c), take_ref(&c));
        assert_eq!(take_arc(std::sync::Arc::new(c)), 0);
    }
}
