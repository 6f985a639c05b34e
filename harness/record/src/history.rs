//! `reports/history.jsonl`: one line of headline figures per nightly run, for trends.
//!
//! Appending rewrites the file atomically under a lock ([`crate::fsio`]), so a crash never
//! leaves half a line from us and two processes appending at once both land. A file
//! whose last line was torn some other way (a copy cut short, an older writer) is still read:
//! unreadable lines are reported and skipped, and the next append starts on a fresh line.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::fsio::lock;
use crate::input::{load_results, InputError};
use crate::schema::{Results, RunConfig};

/// Where history lives unless told otherwise.
pub const DEFAULT_FILE: &str = "reports/history.jsonl";

/// The layout of the lines this spanalloc writes: 2 added `history_version`, `fingerprint`,
/// `counts_key` and each row's `exact_counts`; 3 each row's `instructions_per_span`; 4 each row's `reallocs_per_span` and
/// `leaked_blocks_per_span`; 5 the run's `failures` (a ratchet takes only nights that passed);
/// 6 each row's `fingerprint` where a merged night measured it on another machine than the line's.
/// Lines
/// without it are version 1 and read as written by an unknown machine.
pub const HISTORY_VERSION: u32 = 6;

/// One run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The line's layout ([`HISTORY_VERSION`]); 1 when absent.
    #[serde(default = "version_one")]
    pub history_version: u32,
    /// The results schema the figures came from.
    pub schema_version: u32,
    /// The machine's fingerprint id (results' `environment`): timing figures are a series per
    /// machine. `None` on version-1 lines: an unknown machine, whose lines join only count series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// The run's counts key ([`Results::counts_key`]): exact counts are a series per key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts_key: Option<String>,
    /// The run's id (results from schema 4 on): a run is recorded once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// The commit measured, if known.
    pub commit: Option<String>,
    /// When the run started.
    pub date: String,
    /// The workload.
    pub config: RunConfig,
    /// Headline figures per scenario × trace-state size.
    pub headline: Vec<HeadlineRow>,
    /// How many failures the run recorded (line version 5; `None` before: unknown, so such a
    /// night never counts as one that passed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<usize>,
}

/// The figures trends are drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadlineRow {
    /// Scenario name.
    pub scenario: String,
    /// Trace-state entries.
    pub trace_state_entries: usize,
    /// Allocations per span.
    pub allocs_per_span: f64,
    /// Bytes per span.
    pub bytes_per_span: f64,
    /// Peak live heap.
    pub peak_heap_bytes: u64,
    /// Peak RSS.
    pub peak_rss_bytes: u64,
    /// CPU per span.
    pub cpu_ns_per_span: f64,
    /// Latency p99.
    pub latency_p99_ns: u64,
    /// Achieved rate.
    pub achieved_rate: f64,
    /// Whether the row's counts repeat exactly (one producer, no thread-timing dependence):
    /// then any step in them is a change. `None` on version-1 lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact_counts: Option<bool>,
    /// Callgrind's instructions per span in the row's instructions pass (`run --instructions`);
    /// `None` when the night did not count them (and before line version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions_per_span: Option<f64>,
    /// Reallocations per span (line version 4; `None` before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reallocs_per_span: Option<f64>,
    /// Blocks the measured region left allocated, per span (line version 4; `None` before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaked_blocks_per_span: Option<f64>,
    /// The machine that measured the row, when a merged night's shard measured it on another
    /// than the line's (line version 6): its timing figures are that machine's series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

fn version_one() -> u32 {
    1
}

impl HistoryEntry {
    /// The machine that measured row `h` of this line: its own, or the line's.
    pub fn machine_of<'a>(&'a self, h: &'a HeadlineRow) -> Option<&'a str> {
        h.fingerprint.as_deref().or(self.fingerprint.as_deref())
    }

    /// The entry for `r`.
    pub fn from_results(r: &Results) -> Self {
        HistoryEntry {
            history_version: HISTORY_VERSION,
            schema_version: r.schema_version,
            fingerprint: r.environment.fingerprint().map(|f| f.id()),
            counts_key: Some(r.counts_key()),
            run_id: r.environment.run_id.clone(),
            commit: r.environment.git_commit.clone(),
            date: r.environment.started_at.clone(),
            config: r.config.clone(),
            failures: Some(r.failures.len()),
            // One allocator's rows, so that a trend line is one row's over time.
            headline: r
                .primary()
                .map(|s| HeadlineRow {
                    scenario: s.name.clone(),
                    trace_state_entries: s.trace_state_entries,
                    allocs_per_span: s.metrics.allocs_per_span,
                    bytes_per_span: s.metrics.bytes_per_span,
                    peak_heap_bytes: s.metrics.peak_heap_bytes,
                    peak_rss_bytes: s.metrics.peak_rss_bytes,
                    cpu_ns_per_span: s.metrics.cpu_ns_per_span,
                    latency_p99_ns: s.metrics.latency_p99_ns,
                    achieved_rate: s.metrics.achieved_rate,
                    exact_counts: Some(s.exact_counts),
                    instructions_per_span: s.instructions.as_ref().and_then(|i| i.per_span()),
                    reallocs_per_span: Some(s.metrics.reallocs_per_span(s.spans)),
                    leaked_blocks_per_span: Some(s.metrics.leaked_blocks_per_span(s.spans)),
                    fingerprint: r.machine_of(s).filter(|m| r.environment.fingerprint().map(|f| f.id()).as_ref() != Some(m)),
                })
                .collect(),
        }
    }
}

/// The readable entries of a history file, and a warning for each line that is not.
pub fn read(path: &Path) -> Result<(Vec<HistoryEntry>, Vec<String>), InputError> {
    Ok(parse(path, &read_bytes(path)?))
}

/// The readable entries of a history file that must exist (`history show`): a missing file is
/// an error, not an empty history.
pub fn read_existing(path: &Path) -> Result<(Vec<HistoryEntry>, Vec<String>), InputError> {
    if !path.exists() {
        return Err(InputError::new(path, "no such file"));
    }
    read(path)
}

/// The file's bytes; none for a file that does not exist yet.
fn read_bytes(path: &Path) -> Result<Vec<u8>, InputError> {
    if path.is_dir() {
        return Err(InputError::new(path, "is a directory, expected a history file"));
    }
    match crate::fsio::read_regular(path, crate::fsio::CAP_HISTORY) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(vec![]),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            Err(InputError::new(path, format!("{e}, expected a history file")))
        }
        Err(e) => Err(InputError::new(path, format!("cannot read: {e}"))),
    }
}

/// The entries in `bytes` (the contents of `path`), and a warning for each unreadable line.
pub fn parse(path: &Path, bytes: &[u8]) -> (Vec<HistoryEntry>, Vec<String>) {
    let text = String::from_utf8_lossy(bytes);
    let (mut entries, mut warnings) = (vec![], vec![]);
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        // A byte-order mark (an editor's, a Windows tool's) is not part of the entry.
        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
        match serde_json::from_str::<HistoryEntry>(line) {
            // A line from a newer spanalloc may mean its fields differently: not guessed at.
            Ok(e) if e.history_version > HISTORY_VERSION => warnings.push(format!(
                "{}: line {} skipped, its history_version {} is newer than this spanalloc reads ({HISTORY_VERSION})",
                path.display(),
                i + 1,
                e.history_version
            )),
            Ok(e) => entries.push(e),
            Err(e) => warnings.push(format!("{}: line {} skipped, unreadable ({e})", path.display(), i + 1)),
        }
    }
    (entries, warnings)
}

/// What an append did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// The entry was added.
    Added,
    /// The run was already recorded (same run id): nothing was written.
    AlreadyThere,
}

/// Appends the entry for the results in `from` to `path`, unless that run is already in it;
/// returns what it did and warnings about the file.
pub fn append(from: &Path, path: &Path) -> Result<(Appended, Vec<String>), InputError> {
    let results = load_results(from)?;
    if path.is_dir() {
        return Err(InputError::new(path, "is a directory, expected a history file"));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| InputError::new(dir, format!("cannot create: {e}")))?;
    }
    // Read and rewrite under the lock: another process appending meanwhile waits, so neither
    // line is lost.
    let locked = lock(path).map_err(|e| InputError::new(path, format!("cannot lock: {e}")))?;
    let mut bytes = read_bytes(locked.target())?;
    let (entries, mut warnings) = parse(path, &bytes);
    // A file with content of which no line is an entry is not a history: most likely the
    // arguments were swapped (`history append --file results.json`). It is not rewritten.
    if entries.is_empty() && bytes.iter().any(|b| !b.is_ascii_whitespace()) {
        return Err(InputError::new(
            path,
            "is not a history file (no line of it is a history entry): not appended to (is it the results file?)",
        ));
    }
    if let Some(id) = &results.environment.run_id {
        if entries.iter().any(|e| e.run_id.as_ref() == Some(id)) {
            return Ok((Appended::AlreadyThere, warnings));
        }
    }
    if bytes.last().is_some_and(|&b| b != b'\n') {
        warnings
            .push(format!("{}: the last line is torn (a write cut short); the new entry starts on a fresh line", path.display()));
        bytes.push(b'\n');
    }
    let line = serde_json::to_string(&HistoryEntry::from_results(&results)).expect("an entry serialises");
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    locked.write(&bytes).map_err(|e| InputError::new(path, format!("cannot write: {e}")))?;
    Ok((Appended::Added, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(version: u32) -> String {
        let r = crate::input::parse_results(include_bytes!("../tests/fixtures/results-v1.json")).unwrap();
        let e = HistoryEntry { history_version: version, ..HistoryEntry::from_results(&r) };
        serde_json::to_string(&e).unwrap()
    }

    #[test]
    fn a_line_from_a_newer_spanalloc_is_skipped_with_a_warning() {
        let text = format!("{}\n{}\n", line(HISTORY_VERSION), line(99));
        let (entries, warnings) = parse(Path::new("h.jsonl"), text.as_bytes());
        assert_eq!(entries.len(), 1);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("line 2 skipped, its history_version 99 is newer"), "{}", warnings[0]);
    }

    #[test]
    fn a_byte_order_mark_does_not_lose_the_line() {
        let text = format!("\u{feff}{}\n{}\n", line(HISTORY_VERSION), line(HISTORY_VERSION));
        let (entries, warnings) = parse(Path::new("h.jsonl"), text.as_bytes());
        assert_eq!((entries.len(), warnings.len()), (2, 0), "{warnings:?}");
    }
}
