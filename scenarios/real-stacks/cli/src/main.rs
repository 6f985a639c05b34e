//! `spanalloc-stacks`: the whole spanalloc command line over the built-in rows and the real
//! stacks (docs/real-stacks.md). The meter is the global allocator: every pass re-runs this binary.

#[global_allocator]
static ALLOCATOR: spanalloc::meter::Meter = spanalloc::meter::Meter;

fn main() -> std::process::ExitCode {
    spanalloc::cli::main(spanalloc_stacks::catalog())
}
