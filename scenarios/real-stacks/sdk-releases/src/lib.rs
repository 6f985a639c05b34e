//! # opentelemetry_sdk, release by release
//!
//! The otel-sdk row at every minor release from 0.28 — where the batch span processor became a
//! thread of its own; earlier releases need an async runtime — to 0.32, beside 0.33 (the
//! otel-sdk row itself). Each release is a module that `include!`s the otel-sdk crate's own row
//! (`scenarios/otel-sdk/src/sdk_row.rs`) with `opentelemetry` and `opentelemetry_sdk` naming that
//! release's crates (renamed dependencies), and an `adapter.rs` holding only what the release's
//! API changed, each item cited to the release's source. So every release runs the same code on
//! the same workload, and must export the same spans (the digest); what moves between two
//! releases is the SDK's own work.
//!
//! ## Exports per wake-up (0.28–0.30)
//! Their batch processor exports one batch of at most 512 per wake-up (`get_spans_and_export`,
//! `trace/span_processor.rs` at 0.28.0–0.30.0; 0.31.0 loops until everything counted at the
//! wake-up is out, lines 451–482). It counts queued spans down only after an export and re-arms
//! its "export message sent" flag before it, so once its worker falls behind, a producer sends a
//! message per span and the worker exports a span or a few at a time until it catches up. How
//! often that happens follows the threads' timing: 20,000-span count passes of 0.28 at n = 4
//! took 53 to 1,412 exports; the profiler's 2,000-span passes of the three, 4 to 1,972. Each
//! export costs the same whatever its size (the adapter's `PER_EXPORT`, cited), so each pass
//! records its export batches and its counts are judged net of that cost — 659,075 to 659,080
//! allocations net over those passes, against 659,182 to 661,904 as measured — and its profile
//! is held to its count passes the same way.
#![deny(missing_docs)]

use std::cell::RefCell;
use std::fmt::Write as _;

use spanalloc::catalog::Catalog;

/// A trace state in header form (`k1=v1,k2=v2`) from its derived `Debug`
/// (`TraceState(Some([("k1", "v1"), …]))`), for the releases before 0.32, whose `TraceState` has
/// no iterator over its entries: `header()` builds a `String` on every call, which would charge
/// the exporter's allocation to the release. The `Debug` text goes into a buffer this thread
/// reuses (allocated once, during the warm-up's first export), and its quoted strings are copied
/// out, alternately joined by `=` and `,`. W3C keys and values hold no `"` or `\\`.
pub fn header_from_debug(state: &dyn std::fmt::Debug, out: &mut String) {
    thread_local! {
        static SCRATCH: RefCell<String> = RefCell::new(String::with_capacity(4096));
    }
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        scratch.clear();
        let _ = write!(scratch, "{state:?}");
        let (mut closed, mut inside) = (0usize, false);
        for c in scratch.chars() {
            if c == '"' {
                inside = !inside;
                if inside && closed > 0 {
                    out.push(if closed % 2 == 1 { '=' } else { ',' });
                }
                if !inside {
                    closed += 1;
                }
            } else if inside {
                out.push(c);
            }
        }
    });
}

/// The batch processor's defaults before 0.33, which made them public: `pub(crate)` in every
/// release here, so spelled out — the same values in each (`trace/span_processor.rs`, lines 56–64
/// at 0.28.0, 55–63 at 0.29.0 to 0.32.1; 0.28 keeps the delay as a `u64` of milliseconds).
pub mod before_033 {
    use std::time::Duration;

    /// `OTEL_BSP_MAX_QUEUE_SIZE_DEFAULT`.
    pub const QUEUE_DEFAULT: usize = 2_048;
    /// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE_DEFAULT`.
    pub const EXPORT_BATCH_DEFAULT: usize = 512;
    /// `OTEL_BSP_SCHEDULE_DELAY_DEFAULT`.
    pub const SCHEDULE_DELAY_DEFAULT: Duration = Duration::from_millis(5_000);
}

/// One release's module: the otel-sdk row's code `include!`d with `opentelemetry` and
/// `opentelemetry_sdk` naming that release's crates, and its `adapter.rs` (`src/v0_NN/`).
macro_rules! release {
    ($module:ident, $api:ident, $sdk:ident, $minor:literal) => {
        #[doc = concat!("opentelemetry_sdk ", $minor, ": the otel-sdk row's code over this release's crates.")]
        pub mod $module {
            use spanalloc_model::Scenario;
            use $api as opentelemetry;
            use $sdk as opentelemetry_sdk;

            mod adapter;

            include!("../../../otel-sdk/src/sdk_row.rs");

            const BASE: Scenario = Scenario::pipeline::<SdkPipeline>(
                concat!("otel-sdk@", $minor),
                concat!("opentelemetry_sdk ", $minor, ": the otel-sdk row's code and workload over that release"),
            )
            .with_unpaced_rate(spanalloc_otel_sdk::UNPACED_RATE)
            .gated_at(spanalloc_otel_sdk::GATE_RATE)
            .gated_from(spanalloc_otel_sdk::LARGE_TRACE_STATE, spanalloc_otel_sdk::LARGE_GATE_RATE)
            .may_drop_spans();

            /// The row, named by its release; its counts judged net of each export's cost where
            /// its adapter says what that is.
            pub const SCENARIO: Scenario = match adapter::PER_EXPORT {
                Some(cost) => BASE.costs_per_export(cost),
                None => BASE,
            };
        }
    };
}

release!(v0_28, api28, sdk28, "0.28");
release!(v0_29, api29, sdk29, "0.29");
release!(v0_30, api30, sdk30, "0.30");
release!(v0_31, api31, sdk31, "0.31");
release!(v0_32, api32, sdk32, "0.32");

/// The releases in order, oldest first; the otel-sdk row (0.33) follows them.
pub const RELEASES: [spanalloc_model::Scenario; 5] =
    [v0_28::SCENARIO, v0_29::SCENARIO, v0_30::SCENARIO, v0_31::SCENARIO, v0_32::SCENARIO];

/// The built-ins (otel-sdk among them, at 0.33) and the releases before it.
pub fn catalog() -> Catalog {
    RELEASES.into_iter().fold(Catalog::builtin(), Catalog::with)
}

#[cfg(test)]
mod tests {
    use super::header_from_debug;

    #[test]
    fn the_debug_form_gives_the_header() {
        let state = api28::trace::TraceState::from_key_value([("vendor00", "00f067aa0ba902b7"), ("vendor01", "1")]).unwrap();
        let mut out = String::from("x ");
        header_from_debug(&state, &mut out);
        assert_eq!(out, format!("x {}", state.header()));
        let mut empty = String::new();
        header_from_debug(&api28::trace::TraceState::NONE, &mut empty);
        assert_eq!(empty, "");
    }
}
