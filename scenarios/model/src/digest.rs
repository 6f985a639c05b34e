//! The exporter's work: encode each span into a reused buffer and fold it into a digest.
//!
//! The digest is the proof that a comparison is fair: every strategy must export the same spans
//! with the same ids, parents, flags and trace state, so every strategy must end with the same
//! digest and span count. Each span's encoding is hashed on its own and the hashes are *added*
//! (wrapping), so the digest does not depend on the order in which producers' spans interleave,
//! while a lost or duplicated span still changes it.
//!
//! Attributes: a row whose exporter receives them (the SDK rows, the real stacks) hashes what it
//! received for each of the workload's keys ([`ATTRIBUTES`], in their order, the value as its
//! decimal text; a key it did not receive is hashed as absent), so a row that drops or changes
//! one does not keep the workload's digest. Keys a stack adds of its own (tracing-opentelemetry's
//! code location, thread and timings) are not the workload's and are not hashed. The model's
//! strategies carry no attributes on their spans (adding them would change their counts and the
//! article's contrasts): they hash the workload's constants ([`constant_attribute`]).

use std::fmt::Write;

use crate::context::ContextView;
use crate::ids::{push_hex, SpanId, TraceFlags, TraceId};
use crate::workload::ATTRIBUTES;

/// Encodes spans and folds them into an order-independent 64-bit digest.
#[derive(Debug, Default)]
pub struct DigestExporter {
    buf: String,
    digest: u64,
    spans: u64,
}

impl DigestExporter {
    /// An exporter whose buffer is already large enough for a span with 32 trace-state entries,
    /// so encoding never allocates.
    pub fn new() -> Self {
        DigestExporter { buf: String::with_capacity(4096), digest: 0, spans: 0 }
    }

    /// Encodes one span and folds it in.
    pub fn export(&mut self, ctx: &dyn ContextView, parent_span_id: SpanId, name: &str) {
        self.export_parts(
            ctx.trace_id(),
            ctx.span_id(),
            parent_span_id,
            ctx.flags(),
            |b| ctx.write_trace_state(b),
            name,
            constant_attribute,
        );
    }

    /// Encodes one span given as parts, its trace state written by `write_state` in header form
    /// (`k1=v1,k2=v2`): for exporters whose spans are not a [`ContextView`] (the SDK's).
    /// `received(key, out)` writes the value the exporter received for the workload's attribute
    /// `key` into `out` and says whether there was one.
    #[allow(clippy::too_many_arguments)] // the parts of a span, each hashed
    pub fn export_parts(
        &mut self,
        trace_id: TraceId,
        span_id: SpanId,
        parent_span_id: SpanId,
        flags: TraceFlags,
        write_state: impl FnOnce(&mut String),
        name: &str,
        received: impl Fn(&str, &mut String) -> bool,
    ) {
        let b = &mut self.buf;
        b.clear();
        push_hex(b, &trace_id.0);
        b.push(' ');
        push_hex(b, &span_id.0);
        b.push(' ');
        push_hex(b, &parent_span_id.0);
        b.push(' ');
        push_hex(b, &[flags.0]);
        b.push(' ');
        write_state(b);
        b.push(' ');
        b.push_str(name);
        for (k, _) in ATTRIBUTES {
            b.push(' ');
            b.push_str(k);
            let absent = b.len();
            b.push('=');
            if !received(k, b) {
                b.truncate(absent);
            }
        }
        self.digest = self.digest.wrapping_add(span_hash(b.as_bytes()));
        self.spans += 1;
    }

    /// The digest of every span exported since the last reset.
    pub fn digest(&self) -> u64 {
        self.digest
    }

    /// Spans exported since the last reset.
    pub fn spans(&self) -> u64 {
        self.spans
    }

    /// Forgets the spans exported so far (the warm-up's).
    pub fn reset(&mut self) {
        self.digest = 0;
        self.spans = 0;
    }
}

/// The workload's constant value of attribute `key`, for rows whose spans carry none: writing an
/// integer into a String with room does not allocate.
pub fn constant_attribute(key: &str, out: &mut String) -> bool {
    ATTRIBUTES.iter().find(|(k, _)| *k == key).is_some_and(|(_, v)| write!(out, "{v}").is_ok())
}

/// FNV-1a over the encoding, then SplitMix64's finaliser so that sums of hashes stay well spread.
fn span_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    crate::workload::mix(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::SpanContext;
    use crate::ids::TraceId;

    fn ctx(id: u8) -> SpanContext {
        SpanContext { trace_id: TraceId([1; 16]), span_id: SpanId([id; 8]), ..Default::default() }
    }

    #[test]
    fn order_does_not_matter_but_loss_and_duplication_do() {
        let run = |ids: &[u8]| {
            let mut e = DigestExporter::new();
            for &i in ids {
                e.export(&ctx(i), SpanId([0; 8]), "s");
            }
            (e.digest(), e.spans())
        };
        assert_eq!(run(&[1, 2, 3]), run(&[3, 1, 2]));
        assert_ne!(run(&[1, 2, 3]).0, run(&[1, 2]).0);
        assert_ne!(run(&[1, 2, 3]).0, run(&[1, 2, 3, 3]).0);
        assert_ne!(run(&[1, 2, 3]).0, run(&[1, 2, 4]).0);
    }

    #[test]
    fn every_field_is_in_the_digest() {
        let base = {
            let mut e = DigestExporter::new();
            e.export(&ctx(1), SpanId([2; 8]), "s");
            e.digest()
        };
        let mut changed = Vec::new();
        let mut c = ctx(1);
        c.flags.0 = 1;
        changed.push((c, SpanId([2; 8]), "s"));
        let mut c = ctx(1);
        c.trace_state.insert("k", "v").unwrap();
        changed.push((c, SpanId([2; 8]), "s"));
        changed.push((ctx(1), SpanId([3; 8]), "s"));
        changed.push((ctx(1), SpanId([2; 8]), "t"));
        for (c, parent, name) in changed {
            let mut e = DigestExporter::new();
            e.export(&c, parent, name);
            assert_ne!(e.digest(), base);
        }
    }
}
