//! # spanalloc-results
//!
//! `results.json` — the seam between measuring and showing — and everything that reads it:
//! [`schema`] (the plain data, versioned), [`input`] (load and validate, one-line errors),
//! [`compare`] (verdicts against a baseline), [`baseline`], [`history`], [`export`] and
//! [`report`] (the HTML page and `claims.json`), with the shared [`stats`] and the number
//! formats of [`table`]; strings from input files are made inert for their medium by [`text`].
//! Writes that matter go through [`fsio`].
//!
//! Not for measuring: nothing here runs a scenario, installs an allocator or links one — a
//! tool that only reads results files depends on this crate alone.
#![deny(missing_docs)]

pub mod baseline;
pub mod changes;
pub mod compare;
pub mod export;
pub mod fsio;
pub mod history;
pub mod input;
pub mod ratchet;
pub mod report;
pub mod schema;
pub mod stats;
pub mod table;
pub mod text;

pub use input::{load_results, InputError};
pub use schema::Results;
