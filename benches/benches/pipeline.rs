//! Wall time per span of each whole pipeline, unpaced. Noisy by nature: compare medians
//! measured in one run, never across machines.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use spanalloc_builtin::STRATEGIES;
use spanalloc_model::{NoHooks, WorkloadConfig};

const SPANS: u64 = 5_000;

fn pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10).throughput(Throughput::Elements(SPANS));
    for ts in [0usize, 4] {
        let cfg = WorkloadConfig { spans: SPANS, warmup: 500, rate: 0, trace_state_entries: ts, ..Default::default() };
        for s in STRATEGIES {
            g.bench_with_input(BenchmarkId::new(s.name, ts), &cfg, |b, cfg| b.iter(|| (s.run)(cfg, &NoHooks)));
        }
    }
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
