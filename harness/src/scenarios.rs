//! Every scenario the harness can run, by name.

use spanalloc_model::Scenario;

/// All scenarios, value-copy first: ratios in every table are against it.
pub const ALL: [Scenario; 4] = [
    spanalloc_value_copy::SCENARIO,
    spanalloc_pointer_passing::SCENARIO,
    spanalloc_pooled::SCENARIO,
    spanalloc_atomic_swap::SCENARIO,
];

/// The scenario called `name`.
pub fn by_name(name: &str) -> Option<&'static Scenario> {
    ALL.iter().find(|s| s.name == name)
}
