//! A report renders from any results file that loads: no panic, and no input text reaches the
//! page unescaped (no `<script` the page did not write).
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanalloc_record::input::parse_results;
use spanalloc_show::report::{page, Inputs};

fuzz_target!(|data: &[u8]| {
    let Ok(results) = parse_results(data) else { return };
    let inputs = Inputs {
        results,
        comparison: None,
        baseline_run: None,
        no_comparison: "none".into(),
        history: Vec::new(),
        criterion: Vec::new(),
        iai: Vec::new(),
        warnings: Vec::new(),
        linkable: Default::default(),
        tool: "spanalloc".into(),
    };
    let p = page::render(&inputs);
    assert!(!p.html.contains("<script"));
});
