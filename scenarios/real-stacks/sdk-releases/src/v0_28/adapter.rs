//! opentelemetry_sdk 0.28's side of the otel-sdk row (`scenarios/otel-sdk/src/sdk_row.rs`): only
//! what its API says differently from the row's code, cited to its sources.

use api28::trace::TraceState;
use sdk28::error::OTelSdkResult;
use sdk28::trace::{SpanData, SpanExporter};
use std::future::Future;
use std::pin::Pin;

/// The release, as Cargo.lock resolves it (a test holds the two together).
pub const RELEASE: &str = "0.28.0";

/// Where the sampler's result is: the API's until 0.32 (api `trace/tracer.rs`).
pub use api28::trace::SamplingResult;

/// What each export costs, whatever its size (its counts are judged net of it, per batch:
/// the crate's "Exports per wake-up"): the batch's `Vec` (`batch.split_off(0)`,
/// `trace/span_processor.rs:493` at 0.28.0; its bytes are the spans', the same whatever the
/// batching) and the boxed future this release's `export` returns (below).
pub const PER_EXPORT: Option<spanalloc_model::PerExport> = Some(spanalloc_model::PerExport {
    allocs: 2,
    bytes: std::mem::size_of::<std::future::Ready<OTelSdkResult>>() as u64,
    why: "opentelemetry_sdk 0.28.0 trace/span_processor.rs:493 (batch.split_off(0): one Vec, bytes per span) and the boxed future SpanExporter::export returns (trace/export.rs:31)",
});

/// The batch processor's defaults, `pub(crate)` in this release: [`crate::before_033`].
pub use crate::before_033::{EXPORT_BATCH_DEFAULT, QUEUE_DEFAULT, SCHEDULE_DELAY_DEFAULT};

/// `export(&mut self, batch) -> BoxFuture<'static, OTelSdkResult>` (`trace/export.rs:31`): every
/// exporter of this release returns its result boxed, once per batch.
impl SpanExporter for super::SinkExporter {
    fn export(&mut self, batch: Vec<SpanData>) -> Pin<Box<dyn Future<Output = OTelSdkResult> + Send + 'static>> {
        self.fold(&batch);
        drop(batch);
        Box::pin(std::future::ready(Ok(())))
    }
}

/// No iterator over the entries before 0.32: from the derived `Debug` ([`crate::header_from_debug`]).
pub fn write_header(state: &TraceState, out: &mut String) {
    crate::header_from_debug(state, out);
}
