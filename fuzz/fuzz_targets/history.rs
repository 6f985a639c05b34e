//! The history reader never panics: every line is an entry or a warning.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanalloc_results::history::{parse, summary_line};

fuzz_target!(|data: &[u8]| {
    let (entries, warnings) = parse(std::path::Path::new("history.jsonl"), data);
    let lines = String::from_utf8_lossy(data).lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(entries.len() + warnings.len(), lines);
    for e in &entries {
        let _ = summary_line(e);
    }
});
