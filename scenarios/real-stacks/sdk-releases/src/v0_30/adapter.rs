//! opentelemetry_sdk 0.30's side of the otel-sdk row (`scenarios/otel-sdk/src/sdk_row.rs`): only
//! what its API says differently from the row's code, cited to its sources.

use std::time::Duration;

use api30::trace::TraceState;
use sdk30::error::OTelSdkResult;
use sdk30::trace::{SpanData, SpanExporter};

/// The release, as Cargo.lock resolves it (a test holds the two together).
pub const RELEASE: &str = "0.30.0";

/// Where the sampler's result is: the API's until 0.32 (api `trace/tracer.rs`).
pub use api30::trace::SamplingResult;

/// The rate an unpaced pass (the dhat pass and its twins) runs at: the otel-sdk row's.
pub const UNPACED_RATE: u64 = 100_000;

/// Why this release's dhat profile cannot be held to its count passes. Its batch processor
/// exports one batch of at most 512 per wake-up (`get_spans_and_export`, `trace/span_processor.rs`
/// at 0.28.0–0.30.0; 0.31.0 loops until everything counted at the wake-up is out). It counts
/// queued spans down only after an export and re-arms its "export message sent" flag before it,
/// so a producer that outpaces a slow export sends a message per span and the worker exports
/// about one span each: measured at 0.28, n = 4, three 2,000-span profiles, 1,941, 7 and 7
/// exports (`export_batch_sync`), 71,618, 67,746 and 67,746 blocks. The profiler slows both
/// threads and moves the row into that regime and out; the meter's twins, unslowed, stay out.
/// The sites are still the release's; the totals are not comparable.
pub const CROSS_CHECK_WAIVED: Option<&str> = Some(
    "its batch processor exports per wake-up, so the profiler's slowdown changes how many exports the same spans take",
);

/// The batch processor's defaults: `pub(crate)` in this release (`trace/span_processor.rs:55–63`), so spelled out.
pub const QUEUE_DEFAULT: usize = 2_048;
/// See [`QUEUE_DEFAULT`].
pub const EXPORT_BATCH_DEFAULT: usize = 512;
/// See [`QUEUE_DEFAULT`] (`trace/span_processor.rs:55`).
pub const SCHEDULE_DELAY_DEFAULT: Duration = Duration::from_millis(5_000);

/// `export(&self, batch) -> impl Future<Output = OTelSdkResult> + Send` (`trace/export.rs:30`).
impl SpanExporter for super::SinkExporter {
    fn export(&self, batch: Vec<SpanData>) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        self.fold(&batch);
        drop(batch);
        std::future::ready(Ok(()))
    }
}

/// No iterator over the entries before 0.32: from the derived `Debug` ([`crate::header_from_debug`]).
pub fn write_header(state: &TraceState, out: &mut String) {
    crate::header_from_debug(state, out);
}
