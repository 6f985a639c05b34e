//! Instructions per pipeline run under callgrind (iai-callgrind): deterministic where wall time
//! is not. Needs `iai-callgrind-runner` 0.16.1 on PATH and valgrind: `scripts/bench-iai.sh`
//! installs both. Without them (build.rs looks) this bench says so in one line and exits 0, so
//! `cargo bench` runs every criterion bench on a fresh machine.

use std::hint::black_box;

use iai_callgrind::{library_benchmark, library_benchmark_group, Callgrind, EntryPoint, LibraryBenchmarkConfig};
use spanalloc_model::{NoHooks, RunReport, Scenario, WorkloadConfig};

fn run(s: Scenario, ts: usize) -> RunReport {
    let cfg = WorkloadConfig { spans: 2_600, warmup: 0, rate: 0, trace_state_entries: ts, ..Default::default() };
    (s.run)(&cfg, &NoHooks)
}

/// The pipeline runs on its own producer and exporter threads, which the default entry point (the
/// benchmark function, on the main thread) would not count. Count exactly those two thread
/// bodies instead: setup on the main thread (pools) stays out, as in the harness.
fn pipeline_threads() -> LibraryBenchmarkConfig {
    let mut config = LibraryBenchmarkConfig::default();
    config.tool(
        Callgrind::with_args([
            "--collect-atstart=no",
            "--toggle-collect=*processor::export_loop*",
            "--toggle-collect=*walk::produce*",
        ])
        .entry_point(EntryPoint::None),
    );
    config
}

#[library_benchmark(config = pipeline_threads())]
#[bench::value_copy_ts4(spanalloc_builtin::STRATEGIES[0], 4)]
#[bench::value_shared_ts4(spanalloc_builtin::STRATEGIES[1], 4)]
#[bench::pointer_passing_ts4(spanalloc_builtin::STRATEGIES[2], 4)]
#[bench::pooled_ts4(spanalloc_builtin::STRATEGIES[3], 4)]
#[bench::atomic_swap_ts4(spanalloc_builtin::STRATEGIES[4], 4)]
fn pipeline(s: Scenario, ts: usize) -> RunReport {
    black_box(run(s, ts))
}

library_benchmark_group!(name = pipelines; benchmarks = pipeline);

#[cfg(iai_runner)]
iai_callgrind::main!(library_benchmark_groups = pipelines);

#[cfg(not(iai_runner))]
fn main() {
    // Keep the benchmark compiled (and checked) even where it cannot run.
    let _ = pipelines::__BENCHES;
    if !std::env::args().any(|a| a == "--list") {
        println!(
            "iai-callgrind: skipped, iai-callgrind-runner 0.16.1 or valgrind not found (scripts/bench-iai.sh installs them)"
        );
    }
}
