//! How many times each fault is tried: CI's count, and the long form's (`SPANALLOC_LONG=1`).
//! docs/reliability.md lists the same numbers; `reliability_doc_matches_the_tests` checks it.

/// `(case id, trials in CI, trials in the long form)`.
pub const TRIALS: &[(&str, usize, usize)] = &[
    ("kill-baseline-save", 50, 200),
    ("kill-history-append", 50, 200),
    ("concurrent-history-append", 50, 200),
    ("concurrent-baseline-save", 50, 200),
    ("sigterm-run", 3, 10),
    ("sigkill-run", 3, 10),
    ("read-only-dir", 1, 1),
    ("full-dir", 1, 1),
    ("closed-stdout", 1, 1),
    ("full-stdout", 1, 1),
    ("multibyte-strings", 1, 1),
];

/// The trials of `case` for this run.
pub fn trials(case: &str) -> usize {
    let (_, ci, long) = TRIALS.iter().find(|(id, ..)| *id == case).unwrap_or_else(|| panic!("unknown case {case}"));
    if std::env::var("SPANALLOC_LONG").is_ok_and(|v| v == "1") {
        *long
    } else {
        *ci
    }
}
