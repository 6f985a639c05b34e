//! # spanalloc-record
//!
//! What a run leaves behind, and reading it back: [`schema`] (results.json, the plain data,
//! versioned), [`input`] (load, validate and migrate every older version, one-line errors),
//! [`baseline`] (saved results), [`history`] (one line a night), [`fsio`] (the atomic, locked
//! writes every one of them goes through), and what measuring and judging share — [`stats`],
//! the gate's [`floors`] and the [`units`] figures are written in.
//!
//! This is the bottom of the results layers: it judges nothing and renders nothing (no verdict,
//! no table, no HTML), and it links no scenario crate — measuring writes it, the judge and show
//! read it, and nothing here knows either of them.

// Safe Rust only (a test makes a FIFO through libc): scripts/fuzz.sh fuzzes this crate without
// AddressSanitizer, on that promise.
#![cfg_attr(not(test), forbid(unsafe_code))]
#![deny(missing_docs)]

pub mod baseline;
pub mod date;
pub mod floors;
pub mod fsio;
pub mod history;
pub mod inert;
pub mod input;
mod machines;
pub mod merge;
pub mod schema;
pub mod stats;
pub mod units;

pub use input::{load_results, InputError};
pub use schema::Results;
