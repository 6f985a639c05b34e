//! What a workload must export, from the model alone: the spans and their digest, computed by
//! walking the seeded traces without a pipeline, a thread or a meter.
//!
//! This is the reference every row is checked against — a strategy, the SDK row, the Go twin, a
//! user's own scenario — so a run of any one of them alone still proves it did the same work.
//! It walks the traces as [`crate::walk`] does (pre-order, the same budget per trace), asks the
//! model's sampler for each root, and encodes every sampled span as the exporter does.

use crate::digest::DigestExporter;
use crate::ids::{SpanId, TraceFlags};
use crate::sampler::Sampler;
use crate::trace_state::TraceState;
use crate::workload::{Stream, WorkloadConfig, KEY_LEN, SPAN_NAMES, VALUE_LEN};

/// The spans a workload exports and their digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    /// Spans exported (the sampled ones).
    pub spans_exported: u64,
    /// Their digest, as [`DigestExporter::digest`] folds it.
    pub digest: u64,
}

/// What `cfg`'s measured region exports, whatever the pipeline and however many producers.
///
/// # Panics
/// If `cfg` is not valid ([`WorkloadConfig::validate`]).
pub fn expected(cfg: &WorkloadConfig) -> Expected {
    cfg.validate().expect("reference::expected takes a validated configuration");
    let stream = cfg.measured();
    let sampler = Sampler::new(cfg.sample_ratio);
    let mut exporter = DigestExporter::new();
    let mut state = TraceState::new();
    state.reserve_entries(cfg.trace_state_entries, KEY_LEN, VALUE_LEN);
    let mut header = String::new();
    for t in 0..stream.traces() {
        let trace_id = stream.trace_id(t);
        let flags = sampler.sample_root(trace_id);
        // Children follow their parent: an unsampled root exports nothing of its trace.
        if !flags.is_sampled() {
            continue;
        }
        stream.fill_trace_state(t, cfg.trace_state_entries, &mut state);
        header.clear();
        state.write_header(&mut header);
        let mut trace = Trace { cfg, stream, t, flags, header: &header, next_span: 1, budget: stream.spans_in_trace(t) };
        let root = stream.span_id(t, 0);
        trace.export(&mut exporter, root, SpanId([0; 8]), 0);
        trace.children(&mut exporter, root, 1);
    }
    Expected { spans_exported: exporter.spans(), digest: exporter.digest() }
}

/// One trace being walked.
struct Trace<'a> {
    cfg: &'a WorkloadConfig,
    stream: Stream,
    t: u64,
    flags: TraceFlags,
    header: &'a str,
    next_span: u64,
    budget: u64,
}

impl Trace<'_> {
    fn export(&self, exporter: &mut DigestExporter, span: SpanId, parent: SpanId, level: usize) {
        let name = SPAN_NAMES[level.min(SPAN_NAMES.len() - 1)];
        exporter.export_parts(self.stream.trace_id(self.t), span, parent, self.flags, |b| b.push_str(self.header), name);
    }

    /// The children of `parent` at `level`, in pre-order, within the trace's budget — as the walk
    /// starts them.
    fn children(&mut self, exporter: &mut DigestExporter, parent: SpanId, level: usize) {
        if level > self.cfg.depth {
            return;
        }
        for _ in 0..self.cfg.fan_out {
            if self.next_span == self.budget {
                return;
            }
            let span = self.stream.span_id(self.t, self.next_span);
            self.next_span += 1;
            self.export(exporter, span, parent, level);
            self.children(exporter, span, level + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_span_once_and_sampling_counts() {
        let cfg = WorkloadConfig { spans: 1000, ..Default::default() };
        assert_eq!(expected(&cfg).spans_exported, 1000);
        let half = WorkloadConfig { sample_ratio: 0.5, ..cfg.clone() };
        let e = expected(&half);
        assert!(e.spans_exported > 300 && e.spans_exported < 700, "{}", e.spans_exported);
        let none = WorkloadConfig { sample_ratio: 0.0, ..cfg.clone() };
        assert_eq!(expected(&none), Expected { spans_exported: 0, digest: 0 });
    }

    #[test]
    fn every_workload_field_moves_it() {
        let base = WorkloadConfig { spans: 500, ..Default::default() };
        let d = expected(&base).digest;
        for other in [
            WorkloadConfig { seed: 7, ..base.clone() },
            WorkloadConfig { trace_state_entries: 1, ..base.clone() },
            WorkloadConfig { fan_out: 2, ..base.clone() },
            WorkloadConfig { spans: 499, ..base.clone() },
        ] {
            assert_ne!(expected(&other).digest, d, "{other:?}");
        }
        // Neither the rate nor the producers change what is exported.
        assert_eq!(expected(&WorkloadConfig { rate: 0, producers: 3, ..base.clone() }).digest, d);
    }
}
