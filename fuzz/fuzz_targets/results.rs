//! The results (and baseline) loader never panics: bytes are a valid results file or a one-line
//! error. A file that loads compares with itself without a regression.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanalloc_judge::compare::compare;
use spanalloc_judge::thresholds::Thresholds;
use spanalloc_record::input::parse_results;

fuzz_target!(|data: &[u8]| {
    match parse_results(data) {
        Ok(r) => {
            let c = compare(&r, &r, &Thresholds::default(), ("a", "a"));
            assert_eq!(c.regressions, 0, "a run never regresses against itself");
        }
        Err(e) => assert!(!e.is_empty() && !e.contains('\n'), "errors are one line: {e:?}"),
    }
});
