//! The SDK row's passes are paced at its gate rate, lower from the largest trace state on: the
//! rate it was measured to hold at each size (GATE_RATE, LARGE_GATE_RATE).

use spanalloc_model::workload::WorkloadConfig;
use spanalloc_otel_sdk::{GATE_RATE, LARGE_GATE_RATE, LARGE_TRACE_STATE, SCENARIO};

fn paced(rate: u64, entries: usize) -> u64 {
    SCENARIO.workload(&WorkloadConfig { rate, trace_state_entries: entries, ..WorkloadConfig::default() }).rate
}

#[test]
fn the_gate_rate_follows_the_trace_state_size() {
    const { assert!(LARGE_TRACE_STATE == 32) };
    const { assert!(LARGE_GATE_RATE < GATE_RATE) };
    for entries in [0, 1, 4, LARGE_TRACE_STATE - 1] {
        assert_eq!(paced(100_000, entries), GATE_RATE, "{entries} entries");
        assert_eq!(SCENARIO.gate_at(entries), Some(GATE_RATE));
    }
    for entries in [LARGE_TRACE_STATE, 64] {
        assert_eq!(paced(100_000, entries), LARGE_GATE_RATE, "{entries} entries");
    }
    // Never faster than asked, and an unpaced request is paced all the same.
    assert_eq!(paced(10_000, LARGE_TRACE_STATE), 10_000);
    assert_eq!(paced(0, LARGE_TRACE_STATE), LARGE_GATE_RATE);
    assert_eq!(paced(0, 4), GATE_RATE);
}
