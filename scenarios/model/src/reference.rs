//! What a workload must export, from the model alone: the spans and their digest, computed by
//! walking the seeded traces without a pipeline, a thread or a meter.
//!
//! This is the reference every row is checked against — a strategy, the SDK row, the Go twin, a
//! user's own scenario — so a run of any one of them alone still proves it did the same work.
//! It walks the traces as [`crate::walk`] does (pre-order, the same budget per trace), asks the
//! model's sampler for each root, and encodes every sampled span as the exporter does.

use crate::digest::{constant_attribute, DigestExporter};
use crate::ids::{SpanId, TraceFlags, TraceId};
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

/// How a row proves it did the workload's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SameWork {
    /// Every span's ids, parent, flags, trace state, name and attributes: [`expected`].
    #[default]
    Digest,
    /// The structure alone, for a stack that draws its own span ids and carries no trace state
    /// (fastrace): every span's trace id, flags, name, and its parent as an offset in the trace's
    /// creation order (the root as 0) — [`expected_structure`], folded by [`structure_parts`].
    Structure,
}

impl SameWork {
    /// What a row proving its work this way must export for `cfg`.
    pub fn expected(self, cfg: &WorkloadConfig) -> Expected {
        match self {
            SameWork::Digest => expected(cfg),
            SameWork::Structure => expected_structure(cfg),
        }
    }

    /// Its name in results and reports.
    pub fn word(self) -> &'static str {
        match self {
            SameWork::Digest => "digest",
            SameWork::Structure => "structure",
        }
    }
}

/// The parts a structure digest folds for one span, given where its parent is: its trace id, no
/// span id, the parent as `offset` (how many spans of its trace were started from the parent's
/// start to its own; 0 for a root), its flags, no trace state. A stack whose span ids count up
/// per thread (fastrace's) yields the offset as the difference of the two ids.
pub fn structure_parts(trace_id: TraceId, offset: u64, flags: TraceFlags) -> (TraceId, SpanId, SpanId, TraceFlags) {
    (trace_id, SpanId([0; 8]), SpanId(offset.to_be_bytes()), flags)
}

/// [`expected`]'s structure: the same spans, folded by [`structure_parts`].
pub fn expected_structure(cfg: &WorkloadConfig) -> Expected {
    walk_expected(cfg, true)
}

/// What `cfg`'s measured region exports, whatever the pipeline and however many producers.
///
/// # Panics
/// If `cfg` is not valid ([`WorkloadConfig::validate`]).
pub fn expected(cfg: &WorkloadConfig) -> Expected {
    walk_expected(cfg, false)
}

fn walk_expected(cfg: &WorkloadConfig, structure: bool) -> Expected {
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
        let mut trace =
            Trace { cfg, stream, t, flags, header: &header, next_span: 1, budget: stream.spans_in_trace(t), structure };
        trace.export(&mut exporter, 0, None, 0);
        trace.children(&mut exporter, 0, 1);
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
    structure: bool,
}

impl Trace<'_> {
    /// Exports span `j` of the trace, whose parent is span `parent` (`None`: the root).
    fn export(&self, exporter: &mut DigestExporter, j: u64, parent: Option<u64>, level: usize) {
        let name = SPAN_NAMES[level.min(SPAN_NAMES.len() - 1)];
        let trace_id = self.stream.trace_id(self.t);
        if self.structure {
            let (trace_id, span, parent, flags) = structure_parts(trace_id, parent.map_or(0, |p| j - p), self.flags);
            exporter.export_parts(trace_id, span, parent, flags, |_| {}, name, constant_attribute);
        } else {
            let parent = parent.map_or(SpanId([0; 8]), |p| self.stream.span_id(self.t, p));
            let span = self.stream.span_id(self.t, j);
            exporter.export_parts(trace_id, span, parent, self.flags, |b| b.push_str(self.header), name, constant_attribute);
        }
    }

    /// The children of `parent` at `level`, in pre-order, within the trace's budget — as the walk
    /// starts them.
    fn children(&mut self, exporter: &mut DigestExporter, parent: u64, level: usize) {
        if level > self.cfg.depth {
            return;
        }
        for _ in 0..self.cfg.fan_out {
            if self.next_span == self.budget {
                return;
            }
            let j = self.next_span;
            self.next_span += 1;
            self.export(exporter, j, Some(parent), level);
            self.children(exporter, j, level + 1);
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

    #[test]
    fn the_structure_leaves_out_ids_and_trace_state_only() {
        let base = WorkloadConfig { spans: 500, ..Default::default() };
        let s = expected_structure(&base);
        assert_eq!(s.spans_exported, expected(&base).spans_exported);
        assert_ne!(s.digest, expected(&base).digest);
        // The trace state is not part of it; the shape and the seed are.
        assert_eq!(expected_structure(&WorkloadConfig { trace_state_entries: 4, ..base.clone() }), s);
        for other in [
            WorkloadConfig { seed: 7, ..base.clone() },
            WorkloadConfig { fan_out: 2, ..base.clone() },
            WorkloadConfig { spans: 499, ..base.clone() },
        ] {
            assert_ne!(expected_structure(&other).digest, s.digest, "{other:?}");
        }
        assert_eq!(SameWork::Structure.expected(&base), s);
    }
}
