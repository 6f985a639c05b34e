//! # spanalloc-model
//!
//! Everything the spanalloc scenarios share, so that the only thing that differs between two
//! of them is how a span context is handed on: ids and contexts ([`ids`], [`context`],
//! [`trace_state`]), the W3C Trace Context codec ([`w3c`]), the seeded workload ([`workload`]),
//! the pacing driver ([`pacing`]), the one walk of a trace ([`walk`]) and the small interface a
//! scenario plugs into it with ([`pipeline`]), the pipeline every strategy shares
//! ([`processor`], [`handoff`]), the export sink and digest ([`sink`], [`digest`]), the stage
//! markers an allocator reads ([`stage`]), the seam a strategy implements
//! ([`strategy::Strategy`]), and what a workload must export, from the model alone
//! ([`reference`]).
//!
//! It is not a tracing SDK: spans carry fixed names and attributes and are exported into a
//! digest, which is what lets the suite prove every scenario did the same work. It imports no
//! strategy and knows nothing of how runs are measured.

// Safe Rust only: scripts/fuzz.sh fuzzes this crate without AddressSanitizer, on that promise.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod context;
pub mod current_check;
pub mod digest;
pub mod handoff;
pub mod ids;
pub mod pacing;
pub mod pipeline;
pub mod processor;
pub mod reference;
pub mod registry;
pub mod sampler;
pub mod sink;
pub mod stage;
pub mod strategy;
pub mod trace_state;
pub mod w3c;
pub mod walk;
pub mod workload;

pub use context::{ContextView, SharedSpanContext, SpanContext};
pub use ids::{SpanId, TraceFlags, TraceId};
pub use registry::{BytesModes, PerExport, Scenario};
pub use strategy::{ExportView, LinkedSpan, Strategy};
pub use trace_state::TraceState;
pub use walk::{NoHooks, RunHooks, RunReport};
pub use workload::WorkloadConfig;
