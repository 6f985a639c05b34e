//! # spanalloc-show
//!
//! A run and its verdicts for people and for other tools: the terminal [`table`] of a run, a
//! comparison as text, Markdown or JSON ([`compare`], [`between`]), the ratchet's outcome
//! ([`ratchet`]), change points ([`changes`]), `history show` lines ([`history`]), exports for
//! tracking services ([`export`]) and the self-contained HTML [`report`]. Every string an input
//! file supplies is made inert for its medium by [`text`] on its way out.
//!
//! It decides nothing: every verdict it shows comes from spanalloc-judge, every figure from
//! spanalloc-record, and nothing here measures.

// Safe Rust only: scripts/fuzz.sh fuzzes this crate without AddressSanitizer, on that promise.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod between;
pub mod changes;
pub mod compare;
pub mod export;
pub mod export_gate;
pub mod history;
pub mod ratchet;
pub mod report;
pub mod table;
pub mod text;
