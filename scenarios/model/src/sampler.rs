//! The parent-based sampler: a child follows its parent's decision; a root is sampled by ratio.

use crate::context::ContextView;
use crate::ids::{TraceFlags, TraceId};

/// `ParentBased(TraceIdRatioBased(ratio))`, as OpenTelemetry SDKs configure by default.
#[derive(Debug, Clone, Copy)]
pub struct Sampler {
    /// Roots whose trace id's low 64 bits fall below this are sampled.
    threshold: u64,
}

impl Sampler {
    /// A sampler that keeps `ratio` (0.0..=1.0) of root traces.
    pub fn new(ratio: f64) -> Self {
        let threshold = if ratio >= 1.0 { u64::MAX } else { (ratio.max(0.0) * u64::MAX as f64) as u64 };
        Sampler { threshold }
    }

    /// The decision for a root span of `trace_id`.
    pub fn sample_root(&self, trace_id: TraceId) -> TraceFlags {
        let low = u64::from_be_bytes(trace_id.0[8..].try_into().expect("8 bytes"));
        if self.threshold == u64::MAX || low < self.threshold {
            TraceFlags::SAMPLED
        } else {
            TraceFlags::default()
        }
    }

    /// The decision for a child: it reads the parent's context and keeps its sampled bit.
    pub fn sample_child(&self, parent: &impl ContextView) -> TraceFlags {
        TraceFlags(parent.flags().0 & TraceFlags::SAMPLED.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_bounds() {
        let id = |low: u64| {
            let mut b = [1u8; 16];
            b[8..].copy_from_slice(&low.to_be_bytes());
            TraceId(b)
        };
        assert!(Sampler::new(1.0).sample_root(id(u64::MAX)).is_sampled());
        assert!(!Sampler::new(0.0).sample_root(id(0)).is_sampled());
        assert!(Sampler::new(0.5).sample_root(id(1)).is_sampled());
        assert!(!Sampler::new(0.5).sample_root(id(u64::MAX - 1)).is_sampled());
    }
}
