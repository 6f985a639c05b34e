//! Results in the formats benchmark-tracking services read: Bencher Metric Format (BMF) and
//! github-action-benchmark's `customSmallerIsBetter`.
//!
//! Counts and timing are different kinds of figure: a count is exact (a change of one allocation
//! in a hundred spans is a regression), timing is noisy (a threshold of tens of percent). So they
//! can be exported as separate suites ([`Suite`]), each fed to its own consumer with its own
//! threshold; BMF carries the spread of a figure's repeats as `lower_value` and `upper_value`.

use serde_json::{json, Map, Value};

use spanalloc_record::schema::{Results, ScenarioResult};

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Bencher Metric Format: `{benchmark: {measure: {value, lower_value, upper_value}}}`.
    Bmf,
    /// github-action-benchmark `customSmallerIsBetter`: `[{name, unit, value, range}]`.
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

/// Which figures an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// Allocations and bytes per span: exact (or gated by their measured spread).
    Counts,
    /// CPU, latency, peak heap and RSS: noisy, per machine.
    Timing,
    /// Both.
    All,
}

impl std::str::FromStr for Suite {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "counts" => Ok(Suite::Counts),
            "timing" => Ok(Suite::Timing),
            "all" => Ok(Suite::All),
            _ => Err(format!("unknown suite '{s}' (counts, timing, all)")),
        }
    }
}

/// One exported figure: its name, unit, value and, from repeats, the lowest and highest.
struct Measure {
    name: &'static str,
    unit: &'static str,
    value: f64,
    range: Option<(f64, f64)>,
    counts: bool,
}

fn range(samples: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let v: Vec<f64> = samples.filter(|x| x.is_finite()).collect();
    (v.len() >= 2).then(|| v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x))))
}

/// The smaller-is-better figures exported, with their units and the spread of their repeats.
fn measures(s: &ScenarioResult) -> [Measure; 8] {
    let m = &s.metrics;
    let spans = s.spans.max(1) as f64;
    let per_span = |v: &[u64]| range(v.iter().map(|&x| x as f64 / spans));
    [
        Measure {
            name: "allocs-per-span",
            unit: "allocs/span",
            value: m.allocs_per_span,
            range: per_span(&s.samples.allocs),
            counts: true,
        },
        Measure {
            name: "bytes-per-span",
            unit: "bytes/span",
            value: m.bytes_per_span,
            range: per_span(&s.samples.bytes_allocated),
            counts: true,
        },
        Measure {
            name: "reallocs-per-span",
            unit: "reallocs/span",
            value: m.reallocs_per_span(s.spans),
            range: per_span(&s.samples.reallocs),
            counts: true,
        },
        Measure {
            name: "leaked-blocks-per-span",
            unit: "blocks/span",
            value: m.leaked_blocks_per_span(s.spans),
            range: range(s.samples.leaked_blocks().into_iter().map(|b| b as f64 / spans)),
            counts: true,
        },
        Measure {
            name: "peak-heap-bytes",
            unit: "bytes",
            value: m.peak_heap_bytes as f64,
            range: range(s.samples.peak_heap_bytes.iter().copied()),
            counts: false,
        },
        Measure {
            name: "peak-rss-bytes",
            unit: "bytes",
            value: m.peak_rss_bytes as f64,
            range: range(s.samples.peak_rss_bytes.iter().copied()),
            counts: false,
        },
        Measure {
            name: "cpu-ns-per-span",
            unit: "ns/span",
            value: m.cpu_ns_per_span,
            range: range(s.samples.cpu_ns_per_span.iter().copied()),
            counts: false,
        },
        Measure {
            name: "latency-p99-ns",
            unit: "ns",
            value: m.latency_p99_ns as f64,
            range: range(s.samples.latency_p99_ns.iter().copied()),
            counts: false,
        },
    ]
}

fn benchmark(s: &ScenarioResult) -> String {
    format!("{}/ts{}", s.id(), s.trace_state_entries)
}

fn wanted(m: &Measure, suite: Suite) -> bool {
    match suite {
        Suite::Counts => m.counts,
        Suite::Timing => !m.counts,
        Suite::All => true,
    }
}

/// `r`'s figures of `suite` in `format`, as JSON text.
pub fn export(r: &Results, format: ExportFormat, suite: Suite) -> String {
    let value = match format {
        ExportFormat::Bmf => {
            let mut root = Map::new();
            for s in &r.scenarios {
                let mut measures_obj = Map::new();
                for m in measures(s).into_iter().filter(|m| wanted(m, suite)) {
                    let mut v = json!({ "value": m.value });
                    if let Some((lo, hi)) = m.range {
                        v["lower_value"] = json!(lo);
                        v["upper_value"] = json!(hi);
                    }
                    measures_obj.insert(m.name.into(), v);
                }
                root.insert(benchmark(s), Value::Object(measures_obj));
            }
            Value::Object(root)
        }
        ExportFormat::Gab => Value::Array(
            r.scenarios
                .iter()
                .flat_map(|s| {
                    measures(s).into_iter().filter(|m| wanted(m, suite)).map(|m| {
                        let mut v = json!({ "name": format!("{} {}", benchmark(s), m.name), "unit": m.unit, "value": m.value });
                        if let Some((lo, hi)) = m.range {
                            v["range"] = json!(format!("{lo}..{hi}"));
                        }
                        v
                    })
                })
                .collect(),
        ),
    };
    serde_json::to_string_pretty(&value).expect("JSON values serialise")
}

#[cfg(test)]
mod tests {
    use super::*;
    use spanalloc_record::input::parse_results;

    fn fixture() -> Results {
        parse_results(include_bytes!("../../record/tests/fixtures/results-v1.json")).expect("the fixture is valid")
    }

    #[test]
    fn bmf_carries_the_spread_of_repeats_and_suites_split_counts_from_timing() {
        let mut r = fixture();
        r.scenarios[1].samples.allocs = vec![3280, 3290, 3285];
        let bmf: Value = serde_json::from_str(&export(&r, ExportFormat::Bmf, Suite::All)).unwrap();
        let pp = &bmf["pointer-passing/ts0"];
        // serde_json parses floats to within an ulp.
        let near = |v: &Value, want: f64| (v.as_f64().unwrap() - want).abs() < 1e-12;
        assert!(near(&pp["allocs-per-span"]["lower_value"], 3280.0 / 2600.0), "{pp}");
        assert!(near(&pp["allocs-per-span"]["upper_value"], 3290.0 / 2600.0), "{pp}");
        // The fixture ran --repeat 5: its CPU carries its range; a figure of one run has none.
        assert!(pp["cpu-ns-per-span"]["lower_value"].is_number());
        assert!(bmf["value-copy/ts0"]["allocs-per-span"].get("lower_value").is_none());
        let counts: Value = serde_json::from_str(&export(&r, ExportFormat::Bmf, Suite::Counts)).unwrap();
        let keys: Vec<&String> = counts["pointer-passing/ts0"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["allocs-per-span", "bytes-per-span", "leaked-blocks-per-span", "reallocs-per-span"]);
        let timing: Value = serde_json::from_str(&export(&r, ExportFormat::Gab, Suite::Timing)).unwrap();
        let names: Vec<&str> = timing.as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
        assert!(names.iter().all(|n| !n.contains("per-span") || n.contains("cpu-ns")), "{names:?}");
        assert_eq!(names.len(), 8 * 4);
    }
}
