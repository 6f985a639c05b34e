//! Results in the formats benchmark-tracking services read: Bencher Metric Format (BMF) and
//! github-action-benchmark's `customSmallerIsBetter`.

use serde_json::{json, Map, Value};

use crate::schema::{Results, ScenarioResult};

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Bencher Metric Format: `{benchmark: {measure: {value}}}`.
    Bmf,
    /// github-action-benchmark `customSmallerIsBetter`: `[{name, unit, value}]`.
    Gab,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "bmf" => Ok(ExportFormat::Bmf),
            "gab" => Ok(ExportFormat::Gab),
            _ => Err(format!("unknown export format '{s}' (bmf, gab)")),
        }
    }
}

/// The smaller-is-better figures exported, with their units.
fn measures(s: &ScenarioResult) -> [(&'static str, &'static str, f64); 6] {
    let m = &s.metrics;
    [
        ("allocs-per-span", "allocs/span", m.allocs_per_span),
        ("bytes-per-span", "bytes/span", m.bytes_per_span),
        ("peak-heap-bytes", "bytes", m.peak_heap_bytes as f64),
        ("peak-rss-bytes", "bytes", m.peak_rss_bytes as f64),
        ("cpu-ns-per-span", "ns/span", m.cpu_ns_per_span),
        ("latency-p99-ns", "ns", m.latency_p99_ns as f64),
    ]
}

fn benchmark(s: &ScenarioResult) -> String {
    format!("{}/ts{}", s.id(), s.trace_state_entries)
}

/// `r` in `format`, as JSON text.
pub fn export(r: &Results, format: ExportFormat) -> String {
    let value = match format {
        ExportFormat::Bmf => {
            let mut root = Map::new();
            for s in &r.scenarios {
                let mut measures_obj = Map::new();
                for (name, _, v) in measures(s) {
                    measures_obj.insert(name.into(), json!({ "value": v }));
                }
                root.insert(benchmark(s), Value::Object(measures_obj));
            }
            Value::Object(root)
        }
        ExportFormat::Gab => Value::Array(
            r.scenarios
                .iter()
                .flat_map(|s| {
                    measures(s)
                        .map(|(name, unit, v)| json!({ "name": format!("{} {name}", benchmark(s)), "unit": unit, "value": v }))
                })
                .collect(),
        ),
    };
    serde_json::to_string_pretty(&value).expect("JSON values serialise")
}
