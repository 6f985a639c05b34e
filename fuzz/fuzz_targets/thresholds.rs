//! The thresholds loader never panics; what loads holds non-negative rules.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanalloc_results::compare::thresholds::Thresholds;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(t) = Thresholds::parse(text) {
        assert!(t.exact.tolerance_pct >= 0.0 && t.noisy.min_samples >= 2);
    }
});
