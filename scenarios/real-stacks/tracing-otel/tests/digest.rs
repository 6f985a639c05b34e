//! The digest covers the attributes the stack's exporter received: the stack with one field
//! removed from its callsites, or one value changed, no longer shows the workload's digest, while
//! the stack as it is equals the model's.

use spanalloc_model::{reference, walk, NoHooks, WorkloadConfig};
use spanalloc_tracing_otel::{Callsites, TracingPipeline};

/// Paced at 20,000 spans/s: unpaced, the stack paces itself at its gate rate, which a debug build
/// on a loaded runner can outrun — the SDK's bounded queue then drops spans, and the digest is of
/// other work (as scenarios/otel-sdk/tests/digest.rs saw in CI).
fn config(trace_state_entries: usize) -> WorkloadConfig {
    WorkloadConfig { spans: 2_600, warmup: 260, rate: 20_000, trace_state_entries, ..WorkloadConfig::default() }
}

/// The workload's callsites without `retry`.
struct WithoutOne;
impl Callsites for WithoutOne {
    fn span(parent: Option<tracing::Id>, name: &str) -> tracing::Span {
        match name {
            "GET /checkout" => {
                tracing::info_span!(parent: parent, "GET /checkout", http.status_code = 200i64, net.peer.port = 5432i64)
            }
            "inventory.reserve" => {
                tracing::info_span!(parent: parent, "inventory.reserve", http.status_code = 200i64, net.peer.port = 5432i64)
            }
            "db.query" => tracing::info_span!(parent: parent, "db.query", http.status_code = 200i64, net.peer.port = 5432i64),
            other => panic!("no callsite for {other:?}"),
        }
    }
}

/// The workload's callsites with `net.peer.port` 5433.
struct OneChanged;
impl Callsites for OneChanged {
    fn span(parent: Option<tracing::Id>, name: &str) -> tracing::Span {
        match name {
            "GET /checkout" => {
                tracing::info_span!(parent: parent, "GET /checkout", http.status_code = 200i64, net.peer.port = 5433i64, retry = 0i64)
            }
            "inventory.reserve" => {
                tracing::info_span!(parent: parent, "inventory.reserve", http.status_code = 200i64, net.peer.port = 5433i64, retry = 0i64)
            }
            "db.query" => {
                tracing::info_span!(parent: parent, "db.query", http.status_code = 200i64, net.peer.port = 5433i64, retry = 0i64)
            }
            other => panic!("no callsite for {other:?}"),
        }
    }
}

#[test]
fn the_digest_sees_a_missing_or_changed_field() {
    for ts in [0, 4] {
        let cfg = config(ts);
        let expected = reference::expected(&cfg);
        let row = walk::run::<TracingPipeline>(&cfg, &NoHooks);
        assert_eq!((row.digest, row.spans_exported), (expected.digest, expected.spans_exported), "ts {ts}: the stack as it is");
        let without = walk::run::<TracingPipeline<WithoutOne>>(&cfg, &NoHooks);
        assert_eq!(without.spans_exported, expected.spans_exported);
        assert_ne!(without.digest, expected.digest, "ts {ts}: a field removed kept the workload's digest");
        let changed = walk::run::<TracingPipeline<OneChanged>>(&cfg, &NoHooks);
        assert_ne!(changed.digest, expected.digest, "ts {ts}: a field changed kept the workload's digest");
    }
}
