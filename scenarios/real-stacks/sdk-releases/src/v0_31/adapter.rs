//! opentelemetry_sdk 0.31's side of the otel-sdk row (`scenarios/otel-sdk/src/sdk_row.rs`): only
//! what its API says differently from the row's code, cited to its sources.

use api31::trace::TraceState;
use sdk31::error::OTelSdkResult;
use sdk31::trace::{SpanData, SpanExporter};

/// The release, as Cargo.lock resolves it (a test holds the two together).
pub const RELEASE: &str = "0.31.0";

/// Where the sampler's result is: the API's until 0.32 (api `trace/tracer.rs`).
pub use api31::trace::SamplingResult;

/// Its exports do not follow its threads' timing: from 0.31 the batch processor exports
/// everything counted at a wake-up (`get_spans_and_export`, `trace/span_processor.rs:451–482`),
/// so its counts are judged as measured.
pub const PER_EXPORT: Option<spanalloc_model::PerExport> = None;

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
