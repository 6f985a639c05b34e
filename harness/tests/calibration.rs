//! value-copy is calibrated against the real SDK: from dhat's call stacks of the measured
//! region, the `TraceState` clones per span at each hand-off must be the same in the value-copy
//! row and the otel-sdk row, at n = 1, 4 and 32. A clone is one allocation of the entries'
//! container (the model's `Vec`, the SDK's `VecDeque`); its strings are not counted again.
//!
//! What the codec costs (root entries, inject, extract) is the model's business: it is printed
//! in a table of its own and not compared, since the SDK's propagator and the model's codec are
//! different code doing the same job.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::measure;

/// A hand-off, by the frames that name it in each row's stacks (innermost match wins).
const HAND_OFFS: &[(&str, &[&str])] = &[
    (
        "sampler (sdk trace/sampler.rs:393)",
        &["ValueCopy as spanalloc_model::strategy::Strategy>::sample", "ShouldSample>::should_sample"],
    ),
    (
        "with_span (api trace/context.rs:47)",
        &["ValueCopy as spanalloc_model::strategy::Strategy>::publish", "SynchronizedSpan as core::convert::From"],
    ),
    (
        "span end (sdk trace/span.rs:227)",
        &["ValueCopy as spanalloc_model::strategy::Strategy>::end", "Span::ensure_ended_and_exported"],
    ),
];

const CODEC: &[(&str, &[&str])] = &[
    ("root entries", &["ValueCopy as spanalloc_model::strategy::Strategy>::root", "TraceState::from_key_value"]),
    ("extract", &["w3c::extract", "TextMapPropagator>::extract"]),
    ("inject", &["w3c::inject", "TextMapPropagator>::inject_context"]),
];

const CLONE_FRAMES: [&str; 2] = [
    "<spanalloc_model::trace_state::TraceState as core::clone::Clone>::clone",
    "<opentelemetry::trace::span_context::TraceState as core::clone::Clone>::clone",
];

#[derive(serde::Deserialize)]
struct Profile {
    pps: Vec<Pp>,
    ftbl: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Pp {
    tbk: u64,
    fs: Vec<usize>,
}

/// `(trace-state clones per hand-off, codec blocks per step)`, per span.
fn clones_by_hand_off(file: &Path, spans: u64) -> (BTreeMap<String, f64>, BTreeMap<String, f64>) {
    let profile: Profile = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let (mut clones, mut codec) = (BTreeMap::new(), BTreeMap::new());
    for pp in &profile.pps {
        let frames: Vec<&str> = pp.fs.iter().map(|&i| profile.ftbl[i].as_str()).collect();
        let named = |table: &[(&'static str, &[&str])]| {
            frames.iter().find_map(|f| table.iter().find(|(_, keys)| keys.iter().any(|k| f.contains(k))).map(|(n, _)| *n))
        };
        if let Some(step) = named(CODEC) {
            *codec.entry(step.to_owned()).or_insert(0.0) += pp.tbk as f64 / spans as f64;
        } else if let Some(at) = frames.iter().position(|f| CLONE_FRAMES.iter().any(|c| f.contains(c))) {
            // The entries' strings are cloned inside the container's clone: count the container only.
            if frames[..at].iter().any(|f| f.contains("<alloc::string::String as core::clone::Clone>::clone")) {
                continue;
            }
            let hand_off = named(HAND_OFFS).map_or_else(|| format!("other: {}", frames[at + 1]), str::to_owned);
            *clones.entry(hand_off).or_insert(0.0) += pp.tbk as f64 / spans as f64;
        }
    }
    (clones, codec)
}

#[test]
fn value_copy_clones_where_the_sdk_clones_hand_off_by_hand_off() {
    const SPANS: u64 = 2_600;
    let dir = tempfile::tempdir().unwrap();
    let spans = SPANS.to_string();
    for n in ["1", "4", "32"] {
        let mut rows = Vec::new();
        for scenario in ["value-copy", "otel-sdk"] {
            let file = dir.path().join(format!("{scenario}-{n}.json"));
            let out = measure("dhat", scenario, &["--spans", &spans, "--trace-state", n, "--dhat-file", file.to_str().unwrap()]);
            assert_eq!(out.spans_exported, SPANS, "{scenario} n={n}: every span exported");
            rows.push((scenario, clones_by_hand_off(&file, SPANS)));
        }
        let ((_, (vc, vc_codec)), (_, (sdk, sdk_codec))) = (&rows[0], &rows[1]);
        eprintln!("n = {n}: trace-state clones per span by hand-off\n  value-copy {vc:?}\n  otel-sdk   {sdk:?}");
        eprintln!("  codec blocks per span (not compared): value-copy {vc_codec:?}, otel-sdk {sdk_codec:?}");
        assert_eq!(vc.keys().collect::<Vec<_>>(), sdk.keys().collect::<Vec<_>>(), "n = {n}: the same hand-offs clone");
        for (hand_off, per_span) in vc {
            assert!(
                (per_span - sdk[hand_off]).abs() < 1e-9,
                "n = {n}, {hand_off}: value-copy {per_span} vs otel-sdk {}",
                sdk[hand_off]
            );
        }
        // A 13-span trace: 12 children clone in the sampler; all 13 spans at with_span and end.
        assert!((vc["sampler (sdk trace/sampler.rs:393)"] - 12.0 / 13.0).abs() < 1e-9);
        assert!((vc["with_span (api trace/context.rs:47)"] - 1.0).abs() < 1e-9);
        assert!((vc["span end (sdk trace/span.rs:227)"] - 1.0).abs() < 1e-9);
    }
}
