//! Wall time of `compare` over a large results file: matching, judging and printing 10,000 rows.
//! Its linearity is a test (harness/tests/hostile.rs counts compare's instructions at n and 4n
//! rows); how fast it is lives here, quoted in docs/reliability.md. Noisy: medians of one run.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use spanalloc_judge::compare::compare;
use spanalloc_judge::thresholds::Thresholds;
use spanalloc_record::input::parse_results;
use spanalloc_show::compare::{render, Format};

const FIXTURE: &str = include_str!("../../harness/record/tests/fixtures/results-v1.json");

/// The fixture with its pointer-passing row repeated `n` times under other names.
fn rows(n: usize) -> spanalloc_record::schema::Results {
    let mut v: serde_json::Value = serde_json::from_str(FIXTURE).expect("the fixture parses");
    let template = v["scenarios"][1].clone();
    let rows: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let mut s = template.clone();
            s["name"] = format!("row-{i}").into();
            s["timeline"] = serde_json::json!([]);
            s
        })
        .collect();
    v["scenarios"] = rows.into();
    parse_results(&serde_json::to_vec(&v).unwrap()).expect("a valid results file")
}

fn compare_rows(c: &mut Criterion) {
    let mut g = c.benchmark_group("compare");
    g.sample_size(10);
    let t = Thresholds::default();
    for n in [1_000usize, 10_000] {
        let r = rows(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("judge", n), &r, |b, r| b.iter(|| compare(r, r, &t, ("a", "b"))));
        g.bench_with_input(BenchmarkId::new("judge+text", n), &r, |b, r| {
            b.iter(|| render(&compare(r, r, &t, ("a", "b")), Format::Text))
        });
    }
    g.finish();
}

criterion_group!(benches, compare_rows);
criterion_main!(benches);
