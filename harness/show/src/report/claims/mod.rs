//! The article's claims — "Go指针在云原生可观测性中的秘密应用:如何用*trace.SpanContext降低
//! OpenTelemetry内存开销62%", on Go OpenTelemetry — checked against measured numbers. Every verdict
//! is computed from results and benchmark estimates — none is written by hand — per size, with
//! direction and size judged apart ([`judge`]). The claims are written as `claims.json` beside
//! the report, and the report's table is drawn from the same values.

pub mod benchmem;
mod c5;
pub mod claim;
pub mod go;
pub mod judge;
pub mod rust;

pub use claim::{Claim, Claims, Contrast, SizeVerdict, CLAIMS_VERSION};
pub use judge::Verdict;

/// Every claim, judged from `results` and the benchmark estimates.
pub fn evaluate(results: &spanalloc_record::schema::Results, benches: &[super::sources::BenchEstimate]) -> Claims {
    let mut claims = rust::evaluate(results, benches);
    claims.extend(go::evaluate(results));
    claims.extend(benchmem::evaluate(results));
    Claims { version: CLAIMS_VERSION, claims }
}
