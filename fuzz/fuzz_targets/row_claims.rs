//! A row's own claims, fuzzed: odd `dropped_spans`, `producers`, `spans`, `spans_exported`,
//! `export_batches` and figures — negative, huge, fractional, NaN-like — written into the fixture's
//! first row. The file loads or is refused in one line; one that loads compares with itself
//! without a regression, renders as text and Markdown, and a ratchet over a history of it never
//! raises a figure of the baseline.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanalloc_judge::compare::compare;
use spanalloc_judge::ratchet::{ratchet, Kind};
use spanalloc_judge::thresholds::Thresholds;
use spanalloc_record::history::HistoryEntry;
use spanalloc_record::input::parse_results;
use spanalloc_show::compare::{render, Format};

const FIXTURE: &[u8] = include_bytes!("../corpus/results/fixture.json");

/// A JSON number from 9 bytes: a tag choosing its kind, then 8 bytes of value.
fn number(b: &[u8]) -> serde_json::Value {
    let mut raw = [0u8; 8];
    let tail = b.get(1..).unwrap_or_default();
    let n = tail.len().min(8);
    raw[..n].copy_from_slice(&tail[..n]);
    let bits = u64::from_le_bytes(raw);
    match b.first().copied().unwrap_or(0) % 5 {
        0 => serde_json::json!(bits),
        1 => serde_json::json!((bits as i64).wrapping_abs().wrapping_neg()),
        2 => serde_json::json!(f64::from_bits(bits)),
        3 => serde_json::json!(bits % 4),
        _ => serde_json::json!(bits as f64 / 7.0),
    }
}

const FIELDS: [&str; 10] = [
    "dropped_spans",
    "producers",
    "spans",
    "spans_exported",
    "metrics.allocs",
    "metrics.allocs_per_span",
    "metrics.bytes_per_span",
    "metrics.peak_heap_bytes",
    "samples.export_batches",
    "metrics.reallocs",
];

fuzz_target!(|data: &[u8]| {
    let mut v: serde_json::Value = serde_json::from_slice(FIXTURE).expect("the fixture parses");
    let row = data.first().map_or(0, |&b| b as usize) % v["scenarios"].as_array().unwrap().len();
    for chunk in data.get(1..).unwrap_or_default().chunks(10) {
        let field = FIELDS[chunk[0] as usize % FIELDS.len()];
        let n = number(&chunk[1..]);
        let s = &mut v["scenarios"][row];
        match field.split_once('.') {
            Some(("samples", "export_batches")) => s["samples"]["export_batches"] = serde_json::json!([n.clone(), n]),
            Some((outer, inner)) => s[outer][inner] = n,
            None => s[field] = n,
        }
    }
    let bytes = serde_json::to_vec(&v).unwrap();
    let r = match parse_results(&bytes) {
        Ok(r) => r,
        Err(e) => {
            assert!(!e.is_empty() && !e.contains('\n'), "errors are one line: {e:?}");
            return;
        }
    };
    let c = compare(&r, &r, &Thresholds::default(), ("a", "a"));
    assert_eq!(c.regressions, 0, "a run never regresses against itself");
    let _ = render(&c, Format::Text);
    let _ = render(&c, Format::Markdown);
    // Three nights of it: whatever the ratchet does, no figure of the baseline rises.
    let mut runs = Vec::new();
    for i in 0..3 {
        let mut n = r.clone();
        n.environment.run_id = Some(format!("night{i}"));
        runs.push(n);
    }
    let history: Vec<HistoryEntry> = runs.iter().map(HistoryEntry::from_results).collect();
    if let Ok((next, _)) = ratchet(&r, &runs[2], &history, Kind::Counts, 3) {
        for (a, b) in r.scenarios.iter().zip(&next.scenarios) {
            assert!(!(b.metrics.allocs_per_span > a.metrics.allocs_per_span), "allocs/span rose");
            assert!(!(b.metrics.bytes_per_span > a.metrics.bytes_per_span), "bytes/span rose");
        }
    }
});
