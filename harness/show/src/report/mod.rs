//! `spanalloc report`: one self-contained `index.html` per run, drawn from results.json and,
//! where present, a baseline comparison, the history, criterion and iai-callgrind outputs.
//! Rendering only — it never measures; results.json is the seam.
//!
//! The page works offline: inline CSS, inline SVG charts from plotters (no fonts needed), no
//! script, no network reference. Every string taken from an input file is HTML-escaped. Each
//! chart is also written as its own `.svg` beside `index.html`.

pub mod builder;
pub mod charts;
pub mod claims;
pub mod inputs;
pub mod page;
pub mod sections;
pub mod sources;
pub mod style;

use std::path::{Path, PathBuf};

pub use inputs::Inputs;
use spanalloc_judge::compare;
use spanalloc_judge::thresholds::Thresholds;
use spanalloc_record::fsio::write_output;
use spanalloc_record::history;
use spanalloc_record::input::{load_results, InputError};

/// Whether `target`, a path from an input file, is safe to link from the page in `dir`: relative,
/// no scheme, no `..`, and an existing file under `dir`.
pub fn safe_link(dir: &Path, target: &str) -> bool {
    let p = Path::new(target);
    let plain = !target.is_empty()
        && !target.contains(':')
        && !target.starts_with('/')
        && !target.starts_with('\\')
        && p.components().all(|c| matches!(c, std::path::Component::Normal(_)));
    plain && dir.join(p).is_file()
}

/// Where the optional inputs are looked for.
#[derive(Debug, Clone)]
pub struct Sources {
    /// A baseline name (under `baselines`) or path; none compares with nothing.
    pub baseline: Option<String>,
    /// The baselines directory.
    pub baselines: PathBuf,
    /// The regression rules: a file named explicitly, or `None` for the default file (the
    /// built-in defaults when it is absent).
    pub thresholds: Option<PathBuf>,
    /// The history file.
    pub history: PathBuf,
    /// criterion's output directory.
    pub criterion: PathBuf,
    /// iai-callgrind's output directory.
    pub iai: PathBuf,
    /// The binary that renders the report, as its user calls it (`spanalloc`, or a crate's own
    /// built on the extension point): the commands the page suggests name it.
    pub tool: String,
}

impl Default for Sources {
    fn default() -> Self {
        Sources {
            baseline: None,
            baselines: spanalloc_record::baseline::DEFAULT_DIR.into(),
            thresholds: None,
            history: history::DEFAULT_FILE.into(),
            criterion: "target/criterion".into(),
            iai: "target/iai".into(),
            tool: "spanalloc".into(),
        }
    }
}

/// Reads `dir/results.json` (required) and whatever optional inputs exist.
pub fn gather(dir: &Path, src: &Sources) -> Result<Inputs, InputError> {
    let results = load_results(&dir.join("results.json"))?;
    let mut warnings = Vec::new();
    let asked = src.baseline.as_deref().filter(|b| *b != "none");
    let baseline_file = match asked {
        Some(b) => Some(
            spanalloc_record::baseline::resolve(Path::new(b), &src.baselines).map_err(|e| InputError::new(Path::new(b), e))?,
        ),
        None => None,
    };
    let label = asked.unwrap_or_default();
    // A baseline asked for by name must exist and read: a page that quietly compared with
    // nothing would look like one that compared and found nothing.
    if let (Some(b), Some(file)) = (asked, &baseline_file) {
        if !file.exists() {
            return Err(InputError::new(
                Path::new(b),
                format!("no such baseline ({} does not exist): nothing compared", file.display()),
            ));
        }
    }
    let (comparison, no_comparison, baseline_run) = if let Some(baseline_file) = baseline_file {
        let thresholds = match &src.thresholds {
            Some(file) => Thresholds::load_or_default(file, true)?,
            None => Thresholds::load_or_default(Path::new(spanalloc_judge::thresholds::DEFAULT_FILE), false)?,
        };
        let b = load_results(&baseline_file)?;
        (Some(compare::compare(&b, &results, &thresholds, (label, "this run"))), String::new(), Some(b.environment))
    } else {
        (
            None,
            "no baseline compared: `--baseline NAME` (a saved baseline) or a results file's path compares with one".into(),
            None,
        )
    };
    // A missing history is an empty one; an existing one that cannot be read (a FIFO, a file
    // over its cap) fails the report, as it fails `history show`: a page whose trends section
    // quietly said "no history" would hide it.
    let (history, w) = history::read(&src.history)?;
    warnings.extend(w);
    let linkable =
        results.scenarios.iter().filter_map(|s| s.dhat.as_ref().map(|d| d.file.clone())).filter(|f| safe_link(dir, f)).collect();
    Ok(Inputs {
        linkable,
        results,
        comparison,
        baseline_run,
        no_comparison,
        history,
        criterion: sources::criterion(&src.criterion),
        iai: sources::iai(&src.iai),
        warnings,
        tool: src.tool.clone(),
    })
}

/// Renders and writes `dir/index.html`, `dir/claims.json` and one `.svg` per chart; returns the
/// page's path.
/// Every file goes into the run's folder as [`spanalloc_record::fsio::write_output`] writes it: a symlink
/// there that leaves the folder is refused, never followed.
pub fn write(dir: &Path, inputs: &Inputs) -> std::io::Result<PathBuf> {
    let page = page::render(inputs);
    for (name, svg) in &page.charts {
        write_output(dir, Path::new(&format!("{name}.svg")), svg.as_bytes())?;
    }
    let claims = serde_json::to_vec_pretty(&page.claims).map_err(std::io::Error::other)?;
    write_output(dir, Path::new("claims.json"), &claims)?;
    write_output(dir, Path::new("index.html"), page.html.as_bytes())
}
