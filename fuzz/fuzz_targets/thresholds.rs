//! The thresholds loader never panics; what loads holds non-negative rules, and every loosening
//! it accepts carries a reason.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanalloc_judge::thresholds::Thresholds;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(t) = Thresholds::parse(text) {
        assert!(t.peak_heap.threshold_pct >= 0.0 && t.noisy.min_samples >= 2);
        assert!(t.loosen.iter().all(|l| l.tolerance_pct >= 0.0 && !l.reason.trim().is_empty()));
    }
});
