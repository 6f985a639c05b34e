//! Reading a results file someone handed us, and saying in one line what is wrong with it.
//!
//! Every reader of results — compare, baseline, history, export, report — comes through here,
//! so every one refuses the same bad input with the same words: the file, then the problem.

use std::path::{Path, PathBuf};

use crate::schema::{Results, EXACT_FLAG_SINCE, OLDEST_SCHEMA_VERSION, SAME_WORK_DIGEST, SCHEMA_VERSION};

/// A results file that cannot be used: the binary prints it as one line and exits 2.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", crate::inert::visible(&path.display().to_string()))]
pub struct InputError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: String,
}

impl InputError {
    /// `path: problem`.
    /// The problem is made one inert line (it may quote the file: an unknown name, a kind).
    pub fn new(path: &Path, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        let problem = crate::inert::visible(&problem).into_owned();
        InputError { path: path.to_path_buf(), problem }
    }
}

/// Reads, parses and checks a results file.
pub fn load_results(path: &Path) -> Result<Results, InputError> {
    read_results(path).map(|(results, _)| results)
}

/// Reads, parses and checks a results file; also returns its bytes, for callers that copy the
/// file as it is (a baseline) and should not read it twice.
pub fn read_results(path: &Path) -> Result<(Results, Vec<u8>), InputError> {
    let err = |p: String| InputError::new(path, p);
    if path.is_dir() {
        return Err(err("is a directory, expected a results file".into()));
    }
    let bytes = crate::fsio::read_regular(path, crate::fsio::CAP_RESULTS).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => err("no such file".into()),
        std::io::ErrorKind::InvalidInput => err(format!("{e}, expected a results file")),
        _ => err(format!("cannot read: {e}")),
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(err("empty file, expected a results file".into()));
    }
    let results = parse_results(&bytes).map_err(err)?;
    Ok((results, bytes))
}

/// Parses and checks results from bytes; the error says what is wrong, without the file name.
pub fn parse_results(bytes: &[u8]) -> Result<Results, String> {
    // The version first, so that a newer file is refused for its version, not for a field.
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_eof() {
            format!("truncated JSON ({e})")
        } else {
            format!("not valid JSON ({e})")
        }
    })?;
    match value.get("schema_version").map(serde_json::Value::as_u64) {
        None => return Err("not a spanalloc results file (no schema_version)".into()),
        Some(Some(v)) if (u64::from(OLDEST_SCHEMA_VERSION)..=u64::from(SCHEMA_VERSION)).contains(&v) => {}
        Some(v) => {
            let shown = v.map_or_else(|| value["schema_version"].to_string(), |v| v.to_string());
            return Err(format!(
                "schema_version {shown} is not supported (this spanalloc reads {OLDEST_SCHEMA_VERSION} to {SCHEMA_VERSION})"
            ));
        }
    }
    let version = value["schema_version"].as_u64().unwrap_or_default();
    let mut results: Results =
        serde_json::from_value(value).map_err(|e| format!("not a spanalloc results file of schema {version}: {e}"))?;
    check_names(&results)?;
    check_numbers(&results)?;
    check_consistency(&results)?;
    if results.schema_version < EXACT_FLAG_SINCE {
        infer_exact_counts(&mut results);
    }
    Ok(results)
}

/// Before schema 8 a row did not say whether its counts are exact; its cross-check did (it
/// required an exact match exactly then). A row without one is exact when it is a Rust row with
/// one producer that stated no tolerance of its own, other than the SDK row — the one Rust row of
/// those versions whose pipeline has a thread of its own.
fn infer_exact_counts(r: &mut Results) {
    for s in &mut r.scenarios {
        s.exact_counts = match &s.cross_check {
            Some(c) => c.exact,
            None => s.language == "rust" && s.producers == 1 && s.counts_tolerance_pct.is_none() && s.name != "otel-sdk",
        };
    }
}

/// The longest scenario or allocator name a results file may hold. A name is an identifier,
/// repeated in every comparison row, chart and exported benchmark: a long one would multiply
/// its length into every output (a 30 MB name made `compare --format json` write 2.1 GB).
pub const MAX_NAME: usize = 200;

/// Names are short, and a row's id (`name@allocator`) names one row only: a scenario literally
/// named `value-copy@jemalloc` would be exported, compared and charted as value-copy on jemalloc.
fn check_names(r: &Results) -> Result<(), String> {
    let mut ids = std::collections::BTreeMap::new();
    for s in &r.scenarios {
        for (what, name) in [("scenario name", &s.name), ("allocator name", &s.allocator)] {
            if name.len() > MAX_NAME {
                let head: String = name.chars().take(40).collect();
                return Err(format!(
                    "a {what} of {} bytes ({}…): longer than {MAX_NAME}, the most a name may be",
                    name.len(),
                    crate::inert::visible(&head)
                ));
            }
        }
        if s.allocator.contains('@') {
            return Err(format!("allocator name '{}' holds '@', which separates a row's allocator from its name", s.allocator));
        }
        // The same row twice is check_numbers' to name; two rows under one id is this.
        if ids.insert((s.id(), s.trace_state_entries), s.key()).is_some_and(|k| k != s.key()) {
            return Err(format!(
                "{} ts={} names two rows (a scenario named with '@' and an allocator's row): each row's id must be its own",
                s.id(),
                s.trace_state_entries
            ));
        }
    }
    Ok(())
}

/// Every measured figure must be a finite, non-negative number, and every scenario × trace
/// state appear once.
fn check_numbers(r: &Results) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for s in &r.scenarios {
        if !seen.insert(s.key()) {
            return Err(format!("{} ts={} appears more than once", s.id(), s.trace_state_entries));
        }
    }
    for s in &r.scenarios {
        let m = &s.metrics;
        let named = [
            ("allocs_per_span", m.allocs_per_span),
            ("bytes_per_span", m.bytes_per_span),
            ("achieved_rate", m.achieved_rate),
            ("cpu_ns_per_span", m.cpu_ns_per_span),
            ("allocs_per_sec", m.allocs_per_sec),
            ("meter_overhead", m.meter_overhead),
        ];
        let samples = [
            ("cpu_ns_per_span", &s.samples.cpu_ns_per_span),
            ("count_cpu_ns_per_span", &s.samples.count_cpu_ns_per_span),
            ("latency_p50_ns", &s.samples.latency_p50_ns),
            ("latency_p99_ns", &s.samples.latency_p99_ns),
            ("peak_rss_bytes", &s.samples.peak_rss_bytes),
            ("achieved_rate", &s.samples.achieved_rate),
        ];
        let all = named
            .iter()
            .map(|(n, v)| (format!("metrics.{n}"), *v))
            .chain(samples.iter().flat_map(|(n, vs)| vs.iter().map(move |v| (format!("samples.{n}"), *v))));
        for (name, v) in all {
            if !v.is_finite() || v < 0.0 {
                return Err(format!("{} ts={}: {name} is {v}, expected a non-negative number", s.name, s.trace_state_entries));
            }
        }
        // Counts are judged on their totals when span counts are equal, on per-span figures when
        // not: the two must say the same, or a file could show one figure and be judged on another.
        for (name, per_span, total) in
            [("allocs_per_span", m.allocs_per_span, m.allocs), ("bytes_per_span", m.bytes_per_span, m.bytes_allocated)]
        {
            let implied = total as f64 / s.spans.max(1) as f64;
            if (per_span - implied).abs() * s.spans.max(1) as f64 > 0.5 + 1e-9 * total as f64 {
                return Err(format!(
                    "{} ts={}: metrics.{name} is {per_span}, but its total over {} spans gives {implied}",
                    s.name, s.trace_state_entries, s.spans
                ));
            }
        }
    }
    Ok(())
}

/// A row's figures must agree with each other before they are believed: each count pass's totals
/// with the row's metrics (which are the first pass's), every pass recorded for every count, an
/// exact row's passes identical, and — for a row that proves its work by digest — the spans it
/// exported plus those it dropped equal to the workload's, under the workload's digest when it
/// dropped none. Checked on the fields a file's schema has. This catches corruption and hand
/// edits; it cannot make a forged measurement honest (docs/baselines.md).
fn check_consistency(r: &Results) -> Result<(), String> {
    for s in &r.scenarios {
        let at = |field: &str, problem: String| format!("{} ts={}: {field} {problem}", s.id(), s.trace_state_entries);
        let m = &s.metrics;
        let passes: [(&str, &Vec<u64>, u64); 4] = [
            ("samples.allocs", &s.samples.allocs, m.allocs),
            ("samples.bytes_allocated", &s.samples.bytes_allocated, m.bytes_allocated),
            ("samples.reallocs", &s.samples.reallocs, m.reallocs),
            ("samples.deallocs", &s.samples.deallocs, m.deallocs),
        ];
        let recorded = s.samples.allocs.len();
        for (field, values, metric) in passes {
            let Some(&first) = values.first() else { continue };
            if values.len() != recorded {
                return Err(at(field, format!("has {} passes, samples.allocs {recorded}", values.len())));
            }
            if first != metric {
                return Err(at(field, format!("starts at {first}, but the row's metric (its first count pass) is {metric}")));
            }
            if s.exact_counts && values.iter().any(|&v| v != first) {
                return Err(at(field, format!("is {values:?}: an exact row counts the same in every pass")));
            }
        }
        let Some(e) = r.config.expected.iter().find(|e| e.trace_state_entries == s.trace_state_entries) else { continue };
        if s.same_work != SAME_WORK_DIGEST || s.spans != r.config.spans {
            continue;
        }
        if s.spans_exported + s.dropped_spans != e.spans_exported {
            return Err(at(
                "spans_exported",
                format!(
                    "is {} with {} dropped, but the workload exports {}: not the workload's work",
                    s.spans_exported, s.dropped_spans, e.spans_exported
                ),
            ));
        }
        if s.dropped_spans == 0 && s.digest != e.digest {
            return Err(at("digest", format!("is {}, but the workload's is {}: not the workload's work", s.digest, e.digest)));
        }
    }
    Ok(())
}
