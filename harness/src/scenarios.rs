//! Every scenario the harness can run, by name.

use spanalloc_model::Scenario;

use crate::test_scenarios::{KNOWN_ANSWER, TEST_ABORT, TEST_CRASH, TEST_GARBAGE};

/// All scenarios, value-copy first: ratios in every table are against it. The last is the
/// reference row, the real opentelemetry_sdk on the same workload.
pub const ALL: [Scenario; 5] = [
    spanalloc_value_copy::SCENARIO,
    spanalloc_pointer_passing::SCENARIO,
    spanalloc_pooled::SCENARIO,
    spanalloc_atomic_swap::SCENARIO,
    spanalloc_otel_sdk::SCENARIO,
];

/// Test-only scenarios: runnable by name, never listed or run by default.
pub const HIDDEN: [Scenario; 4] = [KNOWN_ANSWER, TEST_CRASH, TEST_ABORT, TEST_GARBAGE];

/// The name every ratio is taken against.
pub const REFERENCE: &str = "value-copy";

/// The scenario called `name`, listed or hidden.
pub fn by_name(name: &str) -> Option<&'static Scenario> {
    ALL.iter().chain(HIDDEN.iter()).find(|s| s.name == name)
}

/// Whether `name`'s allocation counts are independent of thread timing (unknown names: yes,
/// the strict reading).
pub fn exact_counts(name: &str) -> bool {
    by_name(name).is_none_or(|s| s.exact_counts)
}

/// The listed names, for error messages.
pub fn names() -> String {
    ALL.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}
