//! # spanalloc (harness)
//!
//! Turns scenarios into measured, trustworthy numbers. `spanalloc run` starts every pass of
//! every scenario in a fresh child process of its own binary (`spanalloc measure`), so peak heap
//! and peak RSS belong to that scenario alone:
//! - **plain**: no meter — CPU, achieved rate, lag, latency, RSS; timing never comes from an
//!   instrumented run;
//! - **count**: the [`meter`] counts every allocation exactly, tracks the peak, the live-heap
//!   timeline and per-stage figures;
//! - **dhat**: `dhat` records call sites over the measured region of fewer, unpaced spans, and
//!   is checked against a count pass of the same spans.
//!
//! Layers, top to bottom: [`cli`] (the only module that knows clap; [`cli::main`] is the whole
//! tool for a [`catalog::Catalog`] — the extension point) → [`measure`] (a plain run plan in,
//! results.json out, through [`spawn`], [`child`], [`aggregate`], [`meter`]) → the results, in
//! three crates that link no scenario: [`record`] (the schema, reading, baselines, history,
//! atomic writes) ← [`judge`] (compare, rules, ratchet, change points: the verdict and why) ←
//! [`show`] (tables, Markdown, exports, the HTML report). It is not a general profiler: it measures
//! scenarios built on `spanalloc-model`.
#![deny(missing_docs)]

pub mod aggregate;
pub mod allocators;
pub mod catalog;
pub mod child;
pub mod cli;
pub mod console;
pub mod dhat_profile;
pub mod external;
pub mod go_benchmem;
pub mod go_twin;
pub mod holds;
pub mod instructions;
pub mod measure;
pub mod meter;
pub mod outside;
pub mod pass;
pub mod settle;
pub mod signals;
pub mod spawn;
pub mod split;
pub mod sys;
pub mod time;
pub mod verify;

pub use spanalloc_judge as judge;
pub use spanalloc_model;
pub use spanalloc_record as record;
pub use spanalloc_show as show;

/// Under `cargo test` the meter is this crate's global allocator too, so its own tests check
/// its tallies against known answers.
#[cfg(test)]
#[global_allocator]
static TEST_ALLOCATOR: meter::Meter = meter::Meter;
