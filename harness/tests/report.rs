//! The HTML report: every section and chart present, input text escaped, nothing fetched from
//! the network, and claim verdicts that follow from the numbers.

mod common;

use std::path::{Path, PathBuf};

use common::{spanalloc, stderr};
use scraper::{Html, Selector};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/record/tests/fixtures/results-v1.json");

const SECTIONS: [&str; 11] =
    ["verdict", "strategies", "charts", "sweep", "timeline", "stages", "baseline", "history", "benches", "claims", "method"];

struct Rendered {
    _dir: tempfile::TempDir,
    path: PathBuf,
    html: String,
}

/// Renders `results` with a baseline, a history and criterion output beside it.
fn render(results: &serde_json::Value, baseline: &Path) -> Rendered {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    std::fs::create_dir_all(run.join("dhat")).unwrap();
    std::fs::write(run.join("results.json"), serde_json::to_vec(results).unwrap()).unwrap();
    // The profiles the results name, as a run leaves them beside its report.
    for s in results["scenarios"].as_array().unwrap() {
        if let Some(file) = s["dhat"]["file"].as_str().filter(|f| f.starts_with("dhat/")) {
            std::fs::write(run.join(file), "{}").unwrap();
        }
    }
    let history = dir.path().join("history.jsonl");
    for _ in 0..2 {
        let o =
            spanalloc(&["history", "append", run.join("results.json").to_str().unwrap(), "--file", history.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let criterion = dir.path().join("criterion");
    // The article's own C5 figures, so that C5a must hold.
    for (id, ns) in [("handoff/value/24", 1.2), ("handoff/ref/24", 1.8), ("handoff/value/40", 4.7), ("handoff/ref/40", 1.9)] {
        let d = criterion.join(id).join("new");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("benchmark.json"), format!(r#"{{"full_id":"{id}"}}"#)).unwrap();
        let est =
            format!(r#"{{"median":{{"point_estimate":{ns},"confidence_interval":{{"lower_bound":{ns},"upper_bound":{ns}}}}}}}"#);
        std::fs::write(d.join("estimates.json"), est).unwrap();
    }
    // The same figures as interleaved rounds, which C5a is judged on (six rounds each, from 16 to
    // 128 B: copying cheaper up to 32 B, dearer from 40 B, as the article says).
    let mut paired = Vec::new();
    for n in [16, 24, 32, 40, 64, 128] {
        let (copy, pointer) = if n <= 32 { (1.2, 1.8) } else { (4.7, 1.9) };
        for (side, ns) in [("value", copy), ("ref", pointer)] {
            let rounds = vec![ns; 6];
            paired.push(serde_json::json!({"id": format!("handoff_paired/{side}/{n}"), "median_ns": ns, "ci_ns": [ns, ns], "rounds": 6, "rounds_ns": rounds}));
        }
    }
    std::fs::create_dir_all(dir.path().join("spanalloc-bench")).unwrap();
    std::fs::write(dir.path().join("spanalloc-bench/paired_calls.json"), serde_json::to_vec(&paired).unwrap()).unwrap();
    let o = spanalloc(&[
        "report",
        run.to_str().unwrap(),
        "--baseline",
        baseline.to_str().unwrap(),
        "--history",
        history.to_str().unwrap(),
        "--criterion",
        criterion.to_str().unwrap(),
        "--iai",
        dir.path().join("no-iai").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = run.join("index.html");
    let html = std::fs::read_to_string(&path).unwrap();
    Rendered { _dir: dir, path, html }
}

fn fixture() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap()
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

#[test]
fn every_section_and_chart_is_present_and_filled() {
    let r = render(&fixture(), Path::new(FIXTURE));
    let doc = Html::parse_document(&r.html);
    for id in SECTIONS {
        let section = doc.select(&sel(&format!("section#{id}"))).next().unwrap_or_else(|| panic!("section {id} missing"));
        let text: String = section.text().collect();
        let h2: String = section.select(&sel("h2")).next().unwrap().text().collect();
        assert!(text.trim().len() > h2.trim().len() + 20, "section {id} is empty: {text:?}");
    }
    let charts = [
        "main-allocs",
        "main-bytes",
        "allocs-per-span",
        "bytes-per-span",
        "peak-heap",
        "peak-rss",
        "sweep-allocs",
        "sweep-bytes",
        "timeline",
        "history-allocs",
        "history-cpu",
    ];
    for name in charts {
        let fig = doc.select(&sel(&format!("figure#chart-{name}"))).next().unwrap_or_else(|| panic!("chart {name} missing"));
        let shapes = fig.select(&sel("rect, path, polyline, circle, line")).count();
        assert!(shapes > 5, "chart {name} has {shapes} shapes");
        let file = r.path.with_file_name(format!("{name}.svg"));
        assert!(std::fs::read_to_string(&file).unwrap().starts_with("<svg"), "{name}.svg beside index.html");
    }
    // The fixture's baseline is itself: no regression; the claims table has every claim, and
    // claims.json beside the page holds the same verdicts.
    let counts: String = doc.select(&sel("#verdict-counts")).next().unwrap().text().collect();
    assert!(counts.starts_with("0 of 8 rows regressed, 0 improved, 8 unchanged against"), "{counts}");
    let ids: std::collections::BTreeSet<String> =
        doc.select(&sel("section#claims tr[data-claim]")).map(|e| e.value().attr("data-claim").unwrap().to_owned()).collect();
    assert_eq!(
        ids.into_iter().collect::<Vec<_>>(),
        ["C1", "C2", "C3", "C4", "C5a", "C5b", "C6", "C7", "C8 (Rust clone cost)", "C8 (Rust)"]
    );
    // The article named in English, its original title marked as Chinese beside it.
    let claims: String = doc.select(&sel("section#claims p")).next().unwrap().text().collect();
    assert!(claims.starts_with("The article The secret use of Go pointers in cloud-native observability"), "{claims}");
    let original: String =
        doc.select(&sel("section#claims [lang=\"zh-Hans\"]")).next().expect("the original title").text().collect();
    assert!(original.starts_with("Go指针"), "{original}");
    let claims = claims_json(&r);
    assert_eq!(claims["version"], spanalloc::show::report::claims::CLAIMS_VERSION);
    assert_eq!(claims["claims"].as_array().unwrap().len(), 13, "C1–C3 once per contrast");
    assert!(doc.select(&sel("section#stages a[href^='dhat/']")).count() >= 1, "links to the dhat profiles");
}

/// Link targets come from input files: only relative paths to files that exist under the
/// report's directory become links; a scheme, an absolute path or `..` is shown as text.
#[test]
fn only_existing_files_under_the_report_are_linked() {
    let mut v = fixture();
    let bad = ["javascript:alert(1)", "https://example.com/x.json", "../outside.json", "profiles/absent.json"];
    let with_dhat: Vec<usize> = (0..v["scenarios"].as_array().unwrap().len())
        .filter(|&i| v["scenarios"][i]["dhat"].is_object() && v["scenarios"][i]["trace_state_entries"] == 4)
        .collect();
    assert!(with_dhat.len() >= 4, "the section shows trace state 4");
    for (i, target) in with_dhat.iter().zip(bad) {
        v["scenarios"][*i]["dhat"]["file"] = target.into();
    }
    let r = render(&v, Path::new(FIXTURE));
    let doc = Html::parse_document(&r.html);
    let hrefs: Vec<String> = doc.select(&sel("a[href]")).map(|a| a.value().attr("href").unwrap().to_owned()).collect();
    for target in bad {
        assert!(!hrefs.iter().any(|h| h == target), "{target} must not be a link: {hrefs:?}");
    }
    let text: String = doc.root_element().text().collect();
    assert!(text.contains("javascript:alert(1)"), "shown as text");
    assert!(hrefs.iter().all(|h| h.starts_with("dhat/") || h.starts_with('#')), "{hrefs:?}");
}

#[test]
fn no_network_references_and_no_script() {
    let r = render(&fixture(), Path::new(FIXTURE));
    assert!(!r.html.contains("http://") && !r.html.contains("https://"), "a network reference");
    let doc = Html::parse_document(&r.html);
    assert_eq!(doc.select(&sel("script, link, iframe, img[src]")).count(), 0);
}

#[test]
fn input_text_is_escaped() {
    let mut v = fixture();
    let evil = "<script>alert(1)</script>";
    v["scenarios"][1]["name"] = evil.into();
    v["environment"]["cpu"] = format!("cpu {evil}").into();
    let ts4 = v["scenarios"].as_array().unwrap().iter().position(|s| s["trace_state_entries"] == 4).unwrap();
    v["scenarios"][ts4]["dhat"]["top_sites"][0]["site"] = format!("site {evil}").into();
    let r = render(&v, Path::new(FIXTURE));
    let doc = Html::parse_document(&r.html);
    assert_eq!(doc.select(&sel("script")).count(), 0, "no script element made it through");
    let text: String = doc.root_element().text().collect();
    assert!(text.contains("cpu <script>alert(1)</script>") && text.contains("site <script>"), "shown as text");
    assert!(r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

fn claims_json(r: &Rendered) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(r.path.with_file_name("claims.json")).expect("claims.json beside index.html")).unwrap()
}

/// `(overall detail, [(size, verdict)])` of claim `id` in claims.json; for C1–C3, on the
/// article's contrast (copy vs pointer).
fn claim(r: &Rendered, id: &str) -> (String, Vec<(String, String)>) {
    claim_on(r, id, "copy vs pointer")
}

/// The same, on the named contrast (for a claim judged on a pair), or the claim's only entry.
fn claim_on(r: &Rendered, id: &str, contrast: &str) -> (String, Vec<(String, String)>) {
    let claims = claims_json(r);
    let c = claims["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id && c["language"] == "rust" && (c["contrast"].is_null() || c["contrast"]["name"] == contrast))
        .unwrap()
        .clone();
    let sizes = c["sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["size"].as_str().unwrap().to_owned(), s["verdict"].as_str().unwrap().to_owned()))
        .collect();
    (c["overall_detail"].as_str().unwrap().to_owned(), sizes)
}

/// The verdict shown in the page for claim `id` at `size`.
fn shown(html: &str, id: &str, size: &str) -> String {
    let doc = Html::parse_document(html);
    let row = doc.select(&sel(&format!("tr[data-claim='{id}'][data-size='{size}']"))).next().unwrap();
    let cells: Vec<String> = row.select(&sel("td")).map(|td| td.text().collect()).collect();
    // The first row of a claim carries the overall verdict after its own.
    let own = if cells.len() > 4 && row.select(&sel("td.overall")).next().is_some() { cells.len() - 2 } else { cells.len() - 1 };
    cells[own].clone()
}

fn set_metric(v: &mut serde_json::Value, name: &str, ts: u64, metric: &str, value: serde_json::Value) {
    let s =
        v["scenarios"].as_array_mut().unwrap().iter_mut().find(|s| s["name"] == name && s["trace_state_entries"] == ts).unwrap();
    match metric {
        "allocs_per_span" | "bytes_per_span" | "allocs" | "bytes_allocated" => {
            common::set_per_span(s, metric, value.as_f64().unwrap())
        }
        _ => s["metrics"][metric] = value,
    }
}

/// The fixture (schema 1) with a value-shared row at each size, as measured at 2,600 spans:
/// atomic-swap's counts less its one `Arc` (56 B) per published span.
fn with_value_shared(mut v: serde_json::Value) -> serde_json::Value {
    let rows = v["scenarios"].as_array().unwrap().clone();
    for swap in rows.iter().filter(|s| s["name"] == "atomic-swap") {
        let mut shared = swap.clone();
        shared["name"] = "value-shared".into();
        let spans = shared["spans"].as_u64().unwrap();
        let allocs = shared["metrics"]["allocs"].as_u64().unwrap() - spans;
        let bytes = shared["metrics"]["bytes_allocated"].as_u64().unwrap() - 56 * spans;
        common::set_per_span(&mut shared, "allocs", allocs as f64);
        common::set_per_span(&mut shared, "bytes_allocated", bytes as f64);
        v["scenarios"].as_array_mut().unwrap().push(shared);
    }
    v
}

#[test]
fn claim_verdicts_follow_the_numbers() {
    let v = with_value_shared(fixture());
    let r = render(&v, Path::new(FIXTURE));
    // The article's contrast: by value with the trace state shared, against by pointer. Passing a
    // pointer allocates more at every size here.
    let (c2, sizes) = claim(&r, "C2");
    assert_eq!(sizes, [("ts=0".into(), "contradicted".into()), ("ts=4".into(), "contradicted".into())]);
    assert_eq!(c2, "contradicted");
    assert_eq!(shown(&r.html, "C2", "ts=0"), "contradicted", "the page shows claims.json's verdicts");
    // The Rust SDK's own cost: deep clones against a shared trace state.
    let (deep, sizes) = claim_on(&r, "C2", "deep vs shared trace state");
    assert_eq!(sizes, [("ts=0".into(), "contradicted".into()), ("ts=4".into(), "holds-in-direction".into())]);
    assert_eq!(deep, "depends on size: contradicted at ts=0; holds in direction at ts=4", "sharing costs an Arc at ts 0");
    let doc = Html::parse_document(&r.html);
    let named = doc.select(&sel("tr[data-claim='C2'][data-contrast='copy vs pointer'] td")).nth(2).unwrap();
    assert!(named.text().collect::<String>().contains("the article's question"), "the page names the contrast");
    let claims = claims_json(&r);
    let answers: Vec<bool> = claims["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == "C2")
        .map(|c| c["contrast"]["answers_article"].as_bool().unwrap())
        .collect();
    assert_eq!(answers, [true, false], "one contrast answers the article");
    assert_eq!(claim(&r, "C6").0, "holds");
    assert_eq!(claim(&r, "C1").0, "not measured", "the fixture is unpaced");
    assert_eq!(claim(&r, "C4").0, "not applicable");
    let c5a = claim(&r, "C5a").0;
    assert!(
        c5a.starts_with("holds: crossover between 32 and 40 B: a pointer wins from 40 B on"),
        "planted rounds as the article gives them: {c5a}"
    );
    let c5b = claim(&r, "C5b").0;
    assert!(c5b.starts_with("not measured: the crossover needs every size (no paired results for handoff_thread"), "{c5b}");

    // Doctor the numbers so the article would be right: pointer passing allocates 61.7% less
    // than value-shared at every size; and the pool leaks half an allocation per span at ts 4.
    let mut doctored = v.clone();
    for ts in [0u64, 4] {
        let vs = 1_000_000u64;
        set_metric(&mut doctored, "value-shared", ts, "bytes_allocated", vs.into());
        set_metric(&mut doctored, "pointer-passing", ts, "bytes_allocated", ((vs as f64 * 0.383) as u64).into());
    }
    set_metric(&mut doctored, "pooled", 4, "allocs_per_span", 0.5.into());
    let r = render(&doctored, Path::new(FIXTURE));
    assert_eq!(claim(&r, "C2").0, "holds");
    // At ts 0 value-copy allocates nothing per span: nothing for a pool to remove, so the pool's
    // zero there is no evidence, and the overall verdict rests on ts 4 alone.
    let (c6, sizes) = claim(&r, "C6");
    assert_eq!(sizes, [("ts=0".into(), "nothing-carried".into()), ("ts=4".into(), "holds-in-direction".into())]);
    assert_eq!(c6, "holds in direction");
    assert_eq!(shown(&r.html, "C6", "ts=0"), "nothing carried");
}

/// Each claim names the quantity it is judged on, one string in claims.json and on the page; C7,
/// which every safe slot passes, says it does not discriminate in both.
#[test]
fn each_claim_names_its_metric_in_the_json_and_on_the_page() {
    let r = render(&with_value_shared(fixture()), Path::new(FIXTURE));
    let claims = claims_json(&r);
    assert_eq!(claims["version"], spanalloc::show::report::claims::CLAIMS_VERSION);
    let doc = Html::parse_document(&r.html);
    for c in claims["claims"].as_array().unwrap() {
        let metric = c["metric"].as_str().unwrap_or_else(|| panic!("{} names no metric", c["id"]));
        assert!(!metric.is_empty(), "{}", c["id"]);
        let contrast = c["contrast"]["name"].as_str().unwrap_or("");
        let cell = doc
            .select(&sel(&format!("tr[data-claim='{}'][data-contrast='{contrast}'] td", c["id"].as_str().unwrap())))
            .nth(2)
            .unwrap_or_else(|| panic!("{} {contrast} is not on the page", c["id"]));
        let shown: String = cell.select(&sel("span.metric b")).next().expect("the metric on the page").text().collect();
        assert_eq!(shown, metric, "{} {contrast}", c["id"]);
    }
    let c3 = claims["claims"].as_array().unwrap().iter().find(|c| c["id"] == "C3").unwrap();
    assert_eq!(c3["metric"], "peak heap in flight (peak live heap − setup heap)");
    let c7 = claims["claims"].as_array().unwrap().iter().find(|c| c["id"] == "C7").unwrap();
    if c7["sizes"].as_array().unwrap().iter().all(|s| s["verdict"] == "holds") {
        assert_eq!(c7["overall"], "holds-not-discriminating");
        let overall: String = doc.select(&sel("tr[data-claim='C7'] td.overall")).next().unwrap().text().collect();
        assert!(overall.starts_with("holds, not discriminating"), "{overall}");
    }
}

/// C3 is judged on the heap a hand-off holds in flight, setup left out: with setup heaps that
/// would reverse the peaks' verdict, the verdict follows the heap in flight and says that setup
/// alone decides the other figure.
#[test]
fn peak_memory_is_judged_in_flight_not_on_setup() {
    let mut v = with_value_shared(fixture());
    // Peaks with setup: pointer-passing 682,376 B against value-shared 790,024 B at ts 4 (less
    // by pointer); setup heaps of 100,000 and 700,000 B leave 582,376 against 90,024 in flight.
    set_metric(&mut v, "pointer-passing", 4, "setup_heap_bytes", 100_000.into());
    set_metric(&mut v, "value-shared", 4, "setup_heap_bytes", 700_000.into());
    let r = render(&v, Path::new(FIXTURE));
    let (_, sizes) = claim(&r, "C3");
    // The fixture has five repeats a side: each size has its peak RSS line beside it.
    assert_eq!(sizes[2], ("ts=4".into(), "contradicted".into()), "{sizes:?}");
    assert_eq!(sizes[3].0, "ts=4 RSS", "{sizes:?}");
    let claims = claims_json(&r);
    let c3 = claims["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "C3" && c["contrast"]["name"] == "copy vs pointer")
        .unwrap();
    let measured = c3["sizes"][2]["measured"].as_str().unwrap();
    assert!(measured.contains("heap in flight 87.9 KiB") && measured.contains("setup alone decides"), "{measured}");
    // RSS shown beside never counts toward the overall verdict.
    assert!(c3["sizes"].as_array().unwrap().iter().all(|s| s["informs_only"] == s["size"].as_str().unwrap().ends_with("RSS")));
}

#[test]
fn a_regression_turns_the_banner_red() {
    let mut better = fixture();
    set_metric(&mut better, "pooled", 4, "allocs_per_span", 0.0.into());
    let mut current = fixture();
    set_metric(&mut current, "pooled", 4, "allocs_per_span", 0.5.into());
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    std::fs::write(&baseline, serde_json::to_vec(&better).unwrap()).unwrap();
    let r = render(&current, &baseline);
    let doc = Html::parse_document(&r.html);
    let banner: String = doc.select(&sel("section#verdict .banner.bad")).next().expect("a red banner").text().collect();
    assert!(banner.starts_with("1 of 8 rows regressed,"), "one row, by two metrics: {banner}");
    let by_metric = verdict_metric(&doc);
    assert!(by_metric.contains("2 regressed"), "allocs/span and allocs: {by_metric}");
    let first: String = doc.select(&sel("section#verdict ul.regressions li")).next().unwrap().text().collect();
    assert!(first.contains("pooled") && first.contains("allocs_per_span"), "{first}");
    assert_eq!(doc.select(&sel("section#baseline tr.regressed")).count(), 2);
}

#[test]
fn absent_inputs_are_said_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = fixture();
    v["config"]["trace_state"] = serde_json::json!([4]);
    v["scenarios"] = serde_json::Value::Array(
        v["scenarios"].as_array().unwrap().iter().filter(|s| s["trace_state_entries"] == 4).cloned().collect(),
    );
    std::fs::write(dir.path().join("results.json"), serde_json::to_vec(&v).unwrap()).unwrap();
    let nowhere = dir.path().join("nowhere");
    let n = nowhere.to_str().unwrap();
    let o = spanalloc(&[
        "report",
        dir.path().to_str().unwrap(),
        "--baseline",
        "none",
        "--baselines",
        n,
        "--history",
        &format!("{n}/h.jsonl"),
        "--criterion",
        n,
        "--iai",
        n,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    let doc = Html::parse_document(&html);
    for id in ["sweep", "baseline", "history"] {
        let absent = doc.select(&sel(&format!("section#{id} p.absent"))).count();
        assert_eq!(absent, 1, "section {id} says its input is absent");
    }
    assert_eq!(doc.select(&sel("section#benches p.absent")).count(), 2);
}

#[test]
fn a_bad_results_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("results.json"), "{\"schema_version\": 1").unwrap();
    let o = spanalloc(&["report", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("truncated JSON"));
    assert!(!dir.path().join("index.html").exists());
}

/// The first screen answers: the verdict counts against the named baseline, the chart that
/// matters, links to every section.
#[test]
fn the_first_screen_has_the_counts_the_main_chart_and_the_way_on() {
    let r = render(&fixture(), Path::new(FIXTURE));
    let doc = Html::parse_document(&r.html);
    let banner: String = doc.select(&sel("section#verdict #verdict-counts")).next().expect("the counts").text().collect();
    assert!(banner.starts_with("0 of 8 rows regressed, 0 improved, 8 unchanged against"), "{banner}");
    let by_metric = verdict_metric(&doc);
    assert!(by_metric.contains("0 regressed, 0 improved, 48 unchanged, 8 noise against"), "{by_metric}");
    let verdict = doc.select(&sel("section#verdict")).next().unwrap();
    assert!(
        verdict.select(&sel("figure#chart-main-allocs")).next().is_some()
            && verdict.select(&sel("figure#chart-main-bytes")).next().is_some()
    );
    let links: Vec<&str> = verdict.select(&sel("nav.toc a")).map(|a| a.value().attr("href").unwrap()).collect();
    for id in SECTIONS.iter().filter(|s| **s != "verdict") {
        assert!(links.contains(&format!("#{id}").as_str()), "a link to {id}: {links:?}");
    }
    assert!(doc.select(&sel("section#baseline details")).count() >= 1, "the long comparison folds");
}

/// value-copy's sites: each clone point on a row of its own, with its allocations per span, the
/// stacks a click away.
#[test]
fn value_copys_clone_points_are_separate_sites() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o =
        spanalloc(&["run", "--scenario", "value-copy", "--spans", "2600", "--rate", "0", "--dhat-spans", "2600", "--out", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    let doc = Html::parse_document(&html);
    let rows: Vec<(String, String)> = doc
        .select(&sel("section#stages table.sites tr"))
        .filter_map(|tr| {
            let cells: Vec<String> = tr.select(&sel("td")).map(|td| td.text().collect::<String>()).collect();
            let summary: String = tr.select(&sel("summary")).next()?.text().collect();
            Some((summary, cells.get(1)?.clone()))
        })
        .collect();
    let per_span = |method: &str| {
        rows.iter()
            .find(|(site, _)| site.ends_with(&format!("spanalloc_model::strategy::Strategy>::{method}")))
            .unwrap_or_else(|| panic!("no {method} row in {rows:?}"))
            .1
            .clone()
    };
    // 12 of 13 spans clone in the sampler, all 13 at with_span and at end, 9 blocks a clone.
    assert_eq!(per_span("sample"), "8.308");
    assert_eq!(per_span("publish"), "9.000");
    assert_eq!(per_span("end"), "9.000");
    assert!(doc.select(&sel("section#stages table.sites details pre")).count() >= 3, "stacks a click away");
    let heading: String = doc.select(&sel("section#stages p")).map(|p| p.text().collect::<String>()).collect();
    assert!(heading.contains("blocks/span (allocs and reallocs, as dhat counts them)"), "{heading}");
}

/// A run with failures opens the page in red, each failure with its kind, whatever the rows say;
/// a row that dropped spans is marked in the first screen's charts and in its own banner.
#[test]
fn failures_and_drops_are_on_the_first_screen() {
    let mut v = fixture();
    v["failures"] = serde_json::json!([
        {"name": "pooled", "trace_state_entries": 4, "kind": "crash", "pass": "count", "error": "count pass exited with signal: 11 (SIGSEGV)", "stderr_tail": ""},
        {"name": "atomic-swap", "trace_state_entries": 0, "kind": "cross-check", "pass": "dhat", "error": "CROSS-CHECK FAILED: dhat saw 3041 blocks", "stderr_tail": ""}
    ]);
    let i = v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["name"] == "atomic-swap" && s["trace_state_entries"] == 4)
        .unwrap();
    v["scenarios"][i]["dropped_spans"] = 120.into();
    // The same file as its own baseline: no regression, and still red.
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("b.json");
    std::fs::write(&baseline, serde_json::to_vec(&v).unwrap()).unwrap();
    let r = render(&v, &baseline);
    let doc = Html::parse_document(&r.html);
    let first: String = doc.select(&sel("section#verdict .banner")).next().unwrap().text().collect();
    assert!(first.starts_with("This run failed: 2 failure(s)."), "{first}");
    let kinds: Vec<String> = doc.select(&sel("section#verdict ul.failures li code")).map(|c| c.text().collect()).collect();
    assert_eq!(kinds, ["crash", "cross-check"]);
    let counts: String = doc.select(&sel("#verdict-counts")).next().unwrap().text().collect();
    // The row that dropped cannot be judged, even against itself: other work.
    assert!(counts.starts_with("The run failed (2 failure(s)). FAILED: 1 baseline row(s) not judged"), "{counts}");
    assert!(counts.contains("0 of 8 rows regressed"), "{counts}");
    assert!(doc.select(&sel("#verdict-counts.bad")).next().is_some(), "red, though nothing regressed");
    let dropped: String = doc.select(&sel("section#verdict .banner.dropped")).next().unwrap().text().collect();
    assert!(dropped.starts_with("atomic-swap at trace-state 4 dropped 120 of its"), "{dropped}");
    let chart = std::fs::read_to_string(r.path.with_file_name("main-allocs.svg")).unwrap();
    assert!(chart.contains("atomic-swap (dropped 120 at ts 4)"), "the chart marks the row");
}

fn verdict_metric(doc: &Html) -> String {
    doc.select(&sel("section#verdict p.by-metric")).next().expect("the by-metric line").text().collect()
}

/// "Which costs least here?": one sentence per size, the setup heap the winner holds named, rows
/// tied for least named together, a row that dropped spans (not the same work) left out.
#[test]
fn the_first_screen_says_which_row_costs_least_and_its_setup_heap() {
    let mut v = fixture();
    for (name, ts, setup) in
        [("pooled", 0, 1_258_291), ("pooled", 4, 1_258_291), ("value-copy", 0, 322_970), ("atomic-swap", 4, 249_548)]
    {
        set_metric(&mut v, name, ts, "setup_heap_bytes", setup.into());
    }
    let r = render(&v, Path::new(FIXTURE));
    let doc = Html::parse_document(&r.html);
    let least: Vec<String> = doc.select(&sel("section#verdict ul#cheapest li")).map(|li| li.text().collect()).collect();
    assert_eq!(
        least,
        [
            "At trace-state 0, value-copy (315.4 KiB of setup heap) and pooled (1.2 MiB of setup heap, the largest here) allocate least: 0.000 allocations and 0.0 B per span. Next, atomic-swap (0 B of setup heap): 1.169 and 64.1 B per span.",
            "At trace-state 4, pooled (1.2 MiB of setup heap, the largest here) allocates least: 0.000 allocations and 0.0 B per span. Next, atomic-swap (243.7 KiB of setup heap): 2.692 and 112.9 B per span.",
        ]
    );
    // pooled dropped spans at 4: it did other work, so it is not the answer there.
    v["scenarios"].as_array_mut().unwrap().iter_mut().find(|s| s["name"] == "pooled" && s["trace_state_entries"] == 4).unwrap()
        ["dropped_spans"] = 10.into();
    let doc = Html::parse_document(&render(&v, Path::new(FIXTURE)).html);
    let at4: String = doc.select(&sel("section#verdict ul#cheapest li")).nth(1).unwrap().text().collect();
    assert!(
        at4.starts_with("At trace-state 4, atomic-swap (243.7 KiB of setup heap, the largest here) allocates least"),
        "{at4}"
    );
}

/// History: runs of another workload are their own series, never joined by one line to the
/// others; runs of one day and commit get distinct labels.
#[test]
fn history_keeps_workloads_apart_and_tells_runs_of_one_commit_apart() {
    let dir = tempfile::tempdir().unwrap();
    let (small, big) = (dir.path().join("small"), dir.path().join("big"));
    let mut larger = fixture();
    larger["config"]["spans"] = 20_000.into();
    for (d, v) in [(&small, fixture()), (&big, larger)] {
        std::fs::create_dir_all(d).unwrap();
        std::fs::write(d.join("results.json"), serde_json::to_vec(&v).unwrap()).unwrap();
    }
    let history = dir.path().join("history.jsonl");
    for d in [&small, &small, &big] {
        let o = spanalloc(&["history", "append", d.join("results.json").to_str().unwrap(), "--file", history.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = spanalloc(&["report", small.to_str().unwrap(), "--history", history.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = std::fs::read_to_string(small.join("history-allocs.svg")).unwrap();
    for label in ["value-copy (2600 spans, unpaced)", "value-copy (20k spans, unpaced)", "11-25 d34b5c5 #2", "11-25 d34b5c5 #3"] {
        assert!(svg.contains(label), "{label} missing from the history chart");
    }
    let doc = Html::parse_document(&std::fs::read_to_string(small.join("index.html")).unwrap());
    let workloads: Vec<String> =
        doc.select(&sel("section#history table tr td:nth-child(4)")).map(|td| td.text().collect()).collect();
    assert_eq!(
        workloads,
        [
            "2600 spans, unpaced, trace-state 0, 4",
            "2600 spans, unpaced, trace-state 0, 4",
            "20k spans, unpaced, trace-state 0, 4"
        ]
    );
}

#[test]
fn the_strategy_table_shows_blocks_per_span_beside_allocations() {
    // Blocks are allocations and reallocations, as DHAT and `-benchmem` count them.
    let mut v = fixture();
    let row = &mut v["scenarios"][0];
    let spans = row["spans"].as_u64().unwrap();
    row["metrics"]["reallocs"] = (2 * spans).into();
    let allocs = row["metrics"]["allocs_per_span"].as_f64().unwrap();
    let r = render(&v, Path::new(FIXTURE));
    let doc = Html::parse_document(&r.html);
    let table = doc.select(&sel("#strategies table")).next().expect("the strategy table");
    let heads: Vec<String> = table.select(&sel("th")).map(|h| h.text().collect()).collect();
    let (a, b) = (heads.iter().position(|h| h == "allocs/span").unwrap(), heads.iter().position(|h| h == "blocks/span").unwrap());
    let first: Vec<String> = table.select(&sel("tr")).nth(1).unwrap().select(&sel("td")).map(|c| c.text().collect()).collect();
    assert_eq!(first[a], format!("{allocs:.3}"));
    assert_eq!(first[b], format!("{:.3}", allocs + 2.0), "{first:?}");
}

/// A history longer than a year of nights: the charts draw the last 365 runs (every series at
/// most 365 points), the runs table lists them, and the page says how many runs there are.
#[test]
fn a_long_history_is_drawn_over_its_last_year() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    std::fs::create_dir(&run).unwrap();
    std::fs::write(run.join("results.json"), serde_json::to_vec(&fixture()).unwrap()).unwrap();
    let one = spanalloc_record::history::HistoryEntry::from_results(
        &spanalloc_record::input::parse_results(&serde_json::to_vec(&fixture()).unwrap()).unwrap(),
    );
    let lines: String = (0..1000)
        .map(|i| {
            let mut e = one.clone();
            e.run_id = Some(format!("run{i:04}"));
            e.date = format!("2026-{:02}-{:02}T02:17:00Z", 1 + i % 336 / 28, 1 + i % 28);
            serde_json::to_string(&e).unwrap() + "\n"
        })
        .collect();
    let history = dir.path().join("history.jsonl");
    std::fs::write(&history, lines).unwrap();
    let o = spanalloc(&["report", run.to_str().unwrap(), "--history", history.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for chart in ["history-allocs.svg", "history-cpu.svg"] {
        let svg = std::fs::read_to_string(run.join(chart)).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        // The data lines: every coloured polyline but the legend's two-point marks.
        let most = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") != Some("#000000"))
            .map(|n| n.attribute("points").unwrap_or("").split_whitespace().count())
            .max()
            .unwrap();
        assert!((300..=365).contains(&most), "{chart}: a series of {most} points");
    }
    let html = std::fs::read_to_string(run.join("index.html")).unwrap();
    assert!(html.contains("the last 365 of 1000 runs (runs 635 to 999)"), "the window is said");
    assert!(html.contains("<tr><td>999</td>") && !html.contains("<tr><td>634</td>"), "the table lists the window");
}
