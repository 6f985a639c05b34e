//! # spanalloc (harness)
//!
//! Turns the scenarios into measured, trustworthy numbers. `spanalloc run` starts every pass of
//! every scenario in a fresh child process of its own binary (`spanalloc measure`), so peak heap
//! and peak RSS belong to that scenario alone:
//! - **plain**: no meter — CPU, achieved rate, lag, latency, RSS; timing never comes from an
//!   instrumented run;
//! - **count**: the [`meter`] counts every allocation exactly, tracks the peak, the live-heap
//!   timeline and per-stage figures;
//! - **dhat**: `dhat` records call sites on fewer, unpaced spans, and is checked against a count
//!   pass of the same spans.
//!
//! Measuring code ([`child`], [`meter`], [`spawn`], [`run`]) writes `results.json`
//! ([`results`]) and never renders. Everything after reads results.json through [`input`]:
//! [`compare`] (verdicts against a baseline), [`baseline`], [`history`], [`export`] and
//! [`report`] (the HTML page), which never measure. It is not a general profiler: it runs the
//! spanalloc scenarios only.
#![deny(missing_docs)]

pub mod aggregate;
pub mod baseline;
pub mod child;
pub mod cli;
pub mod compare;
pub mod dhat_profile;
pub mod export;
pub mod fsio;
pub mod history;
pub mod input;
pub mod meter;
pub mod report;
pub mod results;
pub mod run;
pub mod scenarios;
pub mod spawn;
pub mod sys;
pub mod table;
pub mod test_scenarios;
pub mod time;

/// Under `cargo test` the meter is this crate's global allocator too, so its own tests check
/// its tallies against known answers.
#[cfg(test)]
#[global_allocator]
static TEST_ALLOCATOR: meter::Meter = meter::Meter;
