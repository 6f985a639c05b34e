//! # spanalloc-builtin
//!
//! The scenarios spanalloc ships, in one list for everything that runs them: the harness's
//! default catalog, the benchmarks. Value-copy comes first: every ratio is taken against it.
//! Not for reading results — nothing here is needed to load or compare a results file.
#![deny(missing_docs)]

use spanalloc_model::Scenario;

/// The strategies, value-copy first: the four the article discusses, and value-shared — value
/// semantics over a shared trace state, the Rust form of Go's shallow copy — beside value-copy.
pub const STRATEGIES: [Scenario; 5] = [
    spanalloc_value_copy::SCENARIO,
    spanalloc_value_shared::SCENARIO,
    spanalloc_pointer_passing::SCENARIO,
    spanalloc_pooled::SCENARIO,
    spanalloc_atomic_swap::SCENARIO,
];

/// The reference row: the real opentelemetry_sdk on the same workload.
pub const REFERENCE_ROW: Scenario = spanalloc_otel_sdk::SCENARIO;

/// The name every ratio is taken against.
pub const RATIO_REFERENCE: &str = spanalloc_value_copy::SCENARIO.name;

/// Every built-in scenario: the strategies, then the reference row.
pub fn all() -> Vec<Scenario> {
    STRATEGIES.iter().copied().chain([REFERENCE_ROW]).collect()
}
