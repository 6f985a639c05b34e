//! The digest covers the attributes the SDK's exporter received: a row that drops or changes one
//! no longer shows the workload's digest, while the row as it is equals the model's.

use opentelemetry::KeyValue;
use spanalloc_model::workload::ATTRIBUTES;
use spanalloc_model::{reference, walk, NoHooks, WorkloadConfig};
use spanalloc_otel_sdk::{Attributes, SdkPipeline, SdkPipelineWithAttributes};

/// Paced at 20,000 spans/s: unpaced, the row paces itself at 100,000, which a debug build beside
/// a loaded runner's other work outruns — its bounded queue then drops spans (40 of 2,600 in one
/// CI run), and the digest is of other work.
fn config(trace_state_entries: usize) -> WorkloadConfig {
    WorkloadConfig { spans: 2_600, warmup: 260, rate: 20_000, trace_state_entries, ..WorkloadConfig::default() }
}

/// The row's attributes without the last (`retry`).
struct WithoutOne;
impl Attributes for WithoutOne {
    fn build() -> Vec<KeyValue> {
        ATTRIBUTES[..ATTRIBUTES.len() - 1].iter().map(|(k, v)| KeyValue::new(*k, *v)).collect()
    }
}

/// The row's attributes with one value changed (`net.peer.port` 5433).
struct OneChanged;
impl Attributes for OneChanged {
    fn build() -> Vec<KeyValue> {
        ATTRIBUTES.iter().map(|(k, v)| KeyValue::new(*k, if *k == "net.peer.port" { v + 1 } else { *v })).collect()
    }
}

#[test]
fn the_digest_sees_a_missing_or_changed_attribute() {
    for ts in [0, 4, 32] {
        let cfg = config(ts);
        let expected = reference::expected(&cfg);
        let row = walk::run::<SdkPipeline>(&cfg, &NoHooks);
        assert_eq!((row.digest, row.spans_exported), (expected.digest, expected.spans_exported), "ts {ts}: the row as it is");
        let without = walk::run::<SdkPipelineWithAttributes<WithoutOne>>(&cfg, &NoHooks);
        assert_eq!(without.spans_exported, expected.spans_exported);
        assert_ne!(without.digest, expected.digest, "ts {ts}: an attribute removed kept the workload's digest");
        let changed = walk::run::<SdkPipelineWithAttributes<OneChanged>>(&cfg, &NoHooks);
        assert_ne!(changed.digest, expected.digest, "ts {ts}: an attribute changed kept the workload's digest");
    }
}
