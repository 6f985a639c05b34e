//! The regression rules users may edit (`reports/thresholds.toml`), versioned.
//!
//! What the file can set is the noisy rules (timing, peak heap) and, row by row, a *loosening*
//! with a written reason. The count rules are not in it: exact rows have no tolerance and rows
//! whose counts move are gated by their baseline's measured spread ([`crate::rules`]). A
//! loosening never hides a change silently: `compare` names every change one hid.
//!
//! Version 1 files (before loosenings) still load: their `[exact]` section is read and not
//! applied, and `compare` says so.

use std::path::Path;

use serde::{Deserialize, Serialize};

use spanalloc_record::input::InputError;

/// The thresholds file version this spanalloc writes; it also reads [`THRESHOLDS_V1`].
pub const THRESHOLDS_VERSION: u32 = 2;

/// The first version, still read.
pub const THRESHOLDS_V1: u32 = 1;

/// The file `compare` and `report` read unless told otherwise.
pub const DEFAULT_FILE: &str = "reports/thresholds.toml";

/// All the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// File format version.
    pub version: u32,
    /// Peak live heap.
    pub peak_heap: PeakRule,
    /// CPU, latency, peak RSS, achieved rate.
    pub noisy: NoisyRule,
    /// Rows loosened, each with its reason.
    pub loosen: Vec<Loosen>,
    /// What the file held that is no longer applied (a version-1 `[exact]` section).
    pub not_applied: Vec<String>,
    /// Where the rules came from: the file, or the built-in defaults and why.
    pub source: String,
}

/// A change beyond a percentage, and beyond an absolute floor, counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeakRule {
    /// Changes within this percentage are unchanged.
    pub threshold_pct: f64,
    /// Changes smaller than this many bytes are unchanged, whatever the percentage.
    pub min_bytes: f64,
}

/// Gated only with repeated samples on both sides, by a Mann–Whitney U test and a minimum effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoisyRule {
    /// Significance level of the two-sided test.
    pub alpha: f64,
    /// The medians must also differ by at least this percentage.
    pub min_effect_pct: f64,
    /// Samples each side needs before the gate applies.
    pub min_samples: usize,
}

/// A row the file loosens: a change within `tolerance_pct` of these metrics is `unchanged`, and
/// named as hidden by this loosening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Loosen {
    /// The row, as `compare` names it (`go-pool`, `value-copy@jemalloc`).
    pub scenario: String,
    /// The trace-state sizes it applies to; every size when absent.
    #[serde(default)]
    pub trace_state: Option<Vec<usize>>,
    /// The metrics it applies to; every metric when absent.
    #[serde(default)]
    pub metrics: Option<Vec<String>>,
    /// Changes up to this percentage are let through.
    pub tolerance_pct: f64,
    /// Why: required, shown beside every change it hides.
    pub reason: String,
}

impl Loosen {
    /// Whether it applies to `metric` of `scenario` at `ts`.
    pub fn covers(&self, scenario: &str, ts: usize, metric: &str) -> bool {
        self.scenario == scenario
            && self.trace_state.as_ref().is_none_or(|t| t.contains(&ts))
            && self.metrics.as_ref().is_none_or(|m| m.iter().any(|x| x == metric))
    }
}

/// A version-1 file's count rule, read and not applied.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExactV1 {
    tolerance_pct: f64,
    min_allocs_per_span: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    exact: Option<ExactV1>,
    peak_heap: PeakRule,
    noisy: NoisyRule,
    #[serde(default)]
    loosen: Vec<Loosen>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            version: THRESHOLDS_VERSION,
            peak_heap: PeakRule { threshold_pct: 10.0, min_bytes: 1_048_576.0 },
            noisy: NoisyRule { alpha: 0.05, min_effect_pct: 5.0, min_samples: 5 },
            loosen: Vec::new(),
            not_applied: Vec::new(),
            source: "built-in defaults".into(),
        }
    }
}

impl Thresholds {
    /// Reads the rules from `path`.
    pub fn load(path: &Path) -> Result<Thresholds, InputError> {
        let text = spanalloc_record::fsio::read_regular_text(path, spanalloc_record::fsio::CAP_THRESHOLDS)
            .map_err(|e| InputError::new(path, format!("cannot read thresholds: {e}")))?;
        let mut t = Thresholds::parse(&text).map_err(|p| InputError::new(path, p))?;
        t.source = format!("{} (version {})", path.display(), t.version);
        Ok(t)
    }

    /// The rules `compare` uses when given `path`: the file when it exists or was named
    /// explicitly; the built-in defaults, saying so, when the default file is absent.
    pub fn load_or_default(path: &Path, explicit: bool) -> Result<Thresholds, InputError> {
        if explicit || path.exists() {
            Thresholds::load(path)
        } else {
            Ok(Thresholds { source: format!("built-in defaults ({} not found)", path.display()), ..Thresholds::default() })
        }
    }

    /// Parses and checks the rules from a file's text; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Thresholds, String> {
        let f: File = toml::from_str(text).map_err(|e| format!("bad thresholds file: {}", e.message()))?;
        let mut not_applied = Vec::new();
        match (f.version, &f.exact) {
            (THRESHOLDS_V1, Some(e)) => {
                if !(e.tolerance_pct.is_finite() && e.min_allocs_per_span.is_finite()) {
                    return Err("thresholds must be finite numbers".into());
                }
                not_applied.push(format!(
                    "version-1 [exact] (tolerance_pct {}, min_allocs_per_span {}) is not applied: an exact row has no tolerance (a change of 1 allocation per 100 spans or 1 B per span is a verdict); loosen a row with [[loosen]] and a reason (version 2)",
                    e.tolerance_pct, e.min_allocs_per_span
                ));
                if !f.loosen.is_empty() {
                    return Err("[[loosen]] needs thresholds version 2".into());
                }
            }
            (THRESHOLDS_V1, None) => return Err("bad thresholds file: a version-1 file has an [exact] section".into()),
            (THRESHOLDS_VERSION, Some(_)) => {
                return Err("thresholds version 2 has no [exact] section: count rules are not configurable (loosen a row with [[loosen]] and a reason)".into())
            }
            (THRESHOLDS_VERSION, None) => {}
            (v, _) => {
                return Err(format!(
                    "thresholds version {v} is not supported (this spanalloc reads {THRESHOLDS_V1} and {THRESHOLDS_VERSION})"
                ))
            }
        }
        let nonneg = [f.peak_heap.threshold_pct, f.peak_heap.min_bytes, f.noisy.min_effect_pct];
        if nonneg.iter().any(|v| !v.is_finite() || *v < 0.0)
            || !(f.noisy.alpha > 0.0 && f.noisy.alpha < 1.0)
            || f.noisy.min_samples < 2
        {
            return Err("thresholds must be non-negative, alpha above 0 and below 1 (0 would pass every noisy change) and min_samples at least 2".into());
        }
        let known: Vec<&str> = super::metrics::names().collect();
        for (i, l) in f.loosen.iter().enumerate() {
            let n = i + 1;
            if l.reason.trim().len() < 10 {
                return Err(format!("[[loosen]] #{n} ({}): needs a reason of at least a few words", l.scenario));
            }
            if !l.tolerance_pct.is_finite() || l.tolerance_pct < 0.0 {
                return Err(format!("[[loosen]] #{n} ({}): tolerance_pct must be a non-negative number", l.scenario));
            }
            if let Some(bad) = l.metrics.iter().flatten().find(|m| !known.contains(&m.as_str())) {
                return Err(format!("[[loosen]] #{n} ({}): unknown metric '{bad}' (known: {})", l.scenario, known.join(", ")));
            }
        }
        Ok(Thresholds {
            version: f.version,
            peak_heap: f.peak_heap,
            noisy: f.noisy,
            loosen: f.loosen,
            not_applied,
            source: "thresholds text".into(),
        })
    }

    /// The loosening that covers `metric` of `scenario` at `ts`, if any.
    pub fn loosening(&self, scenario: &str, ts: usize, metric: &str) -> Option<&Loosen> {
        self.loosen.iter().find(|l| l.covers(scenario, ts, metric))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed() -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports/thresholds.toml")).unwrap()
    }

    #[test]
    fn the_committed_file_holds_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports/thresholds.toml");
        let t = Thresholds::load(&path).unwrap();
        assert_eq!((t.version, &t.peak_heap, &t.noisy, &t.loosen), {
            let d = Thresholds::default();
            (d.version, &d.peak_heap.clone(), &d.noisy.clone(), &d.loosen.clone())
        });
        assert!(t.source.ends_with("thresholds.toml (version 2)"), "{}", t.source);
    }

    #[test]
    fn refuses_unknown_versions_and_fields() {
        let base = committed();
        assert!(Thresholds::parse(&base.replace("version = 2", "version = 3"))
            .unwrap_err()
            .contains("version 3 is not supported"));
        assert!(Thresholds::parse(&format!("{base}\n[extra]\nx = 1\n")).unwrap_err().contains("bad thresholds file"));
        let exact = "[exact]\ntolerance_pct = 0.5\nmin_allocs_per_span = 0.01\n";
        assert!(Thresholds::parse(&format!("{base}\n{exact}")).unwrap_err().contains("no [exact] section"));
    }

    /// A version-1 file loads, its noisy rules apply, and its count tolerance is named as not applied.
    #[test]
    fn a_version_1_file_keeps_working() {
        let v1 = "version = 1\n[exact]\ntolerance_pct = 0.5\nmin_allocs_per_span = 0.01\n\
                  [peak_heap]\nthreshold_pct = 12.0\nmin_bytes = 1048576\n[noisy]\nalpha = 0.01\nmin_effect_pct = 5.0\nmin_samples = 5\n";
        let t = Thresholds::parse(v1).unwrap();
        assert_eq!(t.version, 1);
        assert_eq!(t.noisy.alpha, 0.01);
        assert_eq!(t.peak_heap.threshold_pct, 12.0);
        assert_eq!(t.not_applied.len(), 1);
        assert!(
            t.not_applied[0].contains("tolerance_pct 0.5") && t.not_applied[0].contains("not applied"),
            "{:?}",
            t.not_applied
        );
        let loosened =
            format!("{v1}[[loosen]]\nscenario = \"go-pool\"\ntolerance_pct = 5\nreason = \"sync.Pool is emptied at every GC\"\n");
        assert!(Thresholds::parse(&loosened).unwrap_err().contains("needs thresholds version 2"));
    }

    #[test]
    fn a_loosening_needs_a_reason_and_known_metrics() {
        let base = committed();
        let with = |body: &str| Thresholds::parse(&format!("{base}\n[[loosen]]\n{body}\n"));
        assert!(with("scenario = \"go-pool\"\ntolerance_pct = 5\nreason = \"\"").unwrap_err().contains("needs a reason"));
        assert!(with("scenario = \"go-pool\"\ntolerance_pct = 5").unwrap_err().contains("bad thresholds file"));
        assert!(with(
            "scenario = \"go-pool\"\ntolerance_pct = 5\nmetrics = [\"allocz\"]\nreason = \"sync.Pool refills after GC\""
        )
        .unwrap_err()
        .contains("unknown metric 'allocz'"));
        let t = with(
            "scenario = \"go-pool\"\ntrace_state = [4]\nmetrics = [\"allocs_per_span\"]\ntolerance_pct = 5\nreason = \"sync.Pool refills after GC\"",
        )
        .unwrap();
        assert!(t.loosening("go-pool", 4, "allocs_per_span").is_some());
        assert!(t.loosening("go-pool", 0, "allocs_per_span").is_none());
        assert!(t.loosening("go-pool", 4, "bytes_per_span").is_none());
        assert!(t.loosening("go-value", 4, "allocs_per_span").is_none());
    }
}
