//! The report's optional inputs beside results.json: criterion's estimates and iai-callgrind's
//! summaries, found by walking their output directories.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One criterion benchmark's latest estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchEstimate {
    /// `group/function/parameter`, as criterion names it.
    pub id: String,
    /// Median time per iteration, ns.
    pub median_ns: f64,
    /// Lower and upper bound of the median's confidence interval, ns.
    pub median_ci_ns: (f64, f64),
    /// A paired bench's every round, ns, in the order measured (its sides interleaved round by
    /// round, so that round i of one side pairs with round i of the other); empty for criterion's.
    pub rounds_ns: Vec<f64>,
}

/// One iai-callgrind benchmark's instruction count.
#[derive(Debug, Clone, PartialEq)]
pub struct InstructionCount {
    /// The benchmark, as iai-callgrind names it.
    pub id: String,
    /// Instructions executed (callgrind's `Ir`).
    pub instructions: u64,
}

#[derive(Deserialize)]
struct Estimates {
    median: Estimate,
}

#[derive(Deserialize)]
struct Estimate {
    point_estimate: f64,
    confidence_interval: Interval,
}

#[derive(Deserialize)]
struct Interval {
    lower_bound: f64,
    upper_bound: f64,
}

#[derive(Deserialize)]
struct BenchmarkId {
    full_id: String,
}

fn files_named(root: &Path, name: &str, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 8 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for e in entries.flatten() {
        let p = e.path();
        // A symlinked directory is not walked: a link to itself or a parent would make the walk
        // exponential (criterion and iai-callgrind make none).
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            files_named(&p, name, out, depth + 1);
        } else if p.file_name().is_some_and(|n| n == name) {
            out.push(p);
        }
    }
}

/// A paired estimate from `target/spanalloc-bench/*.json` (benches/src/paired.rs).
#[derive(Deserialize)]
struct PairedEstimate {
    id: String,
    median_ns: f64,
    ci_ns: (f64, f64),
    /// Absent from files written before the rounds were kept.
    #[serde(default)]
    rounds_ns: Vec<f64>,
}

/// The estimate of bench `id` among `b`.
pub fn bench<'a>(b: &'a [BenchEstimate], id: &str) -> Option<&'a BenchEstimate> {
    b.iter().find(|e| e.id == id)
}

/// Every `**/new/estimates.json` under `root` (criterion's output, normally `target/criterion`),
/// and the paired estimates the spanalloc benches that criterion cannot run write beside it
/// (`root/../spanalloc-bench/*.json`).
pub fn criterion(root: &Path) -> Vec<BenchEstimate> {
    let mut out = criterion_only(root);
    let paired_dir = root.parent().map(|p| p.join("spanalloc-bench"));
    for file in paired_dir.iter().filter_map(|d| std::fs::read_dir(d).ok()).flatten().flatten() {
        let Ok(bytes) = std::fs::read(file.path()) else { continue };
        let Ok(estimates) = serde_json::from_slice::<Vec<PairedEstimate>>(&bytes) else { continue };
        out.extend(estimates.into_iter().map(|e| BenchEstimate {
            id: e.id,
            median_ns: e.median_ns,
            median_ci_ns: e.ci_ns,
            rounds_ns: e.rounds_ns,
        }));
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn criterion_only(root: &Path) -> Vec<BenchEstimate> {
    let mut files = Vec::new();
    files_named(root, "estimates.json", &mut files, 0);
    let mut out: Vec<BenchEstimate> = files
        .iter()
        .filter(|f| f.parent().and_then(Path::file_name).is_some_and(|d| d == "new"))
        .filter_map(|f| {
            let est: Estimates = serde_json::from_slice(&std::fs::read(f).ok()?).ok()?;
            let id: BenchmarkId = serde_json::from_slice(&std::fs::read(f.with_file_name("benchmark.json")).ok()?).ok()?;
            let m = est.median;
            Some(BenchEstimate {
                id: id.full_id,
                median_ns: m.point_estimate,
                median_ci_ns: (m.confidence_interval.lower_bound, m.confidence_interval.upper_bound),
                rounds_ns: Vec::new(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Every `summary.json` under `root` (iai-callgrind's output, normally `target/iai`) with a
/// callgrind `Ir` figure; the newest value is taken.
pub fn iai(root: &Path) -> Vec<InstructionCount> {
    let mut files = Vec::new();
    files_named(root, "summary.json", &mut files, 0);
    let mut out: Vec<InstructionCount> = files
        .iter()
        .filter_map(|f| {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(f).ok()?).ok()?;
            let name = [v.get("module_path"), v.get("id")]
                .iter()
                .filter_map(|x| x.and_then(serde_json::Value::as_str))
                .collect::<Vec<_>>()
                .join("::");
            let id = if name.is_empty() { f.parent()?.file_name()?.to_string_lossy().into_owned() } else { name };
            Some(InstructionCount { id, instructions: find_ir(&v)? })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Callgrind's `Ir` over all threads: `profiles[].summaries.total.summary.Callgrind.Ir.metrics`,
/// which holds `{"Left": {"Int": n}}` or `{"Both": [{"Int": new}, {"Int": old}]}` (new first).
fn find_ir(v: &serde_json::Value) -> Option<u64> {
    v.get("profiles")?.as_array()?.iter().find_map(|p| {
        let metrics = p.pointer("/summaries/total/summary/Callgrind/Ir/metrics")?;
        first_number(metrics)
    })
}

fn first_number(v: &serde_json::Value) -> Option<u64> {
    match v {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f as u64)),
        serde_json::Value::Object(map) => {
            ["Left", "Both", "Int", "Float"].iter().filter_map(|k| map.get(*k)).find_map(first_number)
        }
        serde_json::Value::Array(items) => items.first().and_then(first_number),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_criterion_estimates() {
        // criterion's root one level down: the paired estimates are read from its parent, which
        // must be this test's own folder, never the shared temporary directory.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("criterion");
        let new = root.join("handoff/value/24/new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(
            new.join("benchmark.json"),
            r#"{"group_id":"handoff","function_id":"value","value_str":"24","full_id":"handoff/value/24"}"#,
        )
        .unwrap();
        std::fs::write(
            new.join("estimates.json"),
            r#"{"mean":{"point_estimate":2.0,"confidence_interval":{"lower_bound":1.0,"upper_bound":3.0}},
                "median":{"point_estimate":1.5,"confidence_interval":{"lower_bound":1.4,"upper_bound":1.6}}}"#,
        )
        .unwrap();
        // The `base` copy criterion keeps is not the latest run.
        let base = root.join("handoff/value/24/base");
        std::fs::create_dir_all(&base).unwrap();
        std::fs::copy(new.join("estimates.json"), base.join("estimates.json")).unwrap();
        assert_eq!(
            criterion(&root),
            vec![BenchEstimate { id: "handoff/value/24".into(), median_ns: 1.5, median_ci_ns: (1.4, 1.6), rounds_ns: vec![] }]
        );
        assert!(criterion(&dir.path().join("absent")).is_empty());
    }

    #[test]
    fn reads_paired_estimates_beside_criterion() {
        let dir = tempfile::tempdir().unwrap();
        let paired = dir.path().join("spanalloc-bench");
        std::fs::create_dir_all(&paired).unwrap();
        std::fs::write(
            paired.join("handoff_thread.json"),
            r#"[{"id":"handoff_thread/box/24","median_ns":116.6,"ci_ns":[109.2,125.7],"rounds":31}]"#,
        )
        .unwrap();
        assert_eq!(
            criterion(&dir.path().join("criterion")),
            vec![BenchEstimate {
                id: "handoff_thread/box/24".into(),
                median_ns: 116.6,
                median_ci_ns: (109.2, 125.7),
                rounds_ns: vec![]
            }]
        );
    }

    #[test]
    fn finds_ir_in_nested_summaries() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"profiles":[{"summaries":{"parts":[{"summary":{"Callgrind":{"Ir":{"metrics":{"Left":{"Int":7}}}}}}],
                "total":{"summary":{"Callgrind":{"Ir":{"diffs":{"diff_pct":"0"},"metrics":{"Both":[{"Int":1200},{"Int":1100}]}}}}}}}]}"#,
        )
        .unwrap();
        assert_eq!(find_ir(&v), Some(1200), "the total, the new value, not a part or a diff");
    }
}
