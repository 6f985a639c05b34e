//! The whole spanalloc command line — run, compare, report, baseline… — over the built-in
//! scenarios plus this crate's own. The meter must be the global allocator: `run` re-runs this
//! binary for every pass and counts what it allocates.

mod boxed_span;

use spanalloc::catalog::Catalog;

#[global_allocator]
static ALLOC: spanalloc::meter::Meter = spanalloc::meter::Meter;

fn main() -> std::process::ExitCode {
    spanalloc::cli::main(Catalog::builtin().with(boxed_span::SCENARIO))
}
