//! # spanalloc (harness)
//!
//! Turns the scenarios into measured numbers.
#![deny(missing_docs)]

pub mod scenarios;
