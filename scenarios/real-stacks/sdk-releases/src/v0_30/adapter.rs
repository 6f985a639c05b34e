//! opentelemetry_sdk 0.30's side of the otel-sdk row (`scenarios/otel-sdk/src/sdk_row.rs`): only
//! what its API says differently from the row's code, cited to its sources.

use api30::trace::TraceState;
use sdk30::error::OTelSdkResult;
use sdk30::trace::{SpanData, SpanExporter};

/// The release, as Cargo.lock resolves it (a test holds the two together).
pub const RELEASE: &str = "0.30.0";

/// Where the sampler's result is: the API's until 0.32 (api `trace/tracer.rs`).
pub use api30::trace::SamplingResult;

/// What each export costs, whatever its size (its counts are judged net of it, per batch:
/// the crate's "Exports per wake-up"): the batch's `Vec` (`batch.split_off(0)`,
/// `trace/span_processor.rs:493` at 0.30.0), whose bytes are the spans', the same whatever the
/// batching; `export` returns its future unboxed from 0.29.
pub const PER_EXPORT: Option<spanalloc_model::PerExport> = Some(spanalloc_model::PerExport {
    allocs: 1,
    bytes: 0,
    why: "opentelemetry_sdk 0.30.0 trace/span_processor.rs:493 (batch.split_off(0): one Vec, bytes per span)",
});

/// The batch processor's defaults, `pub(crate)` in this release: [`crate::before_033`].
pub use crate::before_033::{EXPORT_BATCH_DEFAULT, QUEUE_DEFAULT, SCHEDULE_DELAY_DEFAULT};

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
