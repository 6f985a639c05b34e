//! The history reader never panics: every line is an entry or a warning; and the change points
//! of whatever it read are found without a panic (NaN, infinities, empty and one-point series).
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanalloc_judge::changes::{self, edivisive};
use spanalloc_record::history::parse;
use spanalloc_show::history::summary_line;

fuzz_target!(|data: &[u8]| {
    let (entries, warnings) = parse(std::path::Path::new("history.jsonl"), data);
    let lines = String::from_utf8_lossy(data).lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(entries.len() + warnings.len(), lines);
    for e in &entries {
        let _ = summary_line(e);
    }
    let o = edivisive::Options { window_len: 8, ..Default::default() };
    for c in changes::changes(&entries, &o) {
        assert!(c.index > 0 && c.index < c.points, "{c:?}");
    }
});
