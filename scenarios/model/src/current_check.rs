//! The cross-thread "current context" under contention: one thread keeps publishing numbered
//! contexts while others read the slot, and every read is checked.
//!
//! Each store carries a sequence number `s` in its span id, and its trace id and trace state are
//! derived from `s`, so a reader can tell a torn context (fields from two stores). A read must
//! return a whole context whose number lies between the last store *finished* before the read
//! began and the last store *begun* before it ended (the register is linearizable), and one
//! reader's numbers never go down. With one writer those bounds are exact; extra writers are
//! checked for whole contexts only, since their stores overlap.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};

use crate::context::ContextView;
use crate::ids::{SpanId, TraceFlags, TraceId};
use crate::strategy::Strategy;
use crate::trace_state::TraceState;
use crate::workload::{mix, WorkloadConfig};

/// How hard to push.
#[derive(Debug, Clone, Copy)]
pub struct CheckConfig {
    /// Publishing threads; bounds are checked only with one.
    pub writers: usize,
    /// Reading threads.
    pub readers: usize,
    /// Contexts each writer stores.
    pub stores_per_writer: u64,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig { writers: 1, readers: 2, stores_per_writer: MAX_STORES }
    }
}

/// The stores of a run's check at most: a full run's.
pub const MAX_STORES: u64 = 20_000;

impl CheckConfig {
    /// The check a count pass of `spans` spans runs: as many stores as the pass measured spans, up
    /// to [`MAX_STORES`]. A run of 20,000 spans or more (every night, the README's run) checks
    /// 20,000; a short one checks for as long as it measured, which its results record (`stores`)
    /// — its two readers spinning beside the writer were ten times the work of a 2,000-span count
    /// pass in a debug build, and the test suite runs hundreds of those.
    pub fn for_spans(spans: u64) -> Self {
        CheckConfig { stores_per_writer: spans.clamp(1, MAX_STORES), ..CheckConfig::default() }
    }
}

/// What the readers saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Publishing threads.
    pub writers: u64,
    /// Reading threads.
    pub readers: u64,
    /// Stores made.
    pub stores: u64,
    /// Reads that found a context.
    pub reads: u64,
    /// Reads whose fields came from more than one store.
    pub torn: u64,
    /// Reads outside the linearizable bounds, or older than the reader's previous read.
    pub out_of_order: u64,
}

impl CheckReport {
    /// No torn read and none out of order.
    pub fn passed(&self) -> bool {
        self.torn == 0 && self.out_of_order == 0 && self.reads > 0
    }
}

fn trace_id(seq: u64) -> TraceId {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&mix(seq).to_be_bytes());
    b[8..].copy_from_slice(&(mix(seq ^ 0x5eed) | 1).to_be_bytes());
    TraceId(b)
}

fn fill_state(seq: u64, state: &mut TraceState) {
    state.clear();
    let key = format!("{:016x}", mix(seq.wrapping_mul(3)));
    state.insert("check", &key).expect("valid");
    state.insert("seq", &format!("{seq:x}")).expect("valid");
}

/// The number a whole context carries, or `None` for a torn one.
fn decode(c: &dyn ContextView, expected: &mut TraceState, headers: &mut (String, String)) -> Option<u64> {
    let seq = u64::from_be_bytes(c.span_id().0).checked_sub(1)?;
    fill_state(seq, expected);
    let (seen, want) = headers;
    seen.clear();
    want.clear();
    c.write_trace_state(seen);
    expected.write_header(want);
    (c.trace_id() == trace_id(seq) && seen == want && c.flags() == TraceFlags::SAMPLED).then_some(seq)
}

/// Runs the check on `S`'s current-context slot.
pub fn run<S: Strategy>(config: CheckConfig) -> CheckReport {
    let cfg = WorkloadConfig { trace_state_entries: 2, ..Default::default() };
    let strategy = S::new(&cfg);
    let (started, finished) = (AtomicU64::new(0), AtomicU64::new(0));
    let writers_left = AtomicU64::new(config.writers as u64);
    let next = AtomicU64::new(1);
    let stop = AtomicBool::new(false);
    let one_writer = config.writers == 1;
    let mut report = CheckReport { writers: config.writers as u64, readers: config.readers as u64, ..Default::default() };
    std::thread::scope(|scope| {
        let strategy = &strategy;
        for _ in 0..config.writers {
            scope.spawn(|| {
                let mut state = TraceState::new();
                for _ in 0..config.stores_per_writer {
                    let seq = next.fetch_add(1, SeqCst);
                    fill_state(seq, &mut state);
                    let ctx = strategy.root(trace_id(seq), SpanId((seq + 1).to_be_bytes()), TraceFlags::SAMPLED, &state);
                    started.store(seq, SeqCst);
                    strategy.publish(&ctx);
                    finished.store(seq, SeqCst);
                }
                if writers_left.fetch_sub(1, SeqCst) == 1 {
                    stop.store(true, SeqCst);
                }
            });
        }
        let readers: Vec<_> = (0..config.readers)
            .map(|_| {
                scope.spawn(|| {
                    let mut expected = TraceState::new();
                    let mut headers = (String::new(), String::new());
                    let (mut reads, mut torn, mut out_of_order, mut last) = (0u64, 0u64, 0u64, 0u64);
                    loop {
                        let done = stop.load(SeqCst);
                        let lo = finished.load(SeqCst);
                        let seen = strategy.read_current(|c| decode(c, &mut expected, &mut headers));
                        let hi = started.load(SeqCst);
                        match seen {
                            None => {}
                            Some(None) => {
                                reads += 1;
                                torn += 1;
                            }
                            Some(Some(seq)) => {
                                reads += 1;
                                let in_bounds = !one_writer || (lo <= seq && seq <= hi);
                                if !in_bounds || (one_writer && seq < last) {
                                    out_of_order += 1;
                                }
                                last = seq;
                            }
                        }
                        if done {
                            break;
                        }
                    }
                    (reads, torn, out_of_order)
                })
            })
            .collect();
        for r in readers {
            let (reads, torn, out_of_order) = r.join().expect("reader panicked");
            report.reads += reads;
            report.torn += torn;
            report.out_of_order += out_of_order;
        }
    });
    report.stores = next.load(SeqCst) - 1;
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_checks_as_many_stores_as_it_measured_spans_up_to_a_full_run() {
        let stores = |spans| CheckConfig::for_spans(spans).stores_per_writer;
        assert_eq!((stores(0), stores(2_000), stores(20_000), stores(1_000_000)), (1, 2_000, 20_000, MAX_STORES));
        let c = CheckConfig::for_spans(2_000);
        assert_eq!((c.writers, c.readers), (1, 2));
    }
}
