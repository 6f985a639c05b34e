//! opentelemetry_sdk 0.33's side of the row (`sdk_row.rs`): what its API says.

use std::time::Duration;

use opentelemetry::trace::TraceState;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    SpanData, SpanExporter, OTEL_BSP_MAX_EXPORT_BATCH_SIZE_DEFAULT, OTEL_BSP_MAX_QUEUE_SIZE_DEFAULT,
    OTEL_BSP_SCHEDULE_DELAY_DEFAULT,
};

/// The release, as Cargo.lock resolves it (a test holds the two together).
pub const RELEASE: &str = "0.33.1";

/// Where the sampler's result is: the SDK's since 0.32 (`trace/mod.rs:39`).
pub use opentelemetry_sdk::trace::SamplingResult;

/// The batch processor's defaults, public since 0.33 (`trace/span_processor.rs:55–63`).
pub const QUEUE_DEFAULT: usize = OTEL_BSP_MAX_QUEUE_SIZE_DEFAULT;
/// See [`QUEUE_DEFAULT`].
pub const EXPORT_BATCH_DEFAULT: usize = OTEL_BSP_MAX_EXPORT_BATCH_SIZE_DEFAULT;
/// See [`QUEUE_DEFAULT`].
pub const SCHEDULE_DELAY_DEFAULT: Duration = OTEL_BSP_SCHEDULE_DELAY_DEFAULT;

/// 0.29 on: `export(&self, …) -> impl Future` (`trace/export.rs:30`).
impl SpanExporter for super::SinkExporter {
    fn export(&self, batch: Vec<SpanData>) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        self.fold(&batch);
        drop(batch);
        std::future::ready(Ok(()))
    }
}

/// The trace state in header form: `&TraceState` iterates its entries in place since 0.32 (api
/// `trace/span_context.rs:266`).
pub fn write_header(state: &TraceState, out: &mut String) {
    crate::write_entries(state, out);
}
