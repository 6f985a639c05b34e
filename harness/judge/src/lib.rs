//! # spanalloc-judge
//!
//! The verdict and why: a run against its baseline ([`compare`]), row by row and metric by
//! metric, each metric decided by the one rule that owns it ([`rules`]: exact, spread, net of
//! export, statistical, then loosening) under the user's [`thresholds`]; the baseline [`ratchet`];
//! and the change points of the nightly history ([`changes`]).
//!
//! What it returns is data — [`compare::Comparison`], [`ratchet::Outcome`], [`changes::Change`] —
//! with each reason in one string. It never renders (tables, Markdown and HTML are
//! spanalloc-show's), never writes a file, and never measures: it reads what spanalloc-record
//! read. Nothing it judges can set its own gate: tolerances come from the baseline's measured
//! spread and the thresholds file, never from the file being judged.

// Safe Rust only: scripts/fuzz.sh fuzzes this crate without AddressSanitizer, on that promise.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod changes;
pub mod compare;
pub mod metrics;
pub mod ratchet;
pub mod rules;
pub mod thresholds;
pub mod verdict;

pub use compare::{compare, Comparison, Row};
pub use verdict::Verdict;
