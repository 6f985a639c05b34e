//! The regression rules, from a versioned TOML file users edit (`reports/thresholds.toml`).

use std::path::Path;

use serde::Deserialize;

use crate::input::InputError;

/// The thresholds file version this spanalloc reads.
pub const THRESHOLDS_VERSION: u32 = 1;

/// All the rules.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// File format version.
    pub version: u32,
    /// Deterministic metrics: allocs/span, bytes/span, allocs, bytes allocated.
    pub exact: ExactRule,
    /// Peak live heap.
    pub peak_heap: PeakRule,
    /// CPU, latency, peak RSS, achieved rate.
    pub noisy: NoisyRule,
}

/// Any change beyond a small tolerance counts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExactRule {
    /// Changes within this percentage are unchanged.
    pub tolerance_pct: f64,
    /// An allocs/span change must also be at least this large.
    pub min_allocs_per_span: f64,
}

/// A change beyond a percentage, and beyond an absolute floor, counts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeakRule {
    /// Changes within this percentage are unchanged.
    pub threshold_pct: f64,
    /// Changes smaller than this many bytes are unchanged, whatever the percentage.
    pub min_bytes: f64,
}

/// Gated only with repeated samples on both sides, by a Mann–Whitney U test and a minimum effect.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoisyRule {
    /// Significance level of the two-sided test.
    pub alpha: f64,
    /// The medians must also differ by at least this percentage.
    pub min_effect_pct: f64,
    /// Samples each side needs before the gate applies.
    pub min_samples: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            version: THRESHOLDS_VERSION,
            exact: ExactRule { tolerance_pct: 0.5, min_allocs_per_span: 0.01 },
            peak_heap: PeakRule { threshold_pct: 10.0, min_bytes: 1_048_576.0 },
            noisy: NoisyRule { alpha: 0.05, min_effect_pct: 5.0, min_samples: 5 },
        }
    }
}

impl Thresholds {
    /// Reads the rules from `path`.
    pub fn load(path: &Path) -> Result<Thresholds, InputError> {
        let text = std::fs::read_to_string(path).map_err(|e| InputError::new(path, format!("cannot read thresholds: {e}")))?;
        Thresholds::parse(&text).map_err(|p| InputError::new(path, p))
    }

    /// Parses and checks the rules from a file's text; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Thresholds, String> {
        let t: Thresholds = toml::from_str(text).map_err(|e| format!("bad thresholds file: {}", e.message()))?;
        if t.version != THRESHOLDS_VERSION {
            return Err(format!("thresholds version {} is not supported (this spanalloc reads {THRESHOLDS_VERSION})", t.version));
        }
        let nonneg = [
            t.exact.tolerance_pct,
            t.exact.min_allocs_per_span,
            t.peak_heap.threshold_pct,
            t.peak_heap.min_bytes,
            t.noisy.min_effect_pct,
        ];
        if nonneg.iter().any(|v| !v.is_finite() || *v < 0.0) || !(0.0..1.0).contains(&t.noisy.alpha) || t.noisy.min_samples < 2 {
            return Err("thresholds must be non-negative, alpha within 0..1 and min_samples at least 2".into());
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_file_holds_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports/thresholds.toml");
        assert_eq!(Thresholds::load(&path).unwrap(), Thresholds::default());
    }

    #[test]
    fn refuses_unknown_versions_and_fields() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("t.toml");
        let base = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports/thresholds.toml")).unwrap();
        std::fs::write(&f, base.replace("version = 1", "version = 2")).unwrap();
        assert!(Thresholds::load(&f).unwrap_err().to_string().contains("version 2 is not supported"));
        std::fs::write(&f, format!("{base}\n[extra]\nx = 1\n")).unwrap();
        assert!(Thresholds::load(&f).unwrap_err().to_string().contains("bad thresholds file"));
    }
}
