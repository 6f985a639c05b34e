//! Hostile names and sites through the Markdown and SVG renderers: whatever bytes a scenario name
//! or a dhat site holds, a comparison's Markdown keeps every table line whole and has no tag or
//! image outside code spans, its text output no control character, and every chart is XML.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanalloc_show::compare::{render, Format};
use spanalloc_judge::compare::compare;
use spanalloc_judge::thresholds::Thresholds;
use spanalloc_record::input::parse_results;
use spanalloc_show::report::charts;

const FIXTURE: &[u8] = include_bytes!("../corpus/results/fixture.json");

fuzz_target!(|data: &[u8]| {
    let Ok(name) = std::str::from_utf8(data) else { return };
    let base = parse_results(FIXTURE).expect("the fixture loads");
    let mut cur = base.clone();
    cur.scenarios[0].name = name.to_owned();
    cur.scenarios[0].metrics.allocs = 999;
    cur.scenarios[0].metrics.allocs_per_span = 999.0 / cur.scenarios[0].spans as f64;
    let c = compare(&base, &cur, &Thresholds::default(), (name, name));
    let md = render(&c, Format::Markdown);
    for line in md.lines().filter(|l| !l.starts_with("<details>") && !l.starts_with("</details>")) {
        let outside: String = line.split('`').step_by(2).collect();
        assert!(!outside.replace("&lt;", "").contains('<'), "raw '<' outside code: {line:?}");
        assert!(!outside.replace("\\]", "").contains("]("), "a link outside code: {line:?}");
        if line.starts_with('|') {
            assert!(line.ends_with('|'), "a torn table line: {line:?}");
        }
    }
    let text = render(&c, Format::Text);
    assert!(!text.chars().any(|ch| ch.is_control() && ch != '\n'), "a control character in text");
    let svg = charts::hbars(name, name, &[name.to_owned()], &[(name.to_owned(), vec![Some(1.0)])]);
    assert!(roxmltree::Document::parse(&svg).is_ok(), "an SVG no XML parser reads");
});
